"""The import actors' bodies: `import_run` — the real run of an import job, and the bot's progress message that
edits itself; `import_check` — the dry run of a file too large to check while handling the update.

The message is edited directly with the worker's bot (the outbox only sends new messages), at most once per
`PROGRESS_INTERVAL` seconds while rows are going in, and always at the end: the totals, then the error report as a
document when a row was rejected. A failing edit never fails the import; the run itself is resumable (see
`core.imports.engine.run`), so a retried or redelivered message goes on after the last committed row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.types import BufferedInputFile

from core.i18n import pick_locale, translator
from core.imports import engine
from models import ImportJob, Staff

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 2.0
FINAL_STATUSES = ("done", "failed")


class ProgressMessage:
    """`on_progress` for `engine.run`: keeps the job's progress message in the bot current (throttled)."""

    def __init__(self, bot: Bot | None, *, interval: float = PROGRESS_INTERVAL, clock=time.monotonic) -> None:
        self.bot = bot
        self.interval = interval
        self.clock = clock
        self.last_edit: float | None = None
        self.edits = 0
        self._locale: str | None = None

    async def _translator(self, job: ImportJob):
        if self._locale is None:
            staff = await Staff.get_or_none(id=job.actor_id) if job.actor_id else None
            self._locale = pick_locale(staff.locale if staff else None, job.options.get("locale"),
                                       default=job.options.get("default_locale", "ru"))
        return translator(self._locale)

    async def __call__(self, job: ImportJob) -> None:
        if self.bot is None or not job.progress_chat_id or not job.progress_message_id:
            return
        final = job.status in FINAL_STATUSES
        moment = self.clock()
        if not final and self.last_edit is not None and moment - self.last_edit < self.interval:
            return
        try:
            await self._update(job, final)
        except Exception:  # the import goes on whatever Telegram says
            log.exception("import %s: progress message not updated", job.id)
        self.last_edit = self.clock()

    async def _update(self, job: ImportJob, final: bool) -> None:
        from flows.imports import render_progress, render_totals

        t = await self._translator(job)
        text = render_totals(engine.summary(job), t, error=job.error) if final else render_progress(job, t)
        await self._edit(job, text, retry=final)
        if final and job.status == "done" and job.rejected:
            report = engine.error_report(job)
            await self.bot.send_document(
                job.progress_chat_id, BufferedInputFile(report, filename=error_report_name(job)),
                caption=t("imports-error-report"),
            )

    async def _edit(self, job: ImportJob, text: str, *, retry: bool) -> None:
        for _ in range(2):
            try:
                await self.bot.edit_message_text(text=text, chat_id=job.progress_chat_id,
                                                 message_id=job.progress_message_id)
                self.edits += 1
                return
            except TelegramRetryAfter as error:
                if not retry:
                    return
                await asyncio.sleep(error.retry_after)
            except TelegramBadRequest as error:
                if "not modified" in str(error).lower():
                    return
                raise
            except TelegramAPIError:
                if not retry:
                    return
                raise


def error_report_name(job: ImportJob) -> str:
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    return f"{stem}-errors.csv"


async def import_check(job_id: int, bot: Bot | None = None) -> None:
    """The dry run of a large file, off the update's handler: edits the "checking…" message into the summary."""
    from flows.imports import checked_view

    if bot is None:
        from jobs import actors

        bot = actors.current_bot()
    job = await ImportJob.get_or_none(id=job_id)
    if job is None or job.status != "dry_run":
        return
    actor = await engine.job_actor(job)
    t = await ProgressMessage(bot)._translator(job)
    text, markup = await checked_view(actor, job, t)
    if bot is None or not job.progress_chat_id or not job.progress_message_id:
        return
    try:
        await bot.edit_message_text(text=text, chat_id=job.progress_chat_id, message_id=job.progress_message_id,
                                    reply_markup=markup)
    except TelegramAPIError:
        log.exception("import %s: the check's summary was not shown", job.id)


async def import_run(job_id: int, bot: Bot | None = None, **run_options: Any) -> engine.Report:
    """Run the job (or the rest of it) with the process's bot showing progress; see `jobs.actors.IMPORT_RUN`."""
    if bot is None:
        from jobs import actors

        bot = actors.current_bot()
    return await engine.run(job_id, on_progress=ProgressMessage(bot), **run_options)
