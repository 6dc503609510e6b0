"""The audit log: every change with actor, channel, time, before and after."""

from __future__ import annotations

from typing import Any

from models import Activity, Staff


async def record(
    action: str,
    *,
    channel: str,
    actor: Staff | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict | None = None,
    after: dict | None = None,
) -> Activity:
    return await Activity.create(
        action=action,
        channel=channel,
        actor=actor,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
    )
