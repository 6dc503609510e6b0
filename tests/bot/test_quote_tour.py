"""The generic demo's quote, as its people have it: a manager's card with three lines is sent to the customer, who
approves two and declines one by pressing the buttons of each line's own message; the manager hears of each
decision; totals leave the declined line out; Won is refused until every line is decided."""

from __future__ import annotations

import asyncio

from core import lines
from core.customers import create_customer
from core.permissions import SYSTEM, load_actor
from core.pipelines import move_card
from models import Card, CardLine, Staff
from tests.bot.test_forged_callbacks import BORIS, CATHERINE, make_card


async def messages_when(user, count: int) -> list:
    """The chat once it has at least `count` messages from the bot (notifications come through the outbox)."""
    for _ in range(100):
        found = await user.messages()
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} messages: {[m.text for m in found]}")


def plain(text: str | None) -> str:
    """Money is written with no-break spaces (1 500,00 ₴); the test reads them as spaces."""
    return (text or "").replace("\xa0", " ")


async def test_the_customer_decides_line_by_line_and_won_waits_for_it(estafeta, sandbox):
    boris = await Staff.get(telegram_id=BORIS)
    maria = await create_customer(SYSTEM, name="Марія Коваленко", phones=["067 555-44-33"], owner=boris, region="UA")
    card = await make_card(BORIS, "Вікна", customer=maria, budget="5000")
    manager = await load_actor(boris, channel="bot")
    for title, quantity, price in (("Вікно", 2, "1500"), ("Монтаж", 1, "800"), ("Підвіконня", 3, "120")):
        await lines.add_line(manager, card.id, kind="item", title=title, quantity=quantity, unit_price=price,
                             currency="UAH")
    customer = await sandbox.user("Маша", language_code="uk", phone="+380675554433")
    await customer.send("/start")
    await customer.press("📱 Поділитися номером")

    boris_chat = await sandbox.existing_user(BORIS)
    listing = (await boris_chat.send("/cards"))[-1]
    shown = (await boris_chat.press(next(button for button in listing.buttons if "S-0001" in button)))[-1]
    assert "Рядки:\n⏳ Вікно · 2 × 1 500,00 ₴ = 3 000,00 ₴\n⏳ Монтаж · 800,00 ₴" in plain(shown.text)
    assert "Разом: 4 160,00 ₴ · чекають рішення: 3" in plain(shown.text)
    await boris_chat.press("📨 Надіслати клієнту на погодження")
    assert boris_chat.last_callback_answer["text"] == "Надіслано клієнту: 3"

    quote = await messages_when(customer, 2 + 4)  # welcome, thanks; then the intro and a message per line
    assert quote[-4].text == "Замовлення S-0001: погодьте, будь ласка, кожну позицію (3)."
    window, mounting, sill = quote[-3:]
    assert plain(window.text) == "Вікно · 2 × 1 500,00 ₴ = 3 000,00 ₴" and window.buttons == ["✅ Погоджую",
                                                                                    "❌ Відмовитися"]
    # The same button text is on all three: each press names its message.
    decided = (await customer.press("❌ Відмовитися", message_id=mounting.message_id))[-1]
    assert decided.message_id == mounting.message_id and plain(decided.text) == "❌ Відмова: Монтаж · 800,00 ₴"
    approved = (await customer.press("✅ Погоджую", message_id=window.message_id))[-1]
    assert approved.message_id == window.message_id and approved.buttons == []  # answered: no second press

    told = [plain(message.text) for message in await messages_when(boris_chat, len(await boris_chat.messages()))]
    for _ in range(100):  # the two notices to the manager come through the outbox
        if sum("S-0001: клієнт" in text for text in told) == 2:
            break
        await asyncio.sleep(0.05)
        told = [plain(message.text) for message in await boris_chat.messages()]
    assert "S-0001: клієнт відмовився від «Монтаж · 800,00 ₴»" in told
    assert "S-0001: клієнт погодив «Вікно · 2 × 1 500,00 ₴ = 3 000,00 ₴»" in told

    kate = await Staff.get(telegram_id=CATHERINE)
    head = await load_actor(kate, channel="bot")
    await move_card(head, card.id, "contact")
    await move_card(head, card.id, "propose")
    await Card.filter(id=card.id).update(assignee_id=kate.id)  # the head of sales closes the deal
    catherine = await sandbox.existing_user(CATHERINE)
    listing = (await catherine.send("/cards"))[-1]
    await catherine.press(next(button for button in listing.buttons if "S-0001" in button))
    refused = await catherine.press("Deal won")
    assert "Not moved: one line still waits for the customer's decision." in "\n".join(m.text or "" for m in refused)

    # The price of the last line changes before the customer answers: his old button is refused, the new one works.
    last = await CardLine.get(title="Підвіконня")
    await lines.edit_line(manager, last.id, {"unit_price": "100"}, expected_version=last.version)
    stale = await customer.press("✅ Погоджую", message_id=sill.message_id)
    assert customer.last_callback_answer["text"] == "Ця позиція змінилася, ось вона зараз."
    fresh = stale[-1]
    assert plain(fresh.text) == "Підвіконня · 3 × 100,00 ₴ = 300,00 ₴"
    await customer.press("✅ Погоджую", message_id=fresh.message_id)

    totals = lines.totals(await lines.lines_of(card.id))
    assert (totals.all.price, totals.pending, totals.approved, totals.declined) == (3300, 0, 2, 1)
    won = await catherine.press("Deal won")
    assert "Stage: Won" in won[-1].text
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "won"


async def test_the_panel_card_shows_the_lines_totals_and_links(estafeta, sandbox):
    import aiohttp

    from tests.web.conftest import csrf_of

    boris = await Staff.get(telegram_id=BORIS)
    card = await make_card(BORIS, "Вікна")
    manager = await load_actor(boris, channel="web")
    first = await lines.add_line(manager, card.id, kind="item", title="Вікно", quantity=2, unit_price="1500",
                                 currency="UAH")
    await lines.add_line(manager, card.id, kind="item", title="Монтаж", unit_price="800", currency="UAH")
    await lines.decide(manager, first.id, "declined", version=first.version, channel="phone")
    async with aiohttp.ClientSession(base_url=estafeta.base_url,
                                     cookie_jar=aiohttp.CookieJar(unsafe=True)) as panel:
        token = csrf_of(await (await panel.get("/login")).text())
        await panel.post("/login", data={"csrf_token": token, "login": "admin", "password": "estafeta-demo"})
        html = plain(await (await panel.get(f"/cards/{card.id}")).text())
    assert "Строки" in html and "Вікно" in html and ">отказался<" in html and ">ждёт<" in html
    assert "<strong>800,00 ₴</strong>" in html  # the declined window is not in the total
    assert "ждут решения: 1" in html
    assert "связанная карточка" not in html  # the generic pack declares no link kinds


async def test_forged_decisions_change_nothing(estafeta, sandbox):
    """A decision button forged by someone else (staff, another customer, a stranger) or with a made-up line or
    version decides nothing: core checks the line belongs to the presser's own order and the version he saw."""
    from core.lines import decision_data
    from tests.bot.test_forged_callbacks import forge_press

    boris = await Staff.get(telegram_id=BORIS)
    maria = await create_customer(SYSTEM, name="Марія", phones=["067 555-44-33"], owner=boris, region="UA")
    card = await make_card(BORIS, "Вікна", customer=maria)
    window = await lines.add_line(await load_actor(boris, channel="bot"), card.id, kind="item", title="Вікно",
                                  unit_price="1500", currency="UAH")
    owner_persona = await sandbox.user("Маша", language_code="uk", phone="+380675554433")
    await owner_persona.send("/start")
    await owner_persona.press("📱 Поділитися номером")
    other = await sandbox.user("Петро", language_code="uk", phone="+380501112233")
    await other.send("/start")
    await other.press("📱 Поділитися номером")  # a customer too, of nothing of Maria's
    stranger = await sandbox.user("Хтось", language_code="uk")
    await stranger.send("/start")
    manager = await sandbox.existing_user(BORIS)
    await manager.send("/menu")

    approve = decision_data(window, "approved")
    for presser in (manager.id, other.id, stranger.id):
        answer, _ = await forge_press(estafeta, presser, approve)
        assert answer["show_alert"] is True
    for data in (f"q1:{window.id}:{window.version + 5}:a", f"q1:{window.id + 99}:1:a", f"q1:{window.id}:1:x",
                 "q1:0:1:a", f"q1:{window.id}:-1:a"):
        await forge_press(estafeta, owner_persona.id, data)
    fresh = await CardLine.get(id=window.id)
    assert (fresh.decision, fresh.decided_at, fresh.version) == ("pending", None, window.version)


async def test_the_head_hands_a_card_over_in_the_bot(estafeta, sandbox):
    card = await make_card(BORIS, "Вікна")
    from core.pipelines import FULL_CARD, get_card
    from flows.callbacks import CardCb
    from tests.bot.test_forged_callbacks import forge_press

    head = await load_actor(await Staff.get(telegram_id=CATHERINE), channel="bot")
    catherine = await sandbox.existing_user(CATHERINE)
    await catherine.send("/menu")  # her card list holds only her cards: she opens Boris's from a link
    await forge_press(estafeta, CATHERINE, CardCb(action="open", card=card.id).pack())
    asked = (await catherine.press("👤 Hand over"))[-1]
    assert asked.text == "Who takes S-0001?" and "Борис Мельник" not in asked.buttons
    anna = next(name for name in asked.buttons if name.startswith("Анна"))
    done = (await catherine.press(anna))[-1]
    assert done.text.startswith("Now with Анна Коваль.") and "Assignee: Анна Коваль" in done.text
    assert (await get_card(head, card.id, related=FULL_CARD)).assignee.name == "Анна Коваль"
    anna_chat = await sandbox.existing_user(1000001)
    for _ in range(100):  # the notice comes through the outbox
        if any("S-0001" in (m.text or "") and "теперь на вас" in (m.text or "") for m in await anna_chat.messages()):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("Анна was not told the card is hers")
