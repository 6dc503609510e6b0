"""Every role of the generic pack × action × own/other object: allowed AND denied, by `may` and by every list.

The expected table is written out by hand from the pack's intent, so a change to the pack or to the scope rule
that widens or narrows anybody's rights fails here.
"""

from __future__ import annotations

import pytest

from core import pipelines
from core.permissions import actions, can, may, visible
from core.pipelines import create_card
from models import Card, Customer, Role, Task
from tests.core.crm import actor_of, generic_pack, person

OBJECT_ACTIONS = {
    "card.view": Card, "card.edit": Card, "card.move": Card, "card.comment": Card, "card.attach": Card,
    "card.assign": Card, "customer.view": Customer, "customer.edit": Customer, "ledger.post": Customer,
    "task.view": Task, "task.close": Task, "line.edit": Card, "line.decide": Card,
}
GLOBAL_ACTIONS = ("card.create", "customer.create", "customer.merge", "vehicle.view", "vehicle.edit", "task.create",
                  "reference.edit", "report.view", "staff.manage", "import.run", "api_key.manage")

# role → action → (own object allowed, other's object allowed)
ALL = (True, True)
OWN = (True, False)
NONE = (False, False)
EXPECTED_OBJECT = {
    "admin": dict.fromkeys(OBJECT_ACTIONS, ALL),
    "manager": {
        "card.view": OWN, "card.edit": OWN, "card.move": OWN, "card.comment": OWN, "card.attach": OWN,
        "card.assign": NONE, "customer.view": OWN, "customer.edit": OWN, "ledger.post": OWN,
        "task.view": OWN, "task.close": OWN, "line.edit": OWN, "line.decide": OWN,
    },
    "head": {**dict.fromkeys(OBJECT_ACTIONS, ALL)},
}
EXPECTED_GLOBAL = {
    "admin": dict.fromkeys(GLOBAL_ACTIONS, True),
    "manager": {action: action in ("card.create", "customer.create", "vehicle.view", "vehicle.edit", "task.create")
                for action in GLOBAL_ACTIONS},
    "head": {action: action not in ("staff.manage", "api_key.manage") for action in GLOBAL_ACTIONS},
}


def test_the_matrix_covers_the_whole_catalogue():
    covered = set(OBJECT_ACTIONS) | set(GLOBAL_ACTIONS) | {"web.login", "profile.edit", "help.view"}
    assert covered == set(actions())


@pytest.fixture
async def world(db):
    """For each role: a person with an own card, customer and task; and a stranger's card, customer and task."""
    await generic_pack()
    stranger = await person("Чужой", "manager")
    stranger_actor = await actor_of(stranger)
    theirs_customer = await Customer.create(name="Чужой клиент", owner=stranger)
    theirs_card = await create_card(stranger_actor, "sales", title="Чужая", customer=theirs_customer)
    theirs_task = await Task.get(card=theirs_card)
    world = {"theirs": {Card: theirs_card, Customer: theirs_customer, Task: theirs_task}}
    for role in ("admin", "manager", "head"):
        staff = await person(f"{role} person", role)
        actor = await actor_of(staff)
        customer = await Customer.create(name=f"Клиент {role}", owner=staff)
        card = await create_card(actor, "sales", title=f"Карточка {role}", customer=customer)
        world[role] = {"actor": actor, Card: card, Customer: customer, Task: await Task.get(card=card)}
    return world


@pytest.mark.parametrize("role", ["admin", "manager", "head"])
async def test_object_actions_allowed_and_denied(world, role):
    actor = world[role]["actor"]
    for action, model in OBJECT_ACTIONS.items():
        own, others = EXPECTED_OBJECT[role][action]
        assert await may(actor, action, world[role][model]) is own, (role, action, "own")
        assert await may(actor, action, world["theirs"][model]) is others, (role, action, "other")
        # every list agrees with the single-object answer
        if can(actor, action):
            ids = set(await visible(actor, action, model.all()).values_list("id", flat=True))
            assert (world[role][model].id in ids) is own, (role, action, "list own")
            assert (world["theirs"][model].id in ids) is others, (role, action, "list other")


@pytest.mark.parametrize("role", ["admin", "manager", "head"])
async def test_global_actions_allowed_and_denied(world, role):
    actor = world[role]["actor"]
    for action in GLOBAL_ACTIONS:
        assert can(actor, action) is EXPECTED_GLOBAL[role][action], (role, action)
        assert await may(actor, action) is EXPECTED_GLOBAL[role][action], (role, action)


async def test_a_manager_never_sees_another_managers_card_in_any_list(world):
    manager = world["manager"]["actor"]
    cards, total = await pipelines.list_cards(manager, open_only=False)
    assert [card.id for card in cards] == [world["manager"][Card].id] and total == 1
    head_cards, head_total = await pipelines.list_cards(world["head"]["actor"], open_only=False)
    assert head_total == 4
    with pytest.raises(pipelines.CardError) as hidden:
        await pipelines.card_view(manager, world["theirs"][Card].id)
    assert hidden.value.reason == "not_found"  # refused exactly like a card that does not exist


async def test_an_inactive_person_may_nothing(world):
    staff = world["head"]["actor"].staff
    staff.active = False
    await staff.save()
    from core.permissions import load_actor

    actor = await load_actor(staff, channel="web")
    assert not can(actor, "card.view") and not can(actor, "web.login")
    assert await may(actor, "card.view", world["head"][Card]) is False


async def test_actors_loaded_together_have_the_grants_of_actors_loaded_one_by_one(db):
    from core.permissions import load_actor, load_actors

    await generic_pack()
    people = [await person(name, role) for name, role in (("A", "admin"), ("M", "manager"), ("H", "head"))]
    both = await person("MH", "manager")
    await both.roles.add(await Role.get(key="head"))
    people.append(both)
    together = await load_actors(people, channel="web")
    for each, actor in zip(people, together, strict=True):
        alone = await load_actor(each, channel="web")
        assert (actor.grants, [r.key for r in actor.roles], actor.is_admin) == \
            (alone.grants, [r.key for r in alone.roles], alone.is_admin)
