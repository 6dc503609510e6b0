"""Events for live views (card moved, card created …), published after the change is committed.

In-process subscribers get them directly; a Redis relay (when Redis is configured) can subscribe here and fan
them out to other processes. Publishing never fails the change that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from core import after_commit

log = logging.getLogger(__name__)
Subscriber = Callable[[str, dict[str, Any]], Any]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(kind: str, **payload: Any) -> None:
    """Inside a larger unit of work (a whole update's transaction) the event waits for its commit."""
    after_commit.defer(partial(_deliver, kind, payload))


def _deliver(kind: str, payload: dict[str, Any]) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(kind, payload)
        except Exception:
            log.exception("event subscriber failed on %s", kind)
