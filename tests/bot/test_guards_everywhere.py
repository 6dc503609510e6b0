"""A move guard (core.guards) refuses with its rule, in the reader's language, in the bot and in the panel alike;
the card stays where it was."""

from __future__ import annotations

import aiohttp

from core.permissions import load_actor
from core.pipelines import move_card
from models import Card, Staff, Transition
from tests.bot.test_forged_callbacks import CATHERINE, make_card
from tests.web.conftest import csrf_of


async def test_the_rule_is_named_in_the_bot_and_the_panel(estafeta, sandbox):
    await Transition.filter(key="win").update(guards=[{"field": "proposal_due"}])
    card = await make_card(CATHERINE, "Warehouse", budget="100")
    head = await load_actor(await Staff.get(telegram_id=CATHERINE), channel="system")
    await move_card(head, card.id, "contact")
    await move_card(head, card.id, "propose")

    catherine = await sandbox.existing_user(CATHERINE)
    listing = (await catherine.send("/cards"))[-1]
    await catherine.press(next(button for button in listing.buttons if "S-0001" in button))
    refused = await catherine.press("Deal won")
    assert "Not moved: the field «Proposal due» must be filled in first." in "\n".join(m.text or "" for m in refused)
    assert "Stage: Proposal sent" in refused[-1].text  # the card again, as it is

    async with aiohttp.ClientSession(base_url=estafeta.base_url,
                                     cookie_jar=aiohttp.CookieJar(unsafe=True)) as panel:
        token = csrf_of(await (await panel.get("/login")).text())
        await panel.post("/login", data={"csrf_token": token, "login": "admin", "password": "estafeta-demo"})
        page = await (await panel.get(f"/cards/{card.id}")).text()
        fresh = await Card.get(id=card.id)
        moved = await panel.post(f"/cards/{card.id}/move", data={
            "csrf_token": csrf_of(page), "transition": "win", "version": str(fresh.version)})
        assert moved.status == 409
        assert "Карточка не переведена: сначала заполните поле «КП до»." in await moved.text()
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "proposal"
