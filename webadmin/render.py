"""Page language, the Jinja2 environment and rendering with the layout's common context."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import get_session

from core import formatting
from core.config import LOCALES, Settings
from core.i18n import Translator, pick_locale, translator
from webadmin import session as sessions
from webadmin.access import nav_entries
from webadmin.keys import SANDBOX_URL, SETTINGS, TEMPLATES

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ERROR_STATUSES = (400, 403, 404, 405, 500)
_LOCALE = web.RequestKey("webadmin_locale", str)
_NAV = web.RequestKey("webadmin_nav", str)


def make_environment(app: web.Application) -> jinja2.Environment:
    return aiohttp_jinja2.setup(
        app,
        app_key=TEMPLATES,
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        default_helpers=False,
    )


def accept_languages(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most preferred first."""
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


async def request_locale(request: web.Request) -> str:
    """Session choice → the staff member's own locale → Accept-Language → the configured default."""
    if _LOCALE not in request:
        settings = request.config_dict[SETTINGS]
        session = await get_session(request)
        staff = await sessions.current_staff(request)
        request[_LOCALE] = pick_locale(
            session.get(sessions.LOCALE),
            staff.locale if staff else None,
            *accept_languages(request.headers.get("Accept-Language", "")),
            default=settings.i18n.default_locale,
        )
    return request[_LOCALE]


def set_request_locale(request: web.Request, locale: str) -> None:
    request[_LOCALE] = locale


async def request_translator(request: web.Request) -> Translator:
    return translator(await request_locale(request))


def datetime_formatter(settings: Settings, locale: str):
    """The pages' `fmt_dt(moment)`: core.formatting's text of a moment at the business's clock ("" for none)."""
    zone = settings.i18n.zone

    def format_moment(moment: datetime | None) -> str:
        return formatting.datetime_text(moment, locale, zone) if moment is not None else ""

    return format_moment


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything pointing elsewhere becomes "/"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(char) < 32 for char in target):
        return "/"
    return target


def see_other(location: str) -> web.Response:
    """The answer to a POST that worked (and to a page that lives elsewhere): 303, so a reload does not re-post."""
    return web.Response(status=303, headers={"Location": location})


def login_url(request: web.Request) -> str:
    """Sign-in that comes back here afterwards (a form post comes back to the home page instead)."""
    target = request.path_qs if request.method in ("GET", "HEAD") else "/"
    return "/login" if target == "/" else f"/login?next={quote(target, safe='')}"


def current_page(request: web.Request) -> str:
    """Where the language switch returns to: this page, or for a re-rendered form the page behind it."""
    if request.method in ("GET", "HEAD"):
        return safe_next(request.path_qs)
    resource = request.match_info.route.resource
    if resource is not None and any(route.method == "GET" for route in resource):
        return safe_next(request.path)
    return "/"


async def base_context(request: web.Request) -> dict[str, Any]:
    settings = request.config_dict[SETTINGS]
    locale = await request_locale(request)
    staff = await sessions.current_staff(request)
    admin = await sessions.current_is_admin(request)
    return {
        "t": translator(locale),
        "locale": locale,
        "locales": LOCALES,
        "staff": staff,
        "is_admin": admin,
        "csrf_field": sessions.CSRF_FIELD,
        "csrf_token": await sessions.csrf_token(request),
        "app_name": settings.app.name,
        "show_sandbox": settings.sandbox and admin,
        "sandbox_url": request.config_dict.get(SANDBOX_URL, "/sandbox/"),
        "here": current_page(request),
        "nav": request.get(_NAV, ""),
        "nav_entries": await nav_entries(request),
        "fmt_dt": datetime_formatter(settings, locale),
        "flash": await sessions.pop_flash(request),
    }


def set_nav(request: web.Request, section: str) -> None:
    request[_NAV] = section


async def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    full = await base_context(request)
    full.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, full, app_key=TEMPLATES, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def render_fragment(request: web.Request, template: str, context: dict[str, Any]) -> str:
    """A part of a page (a dashboard widget) with the layout's context (t, locale, fmt_dt …)."""
    full = await base_context(request)
    full.update(context)
    return aiohttp_jinja2.render_string(template, request, full, app_key=TEMPLATES)


async def render_error(request: web.Request, status: int, *, kind: str | None = None) -> web.Response:
    """A localized error page; falls back to plain text if even the layout cannot be rendered."""
    kind = kind or (str(status) if status in ERROR_STATUSES else "generic")
    try:
        return await render(request, "error.html", {"status": status, "kind": kind}, status=status)
    except Exception:
        log.exception("could not render the %s error page", status)
        try:
            t = translator(request.get(_LOCALE) or "ru")
            text = t(f"web-error-{kind}-title") if kind != "generic" else t("web-error-generic-title")
        except Exception:
            text = "Error"
        return web.Response(status=status, text=f"{status} {text}", content_type="text/plain")
