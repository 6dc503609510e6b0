"""Exactly once: a process dying at each point of an update's life loses nothing and does nothing twice.

A "death" here is an exception no handler catches (BaseException), raised at the chosen point, after which a
new process identity takes over the same database (the old one's claims are then free, core.liveness). The
update used is an invite's /start: its effect (binding the Telegram account, one-time) and its reply (the welcome)
would both show if it were handled twice ("invite already used").
"""

import asyncio
import random

import pytest

from core import identity, inbox, liveness, outbox
from models import InboxUpdate, Outbox, Staff
from tests.bot.updates import text_update


class Death(BaseException):
    """The process is killed at this point: nothing after it runs, no handler catches it."""


async def new_process(estafeta) -> None:
    """The killed process is gone and a new one runs on the same database."""
    await liveness.stop()
    liveness._me = random.randint(1, 2**31 - 1)
    await liveness.start(estafeta.settings.database.url)


async def settled(update_id: int, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if await inbox.is_settled(update_id):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"update {update_id} was not settled within {seconds} s")


@pytest.fixture
async def invited(estafeta, sandbox):
    admin = await Staff.get(login="admin")
    issued = await identity.create_invite("manager", ttl_hours=24, name="Ольга Петренко", created_by=admin)
    olga = await sandbox.user("Ольга", language_code="ru")
    return olga, text_update(880001, olga.id, f"/start {issued.start_parameter}", language_code="ru")


async def welcomes(person) -> tuple[int, int]:
    texts = [message.text or "" for message in await person.messages()]
    return sum("Добро пожаловать" in text for text in texts), sum("уже использовано" in text for text in texts)


async def run_to_death(estafeta, update: dict) -> None:
    assert await estafeta.processor.accept(update)
    await estafeta.processor.wait_idle()


async def recover(estafeta, update_id: int) -> None:
    await estafeta.processor.recover()
    await estafeta.processor.wait_idle()
    await estafeta.sender.drain()
    await settled(update_id)


async def test_death_before_the_commit_leaves_nothing_and_the_update_is_handled_once(
        estafeta, invited, monkeypatch):
    olga, update = invited

    async def die(*args, **kwargs):
        raise Death

    with monkeypatch.context() as patch:
        patch.setattr(inbox, "finish", die)
        await run_to_death(estafeta, update)
    assert not await Staff.filter(telegram_id=olga.id).exists()  # the binding was rolled back
    assert not await Outbox.filter(update_id=880001).exists()
    assert await welcomes(olga) == (0, 0)

    await new_process(estafeta)
    await recover(estafeta, 880001)
    assert await Staff.filter(telegram_id=olga.id).count() == 1
    assert await welcomes(olga) == (1, 0)
    assert (await InboxUpdate.get(update_id=880001)).attempts == 2


async def test_death_after_the_commit_before_sending_sends_the_replies_once(estafeta, invited):
    olga, update = invited

    async def die(rows):
        raise Death

    estafeta.processor.deliver = die
    await run_to_death(estafeta, update)
    estafeta.processor.deliver = estafeta.sender.deliver_now
    assert await Staff.filter(telegram_id=olga.id).count() == 1
    assert await Outbox.filter(update_id=880001, status="sending").count() >= 1
    assert await welcomes(olga) == (0, 0)

    await new_process(estafeta)
    await recover(estafeta, 880001)
    assert await welcomes(olga) == (1, 0)
    assert (await InboxUpdate.get(update_id=880001)).attempts == 1  # handled once; only its replies went again
    assert not await Outbox.filter(update_id=880001).exclude(status="sent").exists()


async def test_death_between_send_and_mark_is_the_one_window_left(estafeta, invited, monkeypatch):
    """Telegram takes no idempotency key, so a reply sent just before the process died is sent again: the
    effect stays single, the reply may come twice (documented in the README as the one remaining window)."""
    olga, update = invited

    async def die(delivered):
        if delivered:
            raise Death

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "mark_replies_sent", die)
        await run_to_death(estafeta, update)
    assert await welcomes(olga) == (1, 0)

    await new_process(estafeta)
    await recover(estafeta, 880001)
    assert await Staff.filter(telegram_id=olga.id).count() == 1
    assert await welcomes(olga) == (2, 0)
    assert (await InboxUpdate.get(update_id=880001)).attempts == 1


async def test_a_failing_handler_rolls_back_marks_failed_and_tells_the_user_once(estafeta, invited, monkeypatch):
    olga, update = invited

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(identity, "accept_invite", broken)
    assert await estafeta.processor.accept(update)
    await estafeta.processor.wait_idle()
    await settled(880001)
    row = await InboxUpdate.get(update_id=880001)
    assert row.status == "failed" and "disk on fire" in row.error
    texts = [message.text or "" for message in await olga.messages()]
    assert sum("Что-то пошло не так" in text for text in texts) == 1, texts
    for _ in range(3):
        assert await estafeta.processor.recover() == 0
    # The chat is not blocked: the next message is handled as usual.
    monkeypatch.undo()
    replies = await olga.send("/start")
    assert replies and "Что-то пошло не так" not in (replies[-1].text or "")


async def test_the_same_update_delivered_twice_at_once_is_handled_once(estafeta, invited):
    olga, update = invited
    stored = await asyncio.gather(*(estafeta.processor.accept(dict(update)) for _ in range(6)))
    assert stored.count(True) == 1
    await estafeta.processor.wait_idle()
    await settled(880001)
    assert await welcomes(olga) == (1, 0)


async def test_an_update_held_behind_a_slow_one_for_a_minute_is_handled_once(estafeta, sandbox):
    """The first update's replies are slow to go out (Telegram is slow, or asks us to wait): the chat's next
    update waits its turn in this live process, a minute on the clock, and no recovery takes it meanwhile."""
    import datetime as dt

    import time_machine

    guest = await sandbox.user("Patient", language_code="en")
    release = asyncio.Event()
    real_deliver = estafeta.processor.deliver
    delivered = []

    async def slow_first(rows):
        if not delivered:
            delivered.append(rows)
            await release.wait()
        await real_deliver(rows)

    estafeta.processor.deliver = slow_first
    slow, queued = text_update(880101, guest.id, "/start"), text_update(880102, guest.id, "/help")
    assert await estafeta.processor.accept(slow)
    assert await estafeta.processor.accept(queued)
    while not delivered:  # noqa: ASYNC110 - the first update is being handled in its own task
        await asyncio.sleep(0.01)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61), tick=True):
        for _ in range(3):
            assert await estafeta.processor.recover() == 0  # both are this live process's own
        assert (await InboxUpdate.get(update_id=880102)).status == "processing"
        release.set()
        await estafeta.processor.wait_idle()
        await settled(880101)
        await settled(880102)
    rows = await InboxUpdate.filter(update_id__in=[880101, 880102]).order_by("update_id")
    assert [(row.status, row.attempts) for row in rows] == [("done", 1), ("done", 1)]
    texts = [m.text for m in await guest.messages() if m.text]
    assert len(texts) == 2 and texts[0].startswith("Hello!") and texts[1].startswith("Hello! I am the company"), texts
