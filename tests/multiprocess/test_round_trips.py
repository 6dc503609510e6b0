"""Round trips to PostgreSQL on the hot paths, counted statement by statement (a count, not a timing): a card move
costs at most six, BEGIN and COMMIT included. Runs on a fresh PostgreSQL database on 127.0.0.1 in either test pass;
under CI=true its absence fails the run instead of skipping."""

from __future__ import annotations

from contextlib import contextmanager

import asyncpg
import asyncpg.connection
import pytest
from tortoise import Tortoise
from tortoise.expressions import F

from core import pipelines
from core.clock import now
from core.db import migrate, tortoise_config
from core.packs import load_pack
from core.permissions import load_actor
from core.pipelines import MoveError, create_card, move_card
from models import Activity, Card, CardHistory, ChatState, Outbox, Staff, Task
from tests.own_database import own_postgres, own_tortoise


@contextmanager
def counted_statements():
    """Every statement asyncpg sends (simple or extended protocol): one round trip each."""
    sent: list[str] = []
    connection = asyncpg.connection.Connection
    plain, extended = connection.execute, connection._execute

    async def execute(self, query, *args, **kwargs):
        if not args:
            sent.append(query)
        return await plain(self, query, *args, **kwargs)

    async def _execute(self, query, args, *rest, **kwargs):
        sent.append(query)
        return await extended(self, query, args, *rest, **kwargs)

    connection.execute, connection._execute = execute, _execute
    try:
        yield sent
    finally:
        connection.execute, connection._execute = plain, extended


@pytest.fixture
async def fresh_postgres():
    async with own_postgres("estafeta_trips") as url, own_tortoise():
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        yield url


async def test_a_move_costs_at_most_six_round_trips_and_writes_everything(fresh_postgres):
    await load_pack("generic", with_demo=True)
    manager = await Staff.get(telegram_id=1000002)  # Boris; Catherine (1000003) heads sales
    actor = await load_actor(manager, channel="bot")

    async def new_card(title: str) -> Card:
        return await create_card(actor, "sales", title=title, owner=manager, assignee=manager,
                                 fields={"budget": "1000"})

    warm = await new_card("warm-up")  # a process that has served before: definitions and staff are loaded
    await move_card(actor, warm.id, "contact")
    await move_card(actor, warm.id, "propose")

    card = await new_card("Склад")
    task = await Task.get(card_id=card.id, status="open")  # the "new" stage gave the assignee a task
    with counted_statements() as sent:
        moved = await move_card(actor, card.id, "contact")
    assert len(sent) <= 6, "\n".join(sent)
    assert moved.stage.key == "contacted" and (await Card.get(id=card.id)).version == card.version + 1
    assert (await Task.get(id=task.id)).status == "done"
    history = await CardHistory.filter(card_id=card.id).order_by("-id").first()
    assert (history.transition_key, history.actor_id, history.channel) == ("contact", manager.id, "bot")
    audit = await Activity.filter(at__gte=history.at).order_by("id")
    assert [(row.action, row.object_id) for row in audit] == [("task.done", str(task.id)), ("card.move", str(card.id))]
    assert audit[1].after == {"stage": "contacted", "transition": "contact", "reason": None}

    with counted_statements() as sent:
        await move_card(actor, card.id, "reject_contacted", reason="дорого")  # "lost" tells the head of sales
    assert len(sent) <= 2, "\n".join(sent)  # a stage that makes no task: the card read, then one statement
    told = await Outbox.filter(chat_id=1000003).order_by("-id").first()
    assert "Склад" in told.payload["text"] and told.status == "pending"


async def test_a_one_statement_move_writes_nothing_but_refuses_when_the_card_changed_meanwhile(fresh_postgres,
                                                                                                monkeypatch):
    await load_pack("generic", with_demo=True)
    manager = await Staff.get(telegram_id=1000002)
    actor = await load_actor(manager, channel="bot")
    card = await create_card(actor, "sales", title="Гонка", owner=manager, assignee=manager, fields={"budget": "1"})
    await move_card(actor, card.id, "contact")
    entering = pipelines._enter_stage

    async def someone_else_moves_first(actor, card, stage, **kwargs):
        await Card.filter(id=card.id).update(version=F("version") + 1)  # between the read and the write
        await entering(actor, card, stage, **kwargs)

    monkeypatch.setattr(pipelines, "_enter_stage", someone_else_moves_first)
    before = (await CardHistory.filter(card_id=card.id).count(), await Outbox.all().count(),
              await Activity.all().count())
    with pytest.raises(MoveError) as refused:
        await move_card(actor, card.id, "reject_contacted", reason="дорого")  # "lost" tells the head
    assert refused.value.reason == "card_changed"
    assert (await CardHistory.filter(card_id=card.id).count(), await Outbox.all().count(),
            await Activity.all().count()) == before
    assert (await Card.get(id=card.id)).stage_id == (await CardHistory.filter(card_id=card.id)
                                                      .order_by("-id").first()).to_stage_id

    monkeypatch.setattr(pipelines, "_enter_stage", entering)
    await ChatState.create(chat_id=1000003, blocked_at=now())  # the head of sales blocked the bot
    await move_card(actor, card.id, "propose")
    told = await Outbox.filter(chat_id=1000003).order_by("-id").first()
    assert "Гонка" in told.payload["text"] and told.status == "blocked"
