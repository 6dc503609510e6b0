"""Builders for the customer and vehicle tests: actors with exactly the grants a test names, and the minimum a card
needs."""

from __future__ import annotations

import itertools

from core.permissions import Actor, load_actor, parse_grant
from models import Card, Pipeline, Role, RolePermission, Staff, Stage

_numbers = itertools.count(1)


async def make_actor(name: str, *grants: str, admin: bool = False, channel: str = "web") -> Actor:
    """A staff member with one role granting `grants` ("customer.view:own", "customer.create", …)."""
    role = await Role.create(key=f"role_{name}_{next(_numbers)}", is_admin=admin)
    for grant in grants:
        action, scope = parse_grant(grant)
        await RolePermission.create(role=role, action=action, scope=scope)
    staff = await Staff.create(name=name)
    await staff.roles.add(role)
    return await load_actor(staff, channel=channel)


async def make_stage() -> Stage:
    pipeline = await Pipeline.create(key=f"p{next(_numbers)}", pack="test")
    return await Stage.create(pipeline=pipeline, key="new")


async def make_card(stage: Stage, customer, owner: Staff | None = None, vehicle=None) -> Card:
    return await Card.create(
        pipeline_id=stage.pipeline_id, number=next(_numbers), stage=stage, customer=customer, owner=owner,
        vehicle=vehicle,
    )
