"""Bot conversations in progress, kept in the database when Redis is not configured (the embedded demo), so a
half-filled dialog survives a restart. Written in the update's own transaction like everything else the update
changes. A draft untouched for longer than `telegram.draft_days` is gone: read as empty, and pruned by the sweep.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.clock import now
from models import Draft


async def read(key: str, ttl: timedelta) -> Draft | None:
    draft = await Draft.get_or_none(key=key)
    if draft is None or draft.updated_at < now() - ttl:
        return None
    return draft


async def write(key: str, ttl: timedelta, *, state: Any = ..., data: dict[str, Any] | None = None) -> None:
    """Set the state (None ends the dialog) and/or the data; an expired draft is started afresh."""
    current = await read(key, ttl)
    values = {"state": current.state if current else None, "data": current.data if current else {}}
    if state is not ...:
        values["state"] = state
    if data is not None:
        values["data"] = data
    if values["state"] is None and not values["data"]:
        await Draft.filter(key=key).delete()
        return
    await Draft.update_or_create(defaults={**values, "updated_at": now()}, key=key)


async def prune(ttl: timedelta) -> int:
    """Delete drafts older than `ttl`; returns how many."""
    return await Draft.filter(updated_at__lt=now() - ttl).delete()
