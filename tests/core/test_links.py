"""Linked cards (core.links): a card opens another in a second pipeline with its declared fields and lines; both
show the link; one the viewer may not see shows without anything of it; a bad declaration is refused at load."""

from __future__ import annotations

import pytest

from core import lines, links
from core.customers import create_customer
from core.packs import PackError, load_pack
from core.permissions import SYSTEM, load_actor
from core.pipelines import create_card
from models import Activity, Card, CardLine, CardLink, Role, Staff
from tests.core.test_packs import copy_generic, edit

DELIVERY = '''
[[pipelines]]
key = "delivery"
titles = { ru = "Доставка", uk = "Доставка", en = "Delivery" }
number_prefix = "D"
fields = [{ key = "budget", type = "money", titles = { ru = "Бюджет", uk = "Бюджет", en = "Budget" } }]
line_kinds = [{ key = "item", titles = { en = "Item" } }]

[[pipelines.stages]]
key = "planned"
titles = { en = "Planned" }

[[pipelines.stages]]
key = "delivered"
kind = "done"
titles = { en = "Delivered" }

[[pipelines.transitions]]
key = "deliver"
from = "planned"
to = "delivered"
'''
SALES_LINK = ('number_prefix = "S"\nlink_kinds = [{ key = "delivery_of", to = "delivery", '
              'titles = { en = "Delivery of", ru = "Доставка по" }, '
              'back_titles = { en = "Delivery", ru = "Доставка" }, '
              'copy_fields = ["budget"], copy_lines = true }]')


def _packs(tmp_path, link: str = SALES_LINK):
    packs = copy_generic(tmp_path)
    edit(packs, 'number_prefix = "S"', link)
    (packs / "generic" / "delivery.toml").write_text(DELIVERY, encoding="utf-8")
    return packs


async def _staff(name: str, role: str) -> Staff:
    person = await Staff.create(name=name, locale="en")
    await person.roles.add(await Role.get(key=role))
    return person


async def test_a_linked_card_takes_its_fields_and_lines_and_both_show_the_link(db, tmp_path):
    await load_pack("generic", with_demo=False, packs_dir=_packs(tmp_path))
    boris, ivan = await _staff("Boris", "manager"), await _staff("Ivan", "manager")
    head = await load_actor(await _staff("Kate", "head"), channel="web")
    customer = await create_customer(SYSTEM, name="Oksana", phones=["0671234567"], region="UA")
    sale = await create_card(await load_actor(boris, channel="web"), "sales", title="Windows", owner=boris,
                             customer=customer, fields={"budget": "3000"})
    window = await lines.add_line(head, sale.id, kind="item", title="Window", quantity=2, unit_price="1500",
                                  currency="UAH")
    await lines.decide_as_customer(customer, window.id, "approved", version=window.version)

    delivery = await links.create_linked_card(head, sale.id, "delivery_of")
    fresh = await Card.get(id=delivery.id).select_related("pipeline", "stage")
    assert (fresh.pipeline.key, fresh.stage.key, fresh.title) == ("delivery", "planned", "Windows")
    assert fresh.customer_id == customer.id and fresh.fields_data == {"budget": "3000.00"}
    copied = await lines.lines_of(delivery.id)
    assert [(line.title, line.quantity, line.decision) for line in copied] == [("Window", 2, "approved")]
    assert await CardLine.filter(card_id=sale.id).count() == 1  # the original keeps its own
    assert await Activity.filter(action="card.link", object_id=str(delivery.id)).exists()

    seen_from_sale = await links.links_of(head, await Card.get(id=sale.id).select_related("pipeline"))
    assert [(link.title("en"), link.other.id) for link in seen_from_sale] == [("Delivery", delivery.id)]
    seen_from_delivery = await links.links_of(head, fresh)
    assert [(link.title("ru"), link.other.id) for link in seen_from_delivery] == [("Доставка по", sale.id)]

    # Ivan sees the delivery card (he is its assignee) but not Boris's sale: the link stays, nameless.
    await Card.filter(id=delivery.id).update(assignee_id=ivan.id)
    ivans = await links.links_of(await load_actor(ivan, channel="bot"), await Card.get(id=delivery.id)
                                 .select_related("pipeline"))
    assert [(link.kind, link.other) for link in ivans] == [("delivery_of", None)]


async def test_an_unknown_link_kind_is_refused_and_nothing_is_made(db, tmp_path):
    await load_pack("generic", with_demo=False, packs_dir=_packs(tmp_path))
    head = await load_actor(await _staff("Kate", "head"), channel="web")
    sale = await create_card(head, "sales", title="Windows")
    with pytest.raises(links.LinkError, match="unknown_kind"):
        await links.create_linked_card(head, sale.id, "sample_of")
    assert await Card.all().count() == 1 and await CardLink.all().count() == 0


@pytest.mark.parametrize(("link", "problem"), [
    (SALES_LINK.replace('to = "delivery"', 'to = "nowhere"'),
     "link_kinds.delivery_of.to: unknown pipeline 'nowhere' (a pipeline of this pack)"),
    (SALES_LINK.replace('copy_fields = ["budget"]', 'copy_fields = ["seats"]'),
     "link_kinds.delivery_of.copy_fields: 'seats' is not a field of both pipelines"),
])
async def test_a_bad_link_declaration_is_refused_at_load(db, tmp_path, link, problem):
    with pytest.raises(PackError) as refused:
        await load_pack("generic", with_demo=False, packs_dir=_packs(tmp_path, link))
    assert str(refused.value).endswith(f"pipelines.sales.{problem}")
