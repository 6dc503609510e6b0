"""Imports from the bot: a staff member with `import.run` sends a .csv / .xlsx / .xls file; the bot keeps it, works
out what it holds (or asks), answers with the dry run's summary and "Run import" / "Cancel"; "Run import" queues
the job and sends a progress message the worker keeps editing (see `jobs.imports`) until it shows the totals.

Handlers only read the update, call `core.imports.engine` and render; every button's job id is checked again in
core (the job must be the presser's own and still waiting for that step).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from core import background
from core.config import Settings
from core.i18n import Translator
from core.imports import engine
from core.imports.engine import ImportJobError, RowResult
from core.imports.mapping import CUSTOM_PREFIX, ENTITIES, FIELDS
from core.permissions import Actor, Denied, can
from flows.keyboards import InlineButtons
from models import ImportJob, Pipeline

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx", ".xls")
MB = 1024 * 1024
# Telegram lets a bot download files up to 20 MB.
TELEGRAM_DOWNLOAD_LIMIT_MB = 20
# Files with more rows are checked by the worker (`jobs.imports.import_check`), not in the update's handler.
INLINE_CHECK_ROWS = 1000
COUNT_ICONS = {"create": "➕", "update": "✏️", "skip": "⏸", "reject": "⛔"}


class ImportCb(CallbackData, prefix="im1"):
    action: str  # entity / pipeline / run / cancel
    job: int
    value: str = ""


# --- rendering (also used by the worker for the progress message) ---------------------------------------------------


def _reason(t: Translator, code: str) -> str:
    key = f"imports-reason-{code.replace('_', '-')}"
    return t(key) if t.has(key) else code


def _field_title(t: Translator, name: str) -> str:
    if name.startswith(CUSTOM_PREFIX):
        return name.removeprefix(CUSTOM_PREFIX)
    key = f"imports-field-{name.replace('_', '-')}"
    return t(key) if name and t.has(key) else name


def render_row(result: RowResult, t: Translator) -> str:
    row = t("imports-row")
    line = f"{row} {result.row}: {_reason(t, result.reason)}"
    if result.field:
        line += f" ({_field_title(t, result.field)})"
    if result.value:
        line += f" «{result.value}»"
    if result.other_row:
        same = t("imports-same-as-row")
        line += f" — {same} {result.other_row}"
    return line


def _counts(summary: dict[str, Any], t: Translator) -> list[str]:
    return [f"{COUNT_ICONS[outcome]} {t(f'imports-count-{outcome}')}: {summary[outcome]}"
            for outcome in ("create", "update", "skip", "reject")]


def _heading(summary: dict[str, Any], t: Translator) -> str:
    entity = summary["entity"]
    what = t(f"imports-entity-{entity}") if entity in ENTITIES else "?"
    return f"📥 {summary['file_name']} — {what}"


def render_summary(summary: dict[str, Any], t: Translator) -> str:
    dry_run, rows = t("imports-dry-run"), t("imports-rows")
    lines = [_heading(summary, t), f"{dry_run} · {rows}: {summary['total']}", ""]
    lines += _counts(summary, t)
    if summary["rejected"]:
        lines += ["", t("imports-first-rejected")]
        lines += [render_row(result, t) for result in summary["rejected"]]
    if not summary["create"] and not summary["update"]:
        lines += ["", t("imports-nothing-to-do")]
    return "\n".join(lines)


def render_progress(job: ImportJob, t: Translator) -> str:
    progress = t("imports-progress")
    return f"⏳ {job.file_name}\n{progress}: {job.processed_rows} / {job.total_rows}"


def render_totals(summary: dict[str, Any], t: Translator, *, error: str | None = None) -> str:
    progress, rows = t("imports-progress"), t("imports-rows")
    if summary["status"] != "done":
        reason = (error or "").split(":")[0]
        text = f"❌ {summary['file_name']}\n" + t("imports-failed")
        if reason:
            text += f": {_reason(t, reason)}"
        if summary["processed"]:
            text += f"\n{progress}: {summary['processed']} / {summary['total']}"
        return text
    done = t("imports-done")
    lines = [f"✅ {summary['file_name']}", f"{done} · {rows}: {summary['total']}", ""]
    lines += _counts(summary, t)
    return "\n".join(lines)


def mapping_text(job: ImportJob, t: Translator) -> str:
    if not job.mapping:
        return ""
    pairs = [f"{column} → {_field_title(t, name)}" for column, name in job.mapping.items()]
    return t("imports-columns") + ": " + "; ".join(pairs)


# --- keyboards -------------------------------------------------------------------------------------------------------


def _run_keyboard(job: ImportJob, t: Translator, runnable: bool) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    if runnable:
        builder.button(text=t("imports-run"), callback_data=ImportCb(action="run", job=job.id))
    builder.button(text=t("imports-cancel"), callback_data=ImportCb(action="cancel", job=job.id))
    builder.adjust(2)
    return builder.as_markup()


def _entity_keyboard(job: ImportJob, t: Translator) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    for entity in FIELDS:
        builder.button(text=t(f"imports-entity-{entity}"), callback_data=ImportCb(action="entity", job=job.id,
                                                                                 value=entity))
    builder.button(text=t("imports-cancel"), callback_data=ImportCb(action="cancel", job=job.id))
    builder.adjust(3, 1)
    return builder.as_markup()


def _pipeline_keyboard(job: ImportJob, pipelines: list[Pipeline], t: Translator) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    for pipeline in pipelines:
        builder.button(text=pipeline.title(t.locale), callback_data=ImportCb(action="pipeline", job=job.id,
                                                                             value=pipeline.key))
    builder.button(text=t("imports-cancel"), callback_data=ImportCb(action="cancel", job=job.id))
    builder.adjust(1)
    return builder.as_markup()


# --- steps -----------------------------------------------------------------------------------------------------------


async def _next_step(target: Message, actor: Actor, job: ImportJob, t: Translator, *, edit: bool = False) -> None:
    """Ask what is still unknown (the entity, the pipeline of cards), else show the dry run."""
    async def say(text: str, markup: InlineKeyboardMarkup | None) -> None:
        if edit:
            await target.edit_text(text, reply_markup=markup)
        else:
            await target.answer(text, reply_markup=markup)

    if not job.entity:
        await say(f"📥 {job.file_name}\n" + t("imports-which-entity"), _entity_keyboard(job, t))
        return
    if job.entity == "cards" and "pipeline" not in job.mapping.values() and not job.options.get("pipeline"):
        pipelines = list(await Pipeline.filter(active=True).order_by("id"))
        if len(pipelines) == 1:
            job = await engine.set_option(actor, job.id, pipeline=pipelines[0].key)
        elif pipelines:
            await say(f"📥 {job.file_name}\n" + t("imports-which-pipeline"), _pipeline_keyboard(job, pipelines, t))
            return
    if job.total_rows > INLINE_CHECK_ROWS:
        # A long check would hold the update past its inbox lease: the worker does it and edits this message.
        rows = t("imports-rows")
        text = f"🔎 {job.file_name}\n" + t("imports-checking") + f" ({job.total_rows} {rows})"
        if edit:
            await target.edit_text(text, reply_markup=None)
            shown = target
        else:
            shown = await target.answer(text)
        await engine.set_progress_message(job.id, shown.chat.id, shown.message_id)
        background.submit(background.IMPORT_CHECK, job.id)
        return
    text, markup = await checked_view(actor, job, t)
    await say(text, markup)


async def checked_view(actor: Actor, job: ImportJob, t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
    """The dry run done, as the message that shows it: the summary with "Run import" / "Cancel", or why not."""
    try:
        await engine.dry_run(actor, job)
    except ImportJobError as error:
        await engine.cancel(actor, job.id)
        return _job_error(error, t), None
    summary = engine.summary(job)
    text = render_summary(summary, t)
    columns = mapping_text(job, t)
    if columns:
        text += f"\n\n{columns}"
    return text[:4000], _run_keyboard(job, t, runnable=bool(summary["create"] or summary["update"]))


def _job_error(error: ImportJobError, t: Translator) -> str:
    if error.reason.startswith("mapping_"):
        field = _field_title(t, error.detail) if error.detail else ""
        return t("imports-mapping-problem") + f": {_reason(t, error.reason)}" + (f" ({field})" if field else "")
    return t("imports-unreadable") + f": {_reason(t, error.reason)}"


# --- handlers --------------------------------------------------------------------------------------------------------


def _is_table(message: Message) -> bool:
    name = (message.document.file_name or "").lower() if message.document else ""
    return name.endswith(SUFFIXES)


async def may_import(message: Message, actor: Actor) -> bool:
    """Filter: a spreadsheet from someone who may import; anything else goes on to the other flows."""
    return _is_table(message) and can(actor, "import.run")


async def file_received(message: Message, bot: Bot, actor: Actor, t: Translator, settings: Settings) -> None:
    document = message.document
    limit = min(settings.storage.max_upload_mb, TELEGRAM_DOWNLOAD_LIMIT_MB)
    if document.file_size and document.file_size > limit * MB:
        await message.answer(t("imports-too-large") + f" ({limit} MB)")
        return
    folder = engine.imports_dir(settings.storage_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(document.file_name).suffix.lower()}"
    await bot.download(document, destination=path)
    options = {"region": settings.i18n.default_region, "timezone": settings.i18n.timezone,
               "default_locale": settings.i18n.default_locale, "locale": t.locale}
    try:
        job = await engine.create_job(actor, path, file_name=document.file_name, options=options)
    except ImportJobError as error:
        path.unlink(missing_ok=True)
        await message.answer(_job_error(error, t))
        return
    await _next_step(message, actor, job, t)


async def _job_for(query: CallbackQuery, actor: Actor, job_id: int, t: Translator) -> ImportJob | None:
    try:
        return await engine.get_job(actor, job_id)
    except (Denied, ImportJobError):
        await query.answer(t("forbidden"), show_alert=True)
        return None


async def entity_chosen(query: CallbackQuery, callback_data: ImportCb, actor: Actor, t: Translator) -> None:
    job = await _job_for(query, actor, callback_data.job, t)
    if job is None:
        return
    try:
        if callback_data.action == "entity":
            job = await engine.set_entity(actor, job.id, callback_data.value)
        else:
            if not await Pipeline.exists(key=callback_data.value, active=True):
                raise ImportJobError("unknown_pipeline")
            job = await engine.set_option(actor, job.id, pipeline=callback_data.value)
    except ImportJobError:
        await query.answer(t("button-outdated"), show_alert=True)
        return
    await query.answer()
    await _next_step(query.message, actor, job, t, edit=True)


async def run_pressed(query: CallbackQuery, callback_data: ImportCb, actor: Actor, t: Translator) -> None:
    job = await _job_for(query, actor, callback_data.job, t)
    if job is None:
        return
    try:
        job = await engine.queue(actor, job.id)
    except ImportJobError:
        await query.answer(t("imports-already-started"), show_alert=True)
        return
    await query.answer()
    await _drop_buttons(query)
    progress = await query.message.answer(f"⏳ {job.file_name}\n" + t("imports-queued"))
    await engine.set_progress_message(job.id, progress.chat.id, progress.message_id)
    background.submit(background.IMPORT_RUN, job.id)


async def cancel_pressed(query: CallbackQuery, callback_data: ImportCb, actor: Actor, t: Translator) -> None:
    job = await _job_for(query, actor, callback_data.job, t)
    if job is None:
        return
    try:
        await engine.cancel(actor, job.id)
    except ImportJobError:
        await query.answer(t("imports-already-started"), show_alert=True)
        return
    await query.answer()
    text = f"{query.message.text or ''}\n\n" + t("imports-cancelled")
    await query.message.edit_text(text[:4096], reply_markup=None)


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        log.debug("import summary %s: buttons already gone", query.message.message_id)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="imports")
    # Only outside other conversations: a file sent while attaching to a card belongs to that card.
    router.message.register(file_received, StateFilter(None), F.document, may_import)
    router.callback_query.register(entity_chosen, ImportCb.filter(F.action.in_({"entity", "pipeline"})))
    router.callback_query.register(run_pressed, ImportCb.filter(F.action == "run"))
    router.callback_query.register(cancel_pressed, ImportCb.filter(F.action == "cancel"))
    return router
