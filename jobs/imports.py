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

from core import clock
from core.i18n import pick_locale, translator
from core.imports import engine
from models import ImportJob, Staff

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 2.0
FINAL_STATUSES = ("done", "failed")
# A queued or running job whose progress has not moved for this long lost its runner (a killed process, a message
# the in-memory broker forgot): the sweep sends it again, and it resumes after its last committed batch.
STALL_SECONDS = 300.0


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


class ImportSweep:
    """A sweep hook (see `jobs.actors.register_sweep_hook`) that restarts stalled imports.

    A job is stalled when a sweep sees it queued or running with the same `processed_rows` as one at least
    `STALL_SECONDS` earlier. What it remembers is only what it saw in the database; the restart is a
    compare-and-set on (status, processed_rows), so of several workers one sends the job, and a runner that
    was only slow loses nothing either: batches are applied under the job's progress compare-and-set."""

    def __init__(self, stall_seconds: float = STALL_SECONDS) -> None:
        self.stall_seconds = stall_seconds
        self.seen: dict[int, tuple[str, int, float]] = {}

    async def __call__(self) -> list[int]:
        moment = clock.now().timestamp()
        rows = await ImportJob.filter(status__in=("queued", "running")).values_list("id", "status", "processed_rows")
        resent = []
        current = {}
        for job_id, status, processed in rows:
            first = self.seen.get(job_id)
            if first is None or first[:2] != (status, processed):
                current[job_id] = (status, processed, moment)
                continue
            current[job_id] = first
            if moment - first[2] < self.stall_seconds:
                continue
            if status == "running" and not await ImportJob.filter(
                id=job_id, status="running", processed_rows=processed
            ).update(status="queued"):
                continue
            from jobs.actors import IMPORT_RUN, send

            log.warning("import %s stalled at row %s (%s): sent again", job_id, processed, status)
            send(IMPORT_RUN, job_id)
            current[job_id] = ("queued", processed, moment)
            resent.append(job_id)
        self.seen = current
        return resent

    def __eq__(self, other: object) -> bool:  # registering a second one is a no-op
        return isinstance(other, ImportSweep) and other.stall_seconds == self.stall_seconds

    def __hash__(self) -> int:
        return hash((ImportSweep, self.stall_seconds))


def import_sweep_hook() -> ImportSweep:
    return ImportSweep()
