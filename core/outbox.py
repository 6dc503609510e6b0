"""The notifications outbox: rows written in the caller's transaction, delivered later by the sender.

Life of a row: ``pending`` → (claimed) ``sending`` → ``sent`` | ``failed`` | ``blocked``; a retry puts it back
to ``pending`` with a later ``not_before``. Everything the sender decides is recorded here, in the database, so a
restart (or ``kill -9``) loses nothing: a row left in ``sending`` goes back to ``pending`` after the lease.

Claiming is safe with several sender processes: on PostgreSQL one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE
SKIP LOCKED)``; on SQLite (one process, one writer) a compare-and-set on ``status`` per row. At most one row per
chat is in flight at a time, and a chat is only claimed once its ``ChatState.next_send_at`` has passed, so the
per-chat pace holds across restarts and processes.

No aiogram here: the sender in ``jobs/outbox_sender.py`` maps Telegram's answers onto these functions.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import F, Q

from core import after_commit, clock, liveness
from core.clock import as_utc
from models import ChatState, Outbox

log = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"

#: The Bot API methods the sender knows how to call; the payload is that method's keyword arguments.
METHODS = (
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendVoice", "sendAudio", "sendAnimation",
    "sendVideoNote", "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendMediaGroup",
    "copyMessage", "forwardMessage",
    "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia", "deleteMessage",
    "answerCallbackQuery",
)

#: A row in ``sending`` longer than this is taken to belong to a dead process (must exceed the HTTP timeout).
DEFAULT_LEASE_SECONDS = 120.0
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 300.0
DEFAULT_MAX_ATTEMPTS = 8

_listeners: list[Callable[[], Any]] = []


# --- helpers -----------------------------------------------------------------------------------


def _parse_dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


def _conn():
    return connections.get("default")


def _dialect(conn) -> str:
    return conn.capabilities.dialect


def _sql(template: str, dialect: str) -> str:
    """Templates use ``{p1}``, ``{p2}`` …: ``$n`` for asyncpg, ``?`` for SQLite (each used once per query there)."""
    marks = {f"p{i}": (f"${i}" if dialect == "postgres" else "?") for i in range(1, 10)}
    return template.format(**marks)


def add_listener(callback: Callable[[], Any]) -> None:
    """Called (synchronously, errors swallowed) after each enqueue: a sender in this process wakes up early."""
    if callback not in _listeners:
        _listeners.append(callback)


def remove_listener(callback: Callable[[], Any]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def _notify() -> None:
    for callback in list(_listeners):
        try:
            callback()
        except Exception:  # a listener must never break the caller's transaction
            log.exception("outbox listener failed")


async def _ensure_chat(chat_id: int) -> None:
    """Create the chat's state row if missing; ON CONFLICT DO NOTHING, so safe inside a PG transaction."""
    await ChatState.bulk_create([ChatState(chat_id=chat_id)], ignore_conflicts=True)


async def _set_chat(chat_id: int, **values: Any) -> None:
    if not await ChatState.filter(chat_id=chat_id).update(**values):
        await _ensure_chat(chat_id)
        await ChatState.filter(chat_id=chat_id).update(**values)


def items_of(row: Outbox) -> int:
    """How many messages a row makes in the chat — an album one per item — which is what Telegram's limits count."""
    if row.method == "sendMediaGroup" and isinstance(row.payload, dict):
        return max(1, len(row.payload.get("media") or ()))
    return 1


# --- writing -----------------------------------------------------------------------------------


BLOCKED_ERROR = "chat blocked the bot"


async def enqueue(
    chat_id: int,
    text: str | None = None,
    *,
    method: str = "sendMessage",
    payload: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> Outbox | None:
    """Write one notification. Call it inside the transaction of the change it reports (or inside `gathered`,
    which writes nothing and returns None: the caller's own statement writes it).

    ``payload`` is the Bot API method's keyword arguments (``reply_markup``, ``parse_mode`` …, as JSON);
    ``text`` is a shortcut for ``payload["text"]`` (``caption`` for media). A chat that blocked the bot gets
    the row stored as ``blocked``: kept for the record, never sent.
    """
    if method not in METHODS:
        raise ValueError(f"unsupported outbox method {method!r}; one of {', '.join(METHODS)}")
    body = dict(payload or {})
    if text is not None:
        body["text" if method == "sendMessage" else "caption"] = text
    if method == "sendMessage" and not body.get("text"):
        raise ValueError("sendMessage needs a text")
    body.pop("chat_id", None)
    at = clock.now()
    not_before = as_utc(not_before) if not_before else at
    gathering = _gathering.get()
    if gathering is not None:
        gathering.append(Notice(chat_id, method, json.dumps(body, ensure_ascii=False), not_before))
        return None
    conn = _conn()
    if _dialect(conn) == "postgres":  # the blocked check and the write in one round trip
        notice = Notice(chat_id, method, json.dumps(body, ensure_ascii=False), not_before)
        inserted = (await conn.execute_query_dict(_ENQUEUE, notices_params([notice], at)))[0]
        row = Outbox(chat_id=chat_id, method=method, payload=body, status=inserted["status"], attempts=0,
                     not_before=not_before, created_at=at, error=inserted["error"])
        row.id, row._saved_in_db = inserted["id"], True
    else:
        state = await ChatState.get_or_none(chat_id=chat_id)
        blocked = state is not None and state.blocked_at is not None
        row = await Outbox.create(chat_id=chat_id, method=method, payload=body,
                                  status=BLOCKED if blocked else PENDING, not_before=not_before,
                                  error=BLOCKED_ERROR if blocked else None)
    if row.status != BLOCKED:
        after_commit.defer(_notify)
    return row


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification `enqueue` was asked for inside `gathered`, for the caller to write with `NOTICES_CTE`."""

    chat_id: int
    method: str
    payload: str  # JSON
    not_before: datetime


_gathering: ContextVar[list[Notice] | None] = ContextVar("outbox_gathering", default=None)


@contextmanager
def gathered() -> Iterator[list[Notice]]:
    """PostgreSQL: `enqueue` calls inside write nothing and are handed back, so a use case that is one statement
    (a card's move) writes its notifications in that statement instead of one round trip each. The caller must
    write them (`NOTICES_CTE`, `notices_params`) and then call `wake_after_commit`."""
    notices: list[Notice] = []
    token = _gathering.set(notices)
    try:
        yield notices
    finally:
        _gathering.reset(token)


# A CTE for a statement that writes gathered notices: `{first}` is the number of its first of five parameters,
# `{condition}` says when to write them (the statement's own change happened). Same blocked-chat rule as `enqueue`.
NOTICES_CTE = """notices AS (
    INSERT INTO outbox (chat_id, method, payload, status, attempts, not_before, created_at, error)
    SELECT notice.chat_id, notice.method, notice.payload::jsonb,
           CASE WHEN chat.blocked_at IS NULL THEN '""" + PENDING + """' ELSE '""" + BLOCKED + """' END, 0,
           notice.not_before, ${fifth}::timestamptz,
           CASE WHEN chat.blocked_at IS NOT NULL THEN '""" + BLOCKED_ERROR + """' END
    FROM unnest(${first}::bigint[], ${second}::text[], ${third}::text[], ${fourth}::timestamptz[])
         AS notice (chat_id, method, payload, not_before)
    LEFT JOIN chat_state AS chat ON chat.chat_id = notice.chat_id
    WHERE {condition}
    RETURNING id, status, error)"""


def notices_cte(first: int, condition: str) -> str:
    return NOTICES_CTE.format(first=first, second=first + 1, third=first + 2, fourth=first + 3, fifth=first + 4,
                              condition=condition)


# One notification on PostgreSQL (`enqueue`): the same statement as a move's notices, for a single one.
_ENQUEUE = "WITH " + notices_cte(1, "TRUE") + " SELECT id, status, error FROM notices"


def notices_params(notices: list[Notice], at: datetime) -> list[Any]:
    return [[notice.chat_id for notice in notices], [notice.method for notice in notices],
            [notice.payload for notice in notices], [notice.not_before for notice in notices], at]


def wake_after_commit(notices: list[Notice]) -> None:
    if notices:
        after_commit.defer(_notify)


# A reply's message id is not known until Telegram answers, so the handler is given a stand-in: negative, naming
# the reply by its update and place, (update_id, position) — the outbox's unique key. Any later call naming it is
# resolved once that row is sent.
POSITIONS_PER_UPDATE = 1000


def reply_reference(update_id: int, position: int) -> int:
    return -(update_id * POSITIONS_PER_UPDATE + position + 1)


def referenced_reply(message_id: int) -> tuple[int, int] | None:
    """(update_id, position) for a stand-in message id; None for a real one."""
    if message_id >= 0:
        return None
    update_id, position = divmod(-message_id - 1, POSITIONS_PER_UPDATE)
    return update_id, position


def reply_row(update_id: int, position: int, chat_id: int, method: str, payload: dict[str, Any]) -> Outbox:
    """A handler's reply, not yet written: `core.inbox.finish` writes an update's replies together."""
    if method not in METHODS:
        raise ValueError(f"unsupported outbox method {method!r}")
    if position >= POSITIONS_PER_UPDATE:
        raise ValueError(f"an update may make at most {POSITIONS_PER_UPDATE} replies")
    at = clock.now()
    return Outbox(chat_id=chat_id, method=method, payload=payload, status=SENDING, not_before=at, claimed_at=at,
                  update_id=update_id, position=position, attempts=0)


async def write_replies(rows: list[Outbox], *, owner: int) -> None:
    """An update's replies, written in its transaction with one statement and already claimed (`sending`) by
    `owner`, the process that delivers them right after the commit. (update_id, position) is unique, so a second
    run of the same update cannot write them again. A reply goes to someone who has just written: no blocked-chat
    check. (On PostgreSQL `core.inbox.finish` folds this statement into the update's finish.)"""
    if not rows:
        return
    conn = _conn()
    if _dialect(conn) != "postgres":  # one process, no network: a statement per row costs next to nothing
        for row in rows:
            row.owner = owner
            await row.save(using_db=conn)
        return
    statement, values = replies_insert(rows, owner=owner)
    took_ids(rows, await conn.execute_query_dict(statement, values))


_REPLY_COLUMNS = ("chat_id", "method", "payload", "status", "attempts", "not_before", "claimed_at", "created_at",
                  "update_id", "position", "owner")


def replies_insert(rows: list[Outbox], *, owner: int) -> tuple[str, list[Any]]:
    """PostgreSQL: one INSERT of all the rows (RETURNING their ids, in order, for `took_ids`)."""
    values: list[Any] = []
    groups = []
    for row in rows:
        row.owner = owner
        row.created_at = row.claimed_at
        marks = []
        for column in _REPLY_COLUMNS:
            value = getattr(row, column)
            values.append(json.dumps(value, ensure_ascii=False) if column == "payload" else value)
            marks.append(f"${len(values)}")
        groups.append(f"({', '.join(marks)})")
    return f"INSERT INTO outbox ({', '.join(_REPLY_COLUMNS)}) VALUES {', '.join(groups)} RETURNING id", values


def took_ids(rows: list[Outbox], returned: list[dict[str, Any]]) -> None:
    for row, inserted in zip(rows, returned, strict=True):
        row.id = inserted["id"]


async def release_replies(rows: Iterable[Outbox]) -> int:
    """Replies their process will not deliver itself (no sender here) go to the regular sender."""
    count = await release(rows)
    if count:
        _notify()
    return count


async def sent_message_id(reference: int) -> int | None:
    """The message id Telegram gave the reply a stand-in id names (None while unsent, or if it never was)."""
    key = referenced_reply(reference)
    if key is None:
        return reference
    rows = await Outbox.filter(update_id=key[0], position=key[1], status=SENT).values_list("sent_message_id",
                                                                                            flat=True)
    return rows[0] if rows else None


class UnresolvedReference(LookupError):
    """A row names a message by a reply that was never sent (it failed or the chat blocked the bot)."""


async def resolve_references(payload: dict[str, Any], known: dict[int, int] | None = None) -> dict[str, Any]:
    """Stand-in message ids (below zero) become the real ids; `known` has those just sent and not yet recorded.
    A reply-to that cannot be resolved is dropped; an edit or delete of an unsent message cannot be made."""
    known = known or {}

    async def real_id(reference: int) -> int | None:
        return known[reference] if reference in known else await sent_message_id(reference)

    message_id = payload.get("message_id")
    reply_to = payload.get("reply_parameters") or {}
    if not (isinstance(message_id, int) and message_id < 0) and not (
            isinstance(reply_to.get("message_id"), int) and reply_to["message_id"] < 0):
        return payload  # nothing to resolve: the same object (the sender may then reuse the call it was made from)
    resolved = dict(payload)
    if isinstance(message_id, int) and message_id < 0:
        real = await real_id(message_id)
        if real is None:
            raise UnresolvedReference(f"the reply {referenced_reply(message_id)} was never sent")
        resolved["message_id"] = real
    if isinstance(reply_to.get("message_id"), int) and reply_to["message_id"] < 0:
        real = await real_id(reply_to["message_id"])
        if real is None:
            resolved.pop("reply_parameters")
        else:
            resolved["reply_parameters"] = {**reply_to, "message_id": real}
    return resolved


async def mark_replies_sent(sent: list[tuple[Outbox, int | None]]) -> None:
    """Record the delivery of an update's replies at once: (row, the message id Telegram gave it)."""
    if not sent:
        return
    conn = _conn()
    if _dialect(conn) != "postgres":  # one process, no network: `mark_sent` per row costs next to nothing
        for row, message_id in sent:
            await mark_sent(row, message_id=message_id)
        return
    at = clock.now()
    await conn.execute_query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_at = NULL, error = NULL, "
        "sent_message_id = v.message_id FROM unnest($2::bigint[], $3::bigint[]) AS v(id, message_id) "
        "WHERE outbox.id = v.id AND outbox.status IN ('sending', 'pending')",
        [at, [row.id for row, _ in sent], [message_id for _, message_id in sent]],
    )
    for row, message_id in sent:
        row.status, row.sent_at, row.sent_message_id = SENT, at, message_id


# --- claiming ----------------------------------------------------------------------------------

# A row is due when: pending, its not_before has passed, its chat is not blocked, its chat's next_send_at has
# passed, no other row of the chat is in flight, and it is the chat's oldest due row (one per chat per claim).
_DUE = """
    FROM outbox o
    LEFT JOIN chat_state c ON c.chat_id = o.chat_id
    WHERE o.status = 'pending' AND o.not_before <= {p1}
      AND c.blocked_at IS NULL
      AND (c.next_send_at IS NULL OR c.next_send_at <= {p2})
      AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.chat_id = o.chat_id AND s.status = 'sending')
      AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = o.chat_id AND e.status = 'pending'
                      AND e.not_before <= {p3} AND e.id < o.id)
"""

_CLAIM_PG = (
    "UPDATE outbox SET status = 'sending', claimed_at = $1, owner = $3 WHERE status = 'pending' AND id IN ("
    "SELECT o.id"
    + _DUE.replace("{p1}", "$1").replace("{p2}", "$1").replace("{p3}", "$1")
    + " ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED) RETURNING id"
)

_CANDIDATES = "SELECT o.id" + _DUE + " ORDER BY o.id LIMIT {p4}"


async def claim_due(limit: int = 100, *, at: datetime | None = None) -> list[Outbox]:
    """Take up to ``limit`` due rows (at most one per chat) into ``sending``; no row is ever handed out twice."""
    at = as_utc(at) if at else clock.now()
    conn = _conn()
    dialect = _dialect(conn)
    if dialect == "postgres":
        rows = await conn.execute_query_dict(_CLAIM_PG, [at, limit, liveness.me()])
        ids = [r["id"] for r in rows]
    else:
        candidates = await conn.execute_query_dict(_sql(_CANDIDATES, dialect), [at, at, at, limit])
        ids = []
        for r in candidates:  # compare-and-set: only one claimer can move a row out of pending
            if await Outbox.filter(id=r["id"], status=PENDING).update(status=SENDING, claimed_at=at,
                                                                      owner=liveness.me()):
                ids.append(r["id"])
    if not ids:
        return []
    return list(await Outbox.filter(id__in=ids, status=SENDING).order_by("id"))


_NEXT_DUE = """
    SELECT MIN(CASE WHEN c.next_send_at IS NOT NULL AND c.next_send_at > o.not_before
               THEN c.next_send_at ELSE o.not_before END) AS due
    FROM outbox o
    LEFT JOIN chat_state c ON c.chat_id = o.chat_id
    WHERE o.status = 'pending' AND c.blocked_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.chat_id = o.chat_id AND s.status = 'sending')
"""


async def next_due_at() -> datetime | None:
    """When the earliest pending row becomes claimable (None: nothing waiting that this sender could take)."""
    rows = await _conn().execute_query_dict(_NEXT_DUE)
    return _parse_dt(rows[0]["due"]) if rows else None


async def recover_stale(
    lease_seconds: float = DEFAULT_LEASE_SECONDS, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> int:
    """Rows left in ``sending`` by a process that is gone (core.liveness: at once), or held longer than the
    lease by one that seems alive but stuck, go back to ``pending``.

    The lost try counts as an attempt, so a row that kills its sender every time ends ``failed``.
    """
    cutoff = clock.now() - timedelta(seconds=lease_seconds)
    owners = set(await Outbox.filter(status=SENDING).distinct().values_list("owner", flat=True))
    gone = [owner for owner in await liveness.dead(owners) if owner is not None]
    abandoned = Q(claimed_at__lt=cutoff) | Q(owner__in=gone) if gone else Q(claimed_at__lt=cutoff)
    failed = await Outbox.filter(abandoned, status=SENDING, attempts__gte=max_attempts - 1).update(
        status=FAILED, attempts=F("attempts") + 1, claimed_at=None, owner=None, error="sender lost"
    )
    back = await Outbox.filter(abandoned, status=SENDING).update(
        status=PENDING, attempts=F("attempts") + 1, claimed_at=None, owner=None
    )
    if failed or back:
        log.warning("outbox: %s stale rows back to pending, %s failed", back, failed)
    return back + failed


async def release(rows: Iterable[Outbox]) -> int:
    """Give claimed rows back untouched (shutdown, or the sender was told to pause): no attempt is counted."""
    ids = [row.id for row in rows]
    if not ids:
        return 0
    return await Outbox.filter(id__in=ids, status=SENDING).update(status=PENDING, claimed_at=None, owner=None)


# --- outcomes ----------------------------------------------------------------------------------


def backoff_delay(
    attempts: int,
    *,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
    rng: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with jitter: attempt n waits between d/2 and d, d = min(cap, base·2^(n-1))."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rng() * ceiling / 2


async def mark_sent(row: Outbox, *, next_send_at: datetime | None = None, message_id: int | None = None) -> None:
    """Record a delivery; ``next_send_at`` paces the chat (written first, so no claimer sees the chat free early);
    ``message_id`` is what Telegram gave the message, for later rows that refer to it."""
    if next_send_at is not None:
        await _set_chat(row.chat_id, next_send_at=as_utc(next_send_at))
    at = clock.now()
    # Also from pending: if the lease ran out mid-send the row must still not go out again.
    await Outbox.filter(id=row.id, status__in=[SENDING, PENDING]).update(
        status=SENT, sent_at=at, claimed_at=None, error=None, sent_message_id=message_id
    )
    row.status, row.sent_at, row.sent_message_id = SENT, at, message_id


async def hold_chat(chat_id: int, until: datetime) -> None:
    """Nothing goes to this chat before ``until`` (Telegram's retry_after); never moves the time earlier."""
    until = as_utc(until)
    state = await ChatState.get_or_none(chat_id=chat_id)
    if state is None or state.next_send_at is None or as_utc(state.next_send_at) < until:
        await _set_chat(chat_id, next_send_at=until)


async def mark_retry(
    row: Outbox,
    retry_after: float | None = None,
    *,
    error: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    rng: Callable[[], float] = random.random,
) -> str:
    """Put a row back for another try; returns its new status (``pending``, or ``failed`` when out of attempts).

    With Telegram's ``retry_after`` the row and its chat wait exactly that long, and it is not counted as a
    failed attempt (Telegram asked us to wait, the message is fine). Otherwise the attempt counts: exponential
    backoff with jitter, and ``failed`` once ``max_attempts`` tries have failed.
    """
    at = clock.now()
    if retry_after is not None:
        until = at + timedelta(seconds=float(retry_after))
        await hold_chat(row.chat_id, until)
        status, attempts, not_before = PENDING, row.attempts, until
    else:
        attempts = row.attempts + 1
        if attempts >= max_attempts:
            status, not_before = FAILED, row.not_before
        else:
            status, not_before = PENDING, at + timedelta(seconds=backoff_delay(attempts, rng=rng))
    await Outbox.filter(id=row.id, status=SENDING).update(
        status=status, attempts=attempts, not_before=not_before, claimed_at=None, error=error
    )
    row.status, row.attempts, row.not_before, row.error = status, attempts, not_before, error
    return status


async def mark_failed(row: Outbox, error: str) -> None:
    """A permanent refusal (bad request, chat not found …): never retried."""
    await Outbox.filter(id=row.id, status=SENDING).update(
        status=FAILED, attempts=F("attempts") + 1, claimed_at=None, error=error
    )
    row.status, row.error = FAILED, error


async def redirect(row: Outbox, new_chat_id: int) -> None:
    """The group became a supergroup: the row goes to the new chat id, immediately."""
    await Outbox.filter(id=row.id, status=SENDING).update(
        chat_id=new_chat_id, status=PENDING, claimed_at=None, not_before=clock.now()
    )
    row.chat_id, row.status = new_chat_id, PENDING


async def mark_blocked(chat_id: int, error: str = "bot was blocked by the user") -> int:
    """The user blocked the bot: remember it, and stop every undelivered row to that chat. Returns rows stopped."""
    await _ensure_chat(chat_id)
    await ChatState.filter(chat_id=chat_id, blocked_at__isnull=True).update(blocked_at=clock.now())
    stopped = await Outbox.filter(chat_id=chat_id, status__in=[PENDING, SENDING]).update(
        status=BLOCKED, claimed_at=None, error=error
    )
    log.info("outbox: chat %s blocked the bot; %s rows stopped", chat_id, stopped)
    return stopped


async def unblock(chat_id: int, *, requeue: bool = False) -> bool:
    """The user wrote to the bot again: deliveries resume. Old blocked rows stay blocked unless ``requeue``."""
    changed = await ChatState.filter(chat_id=chat_id, blocked_at__isnull=False).update(blocked_at=None)
    if changed and requeue:
        await Outbox.filter(chat_id=chat_id, status=BLOCKED).update(status=PENDING, not_before=clock.now(), error=None)
        _notify()
    return bool(changed)


async def commands_key(chat_id: int) -> str | None:
    """The fingerprint of the command menu last set for this chat."""
    rows = await ChatState.filter(chat_id=chat_id).values_list("commands_key", flat=True)
    return rows[0] if rows else None


async def set_commands_key(chat_id: int, key: str) -> None:
    await _set_chat(chat_id, commands_key=key)


async def is_blocked(chat_id: int) -> bool:
    return await ChatState.filter(chat_id=chat_id, blocked_at__isnull=False).exists()
