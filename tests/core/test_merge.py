from decimal import Decimal

import pytest

from core import customers, vehicles
from core.customers import CustomerError
from core.permissions import Denied
from models import Activity, Attachment, Card, Customer, CustomerAddress, LedgerEntry, VehicleOwnership
from tests.core.customer_helpers import make_actor, make_card

UA = "UA"


async def _two_ivans(admin, stage):
    survivor = await customers.create_customer(
        admin, name="Иванов Иван", phones=["0671234567"], addresses=["Киев, Крещатик 1"], tags=["vip"], region=UA
    )
    duplicate = await customers.create_customer(
        admin, name="Иван Иванов", phones=["+380 67 123 45 67", "050 111 22 33"], email="ivan@x.ua",
        addresses=["киев,  крещатик 1", "Склад на Подоле"], notes="звонить после 18", tags=["опт", "vip"],
        region=UA,
    )
    await Customer.filter(id=duplicate.id).update(telegram_id=4242)
    return survivor, duplicate


async def test_merge_moves_everything_to_the_survivor(admin, stage):
    survivor, duplicate = await _two_ivans(admin, stage)
    company = await customers.create_customer(admin, name="ТОВ Ромашка", kind="company", region=UA)
    await customers.link_company(admin, duplicate.id, company.id)

    survivor_card = await make_card(stage, survivor)
    duplicate_cards = [await make_card(stage, duplicate), await make_card(stage, duplicate)]
    survivor_car = await vehicles.create_vehicle(admin, plate="AA1111AA", owner=survivor)
    duplicate_car = await vehicles.create_vehicle(admin, plate="BB2222BB", owner=duplicate)
    shared_car = await vehicles.create_vehicle(admin, plate="CC3333CC", owner=survivor)
    await VehicleOwnership.create(vehicle=shared_car, customer=duplicate, since=survivor.created_at)
    await customers.post_entry(admin, survivor.id, Decimal("100.00"), "payment", currency="UAH")
    await customers.post_entry(admin, duplicate.id, Decimal("50.50"), "payment", currency="UAH")
    await customers.post_entry(admin, duplicate.id, Decimal("-20.00"), "charge", currency="UAH")
    photo = await Attachment.create(customer=duplicate, kind="photo", channel="bot")

    merged = await customers.merge_customers(admin, survivor.id, duplicate.id)

    assert merged.id == survivor.id
    assert set(await Card.filter(customer_id=survivor.id).values_list("id", flat=True)) == {
        survivor_card.id, *(card.id for card in duplicate_cards)
    }
    assert {v.id for v in await vehicles.vehicles_of(survivor.id)} == {survivor_car.id, duplicate_car.id, shared_car.id}
    # One car, one current owner: the duplicate's parallel ownership of it ended with the merge.
    assert await VehicleOwnership.filter(vehicle=shared_car, until__isnull=True).count() == 1
    assert await customers.balance(survivor.id) == Decimal("130.50")
    assert await LedgerEntry.filter(customer_id=survivor.id).count() == 3
    assert (await Attachment.get(id=photo.id)).customer_id == survivor.id
    assert [p.e164 for p in await customers.phones_of(survivor.id)] == ["+380671234567", "+380501112233"]
    addresses = await CustomerAddress.filter(customer_id=survivor.id).order_by("position")
    assert [a.text for a in addresses] == ["Киев, Крещатик 1", "Склад на Подоле"]
    assert [c.id for c in await merged.companies.all()] == [company.id]
    assert merged.email == "ivan@x.ua" and merged.telegram_id == 4242
    assert merged.tags == ["vip", "опт"] and merged.notes == "звонить после 18"

    duplicate = await Customer.get(id=duplicate.id)
    assert duplicate.merged_into_id == survivor.id and duplicate.telegram_id is None
    assert await customers.balance(duplicate.id) == Decimal("0")
    assert await Customer.filter(members__id=duplicate.id).count() == 0
    assert duplicate.name == "Иван Иванов"  # the record stays, for history

    audit = await Activity.get(action="customer.merge", object_id=str(survivor.id))
    assert audit.actor_id == admin.staff_id and audit.channel == "web"
    assert audit.before["duplicate"]["id"] == duplicate.id
    assert (audit.before["survivor"]["cards"], audit.before["duplicate"]["cards"]) == (1, 2)
    assert (audit.before["duplicate"]["ledger"], audit.after["survivor"]["ledger"]) == (2, 3)
    assert (audit.after["survivor"]["cards"], audit.after["duplicate"]["cards"]) == (3, 0)
    assert audit.after["duplicate"]["merged_into"] == survivor.id

    assert [c.id for c in await customers.search_customers(admin, "иванов", UA)] == [survivor.id]
    assert [c.id for c in await customers.search_customers(admin, "050 111 22 33", UA)] == [survivor.id]
    assert await customers.find_by_phone("+380501112233") == merged
    assert await customers.duplicate_candidates(admin, survivor.id) == []


async def test_merge_refusals(admin, stage):
    survivor, duplicate = await _two_ivans(admin, stage)
    third = await customers.create_customer(admin, name="Третий", region=UA)
    with pytest.raises(CustomerError, match="merge_into_self"):
        await customers.merge_customers(admin, survivor.id, survivor.id)
    with pytest.raises(CustomerError, match="not_found"):
        await customers.merge_customers(admin, survivor.id, 999999)
    await customers.merge_customers(admin, survivor.id, duplicate.id)
    with pytest.raises(CustomerError, match="merge_into_merged"):
        await customers.merge_customers(admin, duplicate.id, third.id)
    with pytest.raises(CustomerError, match="already_merged"):
        await customers.merge_customers(admin, third.id, duplicate.id)
    with pytest.raises(CustomerError) as merged:
        await customers.post_entry(admin, duplicate.id, Decimal("1"), "payment", currency="UAH")
    assert merged.value.reason == "merged" and merged.value.details["merged_into"] == survivor.id
    assert (await Customer.get(id=third.id)).merged_into_id is None
    assert await Activity.filter(action="customer.merge").count() == 1


async def test_merge_needs_the_grant(admin, stage):
    survivor, duplicate = await _two_ivans(admin, stage)
    manager = await make_actor("manager", "customer.view", "customer.edit")
    with pytest.raises(Denied):
        await customers.merge_customers(manager, survivor.id, duplicate.id)
    assert (await Customer.get(id=duplicate.id)).merged_into_id is None


async def test_merging_into_a_record_repoints_earlier_merges(admin, stage):
    first = await customers.create_customer(admin, name="A", region=UA)
    second = await customers.create_customer(admin, name="B", region=UA)
    third = await customers.create_customer(admin, name="C", region=UA)
    await customers.merge_customers(admin, second.id, first.id)
    await customers.merge_customers(admin, third.id, second.id)
    assert (await Customer.get(id=first.id)).merged_into_id == third.id
