"""Who is writing to the bot — their staff record, roles and grants — cached per process.

Every update needs it and it rarely changes, so each process keeps what it loaded and checks one number per
update: `directory_version`, which database triggers bump on any change to staff, roles, role grants or role
membership, whatever made it (the panel, the bot, a pack load, another process). A change is therefore seen by
every process at the next update after it commits. The same number versions the pipelines' definitions
(core.definitions). A bot update reads it in its first round trip and lets the rest of its handling use that
reading (`observing`); other callers read it when they need it.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from core import identity
from core.permissions import Actor, load_actor
from models import DirectoryVersion

# Strangers are cached too (a bot is mostly written to by people who are not staff); bounded, oldest out first.
MAX_ENTRIES = 20_000

_actors: OrderedDict[int, Actor] = OrderedDict()
_version: list[int | None] = [None]
_observed: ContextVar[int | None] = ContextVar("directory_version_observed", default=None)


async def actor_for_telegram_user(telegram_id: int, *, channel: str = "bot") -> Actor:
    """The actor behind a Telegram account: a staff member with roles and grants, or nobody (a stranger)."""
    current = await version_now()
    if current != _version[0]:
        _actors.clear()
        _version[0] = current
    actor = _actors.get(telegram_id)
    if actor is None:
        actor = await load_actor(await identity.staff_by_telegram_id(telegram_id), channel=channel)
        _actors[telegram_id] = actor
        if len(_actors) > MAX_ENTRIES:
            _actors.popitem(last=False)
    else:
        _actors.move_to_end(telegram_id)
    return actor if actor.channel == channel else dataclasses.replace(actor, channel=channel)


@contextmanager
def observing(version: int | None) -> Iterator[None]:
    """Within the block, `version_now` answers `version` (read at the start of this unit of work) unasked."""
    token = _observed.set(version)
    try:
        yield
    finally:
        _observed.reset(token)


async def version_now(*, fresh: bool = False) -> int:
    observed = None if fresh else _observed.get()
    if observed is not None:
        return observed
    version = await DirectoryVersion.filter(id=1).values_list("version", flat=True)
    return version[0] if version else 0


def forget(telegram_id: int | None = None) -> None:
    """Drop one person (their update failed midway, so what it changed on the cached record was rolled back) or
    everyone (the database connection is closed: the next one may be another database)."""
    if telegram_id is None:
        _actors.clear()
        _version[0] = None
    else:
        _actors.pop(telegram_id, None)
