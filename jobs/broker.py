"""The dramatiq broker, and the middleware that runs async actors on the application's own asyncio loop.

Tortoise connections belong to the loop that opened them, and the app runs one loop (aiohttp + aiogram +
Tortoise). dramatiq's stock ``AsyncIO`` middleware would start a second loop in a thread; instead
`MainLoopAsyncIO` installs an ``EventLoopThread`` that *wraps* the running main loop: dramatiq's worker
threads hand each async actor to it with ``run_coroutine_threadsafe`` and wait for the result.

Import order: call `setup_broker()` first; it sets the global broker and declares the actors on it
(`jobs.actors.declare_actors`), so `jobs.actors.send(...)` works from then on.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from typing import Any

import dramatiq
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread, set_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware

from core import background
from core.config import Settings

log = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "estafeta"

_broker: dramatiq.Broker | None = None


class MainLoopThread(EventLoopThread):
    """An ``EventLoopThread`` that is not a thread of its own: it submits coroutines to an existing loop.

    Coroutines run in a copy of ``context`` — the contextvars of the task that started the worker — so they
    see that task's Tortoise context (Tortoise keeps its connections in contextvars).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context,
        *,
        interrupt_check_ival: float = 0.1,
    ) -> None:
        # Deliberately not EventLoopThread.__init__: that would create a new loop.
        threading.Thread.__init__(self, name="estafeta-main-loop", daemon=True)
        self.interrupt_check_ival = interrupt_check_ival
        self.logger = log
        self.loop = loop
        self.context = context
        self.loop_thread_id: int | None = None

    def run(self) -> None:  # pragma: no cover - never started as a thread
        raise RuntimeError("MainLoopThread wraps a running loop; it is not started as a thread")

    def start(self, *, timeout: float | None = None) -> None:
        if self.loop.is_closed():
            raise RuntimeError("the main event loop is closed")

    def stop(self) -> None:
        """The main loop belongs to the application; nothing to stop here."""

    def join(self, timeout: float | None = None) -> None:
        """Nothing to join (see stop)."""

    def run_coroutine(self, coro):
        if threading.get_ident() == self.loop_thread_id:
            coro.close()
            raise RuntimeError("an async actor was called synchronously on the main loop; await it instead")
        return self.context.copy().run(super().run_coroutine, coro)


class MainLoopAsyncIO(Middleware):
    """Installs a `MainLoopThread` for the worker's lifetime. `bind()` it from the loop before the worker boots."""

    def __init__(self) -> None:
        self.thread: MainLoopThread | None = None

    def bind(self, loop: asyncio.AbstractEventLoop, context: contextvars.Context) -> None:
        self.thread = MainLoopThread(loop, context)
        self.thread.loop_thread_id = threading.get_ident()

    def before_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        if self.thread is None:
            raise RuntimeError("MainLoopAsyncIO: bind() the main loop before starting the worker")
        self.thread.start()
        set_event_loop_thread(self.thread)

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        if get_event_loop_thread() is self.thread:
            set_event_loop_thread(None)


def setup_broker(settings: Settings, *, namespace: str = DEFAULT_NAMESPACE) -> dramatiq.Broker:
    """Build the broker (Redis when ``redis.url`` is set, else in-memory), make it global, declare the actors and
    take core.background's jobs."""
    global _broker
    if settings.redis.url:
        from dramatiq.brokers.redis import RedisBroker

        broker: dramatiq.Broker = RedisBroker(url=settings.redis.url, namespace=namespace)
    else:
        broker = StubBroker()
    broker.add_middleware(MainLoopAsyncIO())
    dramatiq.set_broker(broker)
    _broker = broker

    from jobs import actors  # declared on this broker, after it is global

    actors.declare_actors(broker)
    background.use(actors.send)  # what core and the conversations ask to run later goes to this broker
    return broker


def get_broker() -> dramatiq.Broker:
    if _broker is None:
        raise RuntimeError("jobs.broker.setup_broker(settings) has not been called")
    return _broker


def main_loop_middleware(broker: dramatiq.Broker) -> MainLoopAsyncIO:
    for middleware in broker.middleware:
        if isinstance(middleware, MainLoopAsyncIO):
            return middleware
    raise RuntimeError("this broker was not made by jobs.broker.setup_broker")


def close_broker() -> None:
    """Forget the broker (tests, shutdown); a Redis broker closes its connection pool."""
    global _broker
    if _broker is not None:
        try:
            _broker.close()
            client = getattr(_broker, "client", None)
            if client is not None:
                client.close()
        finally:
            _broker = None
