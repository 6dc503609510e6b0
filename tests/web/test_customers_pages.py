"""Customers in the panel: search by phone in any format / name / company, the customer page, ledger entries,
duplicates and merging (customer.merge), and who sees whom."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import customers as crm
from core.i18n import translator
from core.permissions import SYSTEM
from models import Activity, Card, Customer, CustomerAddress, LedgerEntry
from tests.web.crm_helpers import card_for, customer, more_people, number_of, signed_in, token_of

RU = translator("ru", strict=True)


@pytest.fixture
async def staff(people):
    return await more_people(people)


async def test_search_by_phone_in_any_format_name_and_company(panel, staff, settings):
    oksana = await customer("Оксана Шевченко", "+380671234567", email="oksana@example.com")
    company = await customer("ТОВ Ромашка", "0441234567", kind="company")
    await crm.link_company(SYSTEM, oksana.id, company.id)
    await customer("Петро Коваль", "0501112233")
    client = await signed_in(panel, settings, "admin")

    for query in ("067 123-45-67", "(067) 123 45 67", "+38 067 1234567", "380671234567", "123-45-67"):
        text = await (await client.get("/customers", params={"q": query})).text()
        assert "Оксана Шевченко" in text and "Петро Коваль" not in text, query
        assert "+380 67 123 4567" in text, query  # phones are shown formatted
    by_name = await (await client.get("/customers", params={"q": "шевч"})).text()
    assert "Оксана Шевченко" in by_name and RU("web-customers-found", count=1) in by_name
    by_company = await (await client.get("/customers", params={"q": "ромашка"})).text()
    assert "Оксана Шевченко" in by_company and "ТОВ Ромашка" in by_company
    by_email = await (await client.get("/customers", params={"q": "oksana@example.com"})).text()
    assert "Оксана Шевченко" in by_email
    nobody = await (await client.get("/customers", params={"q": "0999999999"})).text()
    assert RU("web-customers-none-found") in nobody
    recent = await (await client.get("/customers")).text()
    assert RU("web-customers-recent") in recent and "Петро Коваль" in recent


async def test_a_manager_finds_only_his_customers(panel, staff, settings):
    await customer("Свій Клієнт", "0671111111", owner=staff["manager"])
    through_card = await customer("Клієнт з картки", "0672222222")
    await card_for(staff["manager"], customer=through_card)
    stranger = await customer("Чужий Клієнт", "0673333333", owner=staff["other"])
    client = await signed_in(panel, settings, "manager")
    listing = await (await client.get("/customers")).text()
    assert "Свій Клієнт" in listing and "Клієнт з картки" in listing and "Чужий Клієнт" not in listing
    found = await (await client.get("/customers", params={"q": "067 333 33 33"})).text()
    assert "Чужий Клієнт" not in found and RU("web-customers-none-found") in found
    assert (await client.get(f"/customers/{stranger.id}")).status == 404


async def test_customer_page(panel, staff, settings):
    oksana = await crm.create_customer(
        SYSTEM, name="Оксана Шевченко", phones=["0671234567", "050 111 22 33"], email="oksana@example.com",
        addresses=["Київ, Хрещатик 1"], tags=["vip"], owner=staff["manager"], region="UA")
    await crm.post_entry(SYSTEM, oksana.id, Decimal("1500.00"), "payment", currency="UAH")
    await crm.post_entry(SYSTEM, oksana.id, Decimal("-250.50"), "charge", note="Диагностика", currency="UAH")
    card = await card_for(staff["manager"], "Заказ окон", customer=oksana)
    hidden = await card_for(staff["other"], "Чужая карточка", customer=oksana)

    client = await signed_in(panel, settings, "manager")
    text = await (await client.get(f"/customers/{oksana.id}")).text()
    for expected in ("Оксана Шевченко", "+380 67 123 4567", "+380 50 111 2233", 'href="tel:+380671234567"',
                     "oksana@example.com", "Київ, Хрещатик 1", "vip", "Петро Менеджер",
                     "1\u00a0249,50\u00a0₴", "-250,50\u00a0₴", "Диагностика", RU("web-ledger-kind-charge"),
                     number_of(card), "Заказ окон", RU("web-customer-no-duplicates")):
        assert expected in text, expected
    assert number_of(hidden) not in text  # cards are listed by the same scope as everywhere
    assert 'action="/customers/' in text and 'name="amount"' in text  # ledger.post:own
    assert RU("web-merge-button") not in text


async def test_ledger_entries_through_the_panel(panel, staff, settings):
    oksana = await customer("Оксана Шевченко", "0671234567", owner=staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/customers/{oksana.id}")

    posted = await client.post(f"/customers/{oksana.id}/ledger", data={
        "csrf_token": token, "amount": "-1 250,5", "kind": "charge", "note": "Ремонт"}, allow_redirects=False)
    assert posted.status == 303
    entry = await LedgerEntry.get(customer_id=oksana.id)
    assert entry.amount == Decimal("-1250.50") and entry.kind == "charge" and entry.currency == "UAH"
    assert entry.actor_id == staff["manager"].id and entry.channel == "web" and entry.note == "Ремонт"
    page = await (await client.get(f"/customers/{oksana.id}")).text()
    assert RU("web-ledger-posted") in page and "-1\u00a0250,50\u00a0₴" in page

    for amount, message in (("abc", "web-ledger-error-amount"), ("0", "web-ledger-error-zero"),
                            ("1.234", "web-ledger-error-precision")):
        refused = await client.post(f"/customers/{oksana.id}/ledger", data={
            "csrf_token": token, "amount": amount, "kind": "payment"})
        assert refused.status == 400, amount
        text = await refused.text()
        assert RU(message) in text and f'value="{amount}"' in text, amount
    no_kind = await client.post(f"/customers/{oksana.id}/ledger", data={
        "csrf_token": token, "amount": "10", "kind": ""})
    assert no_kind.status == 400 and RU("web-ledger-error-kind") in await no_kind.text()
    assert await LedgerEntry.filter(customer_id=oksana.id).count() == 1

    stranger = await customer("Чужий", "0673333333", owner=staff["other"])
    assert (await client.post(f"/customers/{stranger.id}/ledger", data={
        "csrf_token": token, "amount": "10", "kind": "payment"})).status == 404
    forged = await client.post(f"/customers/{oksana.id}/ledger", data={"amount": "10", "kind": "payment"})
    assert forged.status == 403 and await LedgerEntry.filter(customer_id=oksana.id).count() == 1


async def test_merge_through_the_panel(panel, staff, settings):
    survivor = await crm.create_customer(SYSTEM, name="Иванов Иван", phones=["0671234567"], region="UA",
                                         addresses=["Киев, Крещатик 1"])
    duplicate = await crm.create_customer(SYSTEM, name="Иван Иванов", phones=["+38 (067) 123-45-67", "0501112233"],
                                          email="ivan@example.com", region="UA")
    await crm.post_entry(SYSTEM, duplicate.id, Decimal("50.00"), "payment", currency="UAH")
    card = await card_for(staff["manager"], customer=duplicate)

    head = await signed_in(panel, settings, "head")
    page = await (await head.get(f"/customers/{survivor.id}")).text()
    assert "Иван Иванов" in page and RU("web-duplicate-reason-phone") in page
    merge_link = f"/customers/{survivor.id}/merge/{duplicate.id}"
    assert f'href="{merge_link}"' in page

    confirm = await head.get(merge_link)
    assert confirm.status == 200
    confirm_text = await confirm.text()
    assert RU("web-merge-explain", name="Иван Иванов") in confirm_text
    assert f'href="/customers/{duplicate.id}/merge/{survivor.id}"' in confirm_text  # keep the other one instead
    token = await token_of(head, merge_link)
    merged = await head.post(merge_link, data={"csrf_token": token}, allow_redirects=False)
    assert merged.status == 303 and merged.headers["Location"] == f"/customers/{survivor.id}"

    gone = await Customer.get(id=duplicate.id)
    assert gone.merged_into_id == survivor.id
    assert (await Card.get(id=card.id)).customer_id == survivor.id
    assert await crm.balance(survivor.id) == Decimal("50.00")
    assert (await Customer.get(id=survivor.id)).email == "ivan@example.com"
    assert await Activity.filter(action="customer.merge", channel="web", actor_id=staff["head"].id).exists()
    after = await (await head.get(f"/customers/{survivor.id}")).text()
    assert RU("web-merge-done", name="Иван Иванов") in after and "+380 50 111 2233" in after
    assert await CustomerAddress.filter(customer_id=survivor.id).count() == 1

    # The merged-away record leads to the survivor; merging it again is refused with a message.
    old = await head.get(f"/customers/{duplicate.id}", allow_redirects=False)
    assert old.status == 303 and old.headers["Location"] == f"/customers/{survivor.id}"
    again = await head.post(merge_link, data={"csrf_token": token})
    assert again.status == 409 and RU("web-merge-error-merged") in await again.text()
    itself = await head.post(f"/customers/{survivor.id}/merge/{survivor.id}", data={"csrf_token": token})
    assert itself.status == 409 and RU("web-merge-error-self") in await itself.text()
    assert (await head.get(f"/customers/{survivor.id}/merge/{survivor.id}")).status == 404


async def test_merging_needs_the_merge_permission(panel, staff, settings):
    first = await customer("Иванов Иван", "0671234567", owner=staff["manager"])
    second = await customer("Иван Иванов", "0671234567", owner=staff["manager"])
    manager = await signed_in(panel, settings, "manager")
    page = await (await manager.get(f"/customers/{first.id}")).text()
    assert "Иван Иванов" in page and RU("web-merge-button") not in page  # seen, but no button
    refused = await manager.get(f"/customers/{first.id}/merge/{second.id}")
    assert refused.status == 403 and RU("web-error-denied-title") in await refused.text()
    token = await token_of(manager, f"/customers/{first.id}")
    forged = await manager.post(f"/customers/{first.id}/merge/{second.id}", data={"csrf_token": token})
    assert forged.status == 403
    assert (await Customer.get(id=second.id)).merged_into_id is None

    admin = await signed_in(panel, settings, "admin")
    assert RU("web-merge-button") in await (await admin.get(f"/customers/{first.id}")).text()
