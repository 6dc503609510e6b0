"""The signed-in staff member as a core `Actor` (roles and grants loaded once per request), and what the
navigation offers them. Every decision is core.permissions'; this only asks it."""

from __future__ import annotations

from aiohttp import web

from core import modules
from core.modules import NavEntry
from core.permissions import Actor, can, load_actor
from webadmin.session import current_staff

_ACTOR = web.RequestKey("webadmin_actor", object)


async def current_actor(request: web.Request) -> Actor | None:
    """The actor of this request's signed-in staff member (channel "web"), or None when nobody is signed in."""
    staff = await current_staff(request)
    cached = request.get(_ACTOR)
    if isinstance(cached, Actor) and cached.staff is not None and staff is not None and cached.staff.id == staff.id:
        return cached
    if staff is None:
        return None
    actor = await load_actor(staff, channel="web")
    request[_ACTOR] = actor
    return actor


async def nav_entries(request: web.Request) -> list[NavEntry]:
    """The active modules' navigation links this request's actor may follow, in order."""
    actor = await current_actor(request)
    if actor is None:
        return []
    return [entry for entry in modules.active().nav if can(actor, entry.action)]
