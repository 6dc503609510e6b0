"""Database wiring: one Tortoise config for the app, the CLI and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from core.config import Settings


def tortoise_config(db_url: str) -> dict[str, Any]:
    if db_url.startswith("sqlite://") and not db_url.startswith("sqlite://:memory:"):
        Path(db_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
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
    await Tortoise.close_connections()
