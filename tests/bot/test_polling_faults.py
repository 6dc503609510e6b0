"""Long polling survives the database going away: the loop goes on and every update is handled once."""

import asyncio
import time

from core import inbox
from models import InboxUpdate


async def test_polling_with_the_database_down_for_three_seconds_loses_nothing(estafeta, sandbox, monkeypatch):
    guests = [await sandbox.user(f"Poll {n}", language_code="en") for n in range(3)]
    real_store = inbox.store
    down_until = time.monotonic() + 3.0
    refused = []

    async def store_while_down(*args, **kwargs):
        if time.monotonic() < down_until:
            refused.append(args[0])
            raise ConnectionRefusedError("database is down")
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(inbox, "store", store_while_down)
    sent = []
    for guest in guests:
        update, _ = estafeta.sandbox.user_text(guest.id, "/start")
        sent.append(update["update_id"])

    deadline = time.monotonic() + 20
    while not all([await inbox.is_settled(update_id) for update_id in sent]):
        assert time.monotonic() < deadline, "updates were not handled after the database came back"
        await asyncio.sleep(0.05)
    assert refused, "the fault never hit the polling loop"
    assert not any(task.done() for task in estafeta._tasks), "a background loop ended"
    assert await InboxUpdate.filter(update_id__in=sent, status="done").count() == len(sent)
    for guest in guests:
        replies = [m.text for m in await guest.messages() if "ask your admin" in (m.text or "")]
        assert len(replies) == 1
