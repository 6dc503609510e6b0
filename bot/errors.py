"""What a user is told when handling their update failed: once, in their language, through the outbox."""

from __future__ import annotations

from aiogram.types import Update

from core.i18n import Translator


async def tell_user_it_failed(update: Update, t: Translator) -> None:
    if update.callback_query:
        await update.callback_query.answer(t("error-generic"), show_alert=True)
    elif update.message and update.message.chat:
        await update.message.answer(t("error-generic"))
