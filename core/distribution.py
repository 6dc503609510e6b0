"""Who gets a new lead: the pipeline says how (none / round_robin / least_loaded) and among which role.

Only active staff holding the pipeline's `distribution_role` are candidates. A pick locks the pipeline row until
the caller's transaction ends (PostgreSQL; SQLite has one writer), so leads arriving at the same moment are
handed out one after another and never both to the same manager by accident.
"""

from __future__ import annotations

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core.notify import staff_with_role
from models import Card, Pipeline, Staff

NONE = "none"
ROUND_ROBIN = "round_robin"
LEAST_LOADED = "least_loaded"
STRATEGIES = (NONE, ROUND_ROBIN, LEAST_LOADED)


async def pick_assignee(pipeline: Pipeline) -> Staff | None:
    """The staff member the next lead of `pipeline` goes to; None when the pipeline does not distribute or nobody
    active holds the role. Call it inside the transaction that creates the card: the lock and the round-robin
    cursor belong to that transaction and roll back with it."""
    if pipeline.distribution not in (ROUND_ROBIN, LEAST_LOADED) or not pipeline.distribution_role:
        return None
    async with in_transaction():
        # Re-read under the lock: the caller's copy of the cursor may be stale by now.
        locked = await Pipeline.filter(id=pipeline.id).select_for_update().first()
        if locked is None:
            return None
        candidates = await staff_with_role(pipeline.distribution_role)
        if not candidates:
            return None
        if pipeline.distribution == ROUND_ROBIN:
            chosen = _next_after(candidates, locked.distribution_cursor)
            await Pipeline.filter(id=pipeline.id).update(distribution_cursor=chosen.id)
            pipeline.distribution_cursor = chosen.id
            return chosen
        return await _least_loaded(candidates)


def _next_after(candidates: list[Staff], cursor: int) -> Staff:
    """The first candidate (by id) after the one who got the previous lead, wrapping around. The cursor is an id,
    not a position, so people joining or leaving the role do not make anyone skip a turn or get two."""
    return next((staff for staff in candidates if staff.id > cursor), candidates[0])


async def open_card_counts(staff_ids: list[int]) -> dict[int, int]:
    """How many open cards (of any pipeline) each person is assigned: the load a manager actually carries."""
    rows = (
        await Card.filter(assignee_id__in=staff_ids, stage__kind="open")
        .annotate(open_cards=Count("id"))
        .group_by("assignee_id")
        .values("assignee_id", "open_cards")
    )
    return {row["assignee_id"]: row["open_cards"] for row in rows}


async def _least_loaded(candidates: list[Staff]) -> Staff:
    load = await open_card_counts([staff.id for staff in candidates])
    return min(candidates, key=lambda staff: (load.get(staff.id, 0), staff.id))
