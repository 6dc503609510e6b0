"""Database wiring: one Tortoise config for the app, the CLI and the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as tortoise_migrate
from tortoise.transactions import in_transaction

from core.config import Settings

# Each update in flight holds a connection for its transaction: asyncpg's default pool of 5 would make the sixth
# concurrent chat wait. A `maxsize` in the URL wins.
POSTGRES_POOL_SIZE = 20


async def _keep_session(connection) -> None:
    """asyncpg's default reset sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` each time a
    connection goes back to the pool: one more round trip for every query run outside a transaction. Estafeta leaves
    no session state on pooled connections (advisory locks are per transaction, nothing LISTENs or SETs), and asyncpg
    still rolls back a transaction left open before calling this."""


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """These writes together or not at all: in the caller's transaction when one is open (a bot update always has
    one), else in their own. Unlike a nested `in_transaction()` it sets no savepoint (two round trips each), so a
    use case that refuses must do so before its first write; its refusal then leaves nothing to undo."""
    if isinstance(connections.get("default"), TransactionalDBClient):
        yield
        return
    async with in_transaction():
        yield


def tortoise_config(db_url: str) -> dict[str, Any]:
    connection: str | dict[str, Any] = db_url
    if db_url.startswith("sqlite://") and not db_url.startswith("sqlite://:memory:"):
        Path(db_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    if db_url.startswith(("postgres://", "postgresql://")):
        if "maxsize=" not in db_url:
            db_url += ("&" if "?" in db_url else "?") + f"maxsize={POSTGRES_POOL_SIZE}"
        connection = expand_db_url(db_url)
        connection["credentials"]["reset"] = _keep_session
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": ["models"],
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(db_url: str) -> None:
    try:
        await tortoise_migrate(config=tortoise_config(db_url))
    finally:
        await Tortoise.close_connections()


async def open_db(settings: Settings, run_migrations: bool = True) -> None:
    if run_migrations:
        await migrate(settings.database.url)
    await Tortoise.init(config=tortoise_config(settings.database.url))


async def close_db() -> None:
    from core import definitions, directory

    directory.forget()
    definitions.forget()
    await Tortoise.close_connections()
