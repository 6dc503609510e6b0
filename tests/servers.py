"""Serving an aiohttp application on a free 127.0.0.1 port for the length of a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


@asynccontextmanager
async def served(app: web.Application, *, shutdown_timeout: float = 0.05) -> AsyncIterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) while `app` is served."""
    runner = web.AppRunner(app, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def sandbox_parent(sandbox_app: web.Application) -> web.Application:
    """The sandbox mounted at /sandbox, as the product mounts it."""
    parent = web.Application()
    parent.add_subapp("/sandbox", sandbox_app)
    return parent
