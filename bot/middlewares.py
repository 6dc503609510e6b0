"""Update-level middlewares: take each update once, resolve who is writing, pick their language."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, TelegramObject, Update, User

from core import identity, inbox
from core.config import Settings
from core.i18n import pick_locale, translator
from core.permissions import load_actor

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class InboxMiddleware(BaseMiddleware):
    """De-duplicates by update_id: an update already taken or finished is dropped, whatever path fed it."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update: Update = event  # registered on dp.update
        already_ours = data.pop("inbox_claimed", False)
        if not already_ours and not await inbox.claim(update.update_id,
                                                      update.model_dump(mode="json", exclude_none=True)):
            log.info("update %s already taken, dropped", update.update_id)
            return UNHANDLED
        try:
            result = await handler(event, data)
        except Exception as exc:
            await inbox.finish(update.update_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        await inbox.finish(update.update_id)
        return result


class IdentityMiddleware(BaseMiddleware):
    """Puts the staff member (or None), their roles and the actor (roles + grants) in the handler data.
    Callback data is never trusted: handlers pass the actor to core, which checks every call."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        staff = await identity.staff_by_telegram_id(user.id) if user else None
        actor = await load_actor(staff, channel="bot")
        data["staff"] = staff
        data["actor"] = actor
        data["roles"] = list(actor.roles)
        return await handler(event, data)


class I18nMiddleware(BaseMiddleware):
    """The user's stored locale, else Telegram's language_code, else the configured default."""

    def __init__(self, settings: Settings):
        self.default = settings.i18n.default_locale

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        staff = data.get("staff")
        locale = pick_locale(staff.locale if staff else None, user.language_code if user else None,
                             default=self.default)
        data["locale"] = locale
        data["t"] = translator(locale)
        return await handler(event, data)


class CallbackWithMessage(BaseMiddleware):
    """Every button of this bot sits on a message in a private chat. A callback query without one (inline mode,
    which the bot does not offer, or forged) has nowhere to answer; it is acknowledged and dropped."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        query: CallbackQuery = event  # registered on dp.callback_query
        if query.message is None:
            log.info("callback query %s without a message dropped", query.id)
            await query.answer()
            return UNHANDLED
        return await handler(event, data)
