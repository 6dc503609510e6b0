"""The demo as a newcomer sees it: log in, open the sandbox chat, talk to the real bot as a persona."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"


@pytest.fixture
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and os.environ.get("CI", "").lower() != "true":
        pytest.skip("chromium is not installed")
    return CHROMIUM


async def test_admin_chats_with_the_bot_in_the_browser(estafeta, chromium_path):
    from playwright.async_api import async_playwright, expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        try:
            page = await browser.new_page(locale="ru-RU", viewport={"width": 1100, "height": 760})
            await page.goto(f"{estafeta.base_url}/sandbox/")
            assert "/login" in page.url  # the chat is for admins
            await page.fill("input[name=login]", "admin")
            await page.fill("input[name=password]", "estafeta-demo")
            await page.click("form[action=\"/login\"] button[type=submit]")
            await page.wait_for_url("**/sandbox/")
            await page.locator("#personas li", has_text="Анна Коваль").click()
            await page.fill("#text", "/menu")
            await page.press("#text", "Enter")
            await expect(page.locator(".msg.bot", has_text="Выберите действие")).to_be_visible()
            await page.locator(".msg.bot button", has_text="🌍 Язык").last.click()
            await page.locator(".msg.bot button", has_text="English").last.click()
            await expect(page.locator(".msg.bot", has_text="Choose an action")).to_be_visible()
            await page.screenshot(path=str(SHOTS / "sandbox_demo_chat.png"))
        finally:
            await browser.close()
