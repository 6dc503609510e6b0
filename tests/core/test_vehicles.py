from datetime import UTC, datetime

import pytest

from core import customers, vehicles
from core.permissions import Denied
from core.vehicles import DuplicateVin, VehicleError
from core.vins import InvalidVin
from models import Activity, Vehicle, VehicleOwnership
from tests.core.customer_helpers import make_actor, make_card

UA = "UA"
HONDA = "1HGCM82633A004352"
LADA = "XTA21099043456789"


async def test_create_vehicle_cleans_vin_and_plate(admin):
    owner = await customers.create_customer(admin, name="Иван", region=UA)
    car = await vehicles.create_vehicle(
        admin, vin=" 1hg-cm8.2633 a004352 ", plate="аа 1234 вв", make=" Honda ", model="Accord", year=2003,
        owner=owner,
    )
    assert (car.vin, car.plate, car.make, car.year) == (HONDA, "AA1234BB", "Honda", 2003)
    assert [v.id for v in await vehicles.vehicles_of(owner.id)] == [car.id]
    created = await Activity.get(action="vehicle.create", object_id=str(car.id))
    assert created.after["vin"] == HONDA and created.after["owner"] == owner.id


@pytest.mark.parametrize(
    ("vin", "reason"),
    [("1HGCM82643A004352", "check_digit"), ("1HGCM82633A00435", "length"), ("WVWZZZ1JZXW00000O", "forbidden_letters")],
)
async def test_create_vehicle_refuses_a_bad_vin(admin, vin, reason):
    with pytest.raises(InvalidVin) as refused:
        await vehicles.create_vehicle(admin, vin=vin)
    assert refused.value.reason == reason
    assert await Vehicle.all().count() == 0


async def test_duplicate_vin_is_refused_however_typed(admin):
    first = await vehicles.create_vehicle(admin, vin=LADA)
    with pytest.raises(DuplicateVin) as refused:
        await vehicles.create_vehicle(admin, vin="хта 21099 043456789", plate="AA0000AA")
    assert refused.value.reason == "duplicate_vin" and refused.value.details["vehicle_id"] == first.id
    assert await Vehicle.all().count() == 1


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"make": "Lada"}, "identity_required"), ({"plate": "AA1234BB", "year": 1700}, "invalid_year"),
     ({"plate": "AA1234BB", "owner": 999999}, "owner_not_found")],
)
async def test_create_vehicle_refusals(admin, fields, reason):
    with pytest.raises(VehicleError) as refused:
        await vehicles.create_vehicle(admin, **fields)
    assert refused.value.reason == reason


async def test_vehicle_edit_needs_the_grant(db):
    viewer = await make_actor("viewer", "vehicle.view", "customer.view")
    with pytest.raises(Denied):
        await vehicles.create_vehicle(viewer, plate="AA1234BB")


async def test_find_vehicle_by_vin_tail_or_plate(admin):
    honda = await vehicles.create_vehicle(admin, vin=HONDA, plate="AA1234BB")
    lada = await vehicles.create_vehicle(admin, vin=LADA, plate="KA0001AB")
    assert await vehicles.find_vehicle(HONDA.lower()) == [honda]
    assert await vehicles.find_vehicle("004352") == [honda]
    assert await vehicles.find_vehicle("3a 004352") == [honda]
    assert await vehicles.find_vehicle("АА 1234 ВВ") == [honda]
    assert await vehicles.find_vehicle("ка-0001-ав") == [lada]
    assert await vehicles.find_vehicle("4352") == []  # too short a tail
    assert await vehicles.find_vehicle("  ") == []


async def test_owner_change_keeps_history(admin, monkeypatch):
    ivan = await customers.create_customer(admin, name="Иван", region=UA)
    petr = await customers.create_customer(admin, name="Пётр", region=UA)
    moments = iter(datetime(2024, 1, day, tzinfo=UTC) for day in range(1, 10))
    monkeypatch.setattr(vehicles, "now", lambda: next(moments))
    car = await vehicles.create_vehicle(admin, plate="AA1234BB", owner=ivan)  # owned from Jan 1

    sold = await vehicles.set_owner(admin, car.id, petr.id)  # Jan 2
    assert sold.customer_id == petr.id and sold.until is None

    history = await vehicles.ownership_history(car.id)
    assert [(o.customer.name, o.since.day, o.until and o.until.day) for o in history] == [
        ("Иван", 1, 2), ("Пётр", 2, None)
    ]
    assert await vehicles.vehicles_of(ivan.id) == []
    assert [v.id for v in await vehicles.vehicles_of(ivan.id, include_past=True)] == [car.id]
    assert [v.id for v in await vehicles.vehicles_of(petr.id)] == [car.id]
    change = await Activity.get(action="vehicle.owner", object_id=str(car.id))
    assert (change.before, change.after) == ({"owner": ivan.id}, {"owner": petr.id})


async def test_same_owner_again_is_a_no_op(admin):
    ivan = await customers.create_customer(admin, name="Иван", region=UA)
    car = await vehicles.create_vehicle(admin, plate="AA1234BB", owner=ivan)
    current = await vehicles.current_ownership(car.id)
    again = await vehicles.set_owner(admin, car.id, ivan.id)
    assert again.id == current.id
    assert await VehicleOwnership.filter(vehicle=car).count() == 1
    assert await Activity.filter(action="vehicle.owner").count() == 0


async def test_owner_can_be_removed_and_set_on_an_unowned_car(admin):
    ivan = await customers.create_customer(admin, name="Иван", region=UA)
    car = await vehicles.create_vehicle(admin, plate="AA1234BB")
    assert await vehicles.set_owner(admin, car.id, None) is None  # no owner, stays so
    await vehicles.set_owner(admin, car.id, ivan.id)
    assert await vehicles.set_owner(admin, car.id, None) is None
    assert await vehicles.current_ownership(car.id) is None
    assert len(await vehicles.ownership_history(car.id)) == 1
    with pytest.raises(VehicleError, match="not_found"):
        await vehicles.set_owner(admin, 999999, ivan.id)


async def test_a_card_may_bring_a_car_the_customer_does_not_own(admin, stage):
    owner = await customers.create_customer(admin, name="Владелец", region=UA)
    driver = await customers.create_customer(admin, name="Водитель", region=UA)
    car = await vehicles.create_vehicle(admin, vin=LADA, owner=owner)
    card = await make_card(stage, driver, vehicle=car)
    assert card.vehicle_id == car.id and await vehicles.vehicles_of(driver.id) == []


async def test_merged_customer_cannot_become_an_owner(admin):
    ivan = await customers.create_customer(admin, name="Иван", region=UA)
    twin = await customers.create_customer(admin, name="Иван", region=UA)
    await customers.merge_customers(admin, ivan.id, twin.id)
    car = await vehicles.create_vehicle(admin, plate="AA1234BB")
    with pytest.raises(VehicleError) as refused:
        await vehicles.set_owner(admin, car.id, twin.id)
    assert refused.value.reason == "owner_merged"



async def test_two_simultaneous_creations_of_one_vin_make_one_vehicle(db):
    import asyncio

    from core.permissions import SYSTEM
    from core.vehicles import DuplicateVin, create_vehicle
    from models import Vehicle

    results = await asyncio.gather(*(create_vehicle(SYSTEM, vin="WVWZZZ1JZXW000001") for _ in range(4)),
                                   return_exceptions=True)
    assert sum(isinstance(result, Vehicle) for result in results) == 1
    assert all(isinstance(result, DuplicateVin) for result in results if not isinstance(result, Vehicle))
    assert await Vehicle.filter(vin="WVWZZZ1JZXW000001").count() == 1
