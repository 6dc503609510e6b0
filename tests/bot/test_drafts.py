"""A conversation left half-way survives a restart (in the database without Redis, in Redis with it): /menu offers
to continue it, Continue asks the same question again, and the dialog finishes as if nothing happened."""

from __future__ import annotations

from bot.sandbox.client import SandboxClient
from bot.sandbox_personas import connect_sandbox
from core.packs import load_pack
from estafeta.app import Estafeta
from models import Card, Draft, Stage
from tests.bot.test_forged_callbacks import BORIS, make_card

FOUR_FIELDS = ["budget", "seats", "proposal_due", "contact_phone"]


async def _started(settings) -> tuple[Estafeta, SandboxClient]:
    app = Estafeta(settings)
    await app.start()
    await load_pack("generic", with_demo=True)
    await connect_sandbox(app.sandbox, settings)
    return app, SandboxClient(app.base_url, token=app.sandbox_token)


async def test_two_of_four_answers_survive_a_restart_and_the_dialog_goes_on(make_settings, empty_database):
    settings = make_settings()
    app, sandbox = await _started(settings)
    try:
        await Stage.filter(key="contacted").update(required_fields=FOUR_FIELDS)
        card = await make_card(BORIS, "Склад")
        boris = await sandbox.existing_user(BORIS)
        listing = (await boris.send("/cards"))[-1]
        await boris.press(next(button for button in listing.buttons if "S-0001" in button))
        await boris.press("Зв’язався")  # New → Contacted needs nothing yet
        asked = await boris.press("Надіслав КП")  # Contacted → Proposal needs the four
        assert asked[-1].text == "Введіть «Бюджет»:"
        assert (await boris.send("1500"))[-1].text == "Введіть «Кількість місць»:"
        assert (await boris.send("12"))[-1].text == "Введіть «КП до»:"
        if not settings.redis.url:
            assert await Draft.all().count() == 1  # kept in the database, not in this process
    finally:
        await sandbox.close()
        await app.stop()

    app, sandbox = await _started(settings)  # a restart: nothing of the first process is left
    try:
        boris = await sandbox.existing_user(BORIS)
        offer = (await boris.send("/menu"))[-1]
        assert offer.text == "Ви не завершили попередній крок. Продовжити його чи покинути?"
        assert offer.buttons == ["▶ Продовжити", "✖️ Покинути"]
        assert (await boris.press("▶ Продовжити"))[-1].text == "Введіть «КП до»:"
        assert (await boris.send("31.12.2026"))[-1].text == "Введіть «Телефон для зв’язку»:"
        done = await boris.send("067 123 45 67")
        assert "Етап: Комерційна пропозиція" in done[-1].text
        moved = await Card.get(id=card.id).select_related("stage")
        assert moved.stage.key == "proposal"
        assert moved.fields_data["budget"] == "1500.00" and moved.fields_data["seats"] == "12"
        if not settings.redis.url:
            assert await Draft.all().count() == 0  # finished: nothing kept
    finally:
        await sandbox.close()
        await app.stop()


async def test_drop_ends_the_dialog_and_shows_the_menu(estafeta, sandbox):
    await make_card(BORIS, "Склад")
    boris = await sandbox.existing_user(BORIS)
    listing = (await boris.send("/cards"))[-1]
    await boris.press(next(button for button in listing.buttons if "S-0001" in button))
    await boris.press("💬 Коментар")
    await boris.send("/menu")
    dropped = await boris.press("✖️ Покинути")
    assert "✅ Мої завдання" in dropped[-1].buttons  # the main menu
    assert (await boris.send("/menu"))[-1].buttons != ["▶ Продовжити", "✖️ Покинути"]  # nothing pending now
