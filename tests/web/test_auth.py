"""Password sign-in, lockout, one-time login links, sign-out, CSRF and the panel's boundaries on a shared app."""

from __future__ import annotations

import re

from aiohttp import web

from core.i18n import translator
from core.identity import create_login_link
from models import Activity, Invite, Staff, WebLoginFailure
from tests.web.conftest import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    build_app,
    login,
    login_admin,
    page_token,
)

RU = translator("ru", strict=True)


async def is_signed_in(client) -> bool:
    response = await client.get("/", allow_redirects=False)
    return not (response.status == 303 and response.headers["Location"].startswith("/login"))


async def test_login_success_rotates_session(panel, people, settings):
    client = await panel(settings)
    assert not await is_signed_in(client)
    await page_token(client)
    before = client.session.cookie_jar.filter_cookies(client.make_url("/"))["estafeta_session"].value

    response = await login(client, "  OLENA ", ADMIN_PASSWORD)  # login names are case- and space-insensitive
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.cookies["estafeta_session"]
    assert cookie.value != before
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 12 * 3600

    home = await client.get("/")
    assert home.url.path == "/staff"  # admins land on the staff page
    assert "Олена Адмін" in await home.text()
    assert await Activity.filter(action="web.login", actor_id=people["admin"].id).exists()


async def test_wrong_password_and_unknown_login_look_the_same(panel, people, settings):
    client = await panel(settings)
    wrong = await login(client, ADMIN_LOGIN, "not the password")
    unknown = await login(client, "nobody-here", "not the password")
    assert wrong.status == unknown.status == 401
    message = RU("web-login-failed")
    wrong_text, unknown_text = await wrong.text(), await unknown.text()
    assert message in wrong_text and message in unknown_text
    alert = re.compile(r'role="alert">(.*?)</p>', re.S)
    assert alert.findall(wrong_text) == alert.findall(unknown_text) == [message]
    assert not await is_signed_in(client)


async def test_lockout_refuses_even_the_right_password(panel, people, make_settings):
    settings = make_settings(web__login_max_failures="3", web__login_lockout_minutes="7")
    client = await panel(settings)
    for _ in range(3):
        assert (await login(client, ADMIN_LOGIN, "guess")).status == 401
    locked = await login(client, ADMIN_LOGIN, ADMIN_PASSWORD)
    assert locked.status == 429
    assert RU("web-login-locked", minutes=7) in await locked.text()
    assert "7 минут" in await locked.text()
    assert not await is_signed_in(client)
    # Once the window has passed, the right password works again.
    await WebLoginFailure.all().delete()
    assert (await login(client, ADMIN_LOGIN, ADMIN_PASSWORD)).status == 303
    assert await is_signed_in(client)


async def test_next_parameter_stays_on_this_site(panel, people, settings):
    client = await panel(settings)
    to_staff = await client.get("/staff", allow_redirects=False)
    assert to_staff.status == 303 and to_staff.headers["Location"] == "/login?next=%2Fstaff"
    evil = await login(client, ADMIN_LOGIN, ADMIN_PASSWORD, next="//evil.example/steal")
    assert evil.headers["Location"] == "/"
    await client.post("/logout", data={"csrf_token": await page_token(client, "/staff")})
    good = await login(client, ADMIN_LOGIN, ADMIN_PASSWORD, next="/staff")
    assert good.headers["Location"] == "/staff"


async def test_logout_ends_the_session(panel, people, settings):
    client = await panel(settings)
    await login_admin(client)
    token = await page_token(client, "/staff")
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert not await is_signed_in(client)


async def test_csrf_rejects_forms_without_the_session_token(panel, people, settings):
    client = await panel(settings)
    # The login form itself is protected by the pre-login session's token.
    no_token = await client.post("/login", data={"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})
    assert no_token.status == 403
    assert RU("web-error-csrf-title") in await no_token.text()
    assert not await is_signed_in(client)

    await login_admin(client)
    token = await page_token(client, "/staff")
    missing = await client.post("/staff/invites", data={"role": "manager"}, allow_redirects=False)
    wrong = await client.post("/staff/invites", data={"role": "manager", "csrf_token": token[:-2] + "xx"},
                              allow_redirects=False)
    header_wrong = await client.post("/staff/invites", data={"role": "manager"},
                                     headers={"X-CSRF-Token": "nope"}, allow_redirects=False)
    for response in (missing, wrong, header_wrong):
        assert response.status == 403
        assert RU("web-error-csrf-text") in await response.text()
    deactivate = await client.post(f"/staff/{people['manager'].id}/active", data={"active": "0"})
    assert deactivate.status == 403
    assert await Invite.all().count() == 0
    assert (await Staff.get(id=people["manager"].id)).active

    accepted = await client.post("/staff/invites", data={"role": "manager", "csrf_token": token},
                                 allow_redirects=False)
    assert accepted.status == 303
    assert await Invite.all().count() == 1


async def test_one_time_login_link(panel, people, settings):
    token = await create_login_link(people["manager"])
    url = f"/auth/link/{token}"

    # A chat app fetching a preview does not use the link up.
    preview = await (await panel(settings)).get(url, headers={"User-Agent": "TelegramBot (like TwitterBot)"})
    assert preview.status == 200 and RU("web-link-preview") in await preview.text()
    head = await (await panel(settings)).head(url)
    assert head.status == 405

    first = await panel(settings)
    response = await first.get(url, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
    home = await first.get("/")
    assert home.status == 200 and "Петро Менеджер" in await home.text()

    second = await panel(settings)
    again = await second.get(url)
    assert again.status == 410
    text = await again.text()
    assert RU("web-link-used") in text and RU("web-link-again") in text
    assert not await is_signed_in(second)

    unknown = await second.get("/auth/link/made-up-token")
    assert unknown.status == 404 and RU("web-link-unknown") in await unknown.text()


async def test_deactivated_staff_loses_the_session(panel, people, settings):
    client = await panel(settings)
    await login_admin(client)
    await Staff.filter(id=people["admin"].id).update(active=False)
    assert not await is_signed_in(client)


async def test_panel_leaves_other_routes_alone(aiohttp_client, people, settings):
    """CSRF, auth redirects and HTML error pages apply to the panel's routes only."""

    async def json_ok(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = build_app(settings)
    app.router.add_post("/api/leads", json_ok)
    app.router.add_post(settings.telegram.webhook_path, json_ok)
    sandbox = web.Application()
    sandbox.router.add_post("/bot{token}/sendMessage", json_ok)
    app.add_subapp("/sandbox", sandbox)
    client = await aiohttp_client(app)

    for path in ("/api/leads", settings.telegram.webhook_path, "/sandbox/bot123:abc/sendMessage"):
        response = await client.post(path, json={"x": 1})
        assert response.status == 200, path
        assert await response.json() == {"ok": True}
    missing = await client.get("/api/nothing")
    assert missing.status == 404 and "<html" not in await missing.text()
    page = await client.get("/no-such-page")
    assert page.status == 404 and RU("web-error-404-title") in await page.text()
