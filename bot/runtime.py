"""Getting updates into the dispatcher without losing or repeating one: store first, then process.

Every path (webhook, long polling, the sandbox) calls `accept`, which writes the update to the inbox
before anyone is told it arrived; processing then runs in the background, one update at a time per chat
so a user's messages are handled in the order they were sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import Update
from pydantic import ValidationError

from core import inbox

log = logging.getLogger(__name__)


class BadUpdate(ValueError):
    pass


def _chat_key(update: Update) -> int:
    event = update.event
    chat = getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)
    if chat is not None:
        return chat.id
    user = getattr(event, "from_user", None)
    return user.id if user is not None else 0


class UpdateProcessor:
    def __init__(self, bot: Bot, dispatcher: Dispatcher):
        self.bot = bot
        self.dispatcher = dispatcher
        self._chat_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._tasks: set[asyncio.Task] = set()

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
        update = self.parse(payload)
        # Stored already taken by this process: one write instead of a store and a claim.
        stored = await inbox.store(update.update_id, payload, claimed=True)
        if stored:
            self._spawn(update, claimed=True)
        return stored

    def _spawn(self, update: Update, claimed: bool = False) -> None:
        task = asyncio.create_task(self.process(update, claimed=claimed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def process(self, update: Update, claimed: bool = False) -> None:
        async with self._chat_locks[_chat_key(update)]:
            try:
                await self.dispatcher.feed_update(self.bot, update, inbox_claimed=claimed)
            except Exception:
                # The errors router has already logged it and told the user; the inbox row says failed.
                log.debug("update %s ended with an error", update.update_id, exc_info=True)

    async def recover(self) -> int:
        """Processes stored updates nobody finished: left by a crash or a restart."""
        rows = await inbox.due()
        for row in rows:
            try:
                self._spawn(self.parse(row.payload))
            except BadUpdate:
                await inbox.finish(row.update_id, error="unparseable payload")
        return len(rows)

    async def recover_forever(self, interval: float = 5.0) -> None:
        while True:
            try:
                await self.recover()
            except Exception:
                log.exception("inbox recovery failed")
            await asyncio.sleep(interval)

    async def poll_forever(self, poll_seconds: int = 25) -> None:
        """Long polling; the offset moves past an update only after it is stored."""
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=poll_seconds)
            except TelegramNetworkError:
                await asyncio.sleep(1)
                continue
            except TelegramAPIError:
                log.exception("getUpdates failed")
                await asyncio.sleep(3)
                continue
            for update in updates:
                await self.accept(update.model_dump(mode="json", exclude_none=True))
                offset = update.update_id + 1

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
