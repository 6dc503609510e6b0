"""The sweep clock: every ``interval`` seconds (aligned to the wall clock) send the ``sweep`` actor once.

Several processes may run the scheduler; each tick has a key (``floor(unix time / interval)``) and only the
process that takes it sends the sweep: with Redis through ``SET key NX EX``, in one process through memory.
The sweep itself works from database state, so even a tick taken twice would do no harm.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time

from jobs import actors
from jobs import broker as broker_mod

log = logging.getLogger(__name__)

_taken_ticks: dict[tuple[str, float], int] = {}


def tick_of(at: float, interval: float) -> int:
    return math.floor(at / interval)


async def _take_tick(tick: int, interval: float) -> bool:
    """True for the one scheduler (in any process sharing the broker) that gets this tick."""
    broker = broker_mod.get_broker()
    client = getattr(broker, "client", None)
    if client is not None:  # RedisBroker: its (synchronous) client, under the broker's namespace
        namespace = getattr(broker, "namespace", broker_mod.DEFAULT_NAMESPACE)
        key = f"{namespace}:sweep-tick:{interval:g}:{tick}"
        ttl = max(math.ceil(interval * 2), 2)
        return bool(await asyncio.to_thread(client.set, key, str(time.time()), nx=True, ex=ttl))
    memory_key = (str(id(broker)), interval)
    if _taken_ticks.get(memory_key, -1) >= tick:
        return False
    _taken_ticks[memory_key] = tick
    return True


async def run_scheduler(stop_event: asyncio.Event, interval: float = 60.0) -> None:
    """Until ``stop_event``: at each multiple of ``interval`` send ``sweep`` (if this process takes the tick)."""
    stop_task = asyncio.ensure_future(stop_event.wait())
    try:
        while not stop_event.is_set():
            now = time.time()
            next_tick_at = (tick_of(now, interval) + 1) * interval
            await asyncio.wait({stop_task}, timeout=max(next_tick_at - now, 0))
            if stop_event.is_set():
                break
            tick = tick_of(time.time() + 1e-3, interval)
            try:
                if await _take_tick(tick, interval):
                    await asyncio.to_thread(actors.send, actors.SWEEP)
            except Exception:
                log.exception("scheduler: could not send the sweep for tick %s", tick)
    finally:
        stop_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stop_task
