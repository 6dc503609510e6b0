"""Customers start the bot, share their own contact and are matched to the base by phone."""

from __future__ import annotations

from core.customers import create_customer
from core.permissions import SYSTEM
from models import Customer, CustomerPhone, Staff
from tests.bot.test_forged_callbacks import BORIS, make_card


async def test_a_stranger_is_offered_both_ways_in_and_becomes_a_new_customer(estafeta, sandbox):
    oleg = await sandbox.user("Олег", language_code="ru", phone="+380 67 111 22 33")
    welcome = (await oleg.send("/start"))[-1]
    assert "поделитесь номером телефона" in welcome.text
    assert "попросите у администратора ссылку-приглашение" in welcome.text
    assert await oleg.reply_keyboard() == ["📱 Поделиться номером"]

    thanks = (await oleg.press("📱 Поделиться номером"))[-1]
    assert thanks.text.startswith("Спасибо, Олег! Мы записали ваш номер и свяжемся с вами.")
    assert "Открытых заказов сейчас нет" in thanks.text
    customer = await Customer.get(telegram_id=oleg.id)
    assert (customer.name, customer.source, customer.locale) == ("Олег", "telegram", "ru")
    assert [p.e164 for p in await CustomerPhone.filter(customer=customer)] == ["+380671112233"]
    assert not await Staff.filter(telegram_id=oleg.id).exists()

    again = (await oleg.send("/start"))[-1]
    assert again.text.startswith("С возвращением, Олег!")
    assert await Customer.filter(telegram_id=oleg.id).count() == 1


async def test_a_known_customer_is_matched_by_phone_and_told_the_open_orders(estafeta, sandbox):
    boris = await Staff.get(telegram_id=BORIS)
    maria = await create_customer(SYSTEM, name="Марія Коваленко", phones=["067 555-44-33"], owner=boris,
                                  region="UA")
    await make_card(BORIS, "Вікна", customer=maria)
    person = await sandbox.user("Маша", language_code="uk", phone="+380675554433")
    await person.send("/start")
    thanks = (await person.press("📱 Поділитися номером"))[-1]
    assert thanks.text.startswith("Дякуємо, Марія Коваленко! Ми вас упізнали.")
    assert "Ваші відкриті замовлення:\n• S-0001 — Новий лід" in thanks.text
    assert (await Customer.get(id=maria.id)).telegram_id == person.id
    assert await Customer.all().count() == 1


async def test_someone_elses_contact_proves_nothing(estafeta, sandbox):
    boris = await Staff.get(telegram_id=BORIS)
    await create_customer(SYSTEM, name="Марія Коваленко", phones=["+380675554433"], owner=boris, region="UA")
    stranger = await sandbox.user("Stranger", language_code="en", phone="+380501112233")
    await stranger.send("/start")
    refused = (await stranger.share_contact("+380675554433", first_name="Марія"))[-1]
    assert refused.text == "Please share your own number with the button below."
    assert not await Customer.filter(telegram_id=stranger.id).exists()


async def test_staff_keep_their_start_and_contacts_from_staff_bind_no_customer(estafeta, sandbox):
    boris = await sandbox.existing_user(BORIS)
    menu = (await boris.send("/start"))[-1]
    assert menu.text.startswith("Борис Мельник, ваші ролі: Менеджер.")
    await boris.share_contact("+380931234567")
    assert not await Customer.filter(telegram_id=BORIS).exists()
