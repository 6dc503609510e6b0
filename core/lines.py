"""A card's lines — parts, jobs, services, costs — with the customer's (or a staff member's) decision on each.

The pipeline declares its kinds of lines (`Pipeline.line_kinds`): key, titles, typed fields (like card fields), the
states a line goes through (ordered → received), whether lines of the kind need a decision, and the stages where
they may be edited. Every change moves the line's `version`; a decision records the version it was made on, so a
press on an older version is refused as "changed" (and the caller shows the fresh line), a second press on the
same version changes nothing, and an edit after a decision puts the line back to pending and says so.

Totals count lines that are neither removed nor declined. Permissions: `line.edit` and `line.decide`, scoped by
the card (own / all / a module's scope). Every change is in the audit log (object type "line").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from core import activity, formatting, notify, outbox, pipelines
from core.clock import now
from core.db import atomic
from core.fields import DEFAULT_ZONE, FieldError, FieldSpec, clean_value, schema_of
from core.i18n import Translator, pick_locale, translator
from core.permissions import Actor
from models import Card, CardLine, Customer, Staff

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
DECISIONS = (PENDING, APPROVED, DECLINED)
CHANNELS = ("bot", "web", "phone")
TITLE_MAX_LENGTH = 300
# What a line is priced by: a change to any of them after a decision asks for the decision again.
PRICED = ("title", "quantity", "unit_price", "kind", "reference_row_id")
_QUANTITY = FieldSpec(key="quantity", type="number")
_PRICE = FieldSpec(key="unit_price", type="money")
_COST = FieldSpec(key="unit_cost", type="money")


class LineError(Exception):
    """A refusal the user should read; `reason` is a stable code, `details` what the entry point needs (for
    "changed": `line`, the line as it is now)."""

    def __init__(self, reason: str, **details: Any):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class LineKind:
    key: str
    titles: dict[str, str] = field(default_factory=dict)
    states: tuple[str, ...] = ()
    fields: tuple[dict, ...] = ()
    decision: bool = True
    editable_in: tuple[str, ...] = ()  # stage keys; empty: any open stage

    @classmethod
    def from_json(cls, data: dict) -> LineKind:
        return cls(key=data["key"], titles=dict(data.get("titles") or {}), states=tuple(data.get("states") or ()),
                   fields=tuple(data.get("fields") or ()), decision=bool(data.get("decision", True)),
                   editable_in=tuple(data.get("editable_in") or ()))


def kinds_of(card: Card) -> dict[str, LineKind]:
    return {item["key"]: LineKind.from_json(item) for item in card.pipeline.line_kinds or ()}


@dataclass(frozen=True)
class Change:
    """What a change did: the line as it is now, and whether it asked for the decision again (or, for a decision,
    whether anything changed at all)."""

    line: CardLine
    decision_reset: bool = False
    changed: bool = True


@dataclass(frozen=True)
class Amounts:
    price: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")

    @property
    def margin(self) -> Decimal:
        return self.price - self.cost

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.price + other.price, self.cost + other.cost)


@dataclass(frozen=True)
class Totals:
    """Lines neither removed nor declined, summed: all together and by kind; and how many wait for a decision."""

    all: Amounts
    by_kind: dict[str, Amounts]
    pending: int
    approved: int
    declined: int
    currency: str | None


# --- reading -----------------------------------------------------------------------------------


async def lines_of(card_id: int) -> list[CardLine]:
    """The card's lines in order, removed ones left out."""
    return list(await CardLine.filter(card_id=card_id, removed_at__isnull=True).order_by("position", "id"))


def amounts(line: CardLine) -> Amounts:
    quantity = Decimal(line.quantity)
    return Amounts(price=quantity * Decimal(line.unit_price or 0), cost=quantity * Decimal(line.unit_cost or 0))


def totals(lines: list[CardLine]) -> Totals:
    counted = [line for line in lines if line.removed_at is None and line.decision != DECLINED]
    by_kind: dict[str, Amounts] = {}
    for line in counted:
        by_kind[line.kind] = by_kind.get(line.kind, Amounts()) + amounts(line)
    live = [line for line in lines if line.removed_at is None]
    return Totals(
        all=sum((amounts(line) for line in counted), Amounts()),
        by_kind=by_kind,
        pending=sum(1 for line in live if line.decision == PENDING),
        approved=sum(1 for line in live if line.decision == APPROVED),
        declined=sum(1 for line in live if line.decision == DECLINED),
        currency=next((line.currency for line in live), None),
    )


# --- changing ----------------------------------------------------------------------------------


async def add_line(actor: Actor, card_id: int, *, kind: str, title: str, currency: str, quantity: Any = 1,
                   unit_price: Any = None, unit_cost: Any = None, fields: dict[str, Any] | None = None,
                   reference_row_id: int | None = None, region: str = "UA", zone: tzinfo = DEFAULT_ZONE) -> CardLine:
    card = await _editable_card(actor, card_id)
    line_kind = kinds_of(card).get(kind)
    if line_kind is None:
        raise LineError("unknown_kind", kind=kind)
    _not_locked(card, line_kind)
    values = _cleaned({"title": title, "quantity": quantity, "unit_price": unit_price, "unit_cost": unit_cost},
                      region=region, zone=zone)
    values["fields_data"] = _cleaned_fields(line_kind, fields or {}, region=region, zone=zone)
    async with atomic():
        position = await CardLine.filter(card_id=card.id).count()
        line = await CardLine.create(
            card_id=card.id, kind=kind, reference_row_id=reference_row_id, currency=currency, position=position,
            state=line_kind.states[0] if line_kind.states else None,
            decision=PENDING if line_kind.decision else APPROVED, **values,
        )
        await activity.record_by(actor, "line.add", object_type="line", object_id=line.id,
                                 after={"card": card.id, **_snapshot(line)})
    return line


async def edit_line(actor: Actor, line_id: int, changes: dict[str, Any], *, expected_version: int,
                    region: str = "UA", zone: tzinfo = DEFAULT_ZONE) -> Change:
    line, card, line_kind = await _line_to_change(actor, line_id, expected_version)
    plain = {key: value for key, value in changes.items() if key in ("title", "quantity", "unit_price", "unit_cost")}
    values = _cleaned(plain, region=region, zone=zone, partial=True)
    if "fields" in changes and line_kind is not None:
        values["fields_data"] = {**line.fields_data,
                                 **_cleaned_fields(line_kind, changes["fields"] or {}, region=region, zone=zone)}
    before = _snapshot(line)
    changed = {key: value for key, value in values.items() if getattr(line, key) != value}
    if not changed:
        return Change(line, changed=False)
    reset = line.decision != PENDING and any(key in PRICED for key in changed) and \
        (line_kind is None or line_kind.decision)
    if reset:
        changed.update(decision=PENDING, decided_by_id=None, decided_by_customer_id=None, decision_channel=None,
                       decided_at=None, decided_version=None)
    async with atomic():
        updated = await CardLine.filter(id=line.id, version=line.version).update(version=line.version + 1, **changed)
        if not updated:
            raise LineError("changed", line=await CardLine.get(id=line.id))
        fresh = await CardLine.get(id=line.id)
        await activity.record_by(actor, "line.edit", object_type="line", object_id=line.id, before=before,
                                 after={**_snapshot(fresh), **({"decision_reset": True} if reset else {})})
    return Change(fresh, decision_reset=reset)


async def remove_line(actor: Actor, line_id: int, *, expected_version: int) -> CardLine:
    line, _, _ = await _line_to_change(actor, line_id, expected_version)
    at = now()
    async with atomic():
        if not await CardLine.filter(id=line.id, version=line.version).update(version=line.version + 1,
                                                                                removed_at=at):
            raise LineError("changed", line=await CardLine.get(id=line.id))
        await activity.record_by(actor, "line.remove", object_type="line", object_id=line.id,
                                 before=_snapshot(line), after={"removed_at": at.isoformat()})
    line.version, line.removed_at = line.version + 1, at
    return line


async def set_state(actor: Actor, line_id: int, state: str, *, expected_version: int) -> Change:
    """A line's next state (ordered → received); any of its kind's states may be set, by whoever may edit lines."""
    line, card = await _line_for(actor, line_id, "line.edit")
    _same_version(line, expected_version)
    line_kind = kinds_of(card).get(line.kind)
    if line_kind is None or state not in line_kind.states:
        raise LineError("unknown_state", state=state)
    if line.state == state:
        return Change(line, changed=False)
    async with atomic():
        if not await CardLine.filter(id=line.id, version=line.version).update(version=line.version + 1, state=state):
            raise LineError("changed", line=await CardLine.get(id=line.id))
        await activity.record_by(actor, "line.state", object_type="line", object_id=line.id,
                                 before={"state": line.state}, after={"state": state})
        line.version, line.state = line.version + 1, state
        await pipelines.take_automatic_moves(card.id)  # the last part received → the next stage, say
    return Change(line)


async def decide(actor: Actor, line_id: int, decision: str, *, version: int, channel: str) -> Change:
    """A staff member's decision for the customer (on the phone, in the shop) or their own."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown decision channel {channel!r}")
    line, _ = await _line_for(actor, line_id, "line.decide")
    return await _decide(line, decision, version=version, channel=channel, staff_id=actor.staff_id,
                         customer_id=None, actor=actor)


async def decide_as_customer(customer: Customer, line_id: int, decision: str, *, version: int,
                             default_locale: str = "ru") -> Change:
    """The customer's own decision, in the bot, on a line of one of his cards (anyone else's is "not found")."""
    line = await CardLine.get_or_none(id=line_id, removed_at__isnull=True).select_related("card", "card__pipeline")
    if line is None or line.card.customer_id != customer.id:
        raise LineError("not_found")
    async with atomic():
        change = await _decide(line, decision, version=version, channel="bot", staff_id=None,
                               customer_id=customer.id, actor=None)
        if change.changed:  # whoever holds the card hears of it at once
            card = line.card
            await notify.notify_staff(
                [person for person in [await Staff.get_or_none(id=card.assignee_id or card.owner_id or 0)] if person],
                "notify-line-decided", card=card, default_locale=default_locale,
                number=pipelines.card_number(card), line=lambda locale: describe_line(line, locale),
                decision=lambda locale: translator(locale)(f"line-decision-{decision}"))
    return change


async def _decide(line: CardLine, decision: str, *, version: int, channel: str, staff_id: int | None,
                  customer_id: int | None, actor: Actor | None) -> Change:
    if decision not in (APPROVED, DECLINED):
        raise LineError("unknown_decision", decision=decision)
    if line.version != version:
        raise LineError("changed", line=line)
    if line.decision == decision and line.decided_version == version:
        return Change(line, changed=False)  # the same press twice
    at = now()
    values = {"decision": decision, "decided_by_id": staff_id, "decided_by_customer_id": customer_id,
              "decision_channel": channel, "decided_at": at, "decided_version": version}
    async with atomic():
        # The decision does not move the version: it is about this version, and a second press must match it.
        if not await CardLine.filter(id=line.id, version=version).update(**values):
            raise LineError("changed", line=await CardLine.get(id=line.id))
        record = {"decision": decision, "version": version, "channel": channel,
                  **({"customer": customer_id} if customer_id else {})}
        if actor is not None:
            await activity.record_by(actor, "line.decide", object_type="line", object_id=line.id,
                                     before={"decision": line.decision}, after=record)
        else:
            await activity.record("line.decide", channel=channel, object_type="line", object_id=line.id,
                                  before={"decision": line.decision}, after=record)
        for key, value in values.items():
            setattr(line, key, value)
        await pipelines.take_automatic_moves(line.card_id)
    return Change(line)


# --- the customer's side ------------------------------------------------------------------------------

DECISION_CALLBACK_PREFIX = "q1"  # flows.callbacks.LineDecisionCb reads the same format


def decision_data(line: CardLine, decision: str) -> str:
    """Callback data of a customer's Approve / Decline button; the one place this format is written outside the
    bot. It names the line's version, so a press after the line changed is refused as "changed"."""
    return f"{DECISION_CALLBACK_PREFIX}:{line.id}:{line.version}:{decision[0]}"


def describe_line(line: CardLine, locale: str) -> str:
    """A line as a person reads it: title · quantity × price = sum (one unit: the price alone)."""
    text = line.title
    if line.unit_price is None:
        return text
    price = formatting.money(line.unit_price, line.currency, locale)
    if Decimal(line.quantity) == 1:
        return f"{text} · {price}"
    total = formatting.money(amounts(line).price, line.currency, locale)
    return f"{text} · {formatting.quantity(line.quantity, locale)} × {price} = {total}"


def decision_markup(line: CardLine, t: Translator) -> dict[str, Any]:
    return {"inline_keyboard": [[
        {"text": t("line-approve"), "callback_data": decision_data(line, APPROVED)},
        {"text": t("line-decline"), "callback_data": decision_data(line, DECLINED)},
    ]]}


async def send_quote(actor: Actor, card_id: int, *, default_locale: str = "ru") -> int:
    """Each line waiting for a decision goes to the card's customer in the bot, with Approve and Decline; returns
    how many were sent. The customer must have started the bot (shared his contact)."""
    card = await _editable_card(actor, card_id)
    customer = await Customer.get_or_none(id=card.customer_id) if card.customer_id else None
    if customer is None or customer.telegram_id is None:
        raise LineError("customer_unreachable")
    waiting = [line for line in await lines_of(card.id) if line.decision == PENDING]
    if not waiting:
        raise LineError("nothing_to_decide")
    t = translator(pick_locale(customer.locale, default=default_locale))
    number = pipelines.card_number(card)
    async with atomic():
        await outbox.enqueue(customer.telegram_id, t("line-quote-intro", number=number, count=len(waiting)))
        for line in waiting:
            await outbox.enqueue(customer.telegram_id, describe_line(line, t.locale),
                                 payload={"reply_markup": decision_markup(line, t)})
        await activity.record_by(actor, "line.quote", object_type="card", object_id=card.id,
                                 after={"lines": [line.id for line in waiting], "customer": customer.id})
    return len(waiting)


# --- rules ---------------------------------------------------------------------------------------


async def _line_for(actor: Actor, line_id: int, action: str) -> tuple[CardLine, Card]:
    line = await CardLine.get_or_none(id=line_id, removed_at__isnull=True)
    if line is None:
        raise LineError("not_found")
    try:
        card = await pipelines.get_card(actor, line.card_id, action, pipelines.ENGINE_CARD)
    except pipelines.CardError:
        raise LineError("not_found") from None
    return line, card


async def _line_to_change(actor: Actor, line_id: int, expected_version: int
                          ) -> tuple[CardLine, Card, LineKind | None]:
    """The line, if the actor may edit it now: its card open, its stage not locked for its kind, its version the
    one the actor saw."""
    line, card = await _line_for(actor, line_id, "line.edit")
    await _editable_card(actor, card.id, card)
    _same_version(line, expected_version)
    line_kind = kinds_of(card).get(line.kind)
    if line_kind is not None:
        _not_locked(card, line_kind)
    return line, card, line_kind


async def _editable_card(actor: Actor, card_id: int, card: Card | None = None) -> Card:
    if card is None:
        try:
            card = await pipelines.get_card(actor, card_id, "line.edit", pipelines.ENGINE_CARD)
        except pipelines.CardError:
            raise LineError("not_found") from None
    if card.closed_at is not None:
        raise LineError("closed")
    return card


def _same_version(line: CardLine, expected_version: int) -> None:
    if line.version != expected_version:
        raise LineError("changed", line=line)


def _not_locked(card: Card, line_kind: LineKind) -> None:
    if line_kind.editable_in and card.stage.key not in line_kind.editable_in:
        raise LineError("locked", stage=card.stage.titles)


def _cleaned(values: dict[str, Any], *, region: str, zone: tzinfo, partial: bool = False) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "title" in values or not partial:
        title = str(values.get("title") or "").strip()
        if not title:
            raise LineError("invalid", field="title", problem="required")
        if len(title) > TITLE_MAX_LENGTH:
            raise LineError("invalid", field="title", problem="too_long")
        cleaned["title"] = title
    for spec in (_QUANTITY, _PRICE, _COST):
        if spec.key not in values:
            continue
        try:
            value = clean_value(spec, values[spec.key], region=region, zone=zone)
        except FieldError as error:
            raise LineError("invalid", field=spec.key, problem=error.reason) from None
        if value is None:
            if spec is _QUANTITY:
                raise LineError("invalid", field="quantity", problem="required")
            cleaned[spec.key] = None
            continue
        amount = Decimal(value)
        if amount < 0 or (spec is _QUANTITY and amount == 0):
            raise LineError("invalid", field=spec.key, problem="not_positive")
        if amount >= Decimal("1e11"):
            raise LineError("invalid", field=spec.key, problem="too_large")
        cleaned[spec.key] = amount
    return cleaned


def _cleaned_fields(line_kind: LineKind, values: dict[str, Any], *, region: str, zone: tzinfo) -> dict[str, Any]:
    schema = schema_of(list(line_kind.fields))
    cleaned: dict[str, Any] = {}
    for key, raw in values.items():
        spec = schema.get(key)
        if spec is None:
            raise LineError("invalid", field=f"fields.{key}", problem="unknown_field")
        try:
            cleaned[key] = clean_value(spec, raw, region=region, zone=zone)
        except FieldError as error:
            raise LineError("invalid", field=f"fields.{key}", problem=error.reason) from None
    return cleaned


def _snapshot(line: CardLine) -> dict[str, Any]:
    return {"kind": line.kind, "title": line.title, "quantity": str(line.quantity),
            "unit_price": None if line.unit_price is None else str(line.unit_price),
            "unit_cost": None if line.unit_cost is None else str(line.unit_cost),
            "state": line.state, "fields": line.fields_data, "decision": line.decision}
