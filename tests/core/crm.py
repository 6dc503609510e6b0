"""Helpers for core tests: the generic pack loaded, people with its roles, actors."""

from __future__ import annotations

from core.packs import load_pack
from core.permissions import Actor, load_actor
from models import Role, Staff


async def generic_pack() -> None:
    await load_pack("generic", with_demo=False)


async def person(name: str, role: str, telegram_id: int | None = None, locale: str = "ru") -> Staff:
    staff = await Staff.create(name=name, telegram_id=telegram_id, locale=locale)
    await staff.roles.add(await Role.get(key=role))
    return staff


async def actor_of(staff: Staff, channel: str = "web") -> Actor:
    return await load_actor(staff, channel=channel)
