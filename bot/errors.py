"""The last line of defence: log the traceback, tell the user in their language, keep the bot alive."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from core.i18n import translator

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, **data) -> bool:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    t = data.get("t") or translator(data.get("locale", "ru"))
    update = event.update
    try:
        if update.callback_query:
            await update.callback_query.answer(t("error-generic"), show_alert=True)
        elif update.message and update.message.chat:
            await update.message.answer(t("error-generic"))
    except TelegramAPIError:
        log.warning("could not tell the user about the error in update %s", update.update_id)
    return True


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
