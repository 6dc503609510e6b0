"""Delivers the outbox to Telegram within its limits, and records every outcome in the database.

Pace: sends are spaced ``1/outbox.global_per_second`` apart (shared through Redis when it is configured), and a
chat gets its next message ``1/outbox.per_chat_per_second`` after the previous one was answered
(``ChatState.next_send_at``, so it holds across restarts and processes).

Telegram's answers: 429 → the row and its chat wait exactly ``retry_after`` (a 429 on a private chat — which we
never send to faster than its limit — or on two chats at once means the bot as a whole is flooding: every send
pauses); 403 → the chat is marked blocked; 400/404/too large → failed, not retried; network and 5xx errors →
retried with exponential backoff until ``outbox.max_attempts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram import methods as bot_methods
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from aiogram.methods.base import TelegramMethod
from aiogram.types import Message
from pydantic import ValidationError

from core import clock, outbox
from core.config import Settings
from jobs.ratelimit import RedisSpacingLimiter, SpacingLimiter
from models import Outbox

log = logging.getLogger(__name__)

METHODS: dict[str, type[TelegramMethod]] = {
    name: getattr(bot_methods, name[0].upper() + name[1:]) for name in outbox.METHODS
}
# Methods whose payload names no chat (the row's chat_id is only for ordering and pacing).
CHATLESS = frozenset({"answerCallbackQuery"})
# An edit Telegram refuses because the message cannot be edited any more: the text is sent as a new message.
EDIT_GONE = ("message can't be edited", "message to edit not found")

# Sends leave 1/rate apart, but network jitter can bring two closer together on arrival: keep 2% in hand so
# that no one-second window at Telegram's end ever holds more than the configured rate.
GLOBAL_SAFETY = 0.98
UNAUTHORIZED_PAUSE = 30.0
KICK_RECHECK = 0.05

# Published after a commit that wrote to the outbox; every process's sender loop listens.
WAKEUP_CHANNEL = "estafeta:outbox:wakeup"

# Answers that will not change on a retry.
PERMANENT = (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge, TelegramConflictError)


def build_method(row: Outbox, payload: dict[str, Any] | None = None) -> TelegramMethod:
    """The aiogram method object for a row: the payload is the method's keyword arguments."""
    try:
        method = METHODS[row.method]
    except KeyError:
        raise ValueError(f"unsupported outbox method {row.method!r}") from None
    payload = dict(row.payload or {} if payload is None else payload)
    payload.pop("chat_id", None)
    if row.method in CHATLESS or "inline_message_id" in payload:
        return method(**payload)
    return method(chat_id=row.chat_id, **payload)


def _message_id(result: Any) -> int | None:
    if isinstance(result, Message):
        return result.message_id
    if isinstance(result, list) and result and isinstance(result[0], Message):
        return result[0].message_id
    return None


class OutboxSender:
    """One per process. ``drain()`` delivers what is due; ``run_forever()`` keeps doing it until stopped."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        *,
        limiter: SpacingLimiter | None = None,
        redis_client: Any = None,
        poll_interval: float = 0.5,
        lease_seconds: float = outbox.DEFAULT_LEASE_SECONDS,
        batch_size: int | None = None,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.redis = redis_client
        cfg = settings.outbox
        if limiter is None:
            rate = cfg.global_per_second * GLOBAL_SAFETY
            limiter = RedisSpacingLimiter(redis_client, rate) if redis_client is not None else SpacingLimiter(rate)
        self.limiter = limiter
        self.per_chat_interval = 1.0 / cfg.per_chat_per_second
        self.max_attempts = cfg.max_attempts
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        # Claim about two seconds' worth at the global pace; rows wait for their slot while claimed.
        self.batch_size = batch_size or max(1, min(200, int(cfg.global_per_second * 2)))
        # Keep draining while the next row is due within this many seconds (e.g. a chat's next message).
        self.horizon = max(poll_interval, self.per_chat_interval + 0.1)
        # Give rows back instead of holding them claimed through a long global pause.
        self.max_slot_wait = 5.0
        self._kicked = asyncio.Event()
        self._announcing: set[asyncio.Task] = set()
        self._lock = asyncio.Lock()
        self._running = False
        self._recent_429: dict[int, float] = {}  # chat_id -> monotonic time of its last 429
        self._hold_until = 0.0  # monotonic: the limiter is paused (429 for all, bad token) until then

    # --- control ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while ``run_forever`` is looping (then a kick is enough to get something delivered)."""
        return self._running

    def kick(self) -> None:
        """Wake the loop now (something was enqueued). Safe to call from the loop's thread only."""
        self._kicked.set()

    def kick_threadsafe(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.call_soon_threadsafe(self._kicked.set)

    def announce(self) -> None:
        """Something was committed to the outbox in this process: wake the senders of every process (Redis), not
        only this one's, so a notification written by the web panel goes out at once from the worker."""
        if self.redis is None:
            return
        task = asyncio.get_running_loop().create_task(self.redis.publish(WAKEUP_CHANNEL, b"1"))
        self._announcing.add(task)
        task.add_done_callback(self._announced)

    def _announced(self, task: asyncio.Task) -> None:
        self._announcing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("outbox wake-up not published: %s", task.exception())

    async def _listen_for_wakeups(self, stop_event: asyncio.Event) -> None:
        while not stop_event.is_set():
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(WAKEUP_CHANNEL)
                    while not stop_event.is_set():
                        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                        if message is not None:
                            self.kick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox wake-ups: Redis subscription lost; polling meanwhile", exc_info=True)
                await asyncio.sleep(1.0)

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Drain, then wait up to ``poll_interval`` (or until kicked / the next row is due); until stop_event."""
        self._running = True
        outbox.add_listener(self.kick)
        stop_task = asyncio.ensure_future(stop_event.wait())
        listener = asyncio.ensure_future(self._listen_for_wakeups(stop_event)) if self.redis is not None else None
        recheck = False
        try:
            while not stop_event.is_set():
                try:
                    await self.drain(stop_event)
                    timeout = await self._idle_timeout()
                except Exception:
                    log.exception("outbox sender: drain failed")
                    timeout = self.poll_interval
                if stop_event.is_set():
                    break
                if recheck:
                    # A kick comes from enqueue, which may be inside a transaction not yet committed when the
                    # drain looked: look once more shortly instead of a whole poll interval later.
                    timeout = min(timeout, KICK_RECHECK)
                recheck = await self._sleep(timeout, stop_task)
        finally:
            outbox.remove_listener(self.kick)
            stop_task.cancel()
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            self._running = False

    # --- delivering --------------------------------------------------------------------------

    async def drain(self, stop_event: asyncio.Event | None = None, *, max_seconds: float | None = None) -> int:
        """Send everything due now (and what falls due within ``horizon`` while at it); returns messages sent.

        Stops early when ``stop_event`` is set or, with ``max_seconds``, once that long has passed.
        """
        if self._lock.locked():  # another drain in this process is at it: just make sure it looks again
            self.kick()
            return 0
        if self.held_for() > 0:  # sending is paused; rows stay pending until then
            return 0
        async with self._lock:
            sent = 0
            await outbox.recover_stale(self.lease_seconds, max_attempts=self.max_attempts)
            stop_task = asyncio.ensure_future(stop_event.wait()) if stop_event else None
            deadline = None if max_seconds is None else time.monotonic() + max_seconds
            try:
                while not (stop_event and stop_event.is_set()):
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                    self._kicked.clear()
                    rows = await outbox.claim_due(self.batch_size)
                    if not rows:
                        due_in = await self._due_in()
                        if due_in is None or due_in > self.horizon:
                            break
                        await self._sleep(max(due_in, 0.002), stop_task)
                        continue
                    results = await asyncio.gather(*(self._deliver(row, stop_event) for row in rows))
                    sent += sum(results)
                    if self.held_for() > 0:
                        break
            finally:
                if stop_task:
                    stop_task.cancel()
            return sent

    async def _deliver(self, row: Outbox, stop_event: asyncio.Event | None) -> bool:
        """Send one claimed row and record the outcome; True if Telegram accepted it."""
        try:
            held = await self.limiter.wait_turn(self.max_slot_wait, outbox.items_of(row))
            if held:  # a long pause: hand the row back instead of keeping it claimed meanwhile
                self._hold_until = max(self._hold_until, time.monotonic() + held)
            if held or (stop_event and stop_event.is_set()):
                await outbox.release([row])
                return False
            return await self._send(row)
        except asyncio.CancelledError:
            # Shutting down mid-send: give the row back rather than leave it to the lease (at least once).
            await asyncio.shield(outbox.release([row]))
            raise

    async def deliver_now(self, rows: list[Outbox]) -> int:
        """Send an update's replies, just committed and already claimed by this process, in their order: no
        claim round trip and no per-chat pause (they answer what the user just did), only the global pace. What
        went out is recorded with one statement at the end."""
        delivered: list[tuple[Outbox, int | None]] = []
        known: dict[int, int] = {}  # stand-in ids of replies sent here, for the rows after them
        try:
            for index, row in enumerate(rows):
                try:
                    held = await self.limiter.wait_turn(self.max_slot_wait, outbox.items_of(row))
                    if held:
                        self._hold_until = max(self._hold_until, time.monotonic() + held)
                        await outbox.release_replies(rows[index:])
                        break
                    await self._send(row, delivered=delivered, known=known)
                except asyncio.CancelledError:
                    await asyncio.shield(outbox.release(rows[index:]))
                    raise
                except Exception:
                    log.exception("outbox row %s: delivery failed; the regular sender takes it", row.id)
                    await outbox.release_replies(rows[index:])
                    break
        finally:
            await asyncio.shield(outbox.mark_replies_sent(delivered))
        return len(delivered)

    async def _send(self, row: Outbox, *, delivered: list | None = None,
                    known: dict[int, int] | None = None) -> bool:
        """Send one claimed row and record the outcome; True if Telegram accepted it. With `delivered`, a success
        is added there (with its message id) for the caller to record, and to `known` for the rows after it."""
        try:
            payload = row.payload or {}
            resolved = await outbox.resolve_references(payload, known)
            # A reply delivered by the process whose handler made it: that call as it was, not rebuilt from JSON.
            made = getattr(row, "handler_call", None)
            method = made if made is not None and resolved is payload else build_method(row, resolved)
        except outbox.UnresolvedReference as exc:
            log.info("outbox row %s: %s", row.id, exc)
            await outbox.mark_failed(row, str(exc))
            return False
        except (ValidationError, ValueError, TypeError) as exc:
            log.error("outbox row %s: bad payload: %s", row.id, exc)
            await outbox.mark_failed(row, f"bad payload: {exc}")
            return False
        try:
            result = await self.bot(method)
        except TelegramBadRequest as exc:
            if row.method.startswith("editMessage") and "not modified" in exc.message:
                result = None  # the message already shows this: as good as sent
            elif row.method == "editMessageText" and any(gone in exc.message for gone in EDIT_GONE):
                return await self._send_instead_of_edit(row, method)
            else:
                log.warning("outbox row %s to chat %s refused: %s", row.id, row.chat_id, exc.message)
                await outbox.mark_failed(row, exc.message)
                return False
        except TelegramRetryAfter as exc:
            await self._on_retry_after(row, exc)
            return False
        except TelegramMigrateToChat as exc:
            await outbox.redirect(row, exc.migrate_to_chat_id)
            return False
        except TelegramForbiddenError as exc:
            await outbox.mark_blocked(row.chat_id, error=exc.message)
            return False
        except TelegramUnauthorizedError as exc:
            # The token is wrong or revoked: no message is at fault, so none loses an attempt; everything waits.
            log.error("outbox: Telegram refuses the bot token (%s); pausing %ss", exc.message, UNAUTHORIZED_PAUSE)
            await self.limiter.pause(UNAUTHORIZED_PAUSE)
            self._hold_until = max(self._hold_until, time.monotonic() + UNAUTHORIZED_PAUSE)
            await outbox.release([row])
            return False
        except PERMANENT as exc:
            log.warning("outbox row %s to chat %s refused: %s", row.id, row.chat_id, exc.message)
            await outbox.mark_failed(row, exc.message)
            return False
        except Exception as exc:  # network, 5xx, decode errors: try again later, with backoff
            log.warning("outbox row %s to chat %s: %s: %s", row.id, row.chat_id, type(exc).__name__, exc)
            error = f"{type(exc).__name__}: {exc}"
            if await outbox.mark_retry(row, error=error, max_attempts=self.max_attempts) == outbox.FAILED:
                log.error("outbox row %s failed after %s attempts", row.id, row.attempts)
            return False
        message_id = _message_id(result)
        if delivered is not None:
            delivered.append((row, message_id))
            if message_id is not None and known is not None and row.update_id is not None:
                known[outbox.reply_reference(row.update_id, row.position)] = message_id
            return True
        # A reply (one with an update) answers what the user just did and is not paced, as in `deliver_now`: those
        # of a process that died before sending them go out back to back when they are taken over.
        pace = None if row.update_id is not None else clock.now() + timedelta(seconds=self.per_chat_interval)
        await outbox.mark_sent(row, next_send_at=pace, message_id=message_id)
        return True

    async def _send_instead_of_edit(self, row: Outbox, edit: TelegramMethod) -> bool:
        """The message to edit is gone or too old to edit: the user gets the new text as a fresh message."""
        fresh = SendMessage(chat_id=row.chat_id, text=edit.text, parse_mode=edit.parse_mode, entities=edit.entities,
                            reply_markup=edit.reply_markup, link_preview_options=edit.link_preview_options)
        try:
            result = await self.bot(fresh)
        except Exception as exc:
            log.warning("outbox row %s: neither edit nor send went through: %s", row.id, exc)
            await outbox.mark_failed(row, f"{type(exc).__name__}: {exc}")
            return False
        await outbox.mark_sent(row, message_id=_message_id(result))
        return True

    async def _on_retry_after(self, row: Outbox, exc: TelegramRetryAfter) -> None:
        retry_after = float(exc.retry_after)
        now = time.monotonic()
        self._recent_429 = {c: t for c, t in self._recent_429.items() if now - t < max(retry_after, 1.0)}
        others = set(self._recent_429) - {row.chat_id}
        self._recent_429[row.chat_id] = now
        if row.chat_id > 0 or others:
            # A private chat is never sent to faster than its limit, and several chats at once is no chat's
            # fault: the bot as a whole is over Telegram's limit, so everybody waits.
            log.warning("outbox: 429 (chat %s), pausing all sends for %ss", row.chat_id, retry_after)
            await self.limiter.pause(retry_after)
        else:
            log.info("outbox: 429 for chat %s, it waits %ss", row.chat_id, retry_after)
        await outbox.mark_retry(row, retry_after, error=exc.message, max_attempts=self.max_attempts)

    # --- waiting -----------------------------------------------------------------------------

    async def _due_in(self) -> float | None:
        due = await outbox.next_due_at()
        if due is None:
            return None
        return (due - clock.now()).total_seconds()

    def held_for(self) -> float:
        """Seconds until sending resumes after a long pause (0: not paused)."""
        return max(0.0, self._hold_until - time.monotonic())

    async def _idle_timeout(self) -> float:
        if self.held_for() > 0:
            return self.held_for()
        due_in = await self._due_in()
        if due_in is None:
            return self.poll_interval
        return min(self.poll_interval, max(due_in, 0.002))

    async def _sleep(self, seconds: float, stop_task: asyncio.Future | None) -> bool:
        """Sleep ``seconds``, or less if kicked or stopped; True if it was a kick that woke it."""
        kicked = asyncio.ensure_future(self._kicked.wait())
        waiters = {kicked} | ({stop_task} if stop_task else set())
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            kicked.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await kicked
        was_kicked = self._kicked.is_set()
        self._kicked.clear()
        return was_kicked
