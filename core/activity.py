"""The audit log: every change with actor, channel, time, before and after."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import Activity, Staff

if TYPE_CHECKING:
    from core.permissions import Actor


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


async def record_by(actor: Actor, action: str, *, object_type: str, object_id: Any, before: dict | None = None,
                    after: dict | None = None) -> Activity:
    """`record` for a use case's actor: the person (if any) and the channel they came through."""
    return await record(action, channel=actor.channel, actor=actor.staff, object_type=object_type,
                        object_id=object_id, before=before, after=after)
