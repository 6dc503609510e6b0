"""GET /healthz for load balancers and `docker compose` health checks: no auth, JSON, 503 when a part fails."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from tortoise import Tortoise

from webadmin.keys import REDIS

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0


def _failure(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError):
        text = f"timed out after {CHECK_TIMEOUT:g} s"
    return f"error: {text}"[:200]


async def _database() -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:
        log.warning("health check: database failed: %s", exc)
        return _failure(exc)
    return "ok"


async def _redis(request: web.Request) -> str:
    client = request.config_dict.get(REDIS)
    if client is None:
        return "disabled"
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await client.ping()
    except Exception as exc:
        log.warning("health check: redis failed: %s", exc)
        return _failure(exc)
    return "ok"


async def healthz(request: web.Request) -> web.Response:
    database, redis = await asyncio.gather(_database(), _redis(request))
    healthy = database == "ok" and redis in ("ok", "disabled")
    body = {"status": "ok" if healthy else "error", "database": database, "redis": redis}
    return web.json_response(body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"})
