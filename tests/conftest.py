"""Shared fixtures. The database is SQLite in a temp dir unless ESTAFETA__DATABASE__URL points at PostgreSQL;
Redis is used when ESTAFETA__REDIS__URL is set. Under CI=true a configured service that is down fails the run."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from tortoise import Tortoise

from core import modules
from core.config import Settings, load_settings
from core.db import close_db, migrate, tortoise_config

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _base_module_only():
    """A test that switched modules on (by starting the app with them) leaves the next one the base alone."""
    yield
    modules.reset()


def _base_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("ESTAFETA__")}


@pytest.fixture
def make_settings(tmp_path):
    """Settings for a test: the repo's config.toml, the run's env overrides, then the test's own overrides."""

    def factory(**overrides: str) -> Settings:
        environ = _base_environ()
        environ.setdefault("ESTAFETA__APP__DATA_DIR", str(tmp_path / "data"))
        if "ESTAFETA__DATABASE__URL" not in environ:
            environ["ESTAFETA__DATABASE__URL"] = f"sqlite://{tmp_path}/estafeta.db"
        environ["ESTAFETA__WEB__PORT"] = environ.get("ESTAFETA__WEB__PORT", "0")
        environ.update({f"ESTAFETA__{k.upper()}": v for k, v in overrides.items()})
        return load_settings(ROOT / "config.toml", environ=environ)

    return factory


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()


_migrated: set[str] = set()
_sqlite_template: list[Path] = []


async def _migrated_sqlite(url: str) -> None:
    """Copy a once-per-run migrated SQLite file into place: migrating every test's fresh file costs seconds each."""
    if not _sqlite_template:
        template = Path(tempfile.mkdtemp(prefix="estafeta-template-")) / "template.db"
        await migrate(f"sqlite://{template}")
        _sqlite_template.append(template)
    target = Path(url.removeprefix("sqlite://"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template[0], target)


_reset_scripts: dict[str, str] = {}


async def _reset_postgres(url: str) -> None:
    """Empty every table and restart every sequence. DELETE with foreign-key triggers off is about ten times
    faster than TRUNCATE on these small tables, and it runs before every test."""
    await Tortoise.init(config=tortoise_config(url))
    conn = Tortoise.get_connection("default")
    if url not in _reset_scripts:
        _, tables = await conn.execute_query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'"
        )
        _, sequences = await conn.execute_query("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        _reset_scripts[url] = (
            "SET session_replication_role = replica;"
            + "".join(f'DELETE FROM "{row["tablename"]}";' for row in tables)
            + "".join(f'ALTER SEQUENCE "{row["sequencename"]}" RESTART;' for row in sequences)
            + "SET session_replication_role = DEFAULT;"
        )
    await conn.execute_script(_reset_scripts[url])


@pytest.fixture
async def db(settings):
    """A migrated, empty database with Tortoise initialised; closed after the test."""
    url = settings.database.url
    if url.startswith("sqlite"):
        await _migrated_sqlite(url)
        await Tortoise.init(config=tortoise_config(url))
    else:
        if url not in _migrated:
            await migrate(url)
            _migrated.add(url)
        await _reset_postgres(url)
    yield settings
    await close_db()


@pytest.fixture
async def empty_database(settings):
    """For tests that start the whole app (which opens the DB itself): an empty, migrated DB, left closed."""
    url = settings.database.url
    if url.startswith("sqlite"):
        await _migrated_sqlite(url)
    else:
        if url not in _migrated:
            await migrate(url)
            _migrated.add(url)
        await _reset_postgres(url)
        await close_db()
    return url


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL URL for tests that need PostgreSQL itself; skips outside CI when none is reachable."""
    url = os.environ.get("ESTAFETA__DATABASE__URL", "")
    if url.startswith("postgres"):
        return url
    if IN_CI:
        pytest.fail("CI=true but ESTAFETA__DATABASE__URL does not point at PostgreSQL")
    pytest.skip("PostgreSQL not configured (set ESTAFETA__DATABASE__URL)")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.close()
        return True
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url() -> str:
    """Redis for tests that need Redis itself: the configured one, else the local one.
    Skips only outside CI when none answers; under CI=true an unreachable Redis fails the test."""
    url = os.environ.get("ESTAFETA__REDIS__URL") or LOCAL_REDIS
    if _redis_reachable(url):
        return url
    if IN_CI:
        pytest.fail(f"CI=true but Redis at {url} does not answer")
    pytest.skip(f"Redis at {url} does not answer")
