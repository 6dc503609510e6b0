"""Vehicles: VIN and plate kept clean, make/model/year, and who owned the car when.

An owner change closes the current ownership and opens a new one, so the history stays. Nothing ties a card's
vehicle to its customer: people bring in cars they do not own. Refusals raise `VehicleError` (or its `DuplicateVin`)
with a stable `reason`; a malformed VIN raises `core.vins.InvalidVin`.
"""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import activity
from core.clock import now
from core.permissions import Actor, require
from core.vins import clean_vin, normalize_plate, validate_vin
from models import Customer, Vehicle, VehicleOwnership

# Below this many characters a VIN tail matches too many cars to be worth a search (a plate is matched whole).
VIN_TAIL_MIN_LENGTH = 6
FIRST_CAR_YEAR = 1886
PLATE_MAX_LENGTH = 16
MAKE_MAX_LENGTH = 64


class VehicleError(Exception):
    """A refusal the user should read. Reasons: not_found, identity_required, invalid_year, plate_too_long,
    owner_not_found, owner_merged, duplicate_vin (as DuplicateVin)."""

    def __init__(self, reason: str, **details: Any):
        super().__init__(reason)
        self.reason = reason
        self.details = details


class DuplicateVin(VehicleError):
    """A vehicle with this VIN is already in the base; `details["vehicle_id"]` says which."""

    def __init__(self, vin: str, vehicle_id: int):
        super().__init__("duplicate_vin", vin=vin, vehicle_id=vehicle_id)


def _snapshot(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "vin": vehicle.vin,
        "plate": vehicle.plate,
        "make": vehicle.make,
        "model": vehicle.model,
        "year": vehicle.year,
        "external_id": vehicle.external_id,
    }


def _clean_year(year: int | None) -> int | None:
    if year is None:
        return None
    try:
        year = int(year)
    except (TypeError, ValueError) as error:
        raise VehicleError("invalid_year") from error
    # Next year's models are sold from this summer on.
    if not FIRST_CAR_YEAR <= year <= now().year + 1:
        raise VehicleError("invalid_year", year=year)
    return year


async def _live_customer(customer: Customer | int) -> Customer:
    customer_id = customer.id if isinstance(customer, Customer) else int(customer)
    found = await Customer.get_or_none(id=customer_id)
    if found is None:
        raise VehicleError("owner_not_found", customer_id=customer_id)
    if found.merged_into_id is not None:
        raise VehicleError("owner_merged", customer_id=customer_id, merged_into=found.merged_into_id)
    return found


async def _record(actor: Actor, action: str, vehicle_id: int, before: dict | None, after: dict | None) -> None:
    await activity.record_by(actor, action, object_type="vehicle", object_id=vehicle_id, before=before, after=after)


async def create_vehicle(
    actor: Actor,
    *,
    vin: str | None = None,
    plate: str | None = None,
    make: str = "",
    model: str = "",
    year: int | None = None,
    owner: Customer | int | None = None,
    external_id: str | None = None,
) -> Vehicle:
    """A new vehicle, known at least by VIN, plate or external id; with `owner`, its first ownership opens now."""
    await require(actor, "vehicle.edit")
    clean = validate_vin(vin) if vin and vin.strip() else None
    plate = normalize_plate(plate) if plate and plate.strip() else None
    external_id = (external_id or "").strip() or None
    if not (clean or plate or external_id):
        raise VehicleError("identity_required")
    if plate and len(plate) > PLATE_MAX_LENGTH:
        raise VehicleError("plate_too_long", max=PLATE_MAX_LENGTH)
    year = _clean_year(year)
    owner_customer = await _live_customer(owner) if owner is not None else None
    if clean and (existing := await Vehicle.filter(vin=clean).first()) is not None:
        raise DuplicateVin(clean, existing.id)
    try:
        async with in_transaction():
            vehicle = await _create_vehicle_row(actor, clean, plate, make, model, year, external_id,
                                                owner_customer)
    except IntegrityError:
        # Someone created the same VIN between the lookup and the insert; the unique index decided.
        existing = await Vehicle.filter(vin=clean).first() if clean else None
        if existing is None:
            raise
        raise DuplicateVin(clean, existing.id) from None
    return vehicle


async def _create_vehicle_row(actor: Actor, clean: str | None, plate: str | None, make: str, model: str,
                              year: int | None, external_id: str | None, owner_customer: Customer | None) -> Vehicle:
    vehicle = await Vehicle.create(
        vin=clean, plate=plate, make=" ".join(make.split())[:MAKE_MAX_LENGTH],
        model=" ".join(model.split())[:MAKE_MAX_LENGTH], year=year, external_id=external_id,
    )
    after = _snapshot(vehicle)
    if owner_customer is not None:
        await VehicleOwnership.create(vehicle=vehicle, customer=owner_customer, since=now())
        after["owner"] = owner_customer.id
    await _record(actor, "vehicle.create", vehicle.id, None, after)
    return vehicle


async def find_vehicle(query: str) -> list[Vehicle]:
    """Vehicles by full VIN, by the last 6+ characters of a VIN, or by plate, typed any way."""
    vin = clean_vin(query)
    plate = normalize_plate(query)
    if not vin:
        return []
    found: dict[int, Vehicle] = {}
    if len(vin) == 17:
        found.update((vehicle.id, vehicle) for vehicle in await Vehicle.filter(vin=vin).order_by("id"))
    elif len(vin) >= VIN_TAIL_MIN_LENGTH and vin.isalnum():
        found.update((vehicle.id, vehicle) for vehicle in await Vehicle.filter(vin__endswith=vin).order_by("id"))
    if plate and len(plate) <= PLATE_MAX_LENGTH:
        for vehicle in await Vehicle.filter(plate=plate).order_by("id"):
            found.setdefault(vehicle.id, vehicle)
    return list(found.values())


async def current_ownership(vehicle_id: int) -> VehicleOwnership | None:
    return await VehicleOwnership.filter(vehicle_id=vehicle_id, until__isnull=True).order_by("-since", "-id").first()


async def set_owner(actor: Actor, vehicle_id: int, customer_id: int | None) -> VehicleOwnership | None:
    """Makes the customer the owner from now on; the previous ownership ends now and stays in the history.
    Setting the current owner again changes nothing; None leaves the car without an owner."""
    await require(actor, "vehicle.edit")
    new_owner = await _live_customer(customer_id) if customer_id is not None else None
    async with in_transaction():
        # The vehicle row is the lock: two owner changes at once would each close the same row and open two.
        vehicle = await Vehicle.filter(id=vehicle_id).select_for_update().first()
        if vehicle is None:
            raise VehicleError("not_found", vehicle_id=vehicle_id)
        current = await current_ownership(vehicle.id)
        current_owner_id = current.customer_id if current else None
        if current_owner_id == (new_owner.id if new_owner else None):
            return current
        moment = now()
        await VehicleOwnership.filter(vehicle_id=vehicle.id, until__isnull=True).update(until=moment)
        opened = None
        if new_owner is not None:
            opened = await VehicleOwnership.create(vehicle=vehicle, customer=new_owner, since=moment)
        await _record(
            actor, "vehicle.owner", vehicle.id, {"owner": current_owner_id},
            {"owner": new_owner.id if new_owner else None},
        )
    return opened


async def ownership_history(vehicle_id: int) -> list[VehicleOwnership]:
    """Every ownership of the vehicle, oldest first, with the customer loaded."""
    return list(
        await VehicleOwnership.filter(vehicle_id=vehicle_id).order_by("since", "id").prefetch_related("customer")
    )


async def vehicles_of(customer_id: int, include_past: bool = False) -> list[Vehicle]:
    """The customer's vehicles now (or ever, with include_past), in the order they got them."""
    ownerships = VehicleOwnership.filter(customer_id=customer_id)
    if not include_past:
        ownerships = ownerships.filter(until__isnull=True)
    vehicle_ids = list(dict.fromkeys(await ownerships.order_by("since", "id").values_list("vehicle_id", flat=True)))
    by_id = {vehicle.id: vehicle for vehicle in await Vehicle.filter(id__in=vehicle_ids)}
    return [by_id[vehicle_id] for vehicle_id in vehicle_ids if vehicle_id in by_id]
