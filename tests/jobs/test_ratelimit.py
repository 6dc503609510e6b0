"""The sender's global pace: spacing math, pauses, and the Redis-shared variant."""

import asyncio
import time
import uuid

import pytest

from jobs.ratelimit import RedisSpacingLimiter, SpacingLimiter


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_slots_are_spaced_one_interval_apart():
    clock = FakeClock()
    limiter = SpacingLimiter(4, clock=clock)  # 0.25 s apart
    assert [limiter.reserve_now().wait for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]
    clock.t += 0.5  # half the queue has gone out
    assert limiter.reserve_now().wait == pytest.approx(0.5)
    clock.t += 10  # idle: no credit is saved up, so no burst afterwards
    assert limiter.reserve_now() == (True, 0.0)
    assert limiter.reserve_now().wait == pytest.approx(0.25)


def test_max_wait_books_nothing_and_pause_pushes_everything_back():
    clock = FakeClock()
    limiter = SpacingLimiter(10, clock=clock)
    limiter.reserve_now()
    limiter.pause_now(3)
    refused = limiter.reserve_now(max_wait=1.0)
    assert not refused.booked and refused.wait == pytest.approx(3.0)
    assert limiter.reserve_now().wait == pytest.approx(3.0)  # the refusal booked nothing
    limiter.pause_now(1)  # a shorter pause does not shorten the running one
    assert limiter.reserve_now().wait == pytest.approx(3.1)


def test_any_window_of_one_second_holds_at_most_rate_slots():
    clock = FakeClock()
    rate = 30
    limiter = SpacingLimiter(rate, clock=clock)
    times = [clock.t + limiter.reserve_now().wait for _ in range(200)]
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t < start + 1.0 - 1e-9) <= rate


async def test_wait_turn_rebooks_after_a_pause():
    limiter = SpacingLimiter(50)
    assert await limiter.wait_turn() == 0
    started = time.monotonic()

    async def pause_soon():
        await asyncio.sleep(0.005)
        await limiter.pause(0.1)

    pauser = asyncio.create_task(pause_soon())
    assert await limiter.wait_turn() == 0  # booked 20 ms ahead, then the pause voids it
    assert time.monotonic() - started >= 0.1
    await pauser
    await limiter.pause(2)
    assert await limiter.wait_turn(max_wait=0.5) == pytest.approx(2.0, abs=0.01)


@pytest.fixture
async def redis_client(redis_url):
    url = redis_url
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    yield client
    await client.aclose()


async def test_redis_limiter_shares_one_pace_between_processes(redis_client):
    key = f"estafeta:test:slot:{uuid.uuid4().hex}"
    try:
        a = RedisSpacingLimiter(redis_client, 20, key=key)
        b = RedisSpacingLimiter(redis_client, 20, key=key)  # as if in another process
        waits = [(await (a if i % 2 else b).reserve()).wait for i in range(6)]
        for earlier, later in zip(waits, waits[1:], strict=False):
            assert later - earlier == pytest.approx(0.05, abs=0.01)
        assert not (await a.reserve(max_wait=0.01)).booked
        await b.pause(2)
        assert (await a.reserve()).wait == pytest.approx(2.0, abs=0.05)
    finally:
        await redis_client.delete(key)
