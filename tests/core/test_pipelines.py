"""The pipeline engine on the generic pack's sales funnel: guards, roles, reasons, on-enter actions, versions."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from core import pipelines
from core.permissions import Denied
from core.pipelines import CardError, MoveError, card_number, create_card, edit_fields, move_card
from models import Activity, Card, CardHistory, Outbox, Stage, Task
from tests.core.crm import actor_of, generic_pack, person


@pytest.fixture
async def team(db):
    await generic_pack()
    boris = await person("Борис", "manager", telegram_id=2002, locale="uk")
    olga = await person("Ольга", "manager", telegram_id=2003)
    kate = await person("Kate", "head", telegram_id=2004, locale="en")
    admin = await person("Анна", "admin", telegram_id=2001)
    return {"boris": boris, "olga": olga, "kate": kate, "admin": admin}


async def stage_key(card: Card) -> str:
    return (await Stage.get(id=(await Card.get(id=card.id)).stage_id)).key


async def test_a_new_card_gets_a_number_history_and_its_first_stage_task(team):
    boris = await actor_of(team["boris"])
    first = await create_card(boris, "sales", title="Сайт для пекарни")
    second = await create_card(boris, "sales", title="Ещё один")
    assert [card_number(first), card_number(second)] == ["S-0001", "S-0002"]
    assert await stage_key(first) == "new"
    assert first.owner_id == first.assignee_id == team["boris"].id
    history = await CardHistory.filter(card=first)
    assert len(history) == 1 and history[0].from_stage_id is None
    task = await Task.get(card=first)
    assert task.assignee_id == team["boris"].id and task.status == "open" and task.due_at is not None
    assert task.follow_up_hours == 24
    assert await Activity.filter(action="card.create", object_id=str(first.id)).exists()


async def test_roles_guard_transitions(team):
    boris, kate = await actor_of(team["boris"]), await actor_of(team["kate"])
    card = await create_card(boris, "sales", title="Лид", fields={"budget": "1000"})
    keys = [t.key for t in await pipelines.allowed_transitions(boris, card)]
    assert keys == ["contact", "reject_new"]
    await move_card(boris, card.id, "contact")
    await move_card(boris, card.id, "propose")
    assert [t.key for t in await pipelines.allowed_transitions(boris, await Card.get(id=card.id))] == []
    with pytest.raises(Denied):
        await move_card(boris, card.id, "win")  # only the head closes deals
    await move_card(kate, card.id, "win")
    card = await Card.get(id=card.id)
    assert await stage_key(card) == "won" and card.closed_at is not None and card.version == 4


async def test_a_transition_from_another_stage_is_unavailable(team):
    boris = await actor_of(team["boris"])
    card = await create_card(boris, "sales", title="Лид")
    with pytest.raises(MoveError) as refused:
        await move_card(boris, card.id, "propose")
    assert refused.value.reason == "transition_unavailable"


async def test_rejection_needs_a_reason_and_keeps_it(team):
    boris = await actor_of(team["boris"])
    card = await create_card(boris, "sales", title="Лид")
    for empty in (None, "", "   "):
        with pytest.raises(MoveError) as refused:
            await move_card(boris, card.id, "reject_new", reason=empty)
        assert refused.value.reason == "reason_required"
    await move_card(boris, card.id, "reject_new", reason="Дорого")
    assert await stage_key(card) == "lost"
    last = await CardHistory.filter(card=card).order_by("-id").first()
    assert last.reason == "Дорого" and last.transition_key == "reject_new" and last.actor_id == team["boris"].id
    # leaving "new" closed the stage's task
    assert (await Task.get(card=card)).status == "done"


async def test_required_fields_guard_leaving_a_stage(team):
    boris = await actor_of(team["boris"])
    card = await create_card(boris, "sales", title="Лид")
    await move_card(boris, card.id, "contact")
    with pytest.raises(MoveError) as refused:
        await move_card(boris, card.id, "propose")
    assert refused.value.reason == "fields_missing" and refused.value.details["fields"] == ["budget"]
    with pytest.raises(CardError) as invalid:
        await move_card(boris, card.id, "propose", fields={"budget": "много"})
    assert invalid.value.details["fields"] == {"budget": "invalid"}
    await move_card(boris, card.id, "propose", fields={"budget": "1 500,5"})
    card = await Card.get(id=card.id)
    assert card.fields_data["budget"] == "1500.50" and Decimal(card.fields_data["budget"]) == Decimal("1500.5")
    # a rejection does not need the fields
    other = await create_card(boris, "sales", title="Другой")
    await move_card(boris, other.id, "contact")
    await move_card(boris, other.id, "reject_contacted", reason="Не отвечает")


async def test_on_enter_notifies_the_roles_in_their_language(team):
    boris = await actor_of(team["boris"])
    card = await create_card(boris, "sales", title="Лид", fields={"budget": "10"})
    await move_card(boris, card.id, "contact")
    before = await Outbox.all().count()
    await move_card(boris, card.id, "propose")
    rows = await Outbox.filter(id__gt=0).order_by("-id").limit(await Outbox.all().count() - before)
    to_kate = [row for row in rows if row.chat_id == 2004]
    assert len(to_kate) == 1 and "Proposal sent" in to_kate[0].payload["text"]
    assert "S-0001" in to_kate[0].payload["text"]
    assert not [row for row in rows if row.chat_id == 2002]  # the mover is not told about his own move


async def test_field_edits_follow_stage_and_role_rules(team):
    boris, kate, admin = [await actor_of(team[name]) for name in ("boris", "kate", "admin")]
    card = await create_card(boris, "sales", title="Лид")
    await edit_fields(boris, card.id, {"budget": "500", "wants_demo": "да", "next_call": "28.11.2026 10:00"})
    card = await Card.get(id=card.id)
    # A time typed without a zone is the business's (Kyiv, winter: UTC+2); the card keeps it in UTC.
    assert card.fields_data == {"budget": "500.00", "wants_demo": True, "next_call": "2026-11-28T08:00:00+00:00"}
    with pytest.raises(CardError) as refused:
        await edit_fields(boris, card.id, {"contract": "1", "nonsense": "x", "source": "tv"})
    assert refused.value.details["fields"] == {"contract": "not_editable", "nonsense": "unknown_field",
                                               "source": "unknown_choice"}
    await edit_fields(boris, card.id, {"source": "site"})
    await move_card(boris, card.id, "contact")
    await move_card(boris, card.id, "propose")
    await move_card(kate, card.id, "win")
    with pytest.raises(CardError) as closed:
        await edit_fields(kate, card.id, {"budget": "900"})  # budget is editable only until the proposal
    assert closed.value.details["fields"] == {"budget": "not_editable"}
    await edit_fields(admin, card.id, {"budget": "900"})  # admins always may
    assert (await Card.get(id=card.id)).fields_data["budget"] == "900.00"


async def test_a_stale_version_is_refused(team):
    boris = await actor_of(team["boris"])
    card = await create_card(boris, "sales", title="Лид")
    await move_card(boris, card.id, "contact", expected_version=1)
    with pytest.raises(MoveError) as refused:
        await move_card(boris, card.id, "reject_contacted", reason="x", expected_version=1)
    assert refused.value.reason == "card_changed"


async def test_two_concurrent_moves_one_wins(team):
    boris, olga_head = await actor_of(team["boris"]), await actor_of(team["kate"])
    card = await create_card(boris, "sales", title="Гонка")
    results = await asyncio.gather(
        move_card(boris, card.id, "contact"),
        move_card(olga_head, card.id, "reject_new", reason="дубль"),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], MoveError) and errors[0].reason in ("card_changed", "transition_unavailable")
    assert await CardHistory.filter(card=card).count() == 2  # creation + exactly one move
    assert (await Card.get(id=card.id)).version == 2


async def test_a_move_that_fails_midway_leaves_nothing_behind(team, monkeypatch):
    boris = await actor_of(team["boris"])
    card = await create_card(boris, "sales", title="Лид", fields={"budget": "10"})
    await move_card(boris, card.id, "contact")
    counts = (await CardHistory.all().count(), await Outbox.all().count(), await Task.all().count(),
              await Activity.all().count())

    real_enter = pipelines._enter_stage  # after the card, its history, tasks and audit are written

    async def enter_then_fail(*args, **kwargs):
        await real_enter(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipelines, "_enter_stage", enter_then_fail)
    with pytest.raises(RuntimeError):
        await move_card(boris, card.id, "propose")
    card = await Card.get(id=card.id)
    assert await stage_key(card) == "contacted" and card.version == 2
    assert (await CardHistory.all().count(), await Outbox.all().count(), await Task.all().count(),
            await Activity.all().count()) == counts


async def test_a_customer_who_started_the_bot_hears_about_the_deal_in_his_language(team):
    from models import Customer

    boris, kate = await actor_of(team["boris"]), await actor_of(team["kate"])
    customer = await Customer.create(name="Клієнт", telegram_id=5005, locale="uk")
    card = await create_card(boris, "sales", title="Лид", customer=customer, fields={"budget": "10"})
    for mover, key in ((boris, "contact"), (boris, "propose"), (kate, "win")):
        await move_card(mover, card.id, key)
    told = await Outbox.filter(chat_id=5005)
    assert [row.payload["text"] for row in told] == ["Ваше замовлення S-0001: Успішно"]


async def test_my_cards_are_the_ones_i_own_or_hold_even_for_a_head_who_sees_all(team):
    boris, kate = await actor_of(team["boris"]), await actor_of(team["kate"])
    await create_card(boris, "sales", title="Бориса")
    kates = await create_card(kate, "sales", title="Kate's")
    handed = await create_card(kate, "sales", title="Handed to Boris", assignee=team["boris"])
    cards, total = await pipelines.list_cards(kate, mine=True)
    assert total == 2 and {card.id for card in cards} == {kates.id, handed.id}
    cards, total = await pipelines.list_cards(kate)
    assert total == 3


async def test_a_stage_task_reads_in_each_readers_language(team):
    kate = await actor_of(team["kate"])
    card = await create_card(kate, "sales", title="Lead", assignee=team["boris"])
    task = await Task.get(card=card)
    assert task.title_for("uk") == "Зв’язатися з клієнтом" and task.title_for("en") == "Contact the customer"
    told = await Outbox.filter(chat_id=2002)
    assert len(told) == 1 and "Зв’язатися з клієнтом" in told[0].payload["text"]


async def test_a_card_outstaying_its_stage_sla_is_reported_once_per_stay(team):
    from datetime import timedelta

    import time_machine

    from core.clock import now

    boris = await actor_of(team["boris"])
    start = now()
    with time_machine.travel(start, tick=False):
        card = await create_card(boris, "sales", title="Медленный")  # "new" has a 2 h SLA, acting role manager
    before = await Outbox.all().count()
    assert await pipelines.sweep_sla(at=start + timedelta(hours=1)) == 0
    assert await pipelines.sweep_sla(at=start + timedelta(hours=3)) == 1
    assert await pipelines.sweep_sla(at=start + timedelta(hours=4)) == 0  # once, not once per run
    sla_rows = [row for row in await Outbox.filter(id__gt=0).order_by("id")][before:]
    assert [row.chat_id for row in sla_rows] == [2002]  # Boris holds and owns it: told once; not every manager
    assert "довше 2 год" in next(row for row in sla_rows if row.chat_id == 2002).payload["text"]
    # a move starts a new stay; "contacted" has no SLA
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        await move_card(boris, card.id, "contact")
    assert (await Card.get(id=card.id)).sla_breached_at is None
    assert await pipelines.sweep_sla(at=start + timedelta(hours=50)) == 0


async def test_assign_card_hands_over_the_card_and_its_tasks_and_tells_the_new_assignee(db):
    from core.pipelines import CardError, assign_card, assignees
    from models import Activity, Outbox, Task
    from tests.core.crm import actor_of, generic_pack, person

    await generic_pack()
    boris = await person("Борис", "manager", telegram_id=7001)
    ivan = await person("Іван", "manager", telegram_id=7002, locale="uk")
    head = await actor_of(await person("Катерина", "head", telegram_id=7003))
    card = await create_card(await actor_of(boris), "sales", title="Вікна", owner=boris, assignee=boris)
    task = await Task.get(card_id=card.id, status="open")
    assert task.assignee_id == boris.id

    with pytest.raises(Denied):  # a manager may not hand cards over
        await assign_card(await actor_of(boris), card.id, ivan.id)
    assert ivan.id in [staff.id for staff in await assignees(head, card.id)]
    moved = await assign_card(head, card.id, ivan.id, expected_version=card.version)
    assert moved.assignee_id == ivan.id and moved.version == card.version + 1
    assert (await Task.get(id=task.id)).assignee_id == ivan.id
    told = await Outbox.filter(chat_id=7002).order_by("-id").first()
    assert told.payload["text"] == "👤 S-0001 «Вікна» тепер на вас."
    assert await Activity.filter(action="card.assign", object_id=str(card.id)).exists()

    with pytest.raises(CardError) as stale:
        await assign_card(head, card.id, boris.id, expected_version=card.version)
    assert stale.value.reason == "card_changed"
    with pytest.raises(CardError) as nobody:
        await assign_card(head, card.id, 999_999)
    assert nobody.value.reason == "unknown_assignee"
