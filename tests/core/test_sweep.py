"""The task sweep with a frozen clock: overdue once, one follow-up, concurrent sweeps notify once."""

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine

from core import clock, tasks
from core.permissions import load_actor
from jobs import actors
from jobs.broker import close_broker
from jobs.task_sweep import TaskSweep, task_sweep_hook
from jobs.worker import start_jobs
from models import Activity, Task
from tests.core.test_tasks import button_data, make_card, make_role, make_staff, outbox_rows

START = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)


async def _setup(follow_up_hours: float | None = None):
    owner = await make_staff("Owner", telegram_id=500, locale="en")
    mechanic = await make_staff("Mechanic", await make_role("mechanic", "task.close:own"), telegram_id=600, locale="uk")
    card = await make_card(owner)
    task = await tasks.create_task(
        title="Replace pads", channel="system", card=card, assignee=mechanic, due_at=START + timedelta(hours=2),
        follow_up_hours=follow_up_hours, created_by=owner,
    )
    return owner, mechanic, card, task


async def test_the_clock_is_frozen_by_time_machine(db):
    with time_machine.travel(START, tick=False):
        assert clock.now() == START


async def test_a_task_passing_its_due_time_becomes_overdue_once(db):
    with time_machine.travel(START, tick=False) as traveller:
        owner, mechanic, card, task = await _setup()
        before = len(await outbox_rows())  # the "new task" notification to the mechanic
        assert await tasks.sweep() == tasks.SweepReport(0, 0)  # not due yet

        traveller.move_to(START + timedelta(hours=2, minutes=1))
        reports = [await tasks.sweep() for _ in range(3)]
        assert [r.overdue_marked for r in reports] == [1, 0, 0]
        first_overdue_at = (await Task.get(id=task.id)).overdue_at

        traveller.move_to(START + timedelta(hours=5))
        assert await tasks.sweep() == tasks.SweepReport(0, 0)

    stored = await Task.get(id=task.id)
    assert stored.overdue and stored.overdue_at == first_overdue_at == START + timedelta(hours=2, minutes=1)
    rows = (await outbox_rows())[before:]
    assert [(row.chat_id, row.payload["text"]) for row in rows] == [
        (600, "⏰ Прострочено завдання «Replace pads» за карткою A-0042. Виконавець: Mechanic."),
        (500, "⏰ Overdue task “Replace pads” on card A-0042. Assignee: Mechanic."),
    ]
    assert {button_data(row) for row in rows} == {f"c1:open:{card.id}"}
    assert await Activity.filter(action="task.overdue").count() == 1


async def test_closed_tasks_and_tasks_without_due_time_are_left_alone(db):
    with time_machine.travel(START, tick=False):
        staff = await make_staff("S", telegram_id=1)
        done = await tasks.create_task(title="done", channel="system", assignee=staff, due_at=START)
        await Task.filter(id=done.id).update(status="done")
        await tasks.create_task(title="undated", channel="system", assignee=staff)
        before = len(await outbox_rows())
        assert await tasks.sweep(at=START + timedelta(days=30)) == tasks.SweepReport(0, 0)
    assert len(await outbox_rows()) == before
    assert not await Task.filter(overdue=True).exists()


async def test_a_role_task_tells_everyone_with_the_role_and_the_owner(db):
    buyer = await make_role("buyer", titles={"en": "Parts buyer", "ru": "Закупщик", "uk": "Закупівельник"})
    first = await make_staff("B1", buyer, telegram_id=701, locale="ru")
    second = await make_staff("B2", buyer, telegram_id=702, locale="en")
    owner = await make_staff("Owner", buyer, telegram_id=703, locale="uk")  # owner and role holder: told once
    card = await make_card(owner)
    await tasks.create_task(title="Order parts", channel="system", card=card, assignee_role="buyer", due_at=START)
    before = len(await outbox_rows())
    assert (await tasks.sweep(at=START + timedelta(seconds=1))).overdue_marked == 1
    rows = (await outbox_rows())[before:]
    assert [(row.chat_id, row.payload["text"]) for row in rows] == [
        (first.telegram_id, "⏰ Просрочена задача «Order parts» по карточке A-0042. Исполнитель: Закупщик."),
        (second.telegram_id, "⏰ Overdue task “Order parts” on card A-0042. Assignee: Parts buyer."),
        (owner.telegram_id, "⏰ Прострочено завдання «Order parts» за карткою A-0042. Виконавець: Закупівельник."),
    ]


async def test_follow_up_is_created_once_and_the_owner_told(db):
    with time_machine.travel(START, tick=False) as traveller:
        owner, mechanic, card, task = await _setup(follow_up_hours=24)
        traveller.move_to(START + timedelta(hours=3))
        assert await tasks.sweep() == tasks.SweepReport(1, 0)
        before = len(await outbox_rows())

        traveller.move_to(START + timedelta(hours=25, minutes=59))  # due + 24 h not reached yet
        assert await tasks.sweep() == tasks.SweepReport(0, 0)
        traveller.move_to(START + timedelta(hours=26))
        reports = [await tasks.sweep() for _ in range(3)]
        assert [r.follow_ups_created for r in reports] == [1, 0, 0]

    [follow_up] = await Task.filter(follow_up_of_id=task.id)
    assert follow_up.overdue and follow_up.status == "open"
    assert follow_up.assignee_id == mechanic.id and follow_up.title == "Replace pads" and follow_up.card_id == card.id
    assert follow_up.overdue_at == START + timedelta(hours=26)
    rows = (await outbox_rows())[before:]
    assert [(row.chat_id, row.payload["text"]) for row in rows] == [
        (500, "🔁 Task “Replace pads” on card A-0042 is still not done — a follow-up task was created and marked "
              "overdue. Assignee: Mechanic."),
    ]
    assert button_data(rows[0]) == f"c1:open:{card.id}"

    # Finishing either one finishes the piece of work: the original goes with its follow-up.
    done = await tasks.complete_task(await load_actor(mechanic, "bot"), follow_up.id)
    assert done.status == "done" and (await Task.get(id=task.id)).status == "done"


async def test_a_long_late_task_is_marked_and_followed_up_in_one_sweep(db):
    owner, mechanic, card, task = await _setup(follow_up_hours=1)
    assert await tasks.sweep(at=START + timedelta(days=2)) == tasks.SweepReport(1, 1)
    assert await tasks.sweep(at=START + timedelta(days=3)) == tasks.SweepReport(0, 0)
    assert await Task.filter(follow_up_of_id=task.id).count() == 1


async def test_concurrent_sweeps_notify_once(db):
    owner, mechanic, card, task = await _setup(follow_up_hours=1)
    extra = [
        await tasks.create_task(title=f"T{i}", channel="system", card=card, assignee=mechanic, due_at=START,
                                follow_up_hours=1)
        for i in range(5)
    ]
    before = len(await outbox_rows())
    at = START + timedelta(days=1)
    reports = await asyncio.gather(*(tasks.sweep(at=at) for _ in range(4)))
    assert sum(r.overdue_marked for r in reports) == 1 + len(extra)
    assert sum(r.follow_ups_created for r in reports) == 1 + len(extra)
    rows = (await outbox_rows())[before:]
    overdue_rows = [row for row in rows if "Overdue" in row.payload["text"] or "Прострочено" in row.payload["text"]]
    assert len(overdue_rows) == 2 * (1 + len(extra))  # mechanic and owner, once per task
    follow_up_rows = [row for row in rows if "follow-up" in row.payload["text"]]
    assert len(follow_up_rows) == 1 + len(extra)
    assert await Task.filter(follow_up_of_id__isnull=False).count() == 1 + len(extra)


async def test_the_worker_hook_runs_the_sweep_in_the_configured_language(db, make_settings):
    settings = make_settings(i18n__default_locale="en")
    hook = task_sweep_hook(settings)
    assert hook == task_sweep_hook(settings)  # equal hooks: registering it twice is a no-op
    staff = await make_staff("S", telegram_id=900)
    await tasks.create_task(title="Late", channel="system", assignee=staff, due_at=clock.now() - timedelta(hours=1))
    actors.register_sweep_hook(hook)
    try:
        assert await actors.sweep() >= 1
    finally:
        actors.unregister_sweep_hook(hook)
    assert (await Task.get(title="Late")).overdue
    assert (await outbox_rows(900))[-1].payload["text"] == "⏰ Overdue task “Late”. Assignee: S."


async def test_start_jobs_registers_the_task_sweep_and_stop_removes_it(db, make_settings):
    settings = make_settings(redis__url="")
    jobs = await start_jobs(settings, None, sender=False, scheduler=False)
    try:
        assert task_sweep_hook(settings) in actors.sweep_hooks()
    finally:
        await jobs.stop()
        close_broker()
    assert not any(isinstance(hook, TaskSweep) for hook in actors.sweep_hooks())
