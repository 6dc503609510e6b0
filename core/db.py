"""Database wiring: one Tortoise config for the app, the CLI and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from core.config import Settings

# Each update in flight holds a connection for its transaction: asyncpg's default pool of 5 would make the sixth
# concurrent chat wait. A `maxsize` in the URL wins.
POSTGRES_POOL_SIZE = 20


def tortoise_config(db_url: str) -> dict[str, Any]:
    if db_url.startswith("sqlite://") and not db_url.startswith("sqlite://:memory:"):
        Path(db_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    if db_url.startswith(("postgres://", "postgresql://")) and "maxsize=" not in db_url:
        db_url += ("&" if "?" in db_url else "?") + f"maxsize={POSTGRES_POOL_SIZE}"
    return {
        "connections": {"default": db_url},
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
    from core import directory

    directory.forget()
    await Tortoise.close_connections()
