"""Run dramatiq's Worker inside this process, its async actors on this process's asyncio loop.

Embedded mode (StubBroker) and ``estafeta worker`` (RedisBroker) both use `start_worker`; `start_jobs` also
starts the outbox sender loop and the sweep scheduler, for the entry points to wire in one call.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from aiogram import Bot

from core import modules
from core.config import Settings
from jobs import actors
from jobs import broker as broker_mod
from jobs.imports import import_sweep_hook
from jobs.outbox_sender import OutboxSender
from jobs.scheduler import run_scheduler
from jobs.task_sweep import task_sweep_hook

log = logging.getLogger(__name__)


class WorkerHandle:
    """A running in-process dramatiq Worker. ``await stop()`` from the same loop that started it."""

    def __init__(self, worker: dramatiq.Worker, broker: dramatiq.Broker) -> None:
        self.worker = worker
        self.broker = broker
        self._stopped = False

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Stop cleanly. Worker.stop joins threads that may be waiting on this loop, so it runs in a thread."""
        if self._stopped:
            return
        self._stopped = True
        await asyncio.to_thread(self.worker.stop, int(grace_seconds * 1000))

    async def join(self, wait_seconds: float = 10.0) -> None:
        """Wait until the queue is empty and every message taken is processed (tests)."""

        def _join() -> None:
            self.broker.join(actors.QUEUE, timeout=int(wait_seconds * 1000))
            self.worker.join()

        await asyncio.to_thread(_join)


async def start_worker(
    settings: Settings,
    *,
    broker: dramatiq.Broker | None = None,
    worker_threads: int = 2,
    # How often idle worker threads look up from the queue; it bounds how long a stop waits for them.
    worker_timeout: int = 100,
) -> WorkerHandle:
    """Start a dramatiq Worker in this process (call from the main loop, after the DB is open).

    Uses the broker from `setup_broker` (set up now if there is none). Async actors run on the calling loop,
    in the calling task's contextvars (so they see its Tortoise context).
    """
    if broker is None:
        try:
            broker = broker_mod.get_broker()
        except RuntimeError:
            broker = broker_mod.setup_broker(settings)
    middleware = broker_mod.main_loop_middleware(broker)
    middleware.bind(asyncio.get_running_loop(), contextvars.copy_context())
    worker = dramatiq.Worker(broker, worker_threads=worker_threads, worker_timeout=worker_timeout)
    worker.start()
    return WorkerHandle(worker, broker)


@dataclass
class Jobs:
    """Everything `start_jobs` started; ``await stop()`` stops it in the right order."""

    stop_event: asyncio.Event
    worker: WorkerHandle | None = None
    sender: OutboxSender | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)
    redis: Any = None
    sweep_hooks: list[actors.SweepHook] = field(default_factory=list)

    async def stop(self) -> None:
        self.stop_event.set()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await asyncio.wait_for(task, timeout=10)
                except TimeoutError:
                    log.warning("jobs: %s did not stop in time", task.get_name())
        if self.worker is not None:
            await self.worker.stop()
        for hook in self.sweep_hooks:
            actors.unregister_sweep_hook(hook)
        if self.sender is not None:
            actors.use_sender(None)
        if self.redis is not None:
            await self.redis.aclose()


def make_sender(settings: Settings, bot: Bot) -> tuple[OutboxSender, Any]:
    """An outbox sender, paced through Redis when it is configured; returns it and the Redis client to close."""
    redis_client = None
    if settings.redis.url:
        from redis.asyncio import Redis

        redis_client = Redis.from_url(settings.redis.url)
    return OutboxSender(bot, settings, redis_client=redis_client), redis_client


async def start_jobs(
    settings: Settings,
    bot: Bot | None,
    *,
    worker: bool = True,
    sender: bool = True,
    scheduler: bool = True,
    sweep_interval: float = 60.0,
    outbox_sender: OutboxSender | None = None,
) -> Jobs:
    """Broker + in-process worker + outbox sender loop + sweep scheduler, each optional.

    Call after the DB is open, from the main loop. ``bot`` is needed for the sender, unless ``outbox_sender`` is
    one already made (the update processor of this process delivers replies through the same one).
    """
    try:
        broker_mod.get_broker()
    except RuntimeError:
        broker_mod.setup_broker(settings)
    jobs = Jobs(stop_event=asyncio.Event())
    if sender:
        if outbox_sender is None:
            if bot is None:
                raise ValueError("start_jobs: the outbox sender needs a bot")
            outbox_sender, jobs.redis = make_sender(settings, bot)
        jobs.sender = outbox_sender
        actors.use_sender(jobs.sender)
        jobs.tasks.append(asyncio.create_task(jobs.sender.run_forever(jobs.stop_event), name="outbox-sender"))
    if worker:
        # The sweep actor runs where the worker does, so that is where its hooks belong.
        jobs.sweep_hooks.append(actors.register_sweep_hook(task_sweep_hook(settings)))
        jobs.sweep_hooks.append(actors.register_sweep_hook(import_sweep_hook()))
        for ref in modules.active().refs("sweeps"):
            jobs.sweep_hooks.append(actors.register_sweep_hook(modules.resolve(ref)))
        jobs.worker = await start_worker(settings)
    if scheduler:
        jobs.tasks.append(
            asyncio.create_task(run_scheduler(jobs.stop_event, interval=sweep_interval), name="sweep-scheduler")
        )
    return jobs
