"""The inbox of Telegram updates: stored before they are acknowledged, taken once, finished once.

Telegram re-sends an update until it gets a 2xx and aiogram does not de-duplicate, so the row keyed by
update_id is both the durable copy and the de-duplication. A row left `processing` by a killed process
is taken again once its lease runs out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from core.clock import now
from models import InboxUpdate

# Longer than any handler runs; handlers that take long hand their work to jobs.
LEASE_SECONDS = 20
FINISHED = ("done", "failed")


async def store(update_id: int, payload: dict[str, Any], *, claimed: bool = False) -> bool:
    """Keeps the update; False when it was stored before (a re-delivery). With `claimed` the caller also
    takes it for processing in the same write (its lease runs from now)."""
    try:
        if claimed:
            await InboxUpdate.create(update_id=update_id, payload=payload, status="processing", claimed_at=now(),
                                     attempts=1)
        else:
            await InboxUpdate.create(update_id=update_id, payload=payload)
    except IntegrityError:
        return False
    return True


async def claim(update_id: int, payload: dict[str, Any], lease_seconds: int = LEASE_SECONDS) -> bool:
    """Takes the update for processing. Exactly one caller wins, however many deliveries race."""
    moment = now()
    taken = await InboxUpdate.filter(
        Q(status="pending") | Q(status="processing", claimed_at__lt=moment - timedelta(seconds=lease_seconds)),
        update_id=update_id,
    ).update(status="processing", claimed_at=moment, attempts=F("attempts") + 1)
    if taken:
        return True
    if await InboxUpdate.exists(update_id=update_id):
        return False
    try:
        await InboxUpdate.create(update_id=update_id, payload=payload, status="processing", claimed_at=moment,
                                 attempts=1)
    except IntegrityError:
        return False
    return True


async def finish(update_id: int, error: str | None = None) -> None:
    # A failed update is not retried: its handler may have already told the user something.
    await InboxUpdate.filter(update_id=update_id).update(
        status="failed" if error else "done", done_at=now(), error=error
    )


async def is_finished(update_id: int) -> bool:
    return await InboxUpdate.filter(update_id=update_id, status__in=FINISHED).exists()


async def release_abandoned() -> int:
    """For a single-process deployment at start: whatever is `processing` was left by our own death."""
    return await InboxUpdate.filter(status="processing").update(status="pending", claimed_at=None)


async def due(limit: int = 100, lease_seconds: int = LEASE_SECONDS) -> list[InboxUpdate]:
    """Updates waiting to be processed: new ones, and those whose processor died mid-way."""
    cutoff = now() - timedelta(seconds=lease_seconds)
    return list(
        await InboxUpdate.filter(Q(status="pending") | Q(status="processing", claimed_at__lt=cutoff))
        .order_by("update_id")
        .limit(limit)
    )
