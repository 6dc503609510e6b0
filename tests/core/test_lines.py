"""Lines on cards (core.lines): decisions bound to a line's version, totals without declined or removed lines, the
edit that asks for a decision again, locked and closed cards, bad input, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import lines
from core.customers import create_customer
from core.lines import LineError
from core.permissions import SYSTEM
from core.pipelines import create_card, move_card
from models import Activity, CardLine, Pipeline
from tests.core.crm import actor_of, generic_pack, person


@pytest.fixture
async def sales(db):
    await generic_pack()
    boris = await person("Борис", "manager")
    other = await person("Іван", "manager")
    head = await person("Катерина", "head")
    customer = await create_customer(SYSTEM, name="Оксана", phones=["0671234567"], region="UA")
    card = await create_card(await actor_of(boris), "sales", title="Вікна", owner=boris, assignee=boris,
                             customer=customer)
    return {"boris": await actor_of(boris), "other": await actor_of(other), "head": await actor_of(head),
            "customer": customer, "card": card}


async def _quote(actor, card_id) -> list[CardLine]:
    return [await lines.add_line(actor, card_id, kind="item", title=title, quantity=quantity, unit_price=price,
                                 unit_cost=cost, currency="UAH")
            for title, quantity, price, cost in (("Вікно", "2", "1 500,50", "1000"), ("Монтаж", 1, "800", None),
                                                  ("Підвіконня", "3", "120", "70"))]


async def test_totals_count_what_is_not_declined_or_removed(sales):
    window, mounting, sill = await _quote(sales["boris"], sales["card"].id)
    assert (window.quantity, window.unit_price, window.decision) == (Decimal("2"), Decimal("1500.50"), "pending")
    total = lines.totals(await lines.lines_of(sales["card"].id))
    assert (total.all.price, total.all.cost, total.all.margin) == (Decimal("4161.00"), Decimal("2210"),
                                                                   Decimal("1951.00"))
    assert (total.pending, total.approved, total.declined, total.currency) == (3, 0, 0, "UAH")

    await lines.decide_as_customer(sales["customer"], mounting.id, "declined", version=mounting.version)
    await lines.decide_as_customer(sales["customer"], window.id, "approved", version=window.version)
    await lines.remove_line(sales["boris"], sill.id, expected_version=sill.version)
    total = lines.totals(await lines.lines_of(sales["card"].id))
    assert total.all.price == Decimal("3001.00") and total.by_kind["item"].cost == Decimal("2000")
    assert (total.pending, total.approved, total.declined) == (0, 1, 1)


async def test_a_decision_belongs_to_a_version(sales):
    window, *_ = await _quote(sales["boris"], sales["card"].id)
    first = await lines.decide_as_customer(sales["customer"], window.id, "approved", version=window.version)
    again = await lines.decide_as_customer(sales["customer"], window.id, "approved", version=window.version)
    assert first.changed and not again.changed  # a double press is one decision
    assert await Activity.filter(action="line.decide", object_id=str(window.id)).count() == 1
    stored = await CardLine.get(id=window.id)
    assert (stored.decision, stored.decided_by_customer_id, stored.decision_channel, stored.decided_version) == \
        ("approved", sales["customer"].id, "bot", window.version)

    edited = await lines.edit_line(sales["boris"], window.id, {"unit_price": "1600"}, expected_version=window.version)
    assert edited.decision_reset and edited.line.decision == "pending" and edited.line.version == window.version + 1
    with pytest.raises(LineError) as stale:  # the customer presses the button of the old price
        await lines.decide_as_customer(sales["customer"], window.id, "approved", version=window.version)
    assert stale.value.reason == "changed" and stale.value.details["line"].unit_price == Decimal("1600.00")

    cost_only = await lines.edit_line(sales["boris"], window.id, {"unit_cost": "900"},
                                      expected_version=edited.line.version)
    assert not cost_only.decision_reset  # the customer never sees the cost
    by_phone = await lines.decide(sales["head"], window.id, "declined", version=cost_only.line.version,
                                  channel="phone")
    assert by_phone.line.decision == "declined" and by_phone.line.decided_by_id == sales["head"].staff_id


async def test_who_may_edit_and_decide(sales):
    window, *_ = await _quote(sales["boris"], sales["card"].id)
    for refused in (lambda: lines.add_line(sales["other"], sales["card"].id, kind="item", title="x", currency="UAH"),
                    lambda: lines.edit_line(sales["other"], window.id, {"title": "y"}, expected_version=1),
                    lambda: lines.decide(sales["other"], window.id, "approved", version=1, channel="phone")):
        with pytest.raises(LineError) as hidden:
            await refused()
        assert hidden.value.reason == "not_found"  # another manager's card is not there for him
    stranger = await create_customer(SYSTEM, name="Чужий", phones=["0501112233"], region="UA")
    with pytest.raises(LineError) as not_his:
        await lines.decide_as_customer(stranger, window.id, "approved", version=1)
    assert not_his.value.reason == "not_found"
    assert (await lines.edit_line(sales["head"], window.id, {"title": "Вікно ПВХ"}, expected_version=1)).changed
    assert (await CardLine.get(id=window.id)).title == "Вікно ПВХ"


async def test_bad_input_locked_and_closed(sales):
    card_id = sales["card"].id
    for values, field, problem in ((dict(title=" "), "title", "required"),
                                   (dict(title="x", quantity="0"), "quantity", "not_positive"),
                                   (dict(title="x", unit_price="-5"), "unit_price", "not_positive"),
                                   (dict(title="x", unit_price="дорого"), "unit_price", "invalid")):
        with pytest.raises(LineError) as bad:
            await lines.add_line(sales["boris"], card_id, kind="item", currency="UAH", **values)
        assert (bad.value.reason, bad.value.details["field"]) == ("invalid", field)
        assert bad.value.details["problem"] == problem or problem == "invalid"
    with pytest.raises(LineError, match="unknown_kind"):
        await lines.add_line(sales["boris"], card_id, kind="part", title="x", currency="UAH")
    assert await CardLine.all().count() == 0

    kinds = (await Pipeline.get(key="sales")).line_kinds
    await Pipeline.filter(key="sales").update(line_kinds=[{**kinds[0], "editable_in": ["proposal"]}])
    with pytest.raises(LineError) as locked:
        await lines.add_line(sales["boris"], card_id, kind="item", title="x", currency="UAH")
    assert locked.value.reason == "locked"

    await move_card(sales["boris"], card_id, "reject_new", reason="дорого")
    with pytest.raises(LineError) as closed:
        await lines.add_line(sales["boris"], card_id, kind="item", title="x", currency="UAH")
    assert closed.value.reason == "closed"


async def test_line_guards_hold_a_move_until_the_lines_allow_it(sales):
    from core import guards
    from core.pipelines import MoveError
    from models import Transition

    card_id, boris = sales["card"].id, sales["boris"]
    window, mounting, sill = await _quote(boris, card_id)
    await Transition.filter(key="contact").update(guards=[{"lines": "decided"}, {"approved_at_least": 2}])
    with pytest.raises(MoveError) as waiting:
        await move_card(boris, card_id, "contact")
    assert guards.describe(waiting.value.details["refusal"], "uk") == "3 рядки ще чекають рішення клієнта."
    for line, decision in ((window, "approved"), (mounting, "declined"), (sill, "declined")):
        await lines.decide_as_customer(sales["customer"], line.id, decision, version=line.version)
    with pytest.raises(MoveError) as too_few:
        await move_card(boris, card_id, "contact")
    assert guards.describe(too_few.value.details["refusal"], "en") == "at least 2 lines must be approved."
    await lines.remove_line(boris, sill.id, expected_version=sill.version)
    mounting = await CardLine.get(id=mounting.id)
    await lines.decide(boris, mounting.id, "approved", version=mounting.version, channel="phone")
    assert (await move_card(boris, card_id, "contact")).stage.key == "contacted"


async def test_the_demo_card_comes_with_its_quote(db):
    from core.packs import load_pack
    from models import Card

    await load_pack("generic", with_demo=True, demo_records=True)
    await load_pack("generic", with_demo=True, demo_records=True)  # again: nothing twice
    card = await Card.get(external_id="demo:petrenko-crm")
    quote = await lines.lines_of(card.id)
    assert [(line.title, line.decision) for line in quote][0] == ("CRM: лицензия на год", "pending")
    assert lines.totals(quote).all.price == Decimal("49400.00") and len(quote) == 3
