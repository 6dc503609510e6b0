"""A conversation left half-way — kept across restarts (bot.draft_storage or Redis) — is not lost to /menu: the bot
offers to continue it (asking its question again) or to drop it. Each conversation says how to ask again
(`resumable`); other commands still end a conversation, as before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, Message

from core.i18n import Translator
from core.permissions import Actor
from flows.callbacks import DraftCb
from flows.keyboards import InlineButtons
from flows.start import show_menu

# async (target, state, t, actor=…, settings=…, …) asking the conversation's current question again
Resume = Callable[..., Awaitable[None]]
_resumes: dict[str, tuple[type[StatesGroup], Resume]] = {}


def resumable(group: type[StatesGroup], resume: Resume) -> None:
    _resumes[group.__full_group_name__] = (group, resume)


def _resume_of(raw_state: str | None) -> Resume | None:
    entry = _resumes.get((raw_state or "").split(":")[0])
    return entry[1] if entry else None


async def menu_during_draft(message: Message, state: FSMContext, actor: Actor, t: Translator, **data: Any) -> None:
    if actor.staff is None or _resume_of(await state.get_state()) is None:
        await state.clear()
        await show_menu(message, actor, t)
        return
    builder = InlineButtons()
    builder.button(text=t("draft-continue"), callback_data=DraftCb(action="continue"))
    builder.button(text=t("draft-drop"), callback_data=DraftCb(action="drop"))
    await message.answer(t("draft-pending"), reply_markup=builder.as_markup())


async def draft_button(query: CallbackQuery, callback_data: DraftCb, state: FSMContext, actor: Actor,
                       t: Translator, **data: Any) -> None:
    resume = _resume_of(await state.get_state())
    await query.answer()
    if callback_data.action == "continue" and resume is not None and actor.staff is not None:
        await resume(query.message, state, t, actor=actor, **data)
        return
    await state.clear()
    if callback_data.action == "continue":  # the draft expired, or the conversation ended elsewhere
        await query.message.answer(t("draft-gone"))
    if actor.staff is not None:
        await show_menu(query.message, actor, t)


def build_router() -> Router:
    """Before the conversations' own routers, whose command handler would end the conversation first."""
    router = Router(name="drafts")
    router.message.register(menu_during_draft, Command("menu"), StateFilter(*(group for group, _ in
                                                                              _resumes.values())))
    router.callback_query.register(draft_button, DraftCb.filter())
    return router
