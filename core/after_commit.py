"""Things to do once a change is committed: wake the outbox sender, publish live-view events, enqueue jobs.

A use case runs either on its own (its `in_transaction` commits for real) or inside a larger unit of work, such
as the transaction that handles a whole Telegram update (bot.effects). Inside one, an inner `in_transaction` is
only a savepoint, so announcing the change when it ends would announce something that may still be rolled back.
`defer(callback)` therefore runs the callback at once when no unit of work is open, and otherwise when the
outermost one commits; a unit that rolls back drops its callbacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

log = logging.getLogger(__name__)

Callback = Callable[[], Any]
_pending: ContextVar[list[Callback] | None] = ContextVar("after_commit_pending", default=None)


def defer(callback: Callback) -> None:
    """Run `callback` after the surrounding unit of work commits (now, if there is none)."""
    pending = _pending.get()
    if pending is None:
        _run(callback)
    else:
        pending.append(callback)


@contextmanager
def unit_of_work() -> Iterator[list[Callback]]:
    """Collects deferred callbacks for a unit of work; the caller runs them with `run` after its commit."""
    callbacks: list[Callback] = []
    token = _pending.set(callbacks)
    try:
        yield callbacks
    finally:
        _pending.reset(token)


def run(callbacks: list[Callback]) -> None:
    for callback in callbacks:
        _run(callback)
    callbacks.clear()


def _run(callback: Callback) -> None:
    try:
        callback()
    except Exception:  # announcing a committed change must never undo or fail it
        log.exception("after-commit callback failed")
