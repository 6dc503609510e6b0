"""Move guards (core.guards) through `move_card`: a pack's field and balance guards and a module's named guard each
refuse with their rule in the reader's language, nothing half-saved; a bad declaration is refused at pack load."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import guards, modules
from core.customers import create_customer, post_entry
from core.guards import Refusal
from core.modules import Module
from core.packs import PackError, load_pack
from core.permissions import SYSTEM, load_actor
from core.pipelines import MoveError, create_card, edit_fields, move_card
from models import Activity, Card, CardHistory, Customer, Role, Staff
from tests.core.test_packs import copy_generic, edit

GUARDED_WIN = '''guards = [{ field = "proposal_due" }, { balance = "zero" }, { check = "no_x_in_title" }]'''


async def no_x_in_title(card, transition, fields) -> Refusal | None:
    return Refusal("card-guard-refused", {"rule": {"en": "no X", "ru": "без X"}}) if "X" in card.title else None


@pytest.fixture
def checker(make_settings):
    modules.register(Module(name="xguard", guards={"no_x_in_title": "tests.core.test_guards:no_x_in_title"}))
    modules.activate(make_settings(app__modules='["xguard"]'))
    yield
    modules.reset()
    modules.unregister("xguard")


async def _guarded_pack(tmp_path) -> None:
    packs = copy_generic(tmp_path)
    edit(packs, 'guards = [{ lines = "decided" }]', GUARDED_WIN)
    await load_pack("generic", with_demo=False, packs_dir=packs)


async def _head() -> Staff:
    head = await Staff.create(name="Катерина", locale="ru")
    await head.roles.add(await Role.get(key="head"))
    return head


async def _in_proposal(head: Staff, title: str, customer: Customer | None = None) -> Card:
    actor = await load_actor(head, channel="web")
    card = await create_card(actor, "sales", title=title, owner=head, assignee=head, fields={"budget": "100"},
                             customer=customer)
    await move_card(actor, card.id, "contact")
    return await move_card(actor, card.id, "propose")


async def test_each_guard_refuses_with_its_rule_and_nothing_is_saved(db, tmp_path, checker):
    await _guarded_pack(tmp_path)
    head = await _head()
    actor = await load_actor(head, channel="web")
    customer = await create_customer(SYSTEM, name="Оксана", phones=["0671234567"], region="UA")
    card = await _in_proposal(head, "Склад X", customer)
    history = await CardHistory.filter(card_id=card.id).count()
    moves = await Activity.filter(action="card.move").count()

    with pytest.raises(MoveError) as no_contract:
        await move_card(actor, card.id, "win")
    assert no_contract.value.reason == "guard"
    refusal = no_contract.value.details["refusal"]
    assert guards.describe(refusal, "ru") == "сначала заполните поле «КП до»."
    assert guards.describe(refusal, "en") == "the field «Proposal due» must be filled in first."

    await edit_fields(actor, card.id, {"proposal_due": "31.12.2026"})
    await post_entry(SYSTEM, customer.id, Decimal("150.00"), "invoice", currency="UAH")
    with pytest.raises(MoveError) as owes:
        await move_card(actor, card.id, "win")
    assert guards.describe(owes.value.details["refusal"], "uk") == "спершу треба закрити баланс клієнта."

    await post_entry(SYSTEM, customer.id, Decimal("-150.00"), "payment", currency="UAH")
    with pytest.raises(MoveError) as named:
        await move_card(actor, card.id, "win")
    assert guards.describe(named.value.details["refusal"], "ru") == "Не переведено: без X"

    fresh = await Card.get(id=card.id).select_related("stage")
    assert fresh.stage.key == "proposal"
    assert await CardHistory.filter(card_id=card.id).count() == history
    assert await Activity.filter(action="card.move").count() == moves

    await Card.filter(id=card.id).update(title="Склад")
    won = await move_card(actor, card.id, "win")
    assert won.stage.key == "won"


async def test_a_guard_of_a_module_switched_off_holds_the_move(db, tmp_path, checker):
    await _guarded_pack(tmp_path)
    head = await _head()
    card = await _in_proposal(head, "Склад")
    modules.reset()
    with pytest.raises(MoveError) as waiting:
        await move_card(await load_actor(head, channel="web"), card.id, "win", fields={"proposal_due": "31.12.2026"})
    assert guards.describe(waiting.value.details["refusal"], "en") == \
        "the rule «no_x_in_title» cannot be checked now (its module is off)."


@pytest.mark.parametrize(("guard", "problem"), [
    ('{ field = "nope" }', "no field 'nope' in the pipeline's fields"),
    ('{ balance = "positive" }', 'balance guard: only "zero" is known'),
    ('{ check = "unknown" }', "unknown check 'unknown' (no active module registers it)"),
    ('{ colour = "red" }', "unknown guard 'colour' (field, balance, lines, approved_at_least, lines_in_state, check)"),
    ('{ field = "budget", balance = "zero" }',
     "a guard has exactly one of field, balance, lines, approved_at_least, lines_in_state, check"),
    ('{ approved_at_least = 0 }', "approved_at_least: a whole number from 1"),
])
async def test_a_bad_guard_is_refused_at_pack_load_naming_it(db, tmp_path, guard, problem):
    packs = copy_generic(tmp_path)
    edit(packs, 'guards = [{ lines = "decided" }]', f'guards = [{guard}]')
    with pytest.raises(PackError) as refused:
        await load_pack("generic", with_demo=False, packs_dir=packs)
    assert str(refused.value).endswith(f"pipelines.sales.transitions.win.guards: {problem}")


async def test_an_automatic_transition_is_taken_by_the_system_when_its_guards_hold(db):
    from core import lines
    from core.pipelines import take_automatic_moves
    from models import Transition

    await load_pack("generic", with_demo=False)
    head = await _head()
    actor = await load_actor(head, channel="web")
    customer = await create_customer(SYSTEM, name="Оксана", phones=["0671234567"], region="UA")
    card = await create_card(actor, "sales", title="Склад", owner=head, assignee=head, customer=customer)
    await Transition.filter(key="contact").update(automatic=True, guards=[{"lines": "decided"}])
    first = await lines.add_line(actor, card.id, kind="item", title="Вікно", unit_price="10", currency="UAH")
    second = await lines.add_line(actor, card.id, kind="item", title="Двері", unit_price="20", currency="UAH")
    assert await take_automatic_moves(card.id) is None  # two lines wait: nothing yet

    await lines.decide_as_customer(customer, first.id, "approved", version=first.version)
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "new"
    await lines.decide_as_customer(customer, second.id, "declined", version=second.version)  # the last one
    moved = await Card.get(id=card.id).select_related("stage")
    assert moved.stage.key == "contacted"
    history = await CardHistory.filter(card_id=card.id).order_by("-id").first()
    assert (history.transition_key, history.actor_id, history.channel) == ("contact", None, "system")
    assert await Activity.filter(action="card.move", object_id=str(card.id), actor_id=None, channel="system").exists()


async def test_a_batch_moves_all_or_nothing(db):
    from core.pipelines import CardError, move_cards

    await load_pack("generic", with_demo=False)
    head = await _head()
    actor = await load_actor(head, channel="web")
    cards = [await create_card(actor, "sales", title=f"Лід {n}", owner=head) for n in range(3)]
    other = await _head()
    theirs = await create_card(await load_actor(other, channel="web"), "sales", title="Чужий", owner=other)
    await move_card(actor, cards[1].id, "reject_new", reason="дубль")  # one of them is already closed

    with pytest.raises(CardError) as refused:
        await move_cards(actor, [cards[0].id, cards[1].id, cards[2].id], "contact")
    assert refused.value.details["card"] == cards[1].id
    stages = [(await Card.get(id=card.id).select_related("stage")).stage.key for card in cards]
    assert stages == ["new", "lost", "new"]  # the first was not moved either

    done = await move_cards(actor, [cards[0].id, cards[2].id, theirs.id], "contact")
    assert [card.stage.key for card in done] == ["contacted"] * 3  # a head moves anyone's
