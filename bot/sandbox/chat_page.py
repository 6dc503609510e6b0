"""The browser chat page: one HTML page (and its script and style) that drives the persona API as a Telegram user."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from .runtime import runtime_of, sandbox_base_url

STATIC_DIR = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {"chat.js": "text/javascript", "chat.css": "text/css"}


async def page(request: web.Request) -> web.StreamResponse:
    rt = runtime_of(request)
    if rt.chat_page_guard is not None:
        response = await rt.chat_page_guard(request)
        if response is not None:
            return response
    html = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    base = sandbox_base_url(request)
    html = html.replace("__SANDBOX_BASE__", base)
    return web.Response(
        text=html, content_type="text/html", headers={"Cache-Control": "no-store", "X-Frame-Options": "SAMEORIGIN"}
    )


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in _STATIC_TYPES:
        raise web.HTTPNotFound()
    return web.Response(
        body=(STATIC_DIR / name).read_bytes(),
        content_type=_STATIC_TYPES[name],
        headers={"Cache-Control": "no-cache"},
    )
