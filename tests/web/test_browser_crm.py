"""The CRM pages in a real headless Chromium on a phone: the demo admin signs in, opens the cards, opens one,
moves it (once plainly, once with a reason), attaches a photo, then finds a customer by phone.

Screenshots go to data/screenshots/web_crm_*.png. Skipped only when Chromium is missing outside CI.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from aiohttp import web

from core.i18n import translator
from core.packs import load_pack
from models import Attachment, Card, CardHistory, Staff
from tests.web.conftest import build_app
from tests.web.crm_helpers import card_for, customer, number_of

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"
PHONE = {"width": 390, "height": 844}
RU = translator("ru", strict=True)
DEMO_LOGIN, DEMO_PASSWORD = "admin", "estafeta-demo"

if not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() != "true":
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture
async def server(people, settings, tmp_path):
    await load_pack("generic", with_demo=True)
    manager = await Staff.get(name="Борис Мельник")
    oksana = await customer("Оксана Шевченко", "+380671234567", owner=manager, email="oksana@example.com")
    await customer("Оксана Шевчук", "0501112233")  # a look-alike: a duplicate candidate by name
    cards = [
        await card_for(manager, "Окна для офиса на Подоле, 12 штук", customer=oksana,
                       fields={"budget": "12500", "source": "site", "message": "Нужен замер до пятницы"}),
        await card_for(manager, "Срочный звонок", urgent=True),
        await card_for(manager, "Двери"),
    ]
    runner = web.AppRunner(build_app(settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", cards
    await runner.cleanup()


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small one-colour PNG, so the thumbnail in the screenshot is visibly there."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


async def _no_horizontal_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: page is {width}px wide on a {PHONE['width']}px phone"


async def _section_shot(page, section: str, prefix: str) -> None:
    """One part of a page at full size: a whole phone page is too long to read in one picture."""
    locator = page.locator(f"section#{section}, section[aria-labelledby={section}]").first
    await locator.screenshot(path=SHOTS / f"web_crm_{prefix}_{section.replace('-heading', '')}.png")


async def test_phone_walk_through_cards_and_customers(server, tmp_path):
    from playwright.async_api import async_playwright

    base, cards = server
    card = cards[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "замер.png"
    photo.write_bytes(solid_png(64, 48, (46, 139, 87)))
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

            async def guard(route):
                if route.request.url.startswith(base):
                    await route.continue_()
                else:
                    outside.append(route.request.url)
                    await route.abort()

            await context.route("**/*", guard)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            csp: list[str] = []
            page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)

            await page.goto(f"{base}/cards")
            assert page.url.startswith(f"{base}/login")
            await page.fill("input[name=login]", DEMO_LOGIN)
            await page.fill("input[name=password]", DEMO_PASSWORD)
            await page.click("button[type=submit].primary")
            await page.wait_for_url(f"{base}/cards")

            # The list: urgent first, numbers, stages, customers; the menu leads to every CRM page.
            await page.get_by_role("heading", name=RU("web-cards-title"), exact=True).wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_cards.png", full_page=True)
            await page.click("label.nav-button")
            for path in ("/cards", "/customers", "/apikeys", "/staff"):
                assert await page.locator(f"nav.nav a[href='{path}']").is_visible(), path
            await page.screenshot(path=SHOTS / "web_crm_menu.png")
            await page.click("label.nav-button")

            # Open a card.
            await page.click(f"a.card-number:text-is('{number_of(card)}')")
            await page.wait_for_url(f"{base}/cards/{card.id}")
            await page.get_by_text("Нужен замер до пятницы").wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_card.png", full_page=True)
            for section in ("card-heading", "moves", "fields"):
                await _section_shot(page, section, "card")

            # A plain move: one tap.
            await page.click("form.move button:text-is('Связался')")
            await page.get_by_text(RU("web-card-moved", name="Связались")).wait_for()
            assert (await Card.get(id=card.id).select_related("stage")).stage.key == "contacted"

            # A move that needs a reason: the button opens a small form; an empty reason is not sent.
            await page.click("details.move summary")
            await page.click("details.move[open] button[type=submit]")
            assert (await Card.get(id=card.id).select_related("stage")).stage.key == "contacted"
            await page.fill("details.move[open] textarea[name=reason]", "Клиент передумал")
            await page.screenshot(path=SHOTS / "web_crm_reason.png", full_page=True)
            await page.click("details.move[open] button[type=submit]")
            await page.get_by_text(RU("web-card-moved", name="Отказ")).wait_for()
            history = await CardHistory.filter(card_id=card.id).order_by("-id").first()
            assert history.reason == "Клиент передумал" and history.channel == "web"
            await page.get_by_text(RU("web-card-no-moves")).wait_for()

            # Attach a photo: it shows as a thumbnail served by the panel.
            await page.set_input_files("input[type=file][name=file]", str(photo))
            await page.click("form.upload-form button[type=submit]")
            await page.get_by_text(RU("web-attach-added")).wait_for()
            thumb = page.locator("img.thumb")
            await thumb.wait_for()
            assert await thumb.evaluate("img => img.complete && img.naturalWidth > 0")
            assert await Attachment.filter(card_id=card.id, name="замер.png").exists()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_card_after.png", full_page=True)
            for section in ("attachments", "comments", "history"):
                await _section_shot(page, section, "card")

            # Customers: find her by the phone typed another way.
            await page.click("label.nav-button")
            await page.click("nav.nav a[href='/customers']")
            await page.wait_for_url(f"{base}/customers")
            await page.fill("input[name=q]", "067 123-45-67")
            await page.click("form[role=search] button[type=submit]")
            await page.wait_for_url(f"{base}/customers?q=*")
            await page.get_by_text(RU("web-customers-found", count=1)).wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_customers.png", full_page=True)
            await page.click("a:has-text('Оксана Шевченко')")
            await page.get_by_role("heading", name="Оксана Шевченко").wait_for()
            await page.get_by_text("+380 67 123 4567").first.wait_for()
            assert number_of(card) in await page.content()
            # A payment into her balance.
            await page.fill("form.ledger-form input[name=amount]", "1500")
            await page.fill("form.ledger-form input[name=note]", "Предоплата за замер")
            await page.click("form.ledger-form button[type=submit]")
            await page.get_by_text(RU("web-ledger-posted")).wait_for()
            await page.locator("p.balance:text-is('1\u00a0500,00\u00a0₴')").wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_customer.png", full_page=True)
            for section in ("customer-heading", "ledger", "duplicates"):
                await _section_shot(page, section, "customer")

            # A look-alike is offered as a duplicate; merging asks first.
            await page.click("#duplicates a.button")
            await page.get_by_role("heading", name=RU("web-merge-title")).wait_for()
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_merge.png", full_page=True)

            # API keys: a key for the website, shown once with a curl example.
            await page.click("label.nav-button")
            await page.click("nav.nav a[href='/apikeys']")
            await page.fill("input[name=source]", "site")
            await page.click("form.key-form button[type=submit]")
            await page.get_by_role("heading", name=RU("web-apikey-ready-title")).wait_for()
            assert (await page.input_value("#api-key")).startswith("est_")
            assert "/api/v1/leads" in await page.input_value("#api-curl")
            await _no_horizontal_scroll(page)
            await page.screenshot(path=SHOTS / "web_crm_apikey.png", full_page=True)

            # The same card page on a desk screen.
            await page.set_viewport_size({"width": 1280, "height": 900})
            await page.goto(f"{base}/cards/{card.id}")
            await page.screenshot(path=SHOTS / "web_crm_card_desktop.png", full_page=True)
            await page.set_viewport_size(PHONE)
            assert not errors, errors
            assert not csp, csp
        finally:
            await browser.close()
    assert not outside, f"requests outside the panel: {outside}"
