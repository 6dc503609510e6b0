"""Which processes are alive, so that what a dead process held (inbox claims, outbox sends) is free at once.

Each process has an id. On PostgreSQL it holds a session advisory lock on that id for as long as it lives, on a
connection of its own: when the process dies, even by ``kill -9``, the server drops the connection and the lock
with it, so another process can tell "dead" the moment it asks, without waiting out a lease. A live process keeps
what it holds however long its work takes.

SQLite is the embedded, one-process mode: every owner other than this process is a previous run of it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable

from tortoise import connections

log = logging.getLogger(__name__)

# Advisory lock keys are one bigint space per database; ours sit above this base ("ESTF" in ASCII).
LOCK_BASE = 0x45535446 << 32
_ID_LIMIT = 2**31 - 1

_me: int = random.randint(1, _ID_LIMIT)
_holder = None  # the asyncpg connection holding this process's lock


def me() -> int:
    """This process's id, written as the owner of what it claims."""
    return _me


def is_postgres() -> bool:
    """Several processes share the database only on PostgreSQL; SQLite is the one-process mode."""
    return connections.get("default").capabilities.dialect == "postgres"


async def start(database_url: str) -> int:
    """Take an id whose lock nobody holds and hold it until `stop` (or death). Call after the DB is open."""
    global _me, _holder
    if not database_url.startswith(("postgres://", "postgresql://")) or _holder is not None:
        return _me
    import asyncpg

    holder = await asyncpg.connect(database_url.replace("postgresql://", "postgres://", 1))
    for _ in range(20):
        if await holder.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_BASE + _me):
            _holder = holder
            log.info("process id %s", _me)
            return _me
        _me = random.randint(1, _ID_LIMIT)
    await holder.close()
    raise RuntimeError("could not take a process id: every advisory lock tried is held")


async def stop() -> None:
    global _holder
    holder, _holder = _holder, None
    if holder is not None:
        await holder.close()


async def dead(owners: Iterable[int | None]) -> set[int | None]:
    """The owners among `owners` that are no longer alive (None, an owner nobody recorded, always is)."""
    others = {owner for owner in owners if owner != _me}
    if not others:
        return set()
    if not is_postgres():
        return others
    known = sorted(owner for owner in others if owner is not None)
    gone: set[int | None] = {None} if None in others else set()
    if known:
        # Taking an owner's lock succeeds only if nobody holds it: then it is released again at once, in the same
        # statement so that both happen on one pooled session.
        rows = await connections.get("default").execute_query_dict(
            "SELECT o AS owner FROM unnest($1::bigint[]) AS o "
            "WHERE CASE WHEN pg_try_advisory_lock($2 + o) THEN pg_advisory_unlock($2 + o) ELSE false END",
            [known, LOCK_BASE],
        )
        gone |= {row["owner"] for row in rows}
    return gone
