"""Who is writing to the bot — their staff record, roles and grants — cached per process.

Every update needs it and it rarely changes, so each process keeps what it loaded and checks one number per
update: `directory_version`, which database triggers bump on any change to staff, roles, role grants or role
membership, whatever made it (the panel, the bot, a pack load, another process). A change is therefore seen by
every process at the next update after it commits.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from core import identity
from core.permissions import Actor, load_actor
from models import DirectoryVersion

# Strangers are cached too (a bot is mostly written to by people who are not staff); bounded, oldest out first.
MAX_ENTRIES = 20_000

_actors: OrderedDict[int, Actor] = OrderedDict()
_version: list[int | None] = [None]


async def actor_for_telegram_user(telegram_id: int, *, channel: str = "bot") -> Actor:
    """The actor behind a Telegram account: a staff member with roles and grants, or nobody (a stranger)."""
    version = await DirectoryVersion.filter(id=1).values_list("version", flat=True)
    current = version[0] if version else 0
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


def forget(telegram_id: int | None = None) -> None:
    """Drop one person (their update failed midway, so what it changed on the cached record was rolled back) or
    everyone (the database connection is closed: the next one may be another database)."""
    if telegram_id is None:
        _actors.clear()
        _version[0] = None
    else:
        _actors.pop(telegram_id, None)
