"""Typed application keys of the web panel (aiohttp `AppKey`), shared with the composition root."""

from __future__ import annotations

import jinja2
from aiohttp import web
from redis.asyncio import Redis

from core.config import Settings

SETTINGS = web.AppKey("settings", Settings)
# The redis client the panel uses for sessions and /healthz. Set it before `setup_webadmin` to share
# one client (its owner closes it); otherwise the panel creates one from settings.redis.url and closes it.
REDIS = web.AppKey("redis", Redis)
# Optional: the bot's username (e.g. from getMe) for invite deep links when telegram.bot_username is empty.
BOT_USERNAME = web.AppKey("bot_username", str)
# Optional: where the sandbox chat page lives (default "/sandbox/").
SANDBOX_URL = web.AppKey("sandbox_url", str)
# Internal: the panel's Jinja2 environment and the routes it owns (CSRF, error pages apply only to these).
TEMPLATES = web.AppKey("webadmin_templates", jinja2.Environment)
PANEL_ROUTES = web.AppKey("webadmin_routes", set)
