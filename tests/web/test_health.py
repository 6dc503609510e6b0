"""GET /healthz: 200 when the database (and redis, if configured) answer, 503 naming the failing part."""

from __future__ import annotations

from tortoise import Tortoise

from core.db import tortoise_config


async def test_healthz_ok(panel, db, settings):
    client = await panel(settings)
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == ("ok" if settings.redis.url else "disabled")


async def test_healthz_reports_an_unreachable_database(panel, db, settings, tmp_path):
    # Point the ORM at a database file that cannot be opened (its directory does not exist).
    await Tortoise.close_connections()
    config = tortoise_config("sqlite://:memory:")
    config["connections"]["default"] = f"sqlite://{tmp_path}/missing-dir/nothing.db"
    await Tortoise.init(config=config)
    client = await panel(settings)
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "error"
    assert body["database"].startswith("error: ")


async def test_healthz_reports_an_unreachable_redis(panel, db, make_settings):
    # Nothing listens on port 1: the PING fails at once, the database stays fine.
    settings = make_settings(redis__url="redis://127.0.0.1:1/0")
    client = await panel(settings)
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["database"] == "ok" and body["redis"].startswith("error: ")


async def test_sessions_in_redis_are_rotated_on_sign_in(panel, people, make_settings, redis_url):
    from redis.asyncio import Redis

    from tests.web.conftest import login_admin, page_token

    settings = make_settings(redis__url=redis_url)
    client = await panel(settings)
    await page_token(client)
    before = client.session.cookie_jar.filter_cookies(client.make_url("/"))["estafeta_session"].value
    redis = Redis.from_url(settings.redis.url)
    try:
        assert await redis.exists(f"estafeta_session_{before}")
        await login_admin(client)
        after = client.session.cookie_jar.filter_cookies(client.make_url("/"))["estafeta_session"].value
        assert after != before
        assert not await redis.exists(f"estafeta_session_{before}")  # the pre-login id is worthless now
        assert await redis.exists(f"estafeta_session_{after}")
    finally:
        await redis.aclose()
    assert (await client.get("/staff")).status == 200
