"""A pack's demo records (customers, cards) loaded through the same use cases people use, so the demo shows real
numbering, tasks and history. Idempotent: each record carries an external id `demo:<key>` and is made once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import customers, lines, pipelines
from core.permissions import SYSTEM, load_actor
from models import Card, Customer, Staff

if TYPE_CHECKING:
    from core.packs import PackSpec


async def _staff(telegram_id: int | None) -> Staff | None:
    return await Staff.get_or_none(telegram_id=telegram_id) if telegram_id else None


async def load_demo_records(spec: PackSpec, region: str = "UA", currency: str = "UAH") -> int:
    created = 0
    by_key: dict[str, Customer] = {}
    for record in spec.demo.customers:
        external_id = f"demo:{record['key']}"
        customer = await Customer.get_or_none(external_id=external_id)
        if customer is None:
            customer = await customers.create_customer(
                SYSTEM, name=record["name"], kind=record.get("kind", "person"), phones=record.get("phones", ()),
                email=record.get("email"), addresses=record.get("addresses", ()), notes=record.get("notes", ""),
                tags=record.get("tags", ()), source="demo", external_id=external_id,
                owner=await _staff(record.get("owner")), region=region,
            )
            created += 1
        by_key[record["key"]] = customer
    for record in spec.demo.cards:
        external_id = f"demo:{record['key']}"
        if await Card.filter(external_id=external_id).exists():
            continue
        assignee = await _staff(record.get("assignee"))
        card = await pipelines.create_card(
            SYSTEM, record["pipeline"], title=record["title"], customer=by_key.get(record.get("customer", "")),
            owner=assignee, assignee=assignee, fields=record.get("fields"), urgent=record.get("urgent", False),
            source="demo", external_id=external_id, region=region,
        )
        for line in record.get("lines", []):
            await lines.add_line(SYSTEM, card.id, kind=line["kind"], title=line["title"],
                                 quantity=line.get("quantity", 1), unit_price=line.get("price"),
                                 unit_cost=line.get("cost"), currency=currency, region=region)
        mover = await load_actor(assignee, channel="system") if assignee else SYSTEM
        for move in record.get("moves", []):
            await pipelines.move_card(mover, card.id, move["transition"] if isinstance(move, dict) else move,
                                      reason=move.get("reason") if isinstance(move, dict) else None)
        created += 1
    return created
