"""Nothing lost, nothing done twice: the inbox under re-delivery, races and a crash mid-update."""

import asyncio
import logging

from core import inbox, liveness
from core.clock import now
from models import InboxUpdate
from tests.bot.updates import start_update


async def test_only_one_of_many_racing_claims_wins(db):
    payload = {"update_id": 77}
    results = await asyncio.gather(*(inbox.claim(77, payload) for _ in range(8)))
    assert results.count(True) == 1
    assert await inbox.finish(77)
    assert not await inbox.claim(77, payload)
    assert await inbox.is_finished(77)


async def test_a_live_process_keeps_its_claims_however_long_it_takes(db):
    await inbox.store(90, {"update_id": 90}, claimed=True)
    assert not await inbox.claim(90)
    assert await inbox.take_due(in_hand={90}) == []
    assert (await InboxUpdate.get(update_id=90)).status == "processing"


async def test_claims_of_a_dead_process_are_taken_at_once(db):
    await inbox.store(91, {"update_id": 91})
    await InboxUpdate.filter(update_id=91).update(status="processing", owner=liveness.me() + 1)
    assert await inbox.claim(91)
    row = await InboxUpdate.get(update_id=91)
    assert (row.status, row.owner, row.attempts) == ("processing", liveness.me(), 1)


async def test_finish_is_refused_once_another_process_took_the_update(db):
    await inbox.store(92, {"update_id": 92}, claimed=True)
    await InboxUpdate.filter(update_id=92).update(owner=liveness.me() + 1)  # presumed dead, taken elsewhere
    assert not await inbox.finish(92)
    assert (await InboxUpdate.get(update_id=92)).status == "processing"


async def test_updates_held_by_this_process_but_dropped_are_taken_again(db):
    await inbox.store(93, {"update_id": 93}, claimed=True)  # a database error cut its run short
    # Not at once: a claim this young may be an update stored but not yet queued when the recovery looked.
    assert await inbox.take_due(in_hand=set()) == []
    await InboxUpdate.filter(update_id=93).update(claimed_at=now() - inbox.RETAKE_OWN_AFTER)
    assert [row.update_id for row in await inbox.take_due(in_hand=set())] == [93]


async def test_a_second_run_of_a_finished_update_changes_nothing(estafeta, sandbox, caplog):
    """The recovery may queue an update a second time behind its first run (same chat): the second finds it done
    and neither writes nor replies."""
    guest = await sandbox.user("Twice", language_code="en")
    update = start_update(556000, guest.id)
    await inbox.store(556000, update, claimed=True)
    parsed = estafeta.processor.parse(update)
    await asyncio.gather(estafeta.processor.process(parsed), estafeta.processor.process(parsed))
    await _settled(556000)
    assert sum("ask your admin" in (m.text or "") for m in await guest.messages()) == 1
    assert (await InboxUpdate.get(update_id=556000)).error is None
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_restart_processes_what_was_stored_but_not_handled(estafeta, sandbox):
    guest = await sandbox.user("Restarted", language_code="en")
    update = start_update(555000, guest.id)
    await inbox.store(555000, update)  # stored by the webhook, then the process died before handling it
    assert await estafeta.processor.recover() == 1
    await estafeta.processor.wait_idle()
    assert (await InboxUpdate.get(update_id=555000)).status == "done"
    await _settled(555000)
    assert any("ask your admin" in (m.text or "") for m in await guest.messages())


async def _settled(update_id: int) -> None:
    for _ in range(200):
        if await inbox.is_settled(update_id):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"update {update_id} not settled")
