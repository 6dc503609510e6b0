"""Nothing lost, nothing done twice: the inbox under re-delivery, races and a crash mid-update."""

import asyncio
from datetime import timedelta

from core import inbox
from core.clock import now
from models import InboxUpdate
from tests.bot.updates import start_update


async def test_only_one_of_many_racing_claims_wins(db):
    payload = {"update_id": 77}
    results = await asyncio.gather(*(inbox.claim(77, payload) for _ in range(8)))
    assert results.count(True) == 1
    await inbox.finish(77)
    assert not await inbox.claim(77, payload)
    assert await inbox.is_finished(77)


async def test_update_left_mid_way_by_a_crash_is_taken_again_after_the_lease(db):
    await inbox.store(90, {"update_id": 90})
    assert await inbox.claim(90, {})  # the process that took it is then killed
    assert not await inbox.claim(90, {})
    assert [row.update_id for row in await inbox.due()] == []
    await InboxUpdate.filter(update_id=90).update(claimed_at=now() - timedelta(seconds=inbox.LEASE_SECONDS + 1))
    assert [row.update_id for row in await inbox.due()] == [90]
    assert await inbox.claim(90, {})
    assert (await InboxUpdate.get(update_id=90)).attempts == 2


async def test_restart_processes_what_was_stored_but_not_handled(estafeta, sandbox):
    guest = await sandbox.user("Restarted", language_code="en")
    update = start_update(555000, guest.id)
    await inbox.store(555000, update)  # stored by the webhook, then the process died before handling it
    assert await estafeta.processor.recover() == 1
    await estafeta.processor.wait_idle()
    assert (await InboxUpdate.get(update_id=555000)).status == "done"
    assert any("ask your admin" in (m.text or "") for m in await guest.messages())


async def test_single_process_start_releases_what_it_was_doing_when_killed(db):
    await inbox.store(91, {"update_id": 91})
    assert await inbox.claim(91, {})
    assert await inbox.release_abandoned() == 1
    assert [row.update_id for row in await inbox.due()] == [91]
