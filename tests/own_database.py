"""A test's own database beside the run's: a fresh PostgreSQL database, and Tortoise's per-connection-name INSERT
cache kept apart while the test uses it (it would otherwise hand one database another's statements)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bench.databases import PG_ADMIN, fresh_database
from core.db import close_db
from tests.conftest import IN_CI


@asynccontextmanager
async def own_tortoise() -> AsyncIterator[None]:
    """The test's Tortoise connections start with an empty INSERT cache and are closed after; the tests after it
    get back the cache they had."""
    kept = dict(EXECUTOR_CACHE)
    EXECUTOR_CACHE.clear()
    try:
        yield
    finally:
        await close_db()
        EXECUTOR_CACHE.clear()
        EXECUTOR_CACHE.update(kept)


@asynccontextmanager
async def own_postgres(prefix: str) -> AsyncIterator[str]:
    """The URL of a fresh, empty PostgreSQL database on 127.0.0.1, dropped after; a skip when PostgreSQL does not
    answer (a failure under CI=true)."""
    try:
        await (await asyncpg.connect(PG_ADMIN, timeout=3)).close()
    except (OSError, asyncpg.PostgresError):
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL on 127.0.0.1:5432 does not answer")
        pytest.skip("PostgreSQL on 127.0.0.1:5432 does not answer")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        yield await fresh_database(name)
    finally:
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
