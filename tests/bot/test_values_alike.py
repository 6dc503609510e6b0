"""The bot and the panel show a card's values alike: one card read by one person in the bot's card view and on the
panel's card page, in each language, gives the same text for every money, number, date, datetime and phone field
and for the deadline (both come from core.formatting, at the business's clock)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import aiohttp

from core.fields import schema_of
from core.formatting import FORMATTED_TYPES
from core.i18n import translator
from core.permissions import SYSTEM
from core.pipelines import create_card
from models import Card, Pipeline, Role, RolePermission, Staff
from tests.bot.test_cards_flow import open_from_my_cards
from tests.web.conftest import csrf_of, password_hash

VIEWER_ID, VIEWER_LOGIN, VIEWER_PASSWORD = 1000042, "vira", "viewer-password-1"
FIELDS = {"budget": "12345.5", "seats": "1234.5", "next_call": "01.04.2026 10:30", "proposal_due": "05.03.2026",
          "contact_phone": "067 123 45 67", "source": "site"}
# The autumn night in Kyiv: 01:30 UTC is the second 03:30 (winter time again).
DEADLINE = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
_FACT = re.compile(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", re.DOTALL)


async def _viewer() -> Staff:
    """Someone who may see his cards but not edit them, so the panel shows every field as text, not as an input."""
    role = await Role.create(key="viewer", titles={"en": "Viewer"})
    await RolePermission.create(role=role, action="card.view", scope="own")
    staff = await Staff.create(name="Віра Глядач", login=VIEWER_LOGIN, password_hash=password_hash(VIEWER_PASSWORD),
                               telegram_id=VIEWER_ID, locale="uk")
    await staff.roles.add(role)
    return staff


async def _panel(base_url: str) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(base_url=base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))  # an IP host
    token = csrf_of(await (await session.get("/login")).text())
    signed_in = await session.post("/login", data={"csrf_token": token, "login": VIEWER_LOGIN,
                                                   "password": VIEWER_PASSWORD}, allow_redirects=False)
    assert signed_in.status == 303
    return session


def _page_facts(page: str) -> dict[str, str]:
    """Title → text of the page's read-only facts (the card's header and its fields)."""
    return {html.unescape(re.sub(r"<[^>]+>", "", title)).strip(): html.unescape(re.sub(r"<[^>]+>", "", value)).strip()
            for title, value in _FACT.findall(page)}


def _bot_lines(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


async def test_the_bot_and_the_panel_show_a_card_alike(estafeta, sandbox):
    viewer = await _viewer()
    # No "new task" message for him: it would land among the bot's replies.
    card = await create_card(SYSTEM, "sales", title="Склад", owner=viewer, assignee=viewer, fields=FIELDS,
                             announce=False)
    await Card.filter(id=card.id).update(deadline=DEADLINE)
    schema = schema_of((await Pipeline.get(key="sales")).field_schema)
    formatted = [spec for spec in schema.values() if spec.type in FORMATTED_TYPES and spec.key in FIELDS]
    assert {spec.type for spec in formatted} == FORMATTED_TYPES
    user = await sandbox.user("Віра", user_id=VIEWER_ID, language_code="uk")
    panel = await _panel(estafeta.base_url)
    try:
        for locale in ("uk", "ru", "en"):
            await Staff.filter(id=viewer.id).update(locale=locale)  # the bot and the panel both follow it
            t = translator(locale)
            bot = _bot_lines((await open_from_my_cards(user, card))[-1].text)
            page = await (await panel.get(f"/cards/{card.id}")).text()
            assert 'name="f.' not in page, "the viewer must see the fields as text"
            facts = _page_facts(page)
            for spec in formatted:
                title = spec.title(locale)
                assert bot[title] == facts[title], (locale, spec.key, bot[title], facts[title])
            assert bot[t("card-deadline")] == facts[t("web-card-deadline")], locale
            if locale == "en":
                assert bot["Budget"] == "UAH\u00a012,345.50" and bot["Seats"] == "1,234.5"
                assert bot["Next call"] == "Apr 1, 2026, 10:30\u202fAM"  # typed at Kyiv's clock, shown at it
                assert bot["Proposal due"] == "Mar 5, 2026" and bot["Contact phone"] == "+380 67 123 4567"
                assert bot["Deadline"] == "Oct 26, 2025, 3:30\u202fAM"
    finally:
        await panel.close()
