"""The web panel's composition: sessions, CSRF, i18n, templates, static files and routes on the given app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from aiohttp_session import session_middleware
from redis.asyncio import Redis

from core import modules
from core.config import Settings
from core.modules import ModuleError
from webadmin import apikeys, auth, cards, customers, dashboard, health, staff
from webadmin.api import setup_api
from webadmin.guards import admin_refusal, require_admin_page
from webadmin.keys import PANEL_ROUTES, REDIS, SETTINGS
from webadmin.middlewares import csrf_protect, error_pages
from webadmin.render import make_environment
from webadmin.session import current_staff, make_storage

__all__ = ["admin_refusal", "current_staff", "require_admin_page", "setup_webadmin"]

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _add_routes(app: web.Application) -> None:
    router = app.router
    routes = app[PANEL_ROUTES]
    for route in (
        router.add_get("/", staff.home, name="home"),
        router.add_get("/login", auth.login_page, name="login"),
        router.add_post("/login", auth.login_submit),
        router.add_post("/logout", auth.logout, name="logout"),
        # No HEAD: a HEAD request must not use up the one-time link.
        router.add_get("/auth/link/{token}", auth.login_link, name="login_link", allow_head=False),
        router.add_post("/locale", auth.switch_locale, name="locale"),
        router.add_get("/staff", staff.staff_page, name="staff"),
        router.add_post("/staff/invites", staff.create_invite, name="invite_create"),
        router.add_get(r"/staff/invites/{id:\d{1,18}}", staff.invite_page, name="invite"),
        router.add_post(r"/staff/invites/{id:\d{1,18}}/revoke", staff.revoke_invite, name="invite_revoke"),
        router.add_post(r"/staff/{id:\d{1,18}}/active", staff.set_active, name="staff_active"),
        router.add_get("/healthz", health.healthz, name="healthz"),
        *_crm_routes(router),
        *_module_routes(router),
    ):
        routes.add(route)
        # add_get also registers a HEAD route on the same resource; it belongs to the panel too.
        routes.update(other for other in route.resource if other.handler is route.handler)
    router.add_static("/static/", STATIC_DIR, name="static", append_version=False)


def _crm_routes(router: web.UrlDispatcher) -> list[web.AbstractRoute]:
    return [
        router.add_get("/dashboard", dashboard.dashboard_page, name="dashboard"),
        router.add_get("/cards", cards.cards_page, name="cards"),
        router.add_get(r"/cards/{id:\d{1,18}}", cards.card_page, name="card"),
        router.add_post(r"/cards/{id:\d{1,18}}/move", cards.move_card, name="card_move"),
        router.add_post(r"/cards/{id:\d{1,18}}/fields", cards.edit_fields, name="card_fields"),
        router.add_post(r"/cards/{id:\d{1,18}}/comments", cards.add_comment, name="card_comment"),
        router.add_post(r"/cards/{id:\d{1,18}}/attachments", cards.upload_attachment, name=cards.UPLOAD_ROUTE),
        router.add_get(r"/attachments/{id:\d{1,18}}", cards.download_attachment, name="attachment"),
        router.add_get("/customers", customers.customers_page, name="customers"),
        router.add_get(r"/customers/{id:\d{1,18}}", customers.customer_page, name="customer"),
        router.add_post(r"/customers/{id:\d{1,18}}/ledger", customers.post_ledger_entry, name="customer_ledger"),
        router.add_get(r"/customers/{id:\d{1,18}}/merge/{other:\d{1,18}}", customers.merge_page, name="customer_merge"),
        router.add_post(r"/customers/{id:\d{1,18}}/merge/{other:\d{1,18}}", customers.merge_submit),
        router.add_get("/apikeys", apikeys.apikeys_page, name="apikeys"),
        router.add_post("/apikeys", apikeys.create_key),
        router.add_get(r"/apikeys/{id:\d{1,18}}", apikeys.key_page, name="apikey"),
        router.add_post(r"/apikeys/{id:\d{1,18}}/revoke", apikeys.revoke_key, name="apikey_revoke"),
    ]


def _module_routes(router: web.UrlDispatcher) -> list[web.AbstractRoute]:
    """The active modules' pages. A path or name another module (or the platform) already has stops the start."""
    taken = {(route.method, route.resource.canonical) for route in router.routes() if route.resource is not None}
    added: list[web.AbstractRoute] = []
    for ref in modules.active().refs("panel_routes"):
        try:
            routes = modules.resolve(ref)(router)
        except (ValueError, RuntimeError) as clash:  # aiohttp: duplicate route name / method already registered
            raise ModuleError(f"module routes {ref}: {clash}") from None
        for route in routes:
            # A second resource with the same path but another name is accepted by aiohttp and never reached.
            key = (route.method, route.resource.canonical)
            if key in taken:
                raise ModuleError(f"module routes {ref}: {route.method} {key[1]} is already taken")
            taken.add(key)
        added += routes
    return added


def _own_redis(client: Redis):
    async def close_redis(app: web.Application) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return close_redis


def setup_webadmin(app: web.Application, settings: Settings) -> None:
    """Adds sessions, CSRF, i18n, templates, static files, the panel routes and the lead intake API to `app`."""
    app[SETTINGS] = settings
    app[PANEL_ROUTES] = set()
    redis = app.get(REDIS)
    if redis is None and settings.redis.url:
        redis = Redis.from_url(settings.redis.url)
        app[REDIS] = redis
        app.cleanup_ctx.append(_own_redis(redis))
    app.middlewares.append(session_middleware(make_storage(settings, redis)))
    app.middlewares.append(error_pages)
    app.middlewares.append(cards.upload_limit)  # before the CSRF check reads the (large) upload form
    app.middlewares.append(csrf_protect)
    make_environment(app)
    _add_routes(app)
    setup_api(app)
