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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from core import identity
from core.permissions import Actor, load_actor
from models import DirectoryVersion, Staff

# Strangers are cached too (a bot is mostly written to by people who are not staff); bounded, oldest out first.
MAX_ENTRIES = 20_000

_actors: OrderedDict[int, Actor] = OrderedDict()
_version: list[int | None] = [None]
_observed: ContextVar[list[int | None] | None] = ContextVar("directory_version_observed", default=None)
_by_role: dict[str, list[Staff]] = {}
_staff: dict[int, Staff] = {}


async def actor_for_telegram_user(telegram_id: int, *, channel: str = "bot") -> Actor:
    """The actor behind a Telegram account: a staff member with roles and grants, or nobody (a stranger)."""
    _follow(await version_now())
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
def observing(version: int | None = None) -> Iterator[None]:
    """Within the block `version_now` answers one reading: `version`, read at the start of this unit of work (a bot
    update reads it with its turn), or else the first reading made inside."""
    token = _observed.set([version])
    try:
        yield
    finally:
        _observed.reset(token)


@contextmanager
def pinned() -> Iterator[None]:
    """`observing()` unless already inside one: a use case reads the version at most once."""
    if _observed.get() is not None:
        yield
        return
    with observing():
        yield


def awaiting_reading() -> bool:
    """Inside `observing` with nothing read yet: a caller about to query anyway may read the version with it
    (`VERSION_SQL`) and hand it over (`note_reading`), saving a round trip."""
    reading = _observed.get()
    return reading is not None and reading[0] is None


VERSION_SQL = "(SELECT version FROM directory_version WHERE id = 1)"


def note_reading(version: int | None) -> None:
    reading = _observed.get()
    if reading is not None:
        reading[0] = version or 0


async def version_now(*, fresh: bool = False) -> int:
    """`fresh`: read it again even inside `observing` (something newer than the reading was seen)."""
    reading = _observed.get()
    if reading is not None and reading[0] is not None and not fresh:
        return reading[0]
    rows = await DirectoryVersion.filter(id=1).values_list("version", flat=True)
    version = rows[0] if rows else 0
    if reading is not None:
        reading[0] = version
    return version


async def staff_by_id(ids: Iterable[int | None]) -> dict[int, Staff]:
    """Staff members by id (all of them are kept: a business has tens, not thousands), for showing who holds a
    card without joining the staff table. One made after this unit of work read the version is read again."""
    wanted = {staff_id for staff_id in ids if staff_id is not None}
    await _at_version(await version_now())
    if not wanted <= _staff.keys():
        await _at_version(await version_now(fresh=True))
    return {staff_id: _staff[staff_id] for staff_id in wanted if staff_id in _staff}


async def _at_version(version: int) -> None:
    _follow(version)
    if not _staff:
        _staff.update({staff.id: staff for staff in await Staff.all()})


def _follow(version: int) -> None:
    """What is kept was read at `_version`: a different reading empties it."""
    if version != _version[0]:
        _clear()
        _version[0] = version


def _clear() -> None:
    _actors.clear()
    _by_role.clear()
    _staff.clear()


async def staff_with_role(role_key: str) -> list[Staff]:
    """Active staff holding the role, in a stable order; kept per directory version like the actors."""
    _follow(await version_now())
    if role_key not in _by_role:
        _by_role[role_key] = list(await Staff.filter(roles__key=role_key, active=True).distinct().order_by("id"))
    return list(_by_role[role_key])


def forget(telegram_id: int | None = None) -> None:
    """Drop one person (their update failed midway, so what it changed on the cached record was rolled back) or
    everyone (the database connection is closed: the next one may be another database)."""
    if telegram_id is None:
        _clear()
        _version[0] = None
    else:
        _actors.pop(telegram_id, None)
