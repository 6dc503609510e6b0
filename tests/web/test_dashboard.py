"""The dashboard: the widgets of the active modules, each by permission and scope (core.modules, core.pipelines)."""

from __future__ import annotations

import re

import pytest

from core.permissions import load_actor
from core.pipelines import move_card
from tests.web.crm_helpers import card_for, more_people, signed_in


@pytest.fixture
async def staff(people):
    return await more_people(people)


def _counts(html: str) -> list[tuple[str, str]]:
    rows = re.findall(r"<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td class=\"num\"><a [^>]+>(\d+)</a>", html)
    return [(stage, count) for _, stage, count in rows]


async def test_cards_by_stage_counts_what_each_person_may_see(panel, staff, settings):
    for title in ("A", "B"):
        await card_for(staff["manager"], title)
    other = await load_actor(staff["other"], channel="web")
    moved = await card_for(staff["other"], "C")
    await move_card(other, moved.id, "contact", fields={"budget": "100"})
    lost = await card_for(staff["other"], "D")
    await move_card(other, lost.id, "reject_new", reason="дорого")  # closed cards are not counted

    head = await signed_in(panel, settings, "head")
    page = await head.get("/dashboard")
    html = await page.text()
    assert page.status == 200 and "Открытые карточки по этапам" in html
    assert _counts(html) == [("Новый лид", "2"), ("Связались", "1")]
    assert 'href="/dashboard"' in html  # the nav link of the head's dashboard

    manager = await signed_in(panel, settings, "manager")  # no report.view: no dashboard
    assert (await manager.get("/dashboard")).status == 403
    assert 'href="/dashboard"' not in await (await manager.get("/cards")).text()
