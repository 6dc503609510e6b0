"""The sandbox as the product mounts it: the persona API answers a panel admin's session or the sandbox token,
takes JSON only, refuses cookie calls a foreign page could forge, and the Bot API wants the secret bot token."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.sandbox.state import DEFAULT_TOKEN
from core.identity import hash_password
from models import Role, Staff
from tests.sandbox.conftest import make_png

ANNA = 1000001
SAMPLE_PARAMS = {"user_id": str(ANNA), "file_id": "no-such-file", "tail": "no-such-route"}
BROWSER = {"X-Requested-With": "estafeta-sandbox"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def persona_api_calls(estafeta) -> list[tuple[str, str]]:
    """(method, url path) for every route of the mounted sandbox sub-app under /sandbox/api, read off its router."""
    sandbox_app = next(resource.get_info()["app"] for resource in estafeta.app.router.resources()
                       if resource.get_info().get("prefix") == "/sandbox")
    calls = []
    for route in sandbox_app.router.routes():
        template = route.resource.canonical
        if not template.startswith("/sandbox/api/"):
            continue
        path = re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda match: SAMPLE_PARAMS[match.group(1)], template)
        for method in (("GET", "POST", "DELETE") if route.method == "*" else (route.method,)):
            calls.append((method, path))
    return calls


def body_posts(calls: list[tuple[str, str]]) -> list[str]:
    return sorted({path for method, path in calls if method == "POST"})


async def sign_in(http: aiohttp.ClientSession, base_url: str, login: str, password: str) -> None:
    page = await (await http.get(f"{base_url}/login")).text()
    token = _CSRF.search(page).group(1)
    response = await http.post(f"{base_url}/login", data={"csrf_token": token, "login": login, "password": password},
                               allow_redirects=False)
    assert response.status == 303, await response.text()


def make_form() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("photo", make_png(), filename="p.png", content_type="image/png")
    return form


def cookie_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # cookies for 127.0.0.1 too


async def test_the_enumeration_sees_the_persona_api(estafeta):
    calls = persona_api_calls(estafeta)
    assert ("POST", f"/sandbox/api/users/{ANNA}/send") in calls
    assert ("GET", f"/sandbox/api/users/{ANNA}/chat") in calls
    assert ("POST", "/sandbox/api/reset") in calls
    assert len(calls) > 20


async def test_every_persona_route_wants_a_session_or_the_token(estafeta):
    refusals = {}
    async with aiohttp.ClientSession() as http:
        for method, path in persona_api_calls(estafeta):
            for name, headers in (("none", {}), ("wrong token", {"Authorization": "Bearer not-the-token"}),
                                  ("empty token", {"Authorization": "Bearer "}),
                                  ("bot token", {"Authorization": f"Bearer {estafeta.sandbox.token}"})):
                async with http.request(method, f"{estafeta.base_url}{path}", headers=headers) as response:
                    if response.status != 401:
                        refusals[(method, path, name)] = response.status
                    elif method != "HEAD":
                        body = await response.json()
                        assert body["ok"] is False and body["description"], (method, path)
    assert refusals == {}


async def test_every_persona_route_works_with_the_token(estafeta):
    refused = {}
    authorization = {"Authorization": f"Bearer {estafeta.sandbox_token}"}
    async with aiohttp.ClientSession() as http:
        for method, path in persona_api_calls(estafeta):
            body = {} if method in ("POST", "DELETE") else None
            async with http.request(method, f"{estafeta.base_url}{path}", headers=authorization, json=body,
                                    params={"wait": "0"}) as response:
                if response.status in (401, 403, 415) or response.status >= 500:
                    refused[(method, path)] = response.status
    assert refused == {}


async def test_the_token_drives_a_conversation(estafeta):
    authorization = {"Authorization": f"Bearer {estafeta.sandbox_token}"}
    async with aiohttp.ClientSession(headers=authorization) as http:
        async with http.post(f"{estafeta.base_url}/sandbox/api/users/{ANNA}/send", json={"text": "/menu"}) as sent:
            assert sent.status == 200
            assert (await sent.json())["messages"]


async def test_only_json_bodies_are_taken(estafeta):
    authorization = {"Authorization": f"Bearer {estafeta.sandbox_token}"}
    unexpected = {}
    async with aiohttp.ClientSession(headers=authorization) as http:
        for path in body_posts(persona_api_calls(estafeta)):
            for content_type, body in (("text/plain", '{"text": "/web"}'),
                                       ("application/x-www-form-urlencoded", "text=%2Fweb")):
                async with http.post(f"{estafeta.base_url}{path}", data=body,
                                     headers={"Content-Type": content_type}) as response:
                    if response.status != 415:
                        unexpected[(path, content_type)] = response.status
                    else:
                        assert (await response.json())["ok"] is False
            if not path.endswith("/send"):  # the one route that takes files
                async with http.post(f"{estafeta.base_url}{path}", data=make_form()) as response:
                    if response.status != 415:
                        unexpected[(path, "multipart")] = response.status
        async with http.post(f"{estafeta.base_url}/sandbox/api/users/{ANNA}/send?wait=0", data=make_form()) as photo:
            assert photo.status == 200, await photo.text()
    assert unexpected == {}


async def test_the_old_public_bot_token_is_refused(estafeta):
    assert estafeta.sandbox.token != DEFAULT_TOKEN
    botapi = f"{estafeta.base_url}/sandbox/botapi"
    async with aiohttp.ClientSession() as http:
        for url in (f"{botapi}/bot{DEFAULT_TOKEN}/getMe", f"{botapi}/bot{DEFAULT_TOKEN}/getUpdates",
                    f"{botapi}/file/bot{DEFAULT_TOKEN}/photos/file_1.png"):
            async with http.get(url) as response:
                assert response.status in (401, 404), url
                assert (await response.json())["ok"] is False
        async with http.post(f"{botapi}/bot{DEFAULT_TOKEN}/sendMessage", json={"chat_id": ANNA, "text": "hi"}) as sent:
            assert sent.status == 401
        # The sandbox token opens the persona API, not the Bot API.
        async with http.get(f"{botapi}/bot{estafeta.sandbox_token}/getMe") as response:
            assert response.status == 401
        async with http.get(f"{botapi}/bot{estafeta.sandbox.token}/getMe") as response:
            assert response.status == 200


async def test_an_admin_session_works_like_the_browser_chat(estafeta):
    async with cookie_session() as http:
        await sign_in(http, estafeta.base_url, "admin", "estafeta-demo")
        api = f"{estafeta.base_url}/sandbox/api"
        async with http.get(f"{api}/users") as listed:
            assert listed.status == 200
            assert ANNA in [user["id"] for user in await listed.json()]
        async with http.post(f"{api}/users", json={"name": "Olga", "language_code": "uk"}, headers=BROWSER) as made:
            assert made.status == 201
        async with http.post(f"{api}/users/{ANNA}/send", json={"text": "/menu"}, headers=BROWSER) as sent:
            assert sent.status == 200 and (await sent.json())["messages"]
        async with http.post(f"{api}/users/{ANNA}/send?wait=0", data=make_form(), headers=BROWSER) as photo:
            assert photo.status == 200
        async with http.get(f"{api}/users/{ANNA}/chat") as chat:
            assert chat.status == 200
        async with http.get(f"{estafeta.base_url}/sandbox/", allow_redirects=False) as page:
            assert page.status == 200


async def test_a_cookie_post_a_foreign_page_could_make_is_refused(estafeta):
    """A form on another origin can post with the admin's cookie, but cannot add a custom header."""
    api = f"{estafeta.base_url}/sandbox/api"
    async with cookie_session() as http:
        await sign_in(http, estafeta.base_url, "admin", "estafeta-demo")
        before = len(estafeta.sandbox.chats[ANNA].messages)
        foreign = {"Origin": "http://127.0.0.1:9999", "Sec-Fetch-Site": "same-site"}
        for data, content_type in ((make_form(), None), ('{"text": "/web"}', "text/plain"),
                                   ("text=%2Fweb", "application/x-www-form-urlencoded")):
            headers = {**foreign, **({"Content-Type": content_type} if content_type else {})}
            async with http.post(f"{api}/users/{ANNA}/send", data=data, headers=headers) as response:
                assert response.status == 403, await response.text()
                assert (await response.json())["ok"] is False
        async with http.post(f"{api}/users", json={"name": "Mallory"}, headers=foreign) as made:
            assert made.status == 403
        async with http.post(f"{api}/reset", headers=foreign) as reset:
            assert reset.status == 403
        assert len(estafeta.sandbox.chats[ANNA].messages) == before
        assert "Mallory" not in [user.first_name for user in estafeta.sandbox.users.values()]


@pytest.fixture
async def manager_with_password(estafeta):
    staff = await Staff.create(name="Петро Менеджер", login="petro", password_hash=hash_password("manager-pass-1"))
    await staff.roles.add(await Role.get(key="manager"))
    return staff


async def test_a_signed_in_non_admin_is_refused(estafeta, manager_with_password):
    api = f"{estafeta.base_url}/sandbox/api"
    async with cookie_session() as http:
        await sign_in(http, estafeta.base_url, "petro", "manager-pass-1")
        async with http.get(f"{api}/users/{ANNA}/chat") as chat:
            assert chat.status == 403
            assert (await chat.json())["ok"] is False
        async with http.post(f"{api}/users/{ANNA}/send", json={"text": "/web"}, headers=BROWSER) as sent:
            assert sent.status == 403
        async with http.get(f"{estafeta.base_url}/sandbox/", allow_redirects=False) as page:
            assert page.status == 403
