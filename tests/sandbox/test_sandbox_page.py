"""The browser chat page: served by the sub-app, guarded optionally, and usable in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.sandbox import SandboxState, create_sandbox_app
from bot.sandbox.client import SandboxClient, SandboxError
from tests.servers import sandbox_parent, served

from .conftest import SandboxServer, make_png

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


async def test_page_and_static_files(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        page = await http.get("/sandbox/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<meta name="sandbox-base" content="/sandbox/">' in page.text
        assert 'src="/sandbox/static/chat.js"' in page.text
        assert "__SANDBOX_BASE__" not in page.text
        js = await http.get("/sandbox/static/chat.js")
        assert js.status_code == 200 and "text/javascript" in js.headers["content-type"]
        css = await http.get("/sandbox/static/chat.css")
        assert css.status_code == 200
        assert (await http.get("/sandbox/static/../server.py")).status_code == 404
        assert (await http.get("/sandbox/static/state.py")).status_code == 404


def test_page_references_nothing_external() -> None:
    static = ROOT / "bot" / "sandbox" / "static"
    for name in ("chat.html", "chat.js", "chat.css"):
        text = (static / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name


async def test_chat_page_guard() -> None:
    async def guard(request: web.Request) -> web.StreamResponse | None:
        if request.query.get("let") == "me":
            return None
        return web.Response(status=302, headers={"Location": "/login"})

    async with served(sandbox_parent(create_sandbox_app(SandboxState(), chat_page_guard=guard))) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            response = await http.get("/sandbox/")
            assert response.status_code == 302 and response.headers["location"] == "/login"
            assert (await http.get("/sandbox/?let=me")).status_code == 200
            # the page guard is the page's: without a token or session hook the persona API stays open (a harness)
            assert (await http.get("/sandbox/api/users")).json() == []


async def test_an_access_token_locks_the_persona_api() -> None:
    token = "harness-token-0123456789"
    async with served(sandbox_parent(create_sandbox_app(SandboxState(), access_token=token))) as base:
        async with SandboxClient(base) as anonymous:
            with pytest.raises(SandboxError) as refused:
                await anonymous.users()
            assert refused.value.status == 401 and refused.value.payload["ok"] is False
        async with SandboxClient(base, token="x" + token[1:]) as wrong:
            with pytest.raises(SandboxError, match="401: wrong sandbox token"):
                await wrong.user("Eve")
        async with SandboxClient(base, token=token) as client:
            alice = await client.user("Alice")
            assert [user["id"] for user in await client.users()] == [alice.id]
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/sandbox/")).status_code == 200  # no page guard given


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not IN_CI, reason="chromium is not installed (apt-get install chromium)"
)
async def test_browser_chat(sandbox: SandboxServer, echo_bot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright, expect

    png = tmp_path / "receipt.png"
    png.write_bytes(make_png(160, 90, (90, 160, 90)))
    shots = ROOT / "data" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    assert shutil.which(CHROMIUM) or IN_CI

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            context = await browser.new_context(locale="uk-UA", viewport={"width": 1100, "height": 760})
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            external: list[str] = []
            page.on(
                "request",
                lambda req: external.append(req.url) if not req.url.startswith(sandbox.base_url) else None,
            )
            await page.goto(f"{sandbox.base_url}/sandbox/")
            await expect(page.locator("#np-create")).to_have_text("Створити")

            await page.fill("#np-name", "Олена Коваль")
            await page.fill("#np-phone", "+380501234567")
            await page.click("#np-create")
            await expect(page.locator("#chat-name")).to_have_text("Олена Коваль")

            await page.fill("#text", "/start")
            await page.press("#text", "Enter")
            greeting = page.locator(".msg.bot", has_text="Hello, Олена! You said: /start")
            await expect(greeting).to_be_visible()
            await expect(greeting.locator("b")).to_have_text("Олена")  # bot HTML rendered, safely
            await expect(page.locator(".msg.user", has_text="/start")).to_be_visible()

            await greeting.locator(".inline-kb button", has_text="Approve").click()
            await expect(page.locator(".msg.bot", has_text="Approved (approve:1)")).to_be_visible()
            await expect(page.locator("#toast")).to_have_text("Done!")
            await expect(page.locator(".msg.bot .inline-kb")).to_have_count(0)  # edited in place, keyboard gone

            await page.set_input_files("#file-input", str(png))
            await expect(page.locator(".msg.user img")).to_be_visible()
            await expect(page.locator(".msg.bot", has_text="Got a photo 160x90")).to_be_visible()

            await page.fill("#text", "як справи?")
            await page.click("#send-btn")
            await expect(page.locator(".msg.bot", has_text="echo: як справи?")).to_be_visible()

            await page.fill("#text", "/start again")
            await page.press("#text", "Enter")
            await expect(page.locator(".msg.bot .inline-kb")).to_have_count(1)
            await page.click("#toast")  # a tap dismisses the toast
            await expect(page.locator("#toast")).to_be_hidden()
            await page.screenshot(path=str(shots / "sandbox_chat.png"))

            mobile = await browser.new_context(locale="en-US", viewport={"width": 390, "height": 760})
            phone_page = await mobile.new_page()
            await phone_page.goto(f"{sandbox.base_url}/sandbox/")
            await phone_page.click("#open-sidebar")
            await phone_page.click("#personas button")
            await expect(phone_page.locator(".msg.bot", has_text="echo: як справи?")).to_be_visible()
            await phone_page.wait_for_function("document.getElementById('sidebar').getBoundingClientRect().right <= 0")
            await phone_page.screenshot(path=str(shots / "sandbox_chat_mobile.png"))
            assert errors == []
            assert external == []
        finally:
            await browser.close()
