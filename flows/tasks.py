""""My tasks": open tasks waiting for the user, overdue first and marked, each with Done and a way to its card."""

from __future__ import annotations

import math

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from core import formatting
from core.config import Settings
from core.i18n import Translator
from core.permissions import Actor, Denied, can
from core.pipelines import card_number
from core.tasks import TaskError, complete_task, my_open_tasks
from flows import render
from flows.callbacks import CardCb, PageCb, TaskCb
from flows.cards import edit_or_send, pager, refuse
from flows.keyboards import InlineButtons
from models import Task

PAGE_SIZE = 8
DONE_MARK = "☑️"


def _task_line(position: int, task: Task, t: Translator, settings: Settings) -> str:
    parts = [f"⏰ {t('task-overdue')}"] if task.overdue else []
    parts.append(task.title_for(t.locale))
    if task.card is not None:
        parts.append(card_number(task.card))
    if task.due_at is not None:
        parts.append(f"{t('task-due')} {formatting.datetime_text(task.due_at, t.locale, settings.i18n.zone)}")
    return f"{position}. " + " · ".join(parts)


async def _tasks_page(actor: Actor, t: Translator, settings: Settings, page: int
                      ) -> tuple[str, InlineKeyboardMarkup | None]:
    tasks, total = await my_open_tasks(actor, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    if not total:
        return t("tasks-empty"), None
    pages = max(1, math.ceil(total / PAGE_SIZE))
    first = page * PAGE_SIZE + 1
    lines = [t("tasks-title", total=total, page=page + 1, pages=pages), ""]
    builder = InlineButtons()
    rows = []
    for position, task in enumerate(tasks, start=first):
        lines.append(_task_line(position, task, t, settings))
        builder.button(text=f"✅ {position}", callback_data=TaskCb(action="done", task=task.id))
        if task.card is not None:
            builder.button(text=f"📋 {card_number(task.card)}", callback_data=CardCb(action="open", card=task.card.id))
            rows.append(2)
        else:
            rows.append(1)
    arrows = pager(builder, "tasks", page, pages)
    builder.adjust(*rows, *([arrows] if arrows else []))
    return "\n".join(lines)[:render.TEXT_LIMIT], builder.as_markup()


async def open_tasks(target: Message, actor: Actor, t: Translator, settings: Settings,
                     state: FSMContext | None = None, **_) -> None:
    """The "My tasks" menu entry and /tasks."""
    if state is not None:
        await state.clear()
    if not can(actor, "task.view"):
        await target.answer(t("forbidden"))
        return
    text, keyboard = await _tasks_page(actor, t, settings, 0)
    await target.answer(text, reply_markup=keyboard)


async def tasks_page(query: CallbackQuery, callback_data: PageCb, actor: Actor, t: Translator,
                     settings: Settings) -> None:
    if not can(actor, "task.view"):
        await refuse(query, t)
        return
    text, keyboard = await _tasks_page(actor, t, settings, max(callback_data.page, 0))
    await query.answer()
    await edit_or_send(query.message, text, keyboard)


def _marked_done(markup: InlineKeyboardMarkup | None, data: str) -> InlineKeyboardMarkup | None:
    """The same keyboard with the pressed Done button showing the task is closed (pressing it again says so)."""
    if markup is None:
        return None
    rows = [[InlineKeyboardButton(text=f"{DONE_MARK} {button.text.split(' ', 1)[-1]}", callback_data=data)
             if button.callback_data == data and not button.text.startswith(DONE_MARK) else button
             for button in row] for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def task_button(query: CallbackQuery, callback_data: TaskCb, actor: Actor, t: Translator) -> None:
    if callback_data.action != "done" or actor.staff is None:
        await refuse(query, t)
        return
    try:
        task = await complete_task(actor, callback_data.task)
    except TaskError as error:
        if error.reason == "not_open":
            await query.answer(t("task-already-closed"), show_alert=True)
        else:
            await refuse(query, t)
        return
    except Denied:
        await refuse(query, t)
        return
    await query.answer(t("task-done"))
    await query.message.answer(f"{DONE_MARK} {t('task-done')}: {task.title_for(t.locale)}")
    marked = _marked_done(query.message.reply_markup, query.data)
    if marked is not None:
        await query.message.edit_reply_markup(reply_markup=marked)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="tasks")
    router.callback_query.register(task_button, TaskCb.filter())
    router.callback_query.register(tasks_page, PageCb.filter(F.list == "tasks"))
    return router
