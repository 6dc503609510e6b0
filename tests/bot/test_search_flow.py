""""Find customer" through the bot: by phone in any format, by VIN, by part of a name — only what the user may see."""

from __future__ import annotations

from core.customers import create_customer
from core.permissions import SYSTEM
from core.vehicles import create_vehicle
from models import Staff
from tests.bot.test_forged_callbacks import BORIS, CATHERINE, make_card

VIN = "WVWZZZ1JZXW000001"


async def _customers():
    boris = await Staff.get(telegram_id=BORIS)
    catherine = await Staff.get(telegram_id=CATHERINE)
    ivan = await create_customer(SYSTEM, name="Іван Петренко", phones=["+380671234567", "044 123 45 67"],
                                 owner=boris, region="UA")
    olga = await create_customer(SYSTEM, name="Ольга Петренко", phones=["+380509876543"], owner=catherine,
                                 region="UA")
    return ivan, olga


async def test_manager_finds_his_customer_by_phone_with_open_cards_as_buttons(estafeta, sandbox):
    ivan, olga = await _customers()
    card = await make_card(BORIS, "Вікна", customer=ivan)
    boris = await sandbox.existing_user(BORIS)

    asked = (await boris.send("/find"))[-1]
    assert asked.text == "Введіть телефон, VIN, держномер або частину імені клієнта:"
    found = (await boris.send("067 123-45-67"))[-1]
    assert found.text.splitlines()[0] == "Знайдено: 1"
    assert "1. Іван Петренко — +380 67 123 4567, +380 44 123 4567" in found.text
    assert found.buttons == ["📋 S-0001 · Новий лід · Іван Петренко"]
    view = (await boris.press("📋 S-0001 · Новий лід · Іван Петренко"))[-1]
    assert view.text.startswith("📋 S-0001 · Вікна")
    assert "Клієнт: Іван Петренко, +380 67 123 4567" in view.text
    assert card.customer_id == ivan.id


async def test_a_manager_never_finds_another_managers_customer(estafeta, sandbox):
    await _customers()
    boris = await sandbox.existing_user(BORIS)
    found = (await boris.send("/find Петренко"))[-1]
    assert "Іван Петренко" in found.text and "Ольга" not in found.text
    nothing = (await boris.send("/find 050 987 65 43"))[-1]
    assert nothing.text.startswith("Нікого не знайшов")
    assert nothing.buttons == ["✖️ Скасувати"]
    again = (await boris.send("Іван"))[-1]  # still asking: the next message is another try
    assert "Іван Петренко" in again.text


async def test_head_finds_everyone_and_a_car_by_vin(estafeta, sandbox):
    ivan, olga = await _customers()
    await create_vehicle(SYSTEM, vin=VIN, plate="AA 1234 BB", make="Volkswagen", model="Golf", year=1999, owner=olga)
    await make_card(CATHERINE, "Service", customer=olga)
    catherine = await sandbox.existing_user(CATHERINE)

    both = (await catherine.send("/find петренко"))[-1]
    assert both.text.splitlines()[0] == "Found: 2"
    assert "Іван Петренко" in both.text and "Ольга Петренко" in both.text

    await catherine.send("/find")
    by_vin = (await catherine.send("wvw zzz 1jz xw 000001"))[-1]
    assert "Ольга Петренко — +380 50 987 6543" in by_vin.text
    assert "🚗 Volkswagen Golf 1999 · WVWZZZ1JZXW000001 · AA1234BB" in by_vin.text
    assert by_vin.buttons == ["📋 S-0001 · New lead · Ольга Петренко"]
    by_plate = (await catherine.send("/find аа1234вв"))[-1]  # Cyrillic look-alikes, as typed on a phone
    assert "🚗 Volkswagen Golf 1999" in by_plate.text


async def test_too_short_and_cancel(estafeta, sandbox):
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/find")
    assert (await boris.send("Ів"))[-1].text.startswith("Закоротко")
    assert (await boris.press("✖️ Скасувати"))[-1].text == "Скасовано."
    assert (await boris.send("Іван"))[-1].text.startswith("Не зрозумів")
