"""Links between cards: a work order of a parts order, a sample of a cost request, a loading of a lot.

A pipeline declares the kinds of link its cards make (`Pipeline.link_kinds`): key, titles (how the new card names
the link: "work order of"), back titles (how the first card names it: "work order"), the pipeline the new card
opens in, and what it takes along — fields with the same key, and lines. `create_linked_card` opens the card there
through `create_card` (so its permission, numbering, first stage's tasks and audit apply) in one transaction. Each
card shows its links both ways; one the viewer may not see shows as "linked card" with nothing of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from core import activity, lines, pipelines
from core.db import atomic
from core.fields import DEFAULT_ZONE, FieldError
from core.permissions import Actor, may
from models import Card, CardLine, CardLink, Vehicle


class LinkError(Exception):
    def __init__(self, reason: str, **details: Any):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class LinkKind:
    key: str
    to: str  # the pipeline the linked card opens in
    titles: dict[str, str] = field(default_factory=dict)  # on the new card: "work order of"
    back_titles: dict[str, str] = field(default_factory=dict)  # on the first card: "work order"
    copy_fields: tuple[str, ...] = ()
    copy_lines: bool = False

    @classmethod
    def from_json(cls, data: dict) -> LinkKind:
        return cls(key=data["key"], to=data["to"], titles=dict(data.get("titles") or {}),
                   back_titles=dict(data.get("back_titles") or {}), copy_fields=tuple(data.get("copy_fields") or ()),
                   copy_lines=bool(data.get("copy_lines")))


@dataclass(frozen=True)
class Linked:
    """One link as a card shows it: what the link is called from this side, and the other card (None when the
    viewer may not see it)."""

    kind: str
    titles: dict[str, str]
    other: Card | None

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or self.kind


def kinds_of(card: Card) -> dict[str, LinkKind]:
    return {item["key"]: LinkKind.from_json(item) for item in card.pipeline.link_kinds or ()}


async def create_linked_card(actor: Actor, card_id: int, kind: str, *, title: str | None = None,
                             region: str = "UA", zone: tzinfo = DEFAULT_ZONE, default_locale: str = "ru") -> Card:
    """A new card in the link kind's pipeline, linked to this one, with its declared fields and lines."""
    source = await pipelines.get_card(actor, card_id, "card.view", pipelines.FULL_CARD)
    link_kind = kinds_of(source).get(kind)
    if link_kind is None:
        raise LinkError("unknown_kind", kind=kind)
    fields = {key: source.fields_data[key] for key in link_kind.copy_fields if key in source.fields_data}
    vehicle = await Vehicle.get_or_none(id=source.vehicle_id) if source.vehicle_id else None
    async with atomic():
        try:
            card = await pipelines.create_card(
                actor, link_kind.to, title=title if title is not None else source.title, customer=source.customer,
                vehicle=vehicle, owner=actor.staff or source.owner,
                assignee=source.assignee, fields=fields, region=region, zone=zone, default_locale=default_locale)
        except FieldError as error:  # the two pipelines type the same key differently: a pack mistake
            raise LinkError("field_mismatch", field=error.field_key) from None
        await CardLink.create(card_id=card.id, other_id=source.id, kind=kind, created_by=actor.staff)
        if link_kind.copy_lines:
            await _copy_lines(source.id, card.id)
        await activity.record_by(actor, "card.link", object_type="card", object_id=card.id,
                                 after={"kind": kind, "of": source.id})
    return card


async def _copy_lines(source_id: int, card_id: int) -> None:
    copied = [CardLine(card_id=card_id, kind=line.kind, reference_row_id=line.reference_row_id, title=line.title,
                       quantity=line.quantity, unit_price=line.unit_price, unit_cost=line.unit_cost,
                       currency=line.currency, fields_data=line.fields_data, position=line.position, state=line.state,
                       decision=line.decision, decided_by_id=line.decided_by_id,
                       decided_by_customer_id=line.decided_by_customer_id, decision_channel=line.decision_channel,
                       decided_at=line.decided_at, decided_version=1 if line.decided_version else None)
              for line in await lines.lines_of(source_id)]
    await CardLine.bulk_create(copied)


async def links_of(actor: Actor, card: Card) -> list[Linked]:
    """The card's links both ways, each named from this card's side; a card the actor may not see stays nameless."""
    outgoing = await CardLink.filter(card_id=card.id).select_related("other", "other__pipeline").order_by("id")
    incoming = await CardLink.filter(other_id=card.id).select_related("card", "card__pipeline").order_by("id")
    shown: list[Linked] = []
    # A kind is declared by the pipeline of the card the link was opened from (`other`).
    for link in outgoing:  # this card is `kind` of the other ("delivery of")
        declared = kinds_of(link.other).get(link.kind)
        shown.append(Linked(link.kind, declared.titles if declared else {},
                            link.other if await may(actor, "card.view", link.other) else None))
    for link in incoming:  # the other card is `kind` of this one ("delivery")
        declared = kinds_of(card).get(link.kind)
        shown.append(Linked(link.kind, declared.back_titles if declared else {},
                            link.card if await may(actor, "card.view", link.card) else None))
    return shown
