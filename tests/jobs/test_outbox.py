"""core.outbox: enqueue, claiming, leases, blocking, retries."""

import asyncio
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from core import outbox
from core.clock import now
from models import ChatState, Outbox


async def test_enqueue_writes_a_pending_row_in_the_callers_transaction(db):
    row = await outbox.enqueue(42, "hello", payload={"parse_mode": "HTML"})
    assert (row.status, row.method, row.payload) == ("pending", "sendMessage", {"parse_mode": "HTML", "text": "hello"})
    photo = await outbox.enqueue(42, "look", method="sendPhoto", payload={"photo": "AgAC-file"})
    assert photo.payload == {"photo": "AgAC-file", "caption": "look"}
    with pytest.raises(ValueError):
        await outbox.enqueue(42, "x", method="banChatMember")
    with pytest.raises(ValueError):
        await outbox.enqueue(42)

    with pytest.raises(RuntimeError):
        async with in_transaction():
            await outbox.enqueue(43, "never")
            raise RuntimeError("the change failed")
    assert not await Outbox.filter(chat_id=43).exists()
    async with in_transaction():
        await outbox.enqueue(43, "committed")
    assert await Outbox.filter(chat_id=43, status="pending").count() == 1


async def test_enqueue_kicks_listeners():
    calls = []
    outbox.add_listener(lambda: calls.append(1))
    try:
        outbox._notify()
    finally:
        outbox._listeners.clear()
    assert calls == [1]


async def test_concurrent_claimers_never_get_the_same_row(db):
    for i in range(60):
        await outbox.enqueue(1000 + i % 30, f"m{i}")
    seen: list[int] = []
    for _ in range(4):  # rounds: each chat's next row becomes claimable once the previous is done
        batches = await asyncio.gather(*(outbox.claim_due(25) for _ in range(3)))
        ids = [row.id for batch in batches for row in batch]
        assert len(ids) == len(set(ids)), "a row was claimed twice"
        chats = [row.chat_id for batch in batches for row in batch]
        assert len(chats) == len(set(chats)), "two rows of one chat in flight"
        seen += ids
        for batch in batches:
            for row in batch:
                await outbox.mark_sent(row)
    assert sorted(seen) == sorted(await Outbox.all().values_list("id", flat=True))
    assert await Outbox.filter(status="sent").count() == 60


async def test_one_row_per_chat_and_the_chat_pace(db):
    first = await outbox.enqueue(7, "one")
    await outbox.enqueue(7, "two")
    later = await outbox.enqueue(8, "later", not_before=now() + timedelta(hours=1))
    claimed = await outbox.claim_due()
    assert [r.id for r in claimed] == [first.id]
    assert await outbox.claim_due() == []  # chat 7 has a row in flight; chat 8's row is not due
    pace_until = now() + timedelta(seconds=30)
    await outbox.mark_sent(claimed[0], next_send_at=pace_until)
    assert (await Outbox.get(id=first.id)).status == "sent"
    assert await outbox.claim_due() == []  # chat 7 must wait for next_send_at
    due = await outbox.next_due_at()
    assert abs((due - pace_until).total_seconds()) < 0.001
    assert (await outbox.claim_due(at=pace_until + timedelta(milliseconds=1)))[0].payload["text"] == "two"
    assert later.status == "pending"


async def test_a_row_stuck_in_sending_goes_back_after_the_lease(db):
    row = await outbox.enqueue(5, "lost in a crash")
    poison = await outbox.enqueue(6, "kills the sender")
    await Outbox.filter(id=poison.id).update(attempts=7)
    assert len(await outbox.claim_due()) == 2
    assert await outbox.recover_stale(60) == 0  # still within the lease
    await Outbox.all().update(claimed_at=now() - timedelta(seconds=61))
    assert await outbox.recover_stale(60, max_attempts=8) == 2
    row = await Outbox.get(id=row.id)
    assert (row.status, row.attempts, row.claimed_at) == ("pending", 1, None)
    assert (await Outbox.get(id=poison.id)).status == "failed"
    assert [r.id for r in await outbox.claim_due()] == [row.id]


async def test_a_blocked_chat_gets_nothing(db):
    await outbox.enqueue(9, "before block")
    await outbox.enqueue(10, "other chat")
    assert await outbox.mark_blocked(9) == 1
    assert (await ChatState.get(chat_id=9)).blocked_at is not None
    assert await outbox.is_blocked(9)
    row = await outbox.enqueue(9, "after block")
    assert row.status == "blocked"
    claimed = await outbox.claim_due()
    assert [r.chat_id for r in claimed] == [10]
    assert await Outbox.filter(chat_id=9).exclude(status="blocked").count() == 0

    assert await outbox.unblock(9)
    assert not await outbox.unblock(9)
    fresh = await outbox.enqueue(9, "wrote to the bot again")
    assert fresh.status == "pending"
    assert [r.id for r in await outbox.claim_due()] == [fresh.id]
    assert await Outbox.filter(chat_id=9, status="blocked").count() == 2  # old ones stay stopped


async def test_a_pending_row_to_a_chat_blocked_meanwhile_is_not_claimed(db):
    await outbox.enqueue(11, "raced the block")
    await ChatState.create(chat_id=11, blocked_at=now())  # e.g. another process marked it just now
    assert await outbox.claim_due() == []
    assert await outbox.next_due_at() is None


def test_backoff_grows_with_jitter_and_is_capped():
    low = [outbox.backoff_delay(n, rng=lambda: 0.0) for n in range(1, 12)]
    high = [outbox.backoff_delay(n, rng=lambda: 1.0) for n in range(1, 12)]
    assert low[:4] == [0.5, 1.0, 2.0, 4.0] and high[:4] == [1.0, 2.0, 4.0, 8.0]
    assert all(a <= b for a, b in zip(low, low[1:], strict=False))
    assert high[-1] == outbox.BACKOFF_CAP_SECONDS


async def test_retries_back_off_and_stop_at_max_attempts(db):
    row = await outbox.enqueue(12, "flaky network")
    delays = []
    for attempt in range(1, 5):
        (claimed,) = await outbox.claim_due(at=now() + timedelta(days=1))
        before = now()
        status = await outbox.mark_retry(claimed, error="boom", max_attempts=4, rng=lambda: 1.0)
        fresh = await Outbox.get(id=row.id)
        assert fresh.attempts == attempt and fresh.error == "boom"
        if attempt < 4:
            assert status == "pending"
            delays.append((fresh.not_before - before).total_seconds())
        else:
            assert status == "failed" and fresh.status == "failed"
    assert [round(d) for d in delays] == [1, 2, 4]
    assert await outbox.claim_due(at=now() + timedelta(days=2)) == []


async def test_retry_after_is_exact_holds_the_chat_and_costs_no_attempt(db):
    row = await outbox.enqueue(13, "flood")
    other = await outbox.enqueue(13, "queued behind")
    (claimed,) = await outbox.claim_due()
    before = now()
    assert await outbox.mark_retry(claimed, 3, error="Too Many Requests") == "pending"
    fresh = await Outbox.get(id=row.id)
    assert fresh.attempts == 0
    assert 2.99 <= (fresh.not_before - before).total_seconds() <= 3.2
    state = await ChatState.get(chat_id=13)
    assert state.next_send_at >= fresh.not_before
    assert await outbox.claim_due() == []  # the other row waits with its chat
    (again,) = await outbox.claim_due(at=fresh.not_before + timedelta(milliseconds=1))
    assert again.id == row.id != other.id


async def test_failed_and_redirect(db):
    row = await outbox.enqueue(14, "bad markup")
    (claimed,) = await outbox.claim_due()
    await outbox.mark_failed(claimed, "Bad Request: chat not found")
    assert (await Outbox.get(id=row.id)).status == "failed"
    moved = await outbox.enqueue(-15, "group became supergroup")
    (claimed,) = await outbox.claim_due()
    await outbox.redirect(claimed, -1001500)
    fresh = await Outbox.get(id=moved.id)
    assert (fresh.chat_id, fresh.status) == (-1001500, "pending")
    await outbox.release(await outbox.claim_due())
    assert (await Outbox.get(id=moved.id)).status == "pending"
