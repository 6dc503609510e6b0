"""Late tasks per stage (core.tasks.sweep): "reissue" closes the late task as expired and opens it again for the same
person, marked overdue, telling the stage's supervisor role — once per expiry however many sweeps run; and a task
due when a card's date field says moves when that field moves."""

from __future__ import annotations

from datetime import timedelta

from core import tasks
from core.clock import now
from core.pipelines import create_card, edit_fields, move_card
from models import Outbox, Task
from tests.core.crm import actor_of, generic_pack, person


async def test_a_late_task_of_a_reissue_stage_is_reissued_once_per_expiry(db):
    await generic_pack()
    boris = await person("Борис", "manager", telegram_id=7101, locale="uk")
    await person("Катерина", "head", telegram_id=7102, locale="en")
    manager = await actor_of(boris)
    card = await create_card(manager, "sales", title="Склад", owner=boris, assignee=boris, fields={"budget": "1"})
    await move_card(manager, card.id, "contact")
    await move_card(manager, card.id, "propose")  # the proposal stage: "reissue", supervised by the head
    first = await Task.get(card_id=card.id, status="open")
    assert first.due_at is not None

    late = first.due_at + timedelta(hours=1)
    for _ in range(2):  # two sweeps (or two processes) at the same moment: one reissue
        await tasks.sweep(at=late)
    assert (await Task.get(id=first.id)).status == "expired"
    reissued = await Task.filter(card_id=card.id, status="open")
    assert len(reissued) == 1 and reissued[0].overdue and reissued[0].assignee_id == boris.id
    assert reissued[0].due_at == late + (first.due_at - first.created_at)
    told_head = [row.payload["text"] for row in await Outbox.filter(chat_id=7102).order_by("id")]
    assert sum("open again" in text for text in told_head) == 1
    assert sum("відкрито знову" in row.payload["text"] for row in await Outbox.filter(chat_id=7101)) == 1

    await tasks.sweep(at=reissued[0].due_at + timedelta(minutes=1))  # late again: its own expiry
    assert await Task.filter(card_id=card.id, status="expired").count() == 2
    assert await Task.filter(card_id=card.id, status="open").count() == 1


async def test_a_task_due_by_a_card_field_moves_with_it(db):
    await generic_pack()
    boris = await person("Борис", "manager")
    manager = await actor_of(boris)
    card = await create_card(manager, "sales", title="Склад", owner=boris, assignee=boris,
                             fields={"next_call": "01.12.2026 10:00"})
    call = await tasks.create_task(title="Передзвонити", channel="web", card=card, assignee=boris,
                                   due_at=tasks.due_from_field(card.fields_data["next_call"]), due_field="next_call")
    assert call.due_at.isoformat() == "2026-12-01T08:00:00+00:00"  # 10:00 in Kyiv
    await Task.filter(id=call.id).update(overdue=True, overdue_at=now())
    await edit_fields(manager, card.id, {"next_call": "03.12.2026 15:30"})
    moved = await Task.get(id=call.id)
    assert moved.due_at.isoformat() == "2026-12-03T13:30:00+00:00" and not moved.overdue
