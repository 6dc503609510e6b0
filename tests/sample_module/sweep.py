"""The sample module's core part: a sweep hook that leaves a mark in the audit log each time it runs, and a scope
(cards whose title starts with S)."""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.models import Model

from core import activity
from core.permissions import Actor
from models import Card


async def count_sweep() -> None:
    await activity.record("sample.swept", channel="system")


def cards_titled_s(actor: Actor, model: type[Model]) -> Q | None:
    return Q(title__startswith="S") if model is Card else None
