"""Sign-in with a password, one-time login links from the bot, sign-out and the language switch."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp_session import get_session

from core.config import LOCALES
from core.identity import IdentityError, consume_login_link, password_login
from core.staff_admin import set_own_locale
from webadmin.keys import SETTINGS
from webadmin.render import render, safe_next, see_other, set_request_locale
from webadmin.session import LOCALE, current_staff, start_fresh_session

log = logging.getLogger(__name__)
LINK_ERRORS = {"link_unknown": 404, "link_used": 410, "link_expired": 410, "staff_inactive": 403}
# Chat apps fetch links to build previews; such a fetch must not use up a one-time link.
PREVIEW_AGENTS = ("telegrambot", "whatsapp", "slackbot", "discordbot", "facebookexternalhit", "twitterbot")


async def login_page(request: web.Request) -> web.StreamResponse:
    target = safe_next(request.query.get("next"))
    if await current_staff(request) is not None:
        return see_other(target)
    return await render(request, "login.html", {"next": target, "login": "", "error": None})


async def login_submit(request: web.Request) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    form = await request.post()
    login = str(form.get("login", "")).strip()[:100]
    password = str(form.get("password", ""))[:1024]
    target = safe_next(str(form.get("next", "")))
    context = {"next": target, "login": login}
    if not login or not password:
        return await render(request, "login.html", {**context, "error": ("web-login-failed", {})}, status=400)
    try:
        staff = await password_login(
            login, password, address=request.remote or "unknown",
            max_failures=settings.web.login_max_failures, lockout_minutes=settings.web.login_lockout_minutes,
        )
    except IdentityError as exc:
        if exc.reason == "login_locked":
            error = ("web-login-locked", {"minutes": exc.details.get("minutes", settings.web.login_lockout_minutes)})
            return await render(request, "login.html", {**context, "error": error}, status=429)
        return await render(request, "login.html", {**context, "error": ("web-login-failed", {})}, status=401)
    await start_fresh_session(request, staff)
    return see_other(target)


async def logout(request: web.Request) -> web.StreamResponse:
    await start_fresh_session(request, None)
    return see_other("/login")


async def login_link(request: web.Request) -> web.StreamResponse:
    agent = request.headers.get("User-Agent", "").lower()
    if any(bot in agent for bot in PREVIEW_AGENTS):
        return await render(request, "link.html", {"reason": "preview", "status": 200})
    try:
        staff = await consume_login_link(request.match_info["token"])
    except IdentityError as exc:
        status = LINK_ERRORS.get(exc.reason, 400)
        response = await render(request, "link.html", {"reason": exc.reason, "status": status}, status=status)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    await start_fresh_session(request, staff)
    response = see_other("/")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def switch_locale(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    locale = str(form.get("locale", ""))
    if locale not in LOCALES:
        raise web.HTTPBadRequest()
    session = await get_session(request)
    session[LOCALE] = locale
    set_request_locale(request, locale)
    staff = await current_staff(request)
    if staff is not None:
        await set_own_locale(staff, locale, channel="web")
    return see_other(safe_next(str(form.get("next", ""))))
