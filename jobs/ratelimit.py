"""The sender's global pace: sends are spaced at least 1/rate apart (no bursts), and can be paused.

`SpacingLimiter` keeps the schedule in this process; `RedisSpacingLimiter` keeps it in Redis (one Lua call
per slot, on Redis's clock), so several sender processes share one overall rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import NamedTuple


class Slot(NamedTuple):
    booked: bool
    wait: float  # seconds from now


class SpacingLimiter:
    """Hands out send slots spaced ``1/rate`` seconds apart.

    ``reserve()`` is the pure math (books a slot, returns the wait); ``wait_turn()`` sleeps until the slot and
    books again if the limiter was paused meanwhile (a 429 for everybody).
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.clock = clock
        self._next_free = 0.0
        self.pauses = 0  # bumped by pause(): slots booked before it are void

    async def reserve(self, max_wait: float | None = None, slots: int = 1) -> Slot:
        return self.reserve_now(max_wait, slots)

    def reserve_now(self, max_wait: float | None = None, slots: int = 1) -> Slot:
        """Book the next `slots` slots (an album's items count one each) and say how long to wait for the first;
        longer than max_wait: nothing is booked."""
        now = self.clock()
        slot = max(now, self._next_free)
        wait = slot - now
        if max_wait is not None and wait > max_wait:
            return Slot(False, wait)
        self._next_free = slot + self.interval * slots
        return Slot(True, wait)

    async def pause(self, seconds: float) -> None:
        self.pause_now(seconds)

    def pause_now(self, seconds: float) -> None:
        """No slot before ``seconds`` from now (never shortens an existing pause)."""
        self._next_free = max(self._next_free, self.clock() + seconds)
        self.pauses += 1

    async def wait_turn(self, max_wait: float | None = None, slots: int = 1) -> float:
        """Sleep until this caller may send (`slots` messages' worth) and return 0; or, if that is more than
        max_wait away (a pause), book nothing and return how long the wait would be."""
        while True:
            pauses = self.pauses
            slot = await self.reserve(max_wait, slots)
            if not slot.booked:
                return slot.wait
            if slot.wait > 0:
                await asyncio.sleep(slot.wait)
            if self.pauses == pauses:
                return 0.0


_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
if max_wait >= 0 and slot - now > max_wait then
  return '0:' .. string.format('%.6f', slot - now)
end
redis.call('SET', KEYS[1], string.format('%.6f', slot + interval * tonumber(ARGV[3])), 'EX', 3600)
return '1:' .. string.format('%.6f', slot - now)
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > nxt then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'EX', 3600)
end
return 1
"""


class RedisSpacingLimiter(SpacingLimiter):
    """The same schedule, shared by every process using the same Redis key."""

    def __init__(self, redis_client, rate: float, *, key: str = "estafeta:outbox:global-slot") -> None:
        super().__init__(rate)
        self.redis = redis_client
        self.key = key
        self._reserve = redis_client.register_script(_RESERVE)
        self._pause = redis_client.register_script(_PAUSE)

    async def reserve(self, max_wait: float | None = None, slots: int = 1) -> Slot:
        raw = await self._reserve(keys=[self.key],
                                  args=[self.interval, -1 if max_wait is None else max_wait, slots])
        booked, wait = (raw.decode() if isinstance(raw, bytes) else str(raw)).split(":")
        return Slot(booked == "1", float(wait))

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.key], args=[seconds])
        self.pauses += 1
