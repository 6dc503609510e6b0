"""Tasks: created by stages (or people), closed by people or by the card leaving the stage, swept when late.

The sweep works from database state only — no in-memory timers — so a restart loses nothing, and it is
idempotent: a task is marked overdue once (a compare-and-set on `overdue`), and gets at most one follow-up (made
under a row lock on the original), however many sweeps run, in however many processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

# core.pipelines imports this module too: bind the module, not its names, so either may be imported first.
from core import activity, clock, notify, pipelines
from core.clock import as_utc
from core.db import atomic
from core.permissions import Actor, require, visible
from models import Card, Pipeline, Role, Staff, Stage, Task

log = logging.getLogger(__name__)

OPEN = "open"
DONE = "done"
CANCELLED = "cancelled"
EXPIRED = "expired"  # closed by the sweep, a stage's "reissue" policy having opened a new one
TITLE_MAX = 300


class TaskError(Exception):
    """A refusal the user should read; `reason` is a stable code the entry points translate.

    Reasons: ``title`` (empty or too long), ``not_found``, ``not_open`` (already closed — e.g. a second press
    of "done").
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SweepReport:
    overdue_marked: int = 0
    follow_ups_created: int = 0


async def _card_number_arg(card: Card | None) -> str:
    # Fluent selects on it: "none" picks the wording for a task without a card.
    if card is None:
        return "none"
    return pipelines.card_number(card, await Pipeline.get(id=card.pipeline_id))


async def _assignee_arg(task: Task) -> str | Callable[[str], str]:
    """Who the task waits for: a person's name, or the role's title (a callable: each reader's language)."""
    if task.assignee_id is not None:
        staff = await Staff.get_or_none(id=task.assignee_id)
        return staff.name if staff else "—"
    role = await Role.get_or_none(key=task.assignee_role) if task.assignee_role else None
    return role.title if role is not None else task.assignee_role or "—"


async def _doers(task: Task) -> list[Staff]:
    """The person the task is assigned to, or everyone holding its role."""
    if task.assignee_id is not None:
        staff = await Staff.get_or_none(id=task.assignee_id)
        return [staff] if staff is not None else []
    if task.assignee_role:
        return await notify.staff_with_role(task.assignee_role)
    return []


async def _card_and_owner(task: Task) -> tuple[Card | None, Staff | None]:
    if task.card_id is None:
        return None, None
    card = await Card.get_or_none(id=task.card_id)
    if card is None or card.owner_id is None:
        return card, None
    return card, await Staff.get_or_none(id=card.owner_id)


def _snapshot(task: Task) -> dict:
    return {
        "title": task.title,
        "status": task.status,
        "card_id": task.card_id,
        "assignee_id": task.assignee_id,
        "assignee_role": task.assignee_role,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "overdue": task.overdue,
        "follow_up_of_id": task.follow_up_of_id,
    }


# --- creating ----------------------------------------------------------------------------------


async def create_task(
    *,
    title: str,
    channel: str,
    titles: dict[str, str] | None = None,
    card: Card | None = None,
    assignee: Staff | None = None,
    assignee_role: str | None = None,
    due_at: datetime | None = None,
    stage: Stage | None = None,
    follow_up_hours: float | None = None,
    created_by: Staff | None = None,
    default_locale: str = "ru",
    announce: bool = True,
    due_field: str | None = None,
) -> Task:
    """Create a task, log it and (unless `announce` is False) tell whoever must do it: the assignee, else
    everyone with `assignee_role`.

    Meant to run inside the caller's transaction (the pipeline engine's move); on its own it opens one, so the
    task, its log entry and its notifications are stored together or not at all. A task with neither assignee
    nor role is still stored (a card without an owner must not stop a move): those with "task.view" on all
    tasks see it, and nobody is told.
    """
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise TaskError("title")
    async with atomic():
        task = await Task.create(
            title=title,
            titles=titles or {},
            card=card,
            assignee=assignee,
            assignee_role=None if assignee is not None else assignee_role,
            due_at=as_utc(due_at) if due_at else None,
            stage=stage,
            follow_up_hours=follow_up_hours,
            created_by=created_by,
            due_field=due_field,
        )
        await activity.record(
            "task.create", channel=channel, actor=created_by, object_type="task", object_id=task.id,
            after=_snapshot(task),
        )
        if announce:
            await notify.notify_staff(
                await _doers(task),
                "notify-task-new",
                card=card,
                default_locale=default_locale,
                exclude=created_by,
                title=task.title_for,
                number=await _card_number_arg(card),
            )
    return task


# --- closing -----------------------------------------------------------------------------------


async def _close(task_ids: Iterable[int], status: str, *, actor: Actor, action: str) -> int:
    """Close the still-open tasks among `task_ids`; each only if it is still open (compare-and-set)."""
    closed = 0
    at = clock.now()
    for task_id in task_ids:
        if not await Task.filter(id=task_id, status=OPEN).update(status=status, closed_at=at):
            continue
        closed += 1
        await activity.record_by(
            actor, action, object_type="task", object_id=task_id,
            before={"status": OPEN}, after={"status": status, "closed_at": at.isoformat()},
        )
    return closed


async def close_stage_tasks(card: Card, stage: Stage, *, actor: Actor) -> int:
    """The card leaves `stage`: its open tasks made by that stage (follow-ups included) are done. Returns count."""
    ids = await Task.filter(card_id=card.id, stage_id=stage.id, status=OPEN).order_by("id").values_list("id", flat=True)
    async with atomic():
        return await _close(ids, DONE, actor=actor, action="task.done")


async def _finish(actor: Actor, task_id: int, status: str) -> Task:
    task = await Task.get_or_none(id=task_id)
    if task is None:
        raise TaskError("not_found")
    await require(actor, "task.close", task)
    # A task and its follow-ups are the same piece of work: finishing one finishes all of them.
    root_id = task.follow_up_of_id or task.id
    async with atomic():
        if not await _close([task.id], status, actor=actor, action=f"task.{status}"):
            raise TaskError("not_open")
        family = Task.filter(Q(id=root_id) | Q(follow_up_of_id=root_id), status=OPEN).order_by("id")
        await _close(await family.values_list("id", flat=True), status, actor=actor, action=f"task.{status}")
    return await Task.get(id=task_id)


async def complete_task(actor: Actor, task_id: int) -> Task:
    """Mark a task done (permission "task.close" on it). Raises Denied, TaskError("not_found" / "not_open")."""
    return await _finish(actor, task_id, DONE)


async def cancel_task(actor: Actor, task_id: int) -> Task:
    """Cancel a task (permission "task.close" on it). Raises Denied, TaskError("not_found" / "not_open")."""
    return await _finish(actor, task_id, CANCELLED)


# --- listing -----------------------------------------------------------------------------------


def my_open_tasks_query(actor: Actor) -> QuerySet[Task]:
    """Open tasks waiting for the actor (theirs, or their role's unassigned ones) that they may see.

    Overdue first, then by due time (tasks without one last), oldest first among equals.
    """
    role_keys = list(actor.role_keys) or [""]
    mine = Q(assignee_id=actor.staff_id) | Q(assignee_id__isnull=True, assignee_role__in=role_keys)
    return (
        visible(actor, "task.view", Task.filter(status=OPEN))
        .filter(mine)
        # Spelled out because SQLite sorts NULLs first and PostgreSQL last; a literal, as asyncpg cannot type
        # bound parameters in a CASE.
        .annotate(undated=RawSQL('CASE WHEN "task"."due_at" IS NULL THEN 1 ELSE 0 END'))
        .order_by("-overdue", "undated", "due_at", "id")
    )


async def my_open_tasks(actor: Actor, *, offset: int = 0, limit: int = 10) -> tuple[list[Task], int]:
    """One page of "My tasks" and the total count."""
    query = my_open_tasks_query(actor)
    total = await query.count()
    page = await query.offset(max(offset, 0)).limit(max(limit, 1)).select_related("card")
    await pipelines.with_definitions_all([task.card for task in page if task.card is not None])
    return list(page), total


# --- due dates from card fields ----------------------------------------------------------------


def due_from_field(value: Any) -> datetime | None:
    """A card's date or datetime field value as a due moment (a date: the start of that day, UTC)."""
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


async def follow_fields(card_id: int, changed: dict[str, Any]) -> int:
    """Open tasks of the card that are due when a changed field says move with it; returns how many."""
    moved = 0
    for key, value in changed.items():
        moved += await Task.filter(card_id=card_id, status=OPEN, due_field=key).update(
            due_at=due_from_field(value), overdue=False, overdue_at=None)
    return moved


# --- the sweep ---------------------------------------------------------------------------------


async def _mark_overdue(task_id: int, at: datetime, default_locale: str) -> bool:
    async with in_transaction():
        # Compare-and-set: of concurrent sweeps (other processes too) exactly one flips the flag and notifies.
        if not await Task.filter(id=task_id, status=OPEN, overdue=False).update(overdue=True, overdue_at=at):
            return False
        task = await Task.get(id=task_id)
        await activity.record(
            "task.overdue", channel="system", object_type="task", object_id=task.id,
            before={"overdue": False}, after={"overdue": True, "overdue_at": at.isoformat()},
        )
        card, owner = await _card_and_owner(task)
        await _tell_about_late_task(task, card, [*await _doers(task), owner], "notify-task-overdue", default_locale)
    return True


async def _reissue(task_id: int, at: datetime, supervisor_role: str | None, default_locale: str) -> bool:
    """A late task of a "reissue" stage: closed as expired and opened again for the same people, marked overdue,
    due as far ahead as it was given at first; the doers and the stage's supervisor role are told. Once per
    expiry: the close is a compare-and-set on the open task, so concurrent sweeps make one new task."""
    async with in_transaction():
        if not await Task.filter(id=task_id, status=OPEN).update(status=EXPIRED, closed_at=at):
            return False
        task = await Task.get(id=task_id)
        span = as_utc(task.due_at) - as_utc(task.created_at) if task.due_at and task.created_at else None
        fresh = await Task.create(
            title=task.title, titles=task.titles, card_id=task.card_id, assignee_id=task.assignee_id,
            assignee_role=task.assignee_role, stage_id=task.stage_id, follow_up_hours=task.follow_up_hours,
            due_field=task.due_field, overdue=True, overdue_at=at,
            due_at=at + span if span is not None and span > timedelta(0) else None,
        )
        await activity.record("task.expired", channel="system", object_type="task", object_id=task.id,
                              before={"status": OPEN}, after={"status": EXPIRED, "reissued_as": fresh.id})
        await activity.record("task.reissue", channel="system", object_type="task", object_id=fresh.id,
                              after=_snapshot(fresh))
        card, _ = await _card_and_owner(task)
        supervisors = await notify.staff_with_role(supervisor_role) if supervisor_role else []
        await _tell_about_late_task(fresh, card, [*await _doers(fresh), *supervisors], "notify-task-reissued",
                                    default_locale)
    return True


async def _create_follow_up(task_id: int, at: datetime, default_locale: str) -> bool:
    async with in_transaction():
        # The row lock makes a concurrent sweep wait here, then see the follow-up this one made (PostgreSQL);
        # SQLite runs one transaction at a time anyway.
        task = await Task.filter(id=task_id).select_for_update().first()
        if task is None or task.status != OPEN or await Task.filter(follow_up_of_id=task_id).exists():
            return False
        follow_up = await Task.create(
            title=task.title,
            titles=task.titles,
            card_id=task.card_id,
            assignee_id=task.assignee_id,
            assignee_role=task.assignee_role,
            due_at=task.due_at,
            stage_id=task.stage_id,
            overdue=True,
            overdue_at=at,
            follow_up_of=task,
        )
        await activity.record(
            "task.follow_up", channel="system", object_type="task", object_id=follow_up.id,
            after=_snapshot(follow_up),
        )
        card, owner = await _card_and_owner(task)
        # The owner is the one to chase it; a task without one goes back to whoever must do it.
        recipients = [owner] if owner is not None else await _doers(task)
        await _tell_about_late_task(task, card, recipients, "notify-task-follow-up", default_locale)
    return True


async def _tell_about_late_task(task: Task, card: Card | None, recipients: list[Staff | None], message_id: str,
                                default_locale: str) -> None:
    await notify.notify_staff(recipients, message_id, card=card, default_locale=default_locale,
                              title=task.title_for, number=await _card_number_arg(card),
                              assignee=await _assignee_arg(task))


async def _follow_up_candidates(at: datetime) -> list[int]:
    rows = await Task.filter(
        status=OPEN, overdue=True, follow_up_hours__isnull=False, due_at__isnull=False, follow_ups__id__isnull=True
    ).order_by("due_at", "id").values_list("id", "due_at", "follow_up_hours")
    # The threshold differs per task, and adding hours to a column is not portable SQL: compare here.
    return [task_id for task_id, due_at, hours in rows if as_utc(due_at) + timedelta(hours=hours) <= at]


async def sweep(at: datetime | None = None, default_locale: str = "ru") -> SweepReport:
    """Mark late tasks overdue (telling the doers and the card's owner) and make the follow-ups stages ask for.

    Safe to run any number of times, concurrently, after any crash: each task is overdue once and gets at most
    one follow-up. Each task is handled in its own transaction; one that fails is logged and retried next time.
    """
    at = as_utc(at) if at else clock.now()
    marked = created = 0
    reissuing = dict(await Stage.filter(overdue_policy="reissue").values_list("id", "supervisor_role"))
    # A reissued task is marked overdue from the start: it is late again once its own due time passes.
    late = await Task.filter(Q(overdue=False) | Q(stage_id__in=list(reissuing) or [0]), status=OPEN,
                             due_at__lt=at).order_by("due_at", "id").values_list("id", "stage_id")
    for task_id, stage_id in late:
        try:
            if stage_id in reissuing:
                created += await _reissue(task_id, at, reissuing[stage_id], default_locale)
            else:
                marked += await _mark_overdue(task_id, at, default_locale)
        except Exception:
            log.exception("sweep: could not mark task %s overdue", task_id)
    for task_id in await _follow_up_candidates(at):
        try:
            created += await _create_follow_up(task_id, at, default_locale)
        except Exception:
            log.exception("sweep: could not create the follow-up of task %s", task_id)
    return SweepReport(overdue_marked=marked, follow_ups_created=created)
