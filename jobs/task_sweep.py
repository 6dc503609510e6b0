"""The task sweep as a sweep hook: cards past their stage SLA (`core.pipelines.sweep_sla`), then overdue marks,
follow-ups and their notifications (`core.tasks.sweep`), then conversations left longer than they are kept
(`core.drafts.prune`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core import drafts, pipelines, tasks
from core.config import Settings


@dataclass(frozen=True)
class TaskSweep:
    """A sweep hook bound to the default locale. Equal settings make equal hooks, so registering twice is a no-op."""

    default_locale: str = "ru"
    draft_days: float = 7

    async def __call__(self) -> tasks.SweepReport:
        await pipelines.sweep_sla(default_locale=self.default_locale)
        report = await tasks.sweep(default_locale=self.default_locale)
        await drafts.prune(timedelta(days=self.draft_days))
        return report


def task_sweep_hook(settings: Settings) -> TaskSweep:
    """The hook for these settings, for `jobs.actors.register_sweep_hook`."""
    return TaskSweep(default_locale=settings.i18n.default_locale, draft_days=settings.telegram.draft_days)
