"""Tasks: creation with notifications, closing by people (permissions, double press) and by stage exit, My tasks."""

from datetime import UTC, datetime, timedelta

import pytest

from core import tasks
from core.notify import open_card_data
from core.permissions import SYSTEM, Denied, load_actor
from core.pipelines import card_number
from core.tasks import TaskError
from models import Activity, Card, Outbox, Pipeline, Role, RolePermission, Staff, Stage, Task

# --- builders shared by the core tests --------------------------------------------------------


async def make_role(key: str, *grants: str, titles: dict | None = None) -> Role:
    """A role with grants like "task.close:own"."""
    role = await Role.create(key=key, titles=titles or {})
    for grant in grants:
        action, _, scope = grant.partition(":")
        await RolePermission.create(role=role, action=action, scope=scope or "all")
    return role


async def make_staff(name: str, *roles: Role, telegram_id: int | None = None, locale: str | None = None,
                     active: bool = True) -> Staff:
    staff = await Staff.create(name=name, telegram_id=telegram_id, locale=locale, active=active)
    if roles:
        await staff.roles.add(*roles)
    return staff


async def make_card(owner: Staff | None = None, *, number: int = 42, prefix: str = "A") -> Card:
    pipeline = await Pipeline.get_or_none(key="p") or await Pipeline.create(key="p", pack="t", number_prefix=prefix)
    stage = await Stage.get_or_none(pipeline=pipeline, key="s") or await Stage.create(pipeline=pipeline, key="s")
    return await Card.create(pipeline=pipeline, number=number, stage=stage, owner=owner)


async def outbox_rows(chat_id: int | None = None) -> list[Outbox]:
    query = Outbox.all() if chat_id is None else Outbox.filter(chat_id=chat_id)
    return list(await query.order_by("id"))


def button_data(row: Outbox) -> str:
    return row.payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"]


# --- creating ---------------------------------------------------------------------------------


async def test_create_task_notifies_the_assignee_in_their_language(db):
    owner = await make_staff("Owner", telegram_id=100, locale="ru")
    mechanic = await make_staff("Taras", telegram_id=200, locale="uk")
    card = await make_card(owner)
    task = await tasks.create_task(
        title="Оцінити ремонт", channel="bot", card=card, assignee=mechanic, created_by=owner,
        due_at=datetime(2030, 1, 1, 12, tzinfo=UTC),
    )
    assert task.status == "open" and task.assignee_id == mechanic.id and not task.overdue
    [row] = await outbox_rows()
    assert row.chat_id == 200
    assert row.payload["text"] == "📌 Нове завдання за карткою A-0042: Оцінити ремонт"
    assert button_data(row) == open_card_data(card.id) == f"c1:open:{card.id}"
    assert row.payload["reply_markup"]["inline_keyboard"][0][0]["text"] == "Відкрити картку"
    assert await Activity.filter(action="task.create", object_id=str(task.id)).count() == 1


async def test_create_task_for_a_role_tells_everyone_holding_it_but_the_creator(db):
    buyer = await make_role("buyer")
    first = await make_staff("B1", buyer, telegram_id=301, locale="en")
    second = await make_staff("B2", buyer, telegram_id=302)
    await make_staff("Gone", buyer, telegram_id=303, active=False)
    await make_staff("No Telegram", buyer)
    creator = await make_staff("Creator", buyer, telegram_id=304)
    task = await tasks.create_task(title="Price parts", channel="system", assignee_role="buyer", created_by=creator)
    assert task.assignee_id is None and task.assignee_role == "buyer"
    rows = await outbox_rows()
    assert [(row.chat_id, row.payload["text"]) for row in rows] == [
        (first.telegram_id, "📌 New task: Price parts"),
        (second.telegram_id, "📌 Новая задача: Price parts"),  # no language chosen: the default
    ]
    assert all("reply_markup" not in row.payload for row in rows)  # no card, nothing to open


@pytest.mark.parametrize("title", ["  ", "x" * 301])
async def test_create_task_refuses_a_bad_title(db, title):
    with pytest.raises(TaskError) as refused:
        await tasks.create_task(title=title, channel="bot", assignee_role="buyer")
    assert refused.value.reason == "title"
    assert await Task.all().count() == 0


async def test_a_task_for_nobody_is_kept_for_those_who_see_all_tasks(db):
    await make_staff("Someone", telegram_id=1)
    task = await tasks.create_task(title="Unowned card's task", channel="system")
    assert task.assignee_id is None and task.assignee_role is None
    assert await outbox_rows() == []


# --- closing by people ------------------------------------------------------------------------


async def test_complete_task_needs_the_permission_on_that_task(db):
    mechanic_role = await make_role("mechanic", "task.view:own", "task.close:own")
    mechanic = await make_staff("Mechanic", mechanic_role, telegram_id=1)
    other_mechanic = await make_staff("Other", mechanic_role, telegram_id=2)
    clerk = await make_staff("Clerk", await make_role("clerk", "card.view:all"), telegram_id=3)
    task = await tasks.create_task(title="Fix brakes", channel="bot", card=await make_card(), assignee=mechanic)

    for stranger in (clerk, other_mechanic):
        with pytest.raises(Denied):
            await tasks.complete_task(await load_actor(stranger, "bot"), task.id)
    assert (await Task.get(id=task.id)).status == "open"

    done = await tasks.complete_task(await load_actor(mechanic, "bot"), task.id)
    assert done.status == "done" and done.closed_at is not None
    with pytest.raises(TaskError) as again:
        await tasks.complete_task(await load_actor(mechanic, "bot"), task.id)
    assert again.value.reason == "not_open"
    with pytest.raises(TaskError) as cancel_done:
        await tasks.cancel_task(await load_actor(mechanic, "bot"), task.id)
    assert cancel_done.value.reason == "not_open"
    assert await Activity.filter(action="task.done", object_id=str(task.id), actor_id=mechanic.id).count() == 1


async def test_cancel_and_missing_task(db):
    admin = await make_staff("Admin", await Role.create(key="admin", is_admin=True), telegram_id=9)
    task = await tasks.create_task(title="Call back", channel="web", assignee=admin)
    actor = await load_actor(admin, "web")
    assert (await tasks.cancel_task(actor, task.id)).status == "cancelled"
    with pytest.raises(TaskError) as missing:
        await tasks.complete_task(actor, 999_999)
    assert missing.value.reason == "not_found"


async def test_two_presses_at_once_close_the_task_once(db):
    import asyncio

    role = await make_role("mechanic", "task.close:own")
    mechanic = await make_staff("Mechanic", role)
    task = await tasks.create_task(title="Fix", channel="bot", assignee=mechanic)
    actor = await load_actor(mechanic, "bot")
    results = await asyncio.gather(*(tasks.complete_task(actor, task.id) for _ in range(2)), return_exceptions=True)
    assert sorted(type(result).__name__ for result in results) == ["Task", "TaskError"]
    assert await Activity.filter(action="task.done").count() == 1


# --- closing by the card leaving the stage ----------------------------------------------------


async def test_close_stage_tasks_closes_only_that_stages_open_tasks(db):
    staff = await make_staff("S")
    card = await make_card(staff)
    stage = await Stage.get(id=card.stage_id)
    other_stage = await Stage.create(pipeline_id=card.pipeline_id, key="other")
    of_stage = await tasks.create_task(title="A", channel="system", card=card, stage=stage, assignee=staff)
    already_cancelled = await tasks.create_task(title="B", channel="system", card=card, stage=stage, assignee=staff)
    await Task.filter(id=already_cancelled.id).update(status="cancelled")
    other = await tasks.create_task(title="C", channel="system", card=card, stage=other_stage, assignee=staff)
    by_hand = await tasks.create_task(title="D", channel="bot", card=card, assignee=staff)

    assert await tasks.close_stage_tasks(card, stage, actor=SYSTEM) == 1
    statuses = {task.id: task.status for task in await Task.all()}
    assert statuses == {of_stage.id: "done", already_cancelled.id: "cancelled", other.id: "open", by_hand.id: "open"}
    assert (await Task.get(id=of_stage.id)).closed_at is not None
    assert await tasks.close_stage_tasks(card, stage, actor=SYSTEM) == 0


# --- My tasks ---------------------------------------------------------------------------------


async def test_my_open_tasks_overdue_first_then_by_due_time_with_paging(db):
    role = await make_role("mechanic", "task.view:own", "task.close:own")
    me = await make_staff("Me", role)
    colleague = await make_staff("Colleague", role)
    card = await make_card(me)
    base = datetime(2030, 5, 1, 9, tzinfo=UTC)

    async def task(title, **kw):
        kw.setdefault("assignee", me)
        return await tasks.create_task(title=title, channel="bot", card=card, **kw)

    undated = await task("undated")
    later = await task("later", due_at=base + timedelta(days=2))
    sooner = await task("sooner", due_at=base + timedelta(days=1))
    late = await task("late", due_at=base + timedelta(days=3))
    await Task.filter(id=late.id).update(overdue=True, overdue_at=base)
    for_my_role = await task("for the role", assignee=None, assignee_role="mechanic", due_at=base + timedelta(days=5))
    await task("colleague's", assignee=colleague, due_at=base)
    closed = await task("closed", due_at=base)
    await Task.filter(id=closed.id).update(status="done")

    actor = await load_actor(me, "bot")
    page, total = await tasks.my_open_tasks(actor, offset=0, limit=3)
    assert total == 5
    assert [t.id for t in page] == [late.id, sooner.id, later.id]
    assert page[0].card.id == card.id and card_number(page[0].card, page[0].card.pipeline) == "A-0042"
    rest, _ = await tasks.my_open_tasks(actor, offset=3, limit=3)
    assert [t.id for t in rest] == [for_my_role.id, undated.id]
