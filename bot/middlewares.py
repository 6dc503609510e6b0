"""Update-level middlewares: take each update once, resolve who is writing, pick their language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, TelegramObject, Update, User
from tortoise.transactions import in_transaction

from bot.effects import UpdateEffects
from bot.errors import tell_user_it_failed
from core import after_commit, definitions, directory, inbox, outbox
from core.config import Settings
from core.i18n import pick_locale, translator
from core.permissions import load_actor

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class InboxMiddleware(BaseMiddleware):
    """Handles each update exactly once: its effects, its replies (bot.effects) and the inbox row's finish
    commit in one transaction, or none of them does. Fed by UpdateProcessor (the update is already claimed by this
    process) or directly (it is claimed here first; an update already taken or finished is dropped)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update: Update = event  # registered on dp.update
        chat = data.get("event_chat")
        user = data.get("event_from_user")
        chat_id = chat.id if chat else (user.id if user else None)
        if not data.pop("inbox_claimed", False) and not await inbox.claim(
                update.update_id, update.model_dump(mode="json", exclude_none=True), chat_id=chat_id):
            log.info("update %s already taken, dropped", update.update_id)
            return UNHANDLED
        deliver = data.pop("deliver_replies", None)
        effects = UpdateEffects(update.update_id, chat_id)
        turn_deadline = asyncio.get_running_loop().time() + inbox.TURN_WAIT_SECONDS
        try:
            while True:
                try:
                    with after_commit.unit_of_work() as announcements:
                        async with in_transaction():
                            queue_jumping_allowed = asyncio.get_running_loop().time() >= turn_deadline
                            turn = await inbox.take_chat_turn(update.update_id, chat_id, queue_jumping_allowed)
                            if not turn.mine:
                                raise inbox.NotYourTurn(update.update_id)
                            if not turn.held:
                                raise inbox.ClaimLost(update.update_id)
                            with effects.capturing(), directory.observing(turn.directory_version):
                                result = await handler(event, data)
                            if not await inbox.finish(update.update_id, replies=effects.rows):
                                raise inbox.ClaimLost(update.update_id)
                    break
                except inbox.NotYourTurn:
                    await asyncio.sleep(0.02)  # an older update of this chat is being handled by another process
        except inbox.ClaimLost:
            log.warning("update %s is no longer this process's (finished, or taken by another); this run rolled back",
                        update.update_id)
            return UNHANDLED
        except Exception as exc:
            log.exception("update %s failed", update.update_id)
            directory.forget(user.id if user else None)
            definitions.forget()
            effects, announcements = await self._record_failure(update, exc, chat_id, data)
            result = UNHANDLED
        after_commit.run(announcements)
        await (deliver(effects.rows) if deliver else outbox.release_replies(effects.rows))
        return result

    @staticmethod
    async def _record_failure(update: Update, exc: Exception, chat_id: int | None,
                              data: dict[str, Any]) -> tuple[UpdateEffects, list]:
        """Everything the failed run did is rolled back; what is kept is the row marked failed with its error and
        one message telling the user, committed together. The update is never retried."""
        effects = UpdateEffects(update.update_id, chat_id)
        t = data.get("t") or translator(data.get("locale") or "ru")
        with after_commit.unit_of_work() as announcements:
            try:
                async with in_transaction():
                    with effects.capturing():
                        await tell_user_it_failed(update, t)
                    if not await inbox.finish(update.update_id, error=f"{type(exc).__name__}: {exc}",
                                              replies=effects.rows):
                        raise inbox.ClaimLost(update.update_id)
            except inbox.ClaimLost:
                return UpdateEffects(update.update_id, chat_id), []
        return effects, announcements


class IdentityMiddleware(BaseMiddleware):
    """Puts the staff member (or None), their roles and the actor (roles + grants) in the handler data.
    Callback data is never trusted: handlers pass the actor to core, which checks every call."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        actor = await directory.actor_for_telegram_user(user.id) if user else await load_actor(None, channel="bot")
        data["staff"] = actor.staff
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
