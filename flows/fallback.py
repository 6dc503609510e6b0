"""Anything no other flow took: answer it rather than leave the user in silence."""

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from core.i18n import Translator
from models import Staff


async def unmatched_message(message: Message, staff: Staff | None, t: Translator) -> None:
    if message.chat.type != "private":
        return
    await message.answer(t("not-understood") if staff else t("unknown-user"))


async def unmatched_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("button-outdated"), show_alert=True)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="fallback")
    router.message.register(unmatched_message)
    router.callback_query.register(unmatched_button)
    return router
