"""The dramatiq actors: async functions run on the main loop (see `jobs.broker.MainLoopAsyncIO`).

They are declared on the broker by `jobs.broker.setup_broker` (`declare_actors`), not at import, so this module
imports cleanly before any broker exists. Send them with `send("sweep")` / `send("deliver_outbox")`.

- ``deliver_outbox``: drain the outbox once. A sender loop usually runs in the process already; then this only
  kicks it.
- ``sweep``: the periodic sweep (`jobs.scheduler` sends it every minute): runs every registered hook. Hooks
  work from database state (e.g. "tasks overdue and not yet reminded"), so running one twice is harmless.
- ``import_run``: the real run of an import job (`jobs.imports`), taking the ImportJob id. The run resumes after
  its last committed batch, so a retry or a redelivered message does nothing twice. ``import_check``: the dry
  run of a file too large to check while the bot handles the update; it edits the summary into the chat.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import dramatiq

from core import after_commit, background

if TYPE_CHECKING:
    from jobs.outbox_sender import OutboxSender

log = logging.getLogger(__name__)

QUEUE = "estafeta"
DELIVER_OUTBOX = "deliver_outbox"
SWEEP = "sweep"
IMPORT_RUN = background.IMPORT_RUN
IMPORT_CHECK = background.IMPORT_CHECK

SweepHook = Callable[[], Awaitable[Any]]

_sweep_hooks: list[SweepHook] = []
_sender: OutboxSender | None = None


# --- registries ----------------------------------------------------------------------------


def register_sweep_hook(hook: SweepHook) -> SweepHook:
    """Add an async, idempotent function to every sweep (registering twice is a no-op). Usable as a decorator."""
    if hook not in _sweep_hooks:
        _sweep_hooks.append(hook)
    return hook


def unregister_sweep_hook(hook: SweepHook) -> None:
    if hook in _sweep_hooks:
        _sweep_hooks.remove(hook)


def sweep_hooks() -> list[SweepHook]:
    return list(_sweep_hooks)


def use_sender(sender: OutboxSender | None) -> None:
    """The process's outbox sender, which ``deliver_outbox`` kicks (or drains with, if it is not looping)."""
    global _sender
    _sender = sender


def current_bot():
    """The bot of this process's outbox sender (None when there is none): actors that edit messages use it."""
    return _sender.bot if _sender is not None else None


# --- the actors' bodies (plain async functions: call them directly in tests) -----------------


async def deliver_outbox() -> int:
    sender = _sender
    if sender is None:
        log.warning("deliver_outbox: no outbox sender in this process")
        return 0
    if sender.running:
        sender.kick()
        return 0
    return await sender.drain(max_seconds=60)


async def sweep() -> int:
    """Run every hook once; one failing hook is logged and does not stop the others. Returns hooks that ran."""
    done = 0
    for hook in list(_sweep_hooks):
        try:
            await hook()
            done += 1
        except Exception:
            log.exception("sweep hook %s failed", getattr(hook, "__qualname__", hook))
    return done


async def import_run(job_id: int) -> None:
    from jobs.imports import import_run as run_import

    await run_import(job_id)


async def import_check(job_id: int) -> None:
    from jobs.imports import import_check as check_import

    await check_import(job_id)


_ACTORS: dict[str, tuple[Callable[..., Awaitable[Any]], dict[str, Any]]] = {
    # A failed run is not retried: the next kick / the next minute's sweep does the same work.
    DELIVER_OUTBOX: (deliver_outbox, {"max_retries": 0, "time_limit": 120_000}),
    SWEEP: (sweep, {"max_retries": 0, "time_limit": 600_000}),
    # A large file may take long; a failed run is retried and resumes where it stopped.
    IMPORT_RUN: (import_run, {"max_retries": 3, "min_backoff": 5_000, "time_limit": 6 * 3600_000}),
    IMPORT_CHECK: (import_check, {"max_retries": 0, "time_limit": 3600_000}),
}


def _discarding_result(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[None]]:
    """The bodies return what they did (for tests and callers); dramatiq, with no results backend, warns on every
    run of an actor that returns something."""

    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> None:
        log.debug("%s: %s", fn.__name__, await fn(*args, **kwargs))

    return run


def declare_actors(broker: dramatiq.Broker) -> dict[str, dramatiq.Actor]:
    """Declare the actors on ``broker`` (idempotent per broker)."""
    declared = {}
    for name, (fn, options) in _ACTORS.items():
        if name in broker.actors:
            declared[name] = broker.actors[name]
            continue
        declared[name] = dramatiq.Actor(
            _discarding_result(fn), broker=broker, actor_name=name, queue_name=QUEUE, priority=0, options=dict(options)
        )
    return declared


def get_actor(name: str) -> dramatiq.Actor:
    from jobs.broker import get_broker

    return get_broker().get_actor(name)


def send(name: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue an actor by name on the configured broker (a quick, synchronous call). Inside an update's
    transaction the job is enqueued once that commits, so the worker never reads the state before it."""
    actor = get_actor(name)
    after_commit.defer(lambda: actor.send(*args, **kwargs))
