from decimal import Decimal

import pytest

from core import customers
from core.customers import CustomerError
from core.permissions import SYSTEM, Denied, require
from core.phones import InvalidPhone
from models import Activity, Customer, CustomerAddress, LedgerEntry
from tests.core.customer_helpers import make_actor, make_card

UA = "UA"
MANAGER_GRANTS = ("customer.view:own", "customer.create", "customer.edit:own", "ledger.post:own")


async def test_create_customer_cleans_and_audits(admin):
    ivan = await customers.create_customer(
        admin, name="  Иванов   Иван ", phones=["067 123 45 67", "+380 (67) 123-45-67", "+7 916 123 45 67"],
        email=" Ivan@Example.COM ",
        addresses=["Киев, Крещатик 1", {"text": "Склад", "latitude": 50.4, "longitude": 30.5}],
        tags=["vip", "vip", " опт "], source="site", region=UA,
    )
    assert ivan.name == "Иванов Иван" and ivan.email == "ivan@example.com" and ivan.tags == ["vip", "опт"]
    assert ivan.owner_id == admin.staff_id  # the creator owns it unless told otherwise
    phones = await customers.phones_of(ivan.id)
    assert [phone.e164 for phone in phones] == ["+380671234567", "+79161234567"]
    assert phones[0].as_entered == "067 123 45 67"
    addresses = await CustomerAddress.filter(customer=ivan).order_by("position")
    assert [(a.text, a.latitude) for a in addresses] == [("Киев, Крещатик 1", None), ("Склад", 50.4)]
    created = await Activity.get(action="customer.create", object_id=str(ivan.id))
    assert created.after["phones"] == ["+380671234567", "+79161234567"] and created.actor_id == admin.staff_id


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"name": "  "}, "name_required"),
        ({"name": "X", "kind": "robot"}, "invalid_kind"),
        ({"name": "X", "email": "not-an-email"}, "invalid_email"),
        ({"name": "X", "addresses": [{"text": "A", "latitude": 95, "longitude": 1}]}, "invalid_coordinates"),
        ({"name": "X", "addresses": [{"text": "A", "latitude": 50}]}, "invalid_coordinates"),
        ({"name": "X", "owner": 999999}, "owner_not_found"),
        ({"name": "X", "source": "s" * 65}, "too_long"),
    ],
)
async def test_create_customer_refuses(admin, fields, reason):
    with pytest.raises(CustomerError) as refused:
        await customers.create_customer(admin, region=UA, **fields)
    assert refused.value.reason == reason
    assert await Customer.all().count() == 0


async def test_a_single_phone_or_address_may_come_as_a_string(admin):
    ivan = await customers.create_customer(admin, name="Иван", phones="0671234567", addresses="Киев", region=UA)
    assert [p.e164 for p in await customers.phones_of(ivan.id)] == ["+380671234567"]
    assert await CustomerAddress.filter(customer=ivan).values_list("text", flat=True) == ["Киев"]


async def test_create_customer_refuses_a_bad_phone(admin):
    with pytest.raises(InvalidPhone) as refused:
        await customers.create_customer(admin, name="X", phones=["067 123"], region=UA)
    assert refused.value.reason == "invalid"


async def test_edit_phones_addresses_and_fields(admin):
    ivan = await customers.create_customer(admin, name="Иван", phones=["0671234567"], region=UA)
    await customers.add_phone(admin, ivan.id, "050 111 22 33", region=UA)
    again = await customers.add_phone(admin, ivan.id, "+380501112233", region=UA)
    assert [p.e164 for p in await customers.phones_of(ivan.id)] == ["+380671234567", "+380501112233"]
    assert again.position == 1
    await customers.remove_phone(admin, ivan.id, "80671234567", region=UA)
    assert [p.e164 for p in await customers.phones_of(ivan.id)] == ["+380501112233"]
    with pytest.raises(CustomerError, match="phone_not_found"):
        await customers.remove_phone(admin, ivan.id, "+380671234567")

    address = await customers.add_address(admin, ivan.id, " Одесса,  Дерибасовская 1 ", 46.48, 30.73)
    assert address.text == "Одесса, Дерибасовская 1" and address.longitude == 30.73

    updated = await customers.update_customer(admin, ivan.id, name="Иван Петров", email="IVAN@x.ua", tags=["a"])
    assert (updated.name, updated.email, updated.tags) == ("Иван Петров", "ivan@x.ua", ["a"])
    change = await Activity.get(action="customer.update", object_id=str(ivan.id))
    assert change.before == {"name": "Иван", "email": None, "tags": []}
    assert change.after == {"name": "Иван Петров", "email": "ivan@x.ua", "tags": ["a"]}
    await customers.update_customer(admin, ivan.id, name="Иван Петров")  # nothing changes, nothing recorded
    assert await Activity.filter(action="customer.update").count() == 1
    with pytest.raises(CustomerError) as unknown:
        await customers.update_customer(admin, ivan.id, merged_into=None)
    assert unknown.value.reason == "unknown_field"


async def test_search_by_phone_in_any_format(admin):
    ivan = await customers.create_customer(admin, name="Иванов Иван", phones=["067 123 45 67"], region=UA)
    await customers.create_customer(admin, name="Петров", phones=["050 765 43 21"], region=UA)
    for query in ("+380 (67) 123-45-67", "80671234567", "380671234567", "0671234567", "123-45-67", "1234567",
                  "tel:+380671234567"):
        assert [c.id for c in await customers.search_customers(admin, query, UA)] == [ivan.id], query
    assert await customers.search_customers(admin, "45-67", UA) == []  # too short a tail to mean a phone
    assert await customers.find_by_phone("+380671234567") == ivan
    assert await customers.find_by_phone("+380000000000") is None


async def test_search_by_name_part_any_case_and_script(admin):
    ivan = await customers.create_customer(admin, name="Иванов Иван Петрович", region=UA)
    olga = await customers.create_customer(admin, name="Ольга Іваненко", region=UA)
    john = await customers.create_customer(admin, name="John Smith", region=UA)

    async def found(query):
        return {c.id for c in await customers.search_customers(admin, query, UA)}

    assert await found("иванов") == {ivan.id}
    assert await found("ИВАН петр") == {ivan.id}  # every word, any order of case
    assert await found("петрович иванов") == {ivan.id}
    assert await found("іван") == {olga.id}  # Ukrainian і is not Russian и
    assert await found("ольга") == {olga.id}
    assert await found("SMITH") == {john.id}
    assert await found("нет такого") == set()
    assert await found("   ") == set()


async def test_search_by_company_and_email(admin):
    company = await customers.create_customer(admin, name="ТОВ «Ромашка»", kind="company", region=UA)
    olga = await customers.create_customer(admin, name="Ольга", email="olga@romashka.ua", region=UA)
    await customers.create_customer(admin, name="Пётр", region=UA)
    await customers.link_company(admin, olga.id, company.id)
    await customers.link_company(admin, olga.id, company.id)  # twice changes nothing
    assert await Activity.filter(action="customer.link_company").count() == 1

    found = [c.id for c in await customers.search_customers(admin, "ромашка", UA)]
    assert found == [company.id, olga.id]  # the company by its name, then its people
    assert [c.id for c in await customers.search_customers(admin, "OLGA@Romashka.ua", UA)] == [olga.id]
    with pytest.raises(CustomerError, match="not_a_company"):
        await customers.link_company(admin, company.id, olga.id)
    with pytest.raises(CustomerError, match="link_to_self"):
        await customers.link_company(admin, olga.id, olga.id)


async def test_search_limit(admin):
    for number in range(5):
        await customers.create_customer(admin, name=f"Клиент {number}", region=UA)
    assert len(await customers.search_customers(admin, "клиент", UA, limit=3)) == 3


async def test_ledger_balance_is_the_sum_of_entries(admin):
    ivan = await customers.create_customer(admin, name="Иван", region=UA)
    assert await customers.balance(ivan.id) == Decimal("0")
    await customers.post_entry(admin, ivan.id, Decimal("100.50"), "payment", note="cash", currency="UAH")
    await customers.post_entry(admin, ivan.id, Decimal("-30.25"), "charge", currency="uah")
    await customers.post_entry(admin, ivan.id, 10, "bonus", currency="UAH")
    await customers.post_entry(admin, ivan.id, Decimal("-0.10"), "correction", currency="UAH")
    assert await customers.balance(ivan.id) == Decimal("80.15")
    assert await customers.balance(ivan.id, currency="EUR") == Decimal("0")
    entries = await customers.ledger_of(ivan.id)
    assert [e.kind for e in entries] == ["payment", "charge", "bonus", "correction"]
    assert entries[0].actor_id == admin.staff_id and entries[0].channel == "web" and entries[1].currency == "UAH"
    posted = await Activity.filter(action="ledger.post", object_id=str(ivan.id)).order_by("id")
    assert [row.after["amount"] for row in posted] == ["100.50", "-30.25", "10.00", "-0.10"]


@pytest.mark.parametrize(
    ("amount", "kind", "currency", "reason"),
    [
        (0.1, "payment", "UAH", "invalid_amount"),
        (Decimal("NaN"), "payment", "UAH", "invalid_amount"),
        (Decimal("0"), "payment", "UAH", "zero_amount"),
        (Decimal("1.005"), "payment", "UAH", "amount_precision"),
        (Decimal("1e12"), "payment", "UAH", "amount_too_large"),
        (Decimal("1"), " ", "UAH", "ledger_kind_required"),
        (Decimal("1"), "payment", "гривна", "invalid_currency"),
    ],
)
async def test_ledger_refuses(admin, amount, kind, currency, reason):
    ivan = await customers.create_customer(admin, name="Иван", region=UA)
    with pytest.raises(CustomerError) as refused:
        await customers.post_entry(admin, ivan.id, amount, kind, currency=currency)
    assert refused.value.reason == reason
    assert await LedgerEntry.all().count() == 0


async def test_find_or_create_by_contact(admin):
    ivan = await customers.create_customer(
        admin, name="Иван", phones=["067 123 45 67"], email="ivan@x.ua", region=UA
    )
    same, created = await customers.find_or_create_by_contact(admin, name="Ivan", phone="80671234567", region=UA)
    assert (same.id, created) == (ivan.id, False)
    by_email, created = await customers.find_or_create_by_contact(
        admin, name="Ivan", phone="050 000 00 01", email="IVAN@x.ua", region=UA
    )
    assert (by_email.id, created) == (ivan.id, False)
    new, created = await customers.find_or_create_by_contact(
        SYSTEM, name="Лид с сайта", phone="+7 916 123-45-67", source="landing", region=UA
    )
    assert created and new.source == "landing" and new.owner_id is None
    assert [p.e164 for p in await customers.phones_of(new.id)] == ["+79161234567"]
    nameless, created = await customers.find_or_create_by_contact(SYSTEM, name="", phone="0509998877", region=UA)
    assert created and nameless.name == "+380 50 999 8877"
    assert await Customer.all().count() == 3


async def test_own_scope_hides_other_managers_customers(stage):
    anna = await make_actor("Anna", *MANAGER_GRANTS)
    boris = await make_actor("Boris", *MANAGER_GRANTS)
    annas = await customers.create_customer(anna, name="Клиент Анны", phones=["0671234567"], region=UA)
    boris_own = await customers.create_customer(boris, name="Клиент Бориса", region=UA)

    assert await customers.search_customers(boris, "0671234567", UA) == []
    assert await customers.search_customers(boris, "клиент", UA) == [boris_own]
    assert [c.id for c in await customers.search_customers(anna, "клиент", UA)] == [annas.id]
    with pytest.raises(Denied):
        await require(boris, "customer.view", annas)
    with pytest.raises(Denied):
        await customers.update_customer(boris, annas.id, name="Мой")
    with pytest.raises(Denied):
        await customers.post_entry(boris, annas.id, Decimal("1"), "payment", currency="UAH")
    with pytest.raises(Denied):
        await customers.find_or_create_by_contact(boris, name="x", phone="+380671234567", region=UA)
    with pytest.raises(Denied):
        await customers.duplicate_candidates(boris, annas.id)

    # A card of Boris's for Anna's customer makes the customer his to see as well.
    await make_card(stage, annas, owner=boris.staff)
    assert [c.id for c in await customers.search_customers(boris, "0671234567", UA)] == [annas.id]
    await require(boris, "customer.view", annas)


async def test_no_grant_no_search(db):
    nobody = await make_actor("Nobody")
    with pytest.raises(Denied):
        await customers.search_customers(nobody, "иван", UA)
    with pytest.raises(Denied):
        await customers.create_customer(nobody, name="x", region=UA)


async def test_duplicate_candidates(admin):
    ivan = await customers.create_customer(
        admin, name="Иванов Иван", phones=["0671234567"], email="ivan@x.ua", region=UA
    )
    reversed_name = await customers.create_customer(admin, name="Иван Иванов", region=UA)
    same_phone = await customers.create_customer(admin, name="Жена Ивана", phones=["+380671234567"], region=UA)
    same_email = await customers.create_customer(admin, name="I. Ivanov", email="IVAN@x.ua", region=UA)
    yo = await customers.create_customer(admin, name="ИВАНОВ, Иван!", phones=["0501112233"], region=UA)
    await customers.create_customer(admin, name="Петров Пётр", region=UA)
    company = await customers.create_customer(admin, name="ТОВ Ромашка", kind="company", region=UA)
    other_company = await customers.create_customer(admin, name="Ромашка", kind="company", region=UA)

    found = {c.customer.id: c for c in await customers.duplicate_candidates(admin, ivan.id)}
    assert set(found) == {reversed_name.id, same_phone.id, same_email.id, yo.id}
    assert found[reversed_name.id].reasons == ["name"]
    assert found[same_phone.id].reasons == ["phone"]
    assert found[same_email.id].reasons == ["email"]
    assert found[yo.id].reasons == ["name"]
    assert found[same_phone.id].score > found[reversed_name.id].score  # a shared phone beats a similar name
    ranked = [c.customer.id for c in await customers.duplicate_candidates(admin, ivan.id)]
    assert ranked.index(same_phone.id) < ranked.index(reversed_name.id)
    assert [c.customer.id for c in await customers.duplicate_candidates(admin, company.id)] == [other_company.id]
