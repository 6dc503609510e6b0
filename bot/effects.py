"""A handler's replies are effects of its update: written to the outbox in the update's transaction, sent after.

While an update is handled (`UpdateEffects.capturing`), every Bot API call that changes what a user sees
(sendMessage, editMessageText, answerCallbackQuery …) is not made but becomes an outbox row keyed by
(update_id, position), inside the transaction that also finishes the inbox row. So an update that is handled
again after a crash finds either nothing of its first run (rolled back) or everything (committed, inbox done,
never handled again): no reply twice. The rows are written as `sending`, owned by this process, and delivered
by it right after the commit, in order, so replies stay as fast as a direct send; a process that dies before
marking them sent leaves them to another (core.liveness) — the one remaining window, documented in the README.

The handler gets back what Telegram would have returned, as far as it can be known before sending: a sent
message's id is not known yet, so it is a negative stand-in naming the reply (core.outbox.reply_reference).
Later calls that name it (an edit of "that message", from this update, a later one or a background job) are
resolved to the real id once the reply is sent (`resolve_message_ids`).

The rows are written together as the update finishes (`core.inbox.finish`): one statement on PostgreSQL, the
same one that marks the update done.

Calls that only read (getFile, getMe, downloads) and sends of local files (their bytes cannot be stored as
JSON) go out at once.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile, Message

from core import outbox
from models import Outbox

log = logging.getLogger(__name__)

#: Bot API calls that are an update's visible effects, written to the outbox instead of being made at once.
DEFERRED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendVoice", "sendAudio", "sendAnimation",
    "sendVideoNote", "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendMediaGroup",
    "copyMessage", "forwardMessage",
    "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia", "deleteMessage",
    "answerCallbackQuery",
})
_SENDS_MESSAGE = frozenset(name for name in DEFERRED if name.startswith(("send", "copy", "forward")))

_current: ContextVar[UpdateEffects | None] = ContextVar("update_effects", default=None)


class UpdateEffects:
    """The outbox rows one update's handling has written, in order."""

    def __init__(self, update_id: int, chat_id: int | None) -> None:
        self.update_id = update_id
        self.chat_id = chat_id
        self.rows: list[Outbox] = []

    @contextmanager
    def capturing(self):
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    def write(self, bot: Bot, method: TelegramMethod) -> Any:
        payload = method_payload(method)
        chat_id = payload.pop("chat_id", None)
        if not isinstance(chat_id, int):
            chat_id = self.chat_id or 0  # answerCallbackQuery names no chat: it belongs to the update's
        row = outbox.reply_row(self.update_id, len(self.rows), chat_id, method.__api_method__, payload)
        row.handler_call = method  # this process delivers it right after the commit (jobs.outbox_sender)
        self.rows.append(row)
        return _placeholder_result(bot, method.__api_method__, row, payload)


def method_payload(method: TelegramMethod) -> dict[str, Any]:
    """The call's arguments as JSON, leaving out the bot's defaults (filled in again when it is made)."""
    unset_defaults = {name for name in method.model_fields_set if isinstance(getattr(method, name), Default)}
    return method.model_dump(mode="json", exclude_none=True, exclude_unset=True, exclude=unset_defaults or None)


def _carries_local_file(method: TelegramMethod) -> bool:
    for name in method.model_fields_set:
        value = getattr(method, name)
        if isinstance(value, InputFile):
            return True
        if isinstance(value, list) and any(isinstance(getattr(item, "media", None), InputFile) for item in value):
            return True
    return False


def _placeholder_result(bot: Bot, api_method: str, row: Outbox, payload: dict[str, Any]) -> Any:
    if api_method == "sendMediaGroup":
        return [_placeholder_message(bot, row, {}) for _ in payload.get("media", [])]
    if api_method in _SENDS_MESSAGE:
        return _placeholder_message(bot, row, payload)
    if api_method.startswith("editMessage") and "inline_message_id" not in payload:
        return _placeholder_message(bot, row, payload, message_id=payload.get("message_id"))
    return True


def _placeholder_message(bot: Bot, row: Outbox, payload: dict[str, Any], message_id: int | None = None) -> Message:
    data = {
        "message_id": message_id if message_id is not None else outbox.reply_reference(row.update_id, row.position),
        "date": datetime.now(UTC),
        "chat": {"id": row.chat_id, "type": "private" if row.chat_id > 0 else "supergroup"},
    }
    for key in ("text", "caption"):
        if key in payload:
            data[key] = payload[key]
    return Message.model_validate(data, context={"bot": bot})


class CaptureReplies(BaseRequestMiddleware):
    """The bot session's middleware that turns an update's visible effects into outbox rows."""

    async def __call__(self, make_request: NextRequestMiddlewareType, bot: Bot, method: TelegramMethod):
        effects = _current.get()
        if effects is not None and method.__api_method__ in DEFERRED and not _carries_local_file(method):
            return effects.write(bot, method)
        return await make_request(bot, await resolve_message_ids(method))


async def resolve_message_ids(method: TelegramMethod, wait_seconds: float = 5.0) -> TelegramMethod:
    """A call made outside an update (a background job editing a progress message) that names a message by its
    outbox row gets the real id, waiting a moment for the row to be sent."""
    message_id = getattr(method, "message_id", None)
    if not isinstance(message_id, int) or message_id >= 0:
        return method
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        real = await outbox.sent_message_id(message_id)
        if real is not None or asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.05)
    if real is None:
        log.warning("%s names the reply %s, which was never sent", method.__api_method__,
                    outbox.referenced_reply(message_id))
        return method
    return method.model_copy(update={"message_id": real})
