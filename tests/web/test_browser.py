"""The panel in a real headless Chromium with a phone-sized viewport: sign in, invite, switch language.

Screenshots go to data/screenshots/web_*.png. Skipped only when Chromium is missing outside CI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from aiohttp import web

from core.i18n import translator
from core.packs import load_pack
from models import Invite
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, build_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"
PHONE = {"width": 390, "height": 844}
RU = translator("ru", strict=True)
UK = translator("uk", strict=True)

if not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() != "true":
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture
async def server(people, settings):
    await load_pack("generic", with_demo=True)  # a few more people for a realistic table
    runner = web.AppRunner(build_app(settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def _no_horizontal_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: page is {width}px wide on a {PHONE['width']}px phone"


async def test_phone_sign_in_and_invite(server):
    from playwright.async_api import async_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        try:
            context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                                has_touch=True, locale="ru-RU")
            await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)

            async def guard(route):
                if route.request.url.startswith(server):
                    await route.continue_()
                else:  # the panel must not load anything from elsewhere
                    outside.append(route.request.url)
                    await route.abort()

            await context.route("**/*", guard)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            await page.goto(f"{server}/staff")
            assert page.url.startswith(f"{server}/login")
            await page.get_by_role("heading", name=RU("web-login-heading")).wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_login.png", full_page=True)

            await page.fill("input[name=login]", ADMIN_LOGIN)
            await page.fill("input[name=password]", "wrong password")
            await page.click("button[type=submit].primary")
            await page.get_by_text(RU("web-login-failed")).wait_for()
            await page.screenshot(path=SHOTS / "web_login_failed.png", full_page=True)

            await page.fill("input[name=password]", ADMIN_PASSWORD)
            await page.click("button[type=submit].primary")
            await page.wait_for_url(f"{server}/staff")
            await page.get_by_role("heading", name=RU("web-staff-title"), exact=True).wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_staff.png", full_page=True)

            # The nav is collapsed on a phone and opens from the menu button.
            staff_link = page.locator("nav.nav a[href='/staff']")
            assert not await staff_link.is_visible()
            await page.click("label.nav-button")
            assert await staff_link.is_visible()
            await page.screenshot(path=SHOTS / "web_menu.png")
            await page.click("label.nav-button")

            await page.select_option("select[name=role]", "manager")
            await page.fill("input[name=name]", "Ірина Бондаренко")
            await page.click("form.invite-form button[type=submit]")
            await page.wait_for_url(f"{server}/staff/invites/*")
            command = await page.input_value("#invite-command")
            assert command.startswith("/start inv_")
            link = await page.input_value("#invite-link")
            assert link == f"https://t.me/estafeta_sandbox_bot?start={command.removeprefix('/start ')}"
            await page.click("button[data-copy='invite-link']")
            await page.get_by_role("button", name=RU("web-invite-copied")).wait_for()
            assert await page.evaluate("navigator.clipboard.readText()") == link
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_invite.png", full_page=True)
            assert await Invite.filter(name="Ірина Бондаренко").count() == 1

            await page.goto(f"{server}/staff")
            await page.click("form.langs button[value=uk]")
            await page.get_by_role("heading", name=UK("web-staff-title"), exact=True).wait_for()
            assert "Ірина Бондаренко" in await page.content()  # the open invite is listed
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_staff_uk.png", full_page=True)
            await page.locator("section[aria-labelledby=invites-heading]").screenshot(
                path=SHOTS / "web_staff_uk_invites.png")

            await page.set_viewport_size({"width": 1280, "height": 800})  # and a desk screen
            await page.reload()
            assert await page.locator("nav.nav a[href='/staff']").is_visible()
            await page.screenshot(path=SHOTS / "web_staff_desktop.png", full_page=True)
            await page.set_viewport_size(PHONE)

            await page.goto(f"{server}/nowhere")
            await page.get_by_role("heading", name=UK("web-error-404-title")).wait_for()
            await page.screenshot(path=SHOTS / "web_404.png", full_page=True)
            assert not errors, errors
        finally:
            await browser.close()
    assert not outside, f"requests outside the panel: {outside}"
