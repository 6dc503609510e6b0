"""Getting updates into the dispatcher without losing or repeating one: store first, then process.

Every path (webhook, long polling, the sandbox) calls `accept`, which writes the update to the inbox, already
claimed by this process, before anyone is told it arrived; processing then runs in the background, one update at
a time per chat so a user's messages are handled in the order they were sent. What cannot be handled is contained
here: a payload the database would refuse is cleaned, one too deep is refused (400), and a kind of update this
bot does not know is stored as `ignored`, acknowledged and never retried.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiogram.types import Update
from pydantic import ValidationError

from core import inbox
from models import Outbox

log = logging.getLogger(__name__)

# Telegram's updates nest a few levels (a reply inside a message inside a callback query); anything much deeper
# is not an update, and walking it would only cost stack.
MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")
_UPDATE_KINDS = frozenset(Update.model_fields) - {"update_id"}
_warned_kinds: set[str] = set()


class BadUpdate(ValueError):
    pass


def clean_payload(value: Any, depth: int = 0) -> Any:
    """The update as the database will take it: NUL characters and lone surrogates (which PostgreSQL refuses in
    text and JSON) become U+FFFD. Raises BadUpdate for nesting deeper than any Telegram update has."""
    if depth > MAX_DEPTH:
        raise BadUpdate(f"an update nests at most {MAX_DEPTH} levels")
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "\ufffd")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: JSON allows "\ud800", UTF-8 does not
            value = _SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {clean_payload(key, depth + 1): clean_payload(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_payload(item, depth + 1) for item in value]
    return value


def update_kind(payload: dict[str, Any]) -> str | None:
    """What the update carries (message, callback_query …); None when it is nothing this aiogram knows."""
    for key in payload:
        if key in _UPDATE_KINDS:
            return key
    return None


BIGINT = range(-(2**63), 2**63)  # what the database's ids hold


def _event(update: Update) -> Any:
    try:
        return update.event
    except Exception:  # an update type aiogram cannot name
        return None


def sender_id(update: Update) -> int:
    user = getattr(_event(update), "from_user", None)
    return user.id if user is not None else 0


def chat_key(update: Update) -> int:
    """The chat whose order the update keeps: the chat it happened in, else the user, else 0."""
    event = _event(update)
    chat = getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)
    return chat.id if chat is not None else sender_id(update)


class ChatLocks:
    """One lock per chat while someone holds or waits for it; dropped when nobody does."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    async def run(self, chat_id: int, work: Callable[[], Awaitable[Any]]) -> Any:
        lock, users = self._locks.get(chat_id) or (asyncio.Lock(), 0)
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                return await work()
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


Deliver = Callable[[list[Outbox]], Awaitable[Any]]


class UpdateProcessor:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, deliver: Deliver | None = None):
        self.bot = bot
        self.dispatcher = dispatcher
        # Sends an update's replies right after its commit (the outbox sender's deliver_now); without one they
        # wait for the regular sender.
        self.deliver = deliver
        self.chat_locks = ChatLocks()
        self._tasks: set[asyncio.Task] = set()
        self._in_hand: set[int] = set()

    def parse(self, payload: Any) -> Update:
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int) \
                or isinstance(payload.get("update_id"), bool):
            raise BadUpdate("an update must be a JSON object with an integer update_id")
        try:
            return Update.model_validate(payload, context={"bot": self.bot})
        except ValidationError as exc:
            raise BadUpdate(f"not a Telegram update: {exc.error_count()} invalid field(s)") from None

    async def accept(self, payload: Any) -> bool:
        """Stores the update durably and schedules it; False for a re-delivery of a stored one."""
        payload = clean_payload(payload)
        update = self.parse(payload)
        if update.update_id not in BIGINT:
            raise BadUpdate("update_id out of range")
        kind = update_kind(payload)
        if kind is None:
            return await self._ignore(update.update_id, payload)
        chat_id = chat_key(update)
        if chat_id not in BIGINT or sender_id(update) not in BIGINT:
            raise BadUpdate("chat or user id out of range")  # not Telegram's: its ids fit in 52 bits
        # Stored already taken by this process: one write instead of a store and a claim.
        if await inbox.store(update.update_id, payload, chat_id=chat_id, kind=kind, claimed=True):
            self._spawn(update, chat_id)
            return True
        # A re-delivery: Telegram did not get our answer. If the process that stored it died, take it now.
        if await inbox.claim(update.update_id):
            self._spawn(update, chat_id)
        return False

    async def _ignore(self, update_id: int, payload: dict[str, Any]) -> bool:
        kind = next((key for key in payload if key != "update_id"), "empty")
        stored = await inbox.store_ignored(update_id, payload, kind=kind,
                                           reason=f"update type {kind!r} is not handled by this bot")
        if kind not in _warned_kinds:
            _warned_kinds.add(kind)
            log.warning("updates of type %r are not handled; stored as ignored (logged once)", kind)
        return stored

    def _spawn(self, update: Update, chat_id: int) -> None:
        self._in_hand.add(update.update_id)
        task = asyncio.create_task(self.process(update, chat_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def process(self, update: Update, chat_id: int | None = None) -> None:
        try:
            await self.chat_locks.run(chat_key(update) if chat_id is None else chat_id,
                                      lambda: self.dispatcher.feed_update(
                                          self.bot, update, inbox_claimed=True, deliver_replies=self.deliver))
        except Exception:
            # The database failed under the update (its own errors are handled in InboxMiddleware): it stays
            # claimed by this process and the recovery loop takes it again.
            log.exception("update %s could not be handled now; it will be taken again", update.update_id)
        finally:
            self._in_hand.discard(update.update_id)

    async def recover(self) -> int:
        """Processes stored updates nobody is handling: left by a crash, a restart or a failed run."""
        rows = await inbox.take_due(in_hand=self._in_hand)
        for row in rows:
            if row.update_id in self._in_hand:  # queued while the query ran
                continue
            try:
                update = self.parse(row.payload)
            except BadUpdate:
                await inbox.finish(row.update_id, error="unparseable payload")
                continue
            self._spawn(update, row.chat_id if row.chat_id is not None else chat_key(update))
        return len(rows)

    async def recover_forever(self, interval: float = 1.0) -> None:
        while True:
            try:
                await self.recover()
            except Exception:
                log.exception("inbox recovery failed")
            await asyncio.sleep(interval)

    async def poll_forever(self, poll_seconds: int = 25, *, max_backoff: float = 30.0) -> None:
        """Long polling; the offset moves past an update only after it is stored. Errors (Telegram's or the
        database's) are retried with backoff and never end the loop."""
        offset: int | None = None
        backoff = 0.5
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=poll_seconds)
                for update in updates:
                    try:
                        await self.accept(update.model_dump(mode="json", exclude_none=True))
                    except BadUpdate as exc:
                        log.warning("update %s skipped: %s", update.update_id, exc)
                    offset = update.update_id + 1
                backoff = 0.5
                continue
            except asyncio.CancelledError:
                raise
            except TelegramNetworkError:
                log.info("getUpdates: network error, retrying in %.1fs", backoff)
            except TelegramUnauthorizedError:
                log.error("getUpdates: Telegram refuses the bot token; retrying in %.1fs", backoff)
            except TelegramAPIError:
                log.exception("getUpdates failed; retrying in %.1fs", backoff)
            except Exception:
                log.exception("storing polled updates failed; retrying in %.1fs from offset %s", backoff, offset)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
