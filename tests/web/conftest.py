"""Fixtures for the web panel: an app with only the panel on it, seeded roles and staff, form helpers."""

from __future__ import annotations

import re
from functools import cache

import pytest
from aiohttp import web

from core.config import Settings
from core.identity import hash_password
from core.packs import load_pack
from models import Role, Staff
from webadmin import setup_webadmin

ADMIN_LOGIN = "olena"
ADMIN_PASSWORD = "correct horse battery"
MANAGER_LOGIN = "petro"
MANAGER_PASSWORD = "manager-password-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_app(settings: Settings) -> web.Application:
    app = web.Application()
    setup_webadmin(app, settings)
    return app


@pytest.fixture
def panel(aiohttp_client):
    """`await panel(settings)` -> a test client for an app with the panel set up."""

    async def factory(settings: Settings):
        return await aiohttp_client(build_app(settings))

    return factory


@cache
def password_hash(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose; hash each test password once per run


@pytest.fixture
async def people(db):
    """Roles of the generic pack, an admin with a password and a manager with a password."""
    await load_pack("generic", with_demo=False)
    admin = await Staff.create(name="Олена Адмін", login=ADMIN_LOGIN, password_hash=password_hash(ADMIN_PASSWORD))
    await admin.roles.add(await Role.get(key="admin"))
    manager = await Staff.create(name="Петро Менеджер", login=MANAGER_LOGIN, phone="+380501234567",
                                 password_hash=password_hash(MANAGER_PASSWORD), locale="ru")
    await manager.roles.add(await Role.get(key="manager"))
    return {"admin": admin, "manager": manager}


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def page_token(client, path: str = "/login") -> str:
    response = await client.get(path)
    return csrf_of(await response.text())


async def login(client, login_name: str, password: str, **extra):
    token = await page_token(client, "/login")
    return await client.post("/login", data={"csrf_token": token, "login": login_name, "password": password,
                                             **extra}, allow_redirects=False)


async def login_admin(client):
    response = await login(client, ADMIN_LOGIN, ADMIN_PASSWORD)
    assert response.status == 303, await response.text()
    return response
