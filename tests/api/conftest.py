"""Fixtures for the lead intake API: the generic pack with its demo people, an API key, and a client of an app
with the panel and the API on it. The whole-app fixtures (`estafeta`, `sandbox`) come from tests/bot."""

from __future__ import annotations

from typing import Any

import pytest

from core.intake import create_api_key
from core.packs import load_pack
from models import Role, Staff
from tests.bot.conftest import estafeta, sandbox  # noqa: F401  (fixtures: the whole app and its sandbox chat)
from tests.web.conftest import build_app

LEADS = "/api/v1/leads"


@pytest.fixture
async def crm(db):
    """The generic pack with demo people: Борис Мельник (id 2, telegram 1000002, locale uk) is its only manager."""
    await load_pack("generic", with_demo=True)
    return db


@pytest.fixture
async def api_key(crm) -> str:
    return await create_api_key("site", "sales")


@pytest.fixture
async def api(aiohttp_client, settings, crm):
    return await aiohttp_client(build_app(settings))


@pytest.fixture
async def managers(crm) -> list[Staff]:
    """Three active managers, in id order: the demo one and two more."""
    role = await Role.get(key="manager")
    for name, telegram_id in (("Віра Бондар", 2000001), ("Гліб Шевчук", 2000002)):
        staff = await Staff.create(name=name, telegram_id=telegram_id, locale="ru")
        await staff.roles.add(role)
    return list(await Staff.filter(roles__key="manager").order_by("id"))


def lead(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Олена Коваль", "phone": "+380 67 123 45 67", "message": "Нужна консультация"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


async def post_lead(client, body: Any, key: str | None, *, idempotency_key: str | None = None, **headers: str):
    if key is not None:
        headers.setdefault("Authorization", f"Bearer {key}")
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return await client.post(LEADS, json=body, headers=headers)
