"""The inbox of Telegram updates: stored before they are acknowledged, taken once, finished once.

Telegram re-sends an update until it gets a 2xx and aiogram does not de-duplicate, so the row keyed by
update_id is both the durable copy and the de-duplication. A row is claimed by one process (its `owner`, see
core.liveness) and finished by that same process in the transaction that commits the update's effects
(`finish` is a compare-and-set on the owner): an update is either wholly done, effects and all, or not at all.
What a process holds stays its own while it lives, however long it takes; the moment it dies its claims are free
for another process (`take_due`), with no lease to wait out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from core import liveness, outbox
from core.clock import now
from models import InboxUpdate, Outbox

log = logging.getLogger(__name__)

FINISHED = ("done", "failed", "ignored")
UNFINISHED = ("pending", "processing")
# How long an update waits for an older one of its chat held by another process before going ahead anyway.
TURN_WAIT_SECONDS = 2.0
# An update this process claimed but no longer holds (a database error cut its run short) is taken again once its
# claim is this old: younger ones may be between being stored and being queued, which the recovery can't see.
RETAKE_OWN_AFTER = timedelta(seconds=5)
# Advisory locks on chats sit in their own key class ("ESTC"); a collision only makes two chats take turns.
CHAT_LOCK_CLASS = 0x45535443


class ClaimLost(RuntimeError):
    """Another process took the update (this one was presumed dead): this run's effects must roll back."""


class NotYourTurn(RuntimeError):
    """An older update of the chat is still being handled elsewhere: this run rolls back and waits."""


async def store(update_id: int, payload: dict[str, Any], *, chat_id: int | None = None, kind: str | None = None,
                claimed: bool = False) -> bool:
    """Keeps the update; False when it was stored before (a re-delivery). With `claimed` this process also
    takes it for processing in the same write."""
    values: dict[str, Any] = {"update_id": update_id, "payload": payload, "chat_id": chat_id, "kind": kind}
    if claimed:
        values |= {"status": "processing", "claimed_at": now(), "attempts": 1, "owner": liveness.me()}
    if liveness.is_postgres():  # every update comes this way: one plain statement, no ORM object
        values = {"status": "pending", "attempts": 0, "claimed_at": None, "owner": None, **values,
                  "payload": json.dumps(payload, ensure_ascii=False), "received_at": now()}
        marks = ", ".join(f"${index}" for index in range(1, len(values) + 1))
        inserted = await connections.get("default").execute_query_dict(
            f"INSERT INTO inbox_update ({', '.join(values)}) VALUES ({marks}) "
            "ON CONFLICT (update_id) DO NOTHING RETURNING update_id", list(values.values()))
        return bool(inserted)
    try:
        await InboxUpdate.create(**values)
    except IntegrityError:
        return False
    return True


async def store_ignored(update_id: int, payload: dict[str, Any], *, kind: str, reason: str) -> bool:
    """Keeps an update nobody here handles (a type this bot does not know), finished as `ignored`: it is
    acknowledged, recorded once and never taken again."""
    try:
        await InboxUpdate.create(update_id=update_id, payload=payload, status="ignored", kind=kind[:40],
                                 done_at=now(), error=reason)
    except IntegrityError:
        return False
    return True


async def claim(update_id: int, payload: dict[str, Any] | None = None, *, chat_id: int | None = None,
                kind: str | None = None) -> bool:
    """Takes the update for this process: a pending one, one whose owner is dead, or (with `payload`) one not
    stored yet. Exactly one caller wins, however many deliveries race."""
    if await _take(update_id, None):
        return True
    row = await InboxUpdate.filter(update_id=update_id).only("update_id", "status", "owner").first()
    if row is None:
        return payload is not None and await store(update_id, payload, chat_id=chat_id, kind=kind, claimed=True)
    if row.status == "processing" and row.owner in await liveness.dead([row.owner]):
        return await _take(update_id, row.owner)
    return False


async def _take(update_id: int, dead_owner: int | None) -> bool:
    """Compare-and-set: pending (or processing by `dead_owner`) → processing by this process."""
    query = InboxUpdate.filter(update_id=update_id)
    if dead_owner is None:
        query = query.filter(status="pending")
    else:
        query = query.filter(status="processing", owner=dead_owner)
    return bool(await query.update(status="processing", claimed_at=now(), owner=liveness.me(),
                                   attempts=F("attempts") + 1))


async def finish(update_id: int, error: str | None = None, *, replies: list[Outbox] | None = None) -> bool:
    """Done (or failed) — only if this process still holds it — with the update's replies (bot.effects) written
    beside it. Called inside the transaction of the update's effects; False means another process took it (this
    one was presumed dead) and the effects must roll back. A failed update is not retried: its user has been told.
    On PostgreSQL the finish and the replies are one statement."""
    status, done_at, error = ("failed" if error else "done"), now(), (error[:2000] if error else None)
    if replies and liveness.is_postgres():
        insert, values = outbox.replies_insert(replies, owner=liveness.me())
        at = len(values)
        returned = await connections.get("default").execute_query_dict(
            f"WITH finished AS (UPDATE inbox_update SET status = ${at + 1}, done_at = ${at + 2}, error = ${at + 3} "
            f"WHERE update_id = ${at + 4} AND status = 'processing' AND owner = ${at + 5} RETURNING 1) "
            f"{insert}, (SELECT count(*) FROM finished) AS finished",
            [*values, status, done_at, error, update_id, liveness.me()],
        )
        outbox.took_ids(replies, returned)
        return returned[0]["finished"] == 1
    finished = bool(await InboxUpdate.filter(update_id=update_id, status="processing", owner=liveness.me()).update(
        status=status, done_at=done_at, error=error,
    ))
    if finished and replies:
        await outbox.write_replies(replies, owner=liveness.me())
    return finished


async def is_finished(update_id: int) -> bool:
    return await InboxUpdate.filter(update_id=update_id, status__in=FINISHED).exists()


async def is_settled(update_id: int) -> bool:
    """Finished, and every reply it wrote has been delivered (or given up): what a user waits for."""
    if not await is_finished(update_id):
        return False
    return not await Outbox.filter(update_id=update_id, status__in=("pending", "sending")).exists()


async def release_abandoned() -> int:
    """Hands back to pending whatever dead processes held (at start: a previous run of this one)."""
    owners = await _processing_owners()
    gone = await liveness.dead(owners)
    if not gone:
        return 0
    return await InboxUpdate.filter(_owner_in(gone), status="processing").update(status="pending", owner=None)


async def take_due(limit: int = 100, *, in_hand: set[int] | frozenset[int] = frozenset()) -> list[InboxUpdate]:
    """Takes, for this process, updates nobody is handling: stored but never taken, held by a dead process, or
    held by this one but no longer in its hands (`in_hand`: what it is handling or has queued), e.g. after a
    database error cut a run short. Ordered by update_id, so a chat's updates keep their order."""
    await release_abandoned()
    mine = InboxUpdate.filter(status="processing", owner=liveness.me(), claimed_at__lt=now() - RETAKE_OWN_AFTER)
    if in_hand:
        mine = mine.exclude(update_id__in=list(in_hand))
    taken = list(await mine.order_by("update_id").limit(limit).values_list("update_id", flat=True))
    candidates = await InboxUpdate.filter(status="pending").order_by("update_id").limit(limit) \
        .values_list("update_id", flat=True)
    taken += [update_id for update_id in candidates if await _take(update_id, None)]
    if not taken:
        return []
    return list(await InboxUpdate.filter(update_id__in=taken).order_by("update_id"))


@dataclass(frozen=True)
class Turn:
    mine: bool  # False: an older update of the chat is held by another process; wait and try again
    directory_version: int | None  # read in the same round trip (core.directory); None when not read
    held: bool = True  # False: the update is no longer this process's to handle (finished, or taken over)


async def take_chat_turn(update_id: int, chat_id: int | None, queue_jumping_allowed: bool = False) -> Turn:
    """First thing in the update's transaction, with several processes: no other process handles an update of this
    chat until the transaction ends (an advisory lock), and an older update of the chat held by another process
    goes first — unless this one has waited long enough (`queue_jumping_allowed`). One round trip, which also says
    whether the update is still this process's (a second run queued behind the first finds it done) and reads the
    directory version every update needs next; nothing to do on SQLite, which is one process."""
    if chat_id is None or not liveness.is_postgres():
        return Turn(True, None)
    rows = await connections.get("default").execute_query_dict(
        "SELECT EXISTS (SELECT 1 FROM inbox_update WHERE chat_id = $3 AND update_id < $4 "
        "AND status IN ('pending', 'processing') AND owner IS DISTINCT FROM $5) AS older, "
        "EXISTS (SELECT 1 FROM inbox_update WHERE update_id = $4 AND status = 'processing' AND owner = $5) AS held, "
        "(SELECT version FROM directory_version WHERE id = 1) AS directory_version "
        "FROM (SELECT pg_advisory_xact_lock($1, ($2::bigint % 2147483647)::int)) AS locked",
        [CHAT_LOCK_CLASS, chat_id, chat_id, update_id, liveness.me()],
    )
    older, held, version = rows[0]["older"], rows[0]["held"], rows[0]["directory_version"] or 0
    if older and held and not queue_jumping_allowed:
        return Turn(False, version)
    if older and held:
        log.info("update %s goes ahead of an older one of chat %s held elsewhere", update_id, chat_id)
    return Turn(True, version, held)


async def _processing_owners() -> set[int | None]:
    rows = await InboxUpdate.filter(status="processing").distinct().values_list("owner", flat=True)
    return set(rows)


def _owner_in(owners: set[int | None]) -> Q:
    known = [owner for owner in owners if owner is not None]
    condition = Q(owner__in=known) if known else Q(pk__in=[])
    return condition | Q(owner__isnull=True) if None in owners else condition
