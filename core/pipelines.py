"""The pipeline engine: creating cards, moving them between stages, editing their fields.

Moving a card is one call and one transaction: permission and guard → compare-and-set on `version` → history →
close the old stage's tasks, run the new stage's on-enter actions (tasks, notifications through the outbox) →
audit; the live-view event is published after commit. If anything fails midway, nothing of it remains.
Two people pressing the same button at once: one wins, the other gets MoveError("card_changed").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from tortoise import connections
from tortoise.expressions import F, Q, RawSQL
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core import activity, definitions, directory, events, guards, liveness, notify, outbox, tasks
from core.clock import now
from core.db import atomic
from core.fields import DEFAULT_ZONE, FieldError, FieldSpec, clean_value, is_empty, schema_of
from core.permissions import SYSTEM, Actor, Denied, can, load_actor, load_actors, may, require, visible
from models import (
    Activity,
    Card,
    CardHistory,
    Comment,
    Customer,
    CustomerPhone,
    Pipeline,
    ReferenceRow,
    Staff,
    Stage,
    Task,
    Transition,
)


class CardError(Exception):
    """A refusal the user should read; `reason` is a stable code the entry points translate."""

    def __init__(self, reason: str, **details: Any):
        super().__init__(reason)
        self.reason = reason
        self.details = details


class MoveError(CardError):
    pass


def card_number(card: Card, pipeline: Pipeline | None = None) -> str:
    prefix = (pipeline or card.pipeline).number_prefix
    return f"{prefix}-{card.number:04d}" if prefix else f"{card.number:04d}"


@dataclass(frozen=True)
class CardView:
    """A card with everything showing it needs, so renderers never query."""

    card: Card
    number: str
    transitions: list[Transition]
    customer_phone: str | None = None  # the customer's first phone, E.164
    references: dict[str, ReferenceRow] = field(default_factory=dict)  # choice/link fields' rows, by field key
    # Filled by core.card_views: its lines (core.lines.Totals with them) and links (core.links.Linked).
    lines: list[Any] = field(default_factory=list)
    totals: Any = None
    links: list[Any] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------


FULL_CARD = ("pipeline", "stage", "customer", "owner", "assignee")
ENGINE_CARD = ("pipeline", "stage")  # what moves and edits need; every extra join costs (see bench/moves.py)


async def get_card(actor: Actor, card_id: int, action: str = "card.view", related: tuple[str, ...] = FULL_CARD) -> Card:
    """The card if the actor may `action` it; a card he may not see is reported exactly like a missing one."""
    with directory.pinned():
        return await _get_card(actor, card_id, action, related)


async def _get_card(actor: Actor, card_id: int, action: str, related: tuple[str, ...]) -> Card:
    joined = [name for name in related if name not in DEFINED | PEOPLE]
    read_version = directory.awaiting_reading()
    if joined:
        query = Card.filter(id=card_id).select_related(*joined)
        if read_version:
            query = query.annotate(directory_version=RawSQL(directory.VERSION_SQL))
        card = await query.first()
        version = card.directory_version if card is not None and read_version else None
    else:
        card, version = await _card_alone(card_id, read_version)
    if card is None:
        raise CardError("not_found")
    if read_version:
        directory.note_reading(version)
    if DEFINED & set(related):
        with_definitions(card, await definitions.current(stage_ids=[card.stage_id]))
    if PEOPLE & set(related):
        people = await directory.staff_by_id([card.owner_id, card.assignee_id])
        card.owner, card.assignee = people.get(card.owner_id), people.get(card.assignee_id)
    try:
        await require(actor, action, card)
    except Denied:
        if action != "card.view" and await _may_view(actor, card):
            raise
        raise CardError("not_found") from None
    return card


async def _card_alone(card_id: int, read_version: bool) -> tuple[Card | None, int | None]:
    """The card's row by a statement built once (a move or an edit reads nothing else): Tortoise's query building
    was a third of a move's time (bench/moves.py)."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(_card_alone_sql(read_version, conn.capabilities.dialect), [card_id])
    if not rows:
        return None, None
    row = rows[0]
    version = row.pop("directory_version", None)
    return Card._init_from_db(**row), version


@functools.cache
def _card_alone_sql(read_version: bool, dialect: str) -> str:
    columns = ", ".join(f'"{column}"' for column in Card._meta.db_fields)
    version = f", {directory.VERSION_SQL} AS directory_version" if read_version else ""
    return f'SELECT {columns}{version} FROM "card" WHERE "id" = {"$1" if dialect == "postgres" else "?"}'


# A card's pipeline and stage come from the process's definitions (core.definitions), its people from the
# directory (core.directory), not from joins.
DEFINED = frozenset({"pipeline", "stage"})
PEOPLE = frozenset({"owner", "assignee"})


def with_definitions(card: Card, known: definitions.Definitions) -> Card:
    card.pipeline = known.pipelines[card.pipeline_id]
    card.stage = known.stages[card.stage_id]
    return card


async def with_definitions_all(cards: list[Card]) -> list[Card]:
    """`with_definitions` for cards just read (a list page)."""
    if cards:
        known = await definitions.current(stage_ids=[card.stage_id for card in cards])
        for card in cards:
            with_definitions(card, known)
    return cards


async def _may_view(actor: Actor, card: Card) -> bool:
    try:
        await require(actor, "card.view", card)
    except Denied:
        return False
    return True


def _role_allows(actor: Actor, transition: Transition) -> bool:
    if actor is SYSTEM and transition.automatic:  # the system takes the moves the pack gave it
        return True
    return actor.is_admin or not transition.roles or bool(actor.role_keys & set(transition.roles))


async def allowed_transitions(actor: Actor, card: Card) -> list[Transition]:
    """Only the moves this actor may make from the card's current stage (the buttons the bot shows)."""
    try:
        await require(actor, "card.move", card)
    except Denied:
        return []
    candidates = (await definitions.current()).moves_from.get(card.stage_id, [])
    return [t for t in candidates if _role_allows(actor, t)]


async def card_view(actor: Actor, card_id: int | Card) -> CardView:
    """The card as this actor may see it: its moves, its customer's phone, its reference fields' rows. Given a card
    already loaded with FULL_CARD (just moved, say), it is checked again but not loaded again."""
    if isinstance(card_id, Card):
        card = card_id
        if not await may(actor, "card.view", card):
            raise CardError("not_found")
    else:
        card = await get_card(actor, card_id)
    phone = None
    if card.customer_id is not None:
        phones = await CustomerPhone.filter(customer_id=card.customer_id).order_by("position", "id").limit(1) \
            .values_list("e164", flat=True)
        phone = phones[0] if phones else None
    return CardView(card=card, number=card_number(card), transitions=await allowed_transitions(actor, card),
                    customer_phone=phone, references=await _rows_shown_by(card))


async def _rows_shown_by(card: Card) -> dict[str, ReferenceRow]:
    """The reference rows that the card's choice (row key) and link (row id) fields point at, by field key."""
    rows: dict[str, ReferenceRow] = {}
    values = card.fields_data or {}
    for spec in schema_of(card.pipeline.field_schema).values():
        value = values.get(spec.key)
        if is_empty(value) or spec.type not in ("choice", "link"):
            continue
        query = ReferenceRow.filter(reference__key=spec.reference)
        if spec.type == "choice":
            row = await query.filter(key=str(value)).first()
        else:
            row = await query.filter(id=value).first() if str(value).isdigit() else None
        if row is not None:
            rows[spec.key] = row
    return rows


async def list_cards(actor: Actor, *, pipeline_key: str | None = None, open_only: bool = True,
                     mine: bool = False, offset: int = 0, limit: int = 10) -> tuple[list[Card], int]:
    known = await definitions.current()
    query = visible(actor, "card.view", Card.all())
    if pipeline_key:
        pipeline = known.pipeline_by_key.get(pipeline_key)
        query = query.filter(pipeline_id=pipeline.id if pipeline else None)
    if open_only:
        query = query.filter(stage_id__in=known.open_stage_ids())
    if mine and actor.staff_id:
        query = query.filter(Q(assignee_id=actor.staff_id) | Q(owner_id=actor.staff_id))
    total = await query.count()
    cards = await query.order_by("-urgent", "-priority", "-id").offset(offset).limit(limit).select_related("customer")
    return await with_definitions_all(cards), total


# --- fields ------------------------------------------------------------------------------------


def may_edit_field(actor: Actor, spec: FieldSpec, stage: Stage) -> bool:
    """The one rule for editing a field, whoever edits it (bot, panel, import, API). Admins always may."""
    if actor.is_admin or actor.staff is None:
        return True
    if spec.editable_in and stage.key not in spec.editable_in:
        return False
    return not spec.editable_by or bool(actor.role_keys & set(spec.editable_by))


async def _reference_rows(spec: FieldSpec) -> dict[str, int]:
    if spec.type not in ("choice", "link") or not spec.reference:
        return {}
    rows = await ReferenceRow.filter(reference__key=spec.reference, active=True).values_list("key", "id")
    return dict(rows)


async def clean_fields(actor: Actor, pipeline: Pipeline, stage: Stage, changes: dict[str, Any],
                       *, region: str = "UA", zone: tzinfo = DEFAULT_ZONE) -> dict[str, Any]:
    """Validate `changes` against the pipeline's schema and the edit rules; every bad field is reported at once.
    Phones without a country code are read in `region`, times without a zone in `zone` (the business's)."""
    schema = schema_of(pipeline.field_schema)
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in changes.items():
        spec = schema.get(key)
        if spec is None:
            errors[key] = "unknown_field"
            continue
        if not may_edit_field(actor, spec, stage):
            errors[key] = "not_editable"
            continue
        try:
            cleaned[key] = clean_value(spec, raw, region=region, zone=zone,
                                       reference_rows=await _reference_rows(spec))
        except FieldError as error:
            errors[key] = error.reason
    if errors:
        raise CardError("invalid_fields", fields=errors)
    return cleaned


async def edit_fields(actor: Actor, card_id: int, changes: dict[str, Any], *, expected_version: int | None = None,
                      region: str = "UA", zone: tzinfo = DEFAULT_ZONE) -> Card:
    card = await get_card(actor, card_id, "card.edit", ENGINE_CARD)
    cleaned = await clean_fields(actor, card.pipeline, card.stage, changes, region=region, zone=zone)
    version = card.version if expected_version is None else expected_version
    before = {key: card.fields_data.get(key) for key in cleaned}
    merged = {**card.fields_data, **cleaned}
    async with atomic():
        updated = await Card.filter(id=card.id, version=version).update(fields_data=merged, version=version + 1,
                                                                         updated_at=now())
        if not updated:
            raise CardError("card_changed")
        await activity.record_by(actor, "card.edit", object_type="card",
                              object_id=card.id, before=before, after=cleaned)
        await tasks.follow_fields(card.id, cleaned)
    card.fields_data, card.version = merged, version + 1
    events.publish("card.changed", card_id=card.id)
    return card


# --- creating ----------------------------------------------------------------------------------


async def _next_number(pipeline: Pipeline) -> int:
    # The increment locks the pipeline row until commit (PostgreSQL), so two creations never share a number.
    await Pipeline.filter(id=pipeline.id).update(last_number=F("last_number") + 1)
    return (await Pipeline.filter(id=pipeline.id).values_list("last_number", flat=True))[0]


async def create_card(
    actor: Actor,
    pipeline_key: str,
    *,
    title: str = "",
    customer: Customer | None = None,
    vehicle=None,
    owner: Staff | None = None,
    assignee: Staff | None = None,
    fields: dict[str, Any] | None = None,
    priority: int = 0,
    urgent: bool = False,
    deadline: datetime | None = None,
    source: str | None = None,
    external_id: str | None = None,
    region: str = "UA",
    zone: tzinfo = DEFAULT_ZONE,
    default_locale: str = "ru",
    announce: bool = True,
) -> Card:
    """Call inside a transaction to make the card part of a larger change (the intake API does).

    `announce=False`: the first stage's tasks are made without their "new task" message, for a caller that
    tells the assignee itself in one richer message (the intake's lead message with its buttons)."""
    await require(actor, "card.create")
    pipeline = await Pipeline.get_or_none(key=pipeline_key, active=True)
    if pipeline is None:
        raise CardError("unknown_pipeline")
    first = await Stage.filter(pipeline=pipeline, active=True).order_by("position").first()
    cleaned = await clean_fields(actor, pipeline, first, fields or {}, region=region, zone=zone) if fields else {}
    owner = owner or actor.staff
    async with atomic():
        number = await _next_number(pipeline)
        card = await Card.create(
            pipeline=pipeline, number=number, title=title.strip()[:300], stage=first, customer=customer,
            vehicle=vehicle, owner=owner, assignee=assignee or owner, priority=priority, urgent=urgent,
            deadline=deadline, fields_data=cleaned, source=source, external_id=external_id,
            stage_entered_at=now(),
        )
        card.pipeline, card.stage = pipeline, first
        await CardHistory.create(card=card, from_stage=None, to_stage=first, actor=actor.staff,
                                 channel=actor.channel)
        await _enter_stage(actor, card, first, default_locale=default_locale, announce=announce)
        await activity.record_by(actor, "card.create", object_type="card",
                              object_id=card.id, after={"number": card_number(card, pipeline), "stage": first.key})
    events.publish("card.created", card_id=card.id)
    return card


# --- moving ------------------------------------------------------------------------------------


async def move_card(
    actor: Actor,
    card_id: int,
    transition_key: str,
    *,
    reason: str | None = None,
    fields: dict[str, Any] | None = None,
    expected_version: int | None = None,
    region: str = "UA",
    zone: tzinfo = DEFAULT_ZONE,
    default_locale: str = "ru",
    related: tuple[str, ...] = ENGINE_CARD,
) -> Card:
    """`related`: what to load with the card; a caller that shows the card afterwards asks for FULL_CARD and
    passes the returned card to `card_view`, so a press loads it once."""
    with directory.pinned():
        return await _move_card(actor, card_id, transition_key, reason=reason, fields=fields,
                                expected_version=expected_version, region=region, zone=zone,
                                default_locale=default_locale, related=related)


async def _move_card(actor: Actor, card_id: int, transition_key: str, *, reason: str | None,
                     fields: dict[str, Any] | None, expected_version: int | None, region: str, zone: tzinfo,
                     default_locale: str, related: tuple[str, ...]) -> Card:
    card = await get_card(actor, card_id, "card.move", related)
    if expected_version is not None and expected_version != card.version:
        raise MoveError("card_changed")
    known = await definitions.current()
    transition = known.transition_by_key.get((card.pipeline_id, transition_key))
    if transition is None or transition.from_stage_id != card.stage_id:
        raise MoveError("transition_unavailable")
    if not _role_allows(actor, transition):
        raise Denied("card.move")
    reason = (reason or "").strip() or None
    if transition.reason_required and not reason:
        raise MoveError("reason_required")
    target = known.stages[transition.to_stage_id]
    cleaned = await clean_fields(actor, card.pipeline, card.stage, fields, region=region, zone=zone) if fields else {}
    merged = {**card.fields_data, **cleaned}
    if target.kind != "lost":
        missing = [key for key in card.stage.required_fields if is_empty(merged.get(key))]
        if missing:
            raise MoveError("fields_missing", fields=missing)
    refusal = await guards.first_refusal(card, transition, merged)
    if refusal is not None:
        raise MoveError("guard", refusal=refusal)
    source = card.stage
    at = now()
    after = {"stage": target.key, "transition": transition.key, "reason": reason,
             **({"fields": cleaned} if cleaned else {})}
    if liveness.is_postgres() and not any(action.get("task") for action in target.on_enter):
        # The whole move is one statement, atomic on its own: its notifications are gathered first and written by it.
        version = card.version
        card = _moved(card, target, merged)
        with outbox.gathered() as notices:
            await _enter_stage(actor, card, target, default_locale=default_locale)
        await _record_move(actor, card.id, version, source, target, transition, reason, merged, after, at, notices)
        outbox.wake_after_commit(notices)
        events.publish("card.moved", card_id=card.id, stage=target.key)
        return card
    async with atomic():
        if liveness.is_postgres():
            await _record_move(actor, card.id, card.version, source, target, transition, reason, merged, after, at,
                               [])
        else:
            updated = await Card.filter(id=card.id, version=card.version).update(
                stage_id=target.id, version=card.version + 1, fields_data=merged, stage_entered_at=at,
                updated_at=at, sla_breached_at=None, closed_at=at if target.kind in CLOSED_KINDS else None,
            )
            if not updated:
                raise MoveError("card_changed")
            await CardHistory.create(card=card, from_stage=source, to_stage=target, transition_key=transition.key,
                                     actor=actor.staff, channel=actor.channel, reason=reason)
            await tasks.close_stage_tasks(card, source, actor=actor)
            await activity.record_by(actor, "card.move", object_type="card", object_id=card.id,
                                     before={"stage": source.key}, after=after)
        card = _moved(card, target, merged)
        await _enter_stage(actor, card, target, default_locale=default_locale)
    events.publish("card.moved", card_id=card.id, stage=target.key)
    return card


def _moved(card: Card, target: Stage, merged: dict[str, Any]) -> Card:
    card.stage, card.stage_id, card.version, card.fields_data = target, target.id, card.version + 1, merged
    return card


async def move_cards(actor: Actor, card_ids: list[int], transition_key: str, *, reason: str | None = None,
                     default_locale: str = "ru") -> list[Card]:
    """Many cards through the same transition in one transaction, each checked as `move_card` checks one: all
    move or none does. A refusal names the card (`MoveError.details["card"]`)."""
    moved: list[Card] = []
    async with atomic():
        for card_id in dict.fromkeys(card_ids):
            try:
                moved.append(await move_card(actor, card_id, transition_key, reason=reason,
                                             default_locale=default_locale))
            except CardError as error:
                error.details["card"] = card_id
                raise
    return moved


async def take_automatic_moves(card_id: int, *, default_locale: str = "ru") -> Card | None:
    """The first automatic transition out of the card's stage whose guards now hold, taken by the system and
    audited as such (after a line is decided or changes state). None when none applies."""
    with directory.pinned():
        card = await get_card(SYSTEM, card_id, "card.move", ENGINE_CARD)
        if card.closed_at is not None:
            return None
        for transition in (await definitions.current()).moves_from.get(card.stage_id, []):
            if not transition.automatic or await guards.first_refusal(card, transition, card.fields_data):
                continue
            try:
                return await _move_card(SYSTEM, card.id, transition.key, reason=None, fields=None,
                                        expected_version=card.version, region="UA", zone=DEFAULT_ZONE,
                                        default_locale=default_locale, related=ENGINE_CARD)
            except (MoveError, Denied):  # required fields missing, or another move came first: not now
                return None
    return None


CLOSED_KINDS = ("done", "lost")

# The move on PostgreSQL, one statement: the card's compare-and-set, the old stage's tasks done, the history row,
# the audit rows and the notifications; nothing but the card's row is written when the version has moved on.
_MOVE = """
WITH moved AS (
    UPDATE card SET stage_id = $1, version = $2 + 1, fields_data = $3, stage_entered_at = $4, updated_at = $4,
                    sla_breached_at = NULL, closed_at = $5
    WHERE id = $6 AND version = $2 RETURNING id),
closed AS (
    UPDATE task SET status = $7, closed_at = $4
    WHERE card_id = $6 AND stage_id = $8 AND status = $9 AND EXISTS (SELECT 1 FROM moved) RETURNING id),
history AS (
    INSERT INTO card_history (card_id, from_stage_id, to_stage_id, transition_key, actor_id, channel, reason, at)
    SELECT $6, $8, $1, $10, $11, $12, $13, $4 FROM moved),
audit AS (
    INSERT INTO activity (channel, action, object_type, object_id, before, after, at, actor_id)
    SELECT $12, 'task.done', 'task', closed.id::text, $14::jsonb, $15::jsonb, $4, $11 FROM closed
    UNION ALL
    SELECT $12, 'card.move', 'card', $6::text, $16::jsonb, $17::jsonb, $4, $11 FROM moved),
""" + outbox.notices_cte(18, "EXISTS (SELECT 1 FROM moved)") + """
SELECT count(*) AS moved FROM moved
"""


async def _record_move(actor: Actor, card_id: int, version: int, source: Stage, target: Stage, transition: Transition,
                       reason: str | None, merged: dict[str, Any], after: dict[str, Any], at: datetime,
                       notices: list[outbox.Notice]) -> None:
    """PostgreSQL: the move as `move_card` makes it on SQLite, in one statement instead of five or more
    (bench/moves.py)."""
    staff_id = actor.staff.id if actor.staff else None
    result = await connections.get("default").execute_query_dict(_MOVE, [
        target.id, version, _json(Card, "fields_data", merged), at,
        at if target.kind in CLOSED_KINDS else None, card_id, tasks.DONE, source.id, tasks.OPEN,
        transition.key, staff_id, actor.channel, reason,
        _json(Activity, "before", {"status": tasks.OPEN}),
        _json(Activity, "after", {"status": tasks.DONE, "closed_at": at.isoformat()}),
        _json(Activity, "before", {"stage": source.key}), _json(Activity, "after", after),
        *outbox.notices_params(notices, at),
    ])
    if not result[0]["moved"]:
        raise MoveError("card_changed")


def _json(model: type, field_name: str, value: Any) -> Any:
    return model._meta.fields_map[field_name].to_db_value(value, None)


async def _enter_stage(actor: Actor, card: Card, stage: Stage, *, default_locale: str,
                       announce: bool = True) -> None:
    """A stage's on-enter actions: tasks for a role or person, notifications to roles / owner / assignee."""
    for action in stage.on_enter:
        task = action.get("task")
        if task:
            await _stage_task(actor, card, stage, task, default_locale, announce)
        targets = action.get("notify") or []
        if targets:
            await _notify_targets(actor, card, stage, targets, default_locale)


async def _stage_task(actor: Actor, card: Card, stage: Stage, spec: dict, default_locale: str,
                      announce: bool) -> None:
    titles = spec.get("titles", {})
    title = titles.get(default_locale) or titles.get("en") or next(iter(titles.values()), stage.key)
    assignee, role = None, spec.get("role")
    target = spec.get("to")
    if target in ("owner", "assignee"):
        assignee = await Staff.get_or_none(id=card.owner_id if target == "owner" else card.assignee_id)
        if assignee is None:
            role = stage.acting_role
    elif target:
        role = target
    due = now() + timedelta(hours=spec["due_hours"]) if spec.get("due_hours") else None
    if spec.get("due_field"):
        due = tasks.due_from_field(card.fields_data.get(spec["due_field"])) or due
    await tasks.create_task(title=title, titles=titles, channel=actor.channel, card=card, assignee=assignee,
                            assignee_role=role, due_at=due, stage=stage, follow_up_hours=spec.get("follow_up_hours"),
                            due_field=spec.get("due_field"),
                            created_by=actor.staff, default_locale=default_locale, announce=announce)


async def _notify_targets(actor: Actor, card: Card, stage: Stage, targets: list[str], default_locale: str) -> None:
    people: dict[int, Staff] = {}
    for target in targets:
        if target in ("owner", "assignee"):
            person_id = card.owner_id if target == "owner" else card.assignee_id
            person = await Staff.get_or_none(id=person_id) if person_id else None
            if person:
                people[person.id] = person
        elif target.startswith("role:"):
            for person in await notify.staff_with_role(target.removeprefix("role:")):
                people[person.id] = person
    if "customer" in targets and card.customer_id:
        await notify.notify_customer(await Customer.get_or_none(id=card.customer_id), "notify-customer-stage",
                                     default_locale=default_locale, number=card_number(card),
                                     stage=stage.title)
    if people:
        await notify.notify_staff(people.values(), "notify-card-stage", card=card, default_locale=default_locale,
                                  exclude=actor.staff, number=card_number(card), title=card.title or "—",
                                  stage=stage.title)


@dataclass(frozen=True)
class StageCount:
    pipeline: Pipeline
    stage: Stage
    count: int


async def open_cards_by_stage(actor: Actor) -> list[StageCount]:
    """Open cards the actor may see, counted per stage, in pipeline and stage order (stages with none left out)."""
    query = visible(actor, "card.view", Card.filter(closed_at__isnull=True))
    rows = await query.group_by("stage_id").annotate(count=Count("id")).values_list("stage_id", "count")
    known = await definitions.current(stage_ids=[stage_id for stage_id, _ in rows])
    counts = [StageCount(known.pipelines[known.stages[stage_id].pipeline_id], known.stages[stage_id], count)
              for stage_id, count in rows]
    return sorted(counts, key=lambda row: (row.pipeline.id, row.stage.position, row.stage.id))


# --- comments ----------------------------------------------------------------------------------


async def assignees(actor: Actor, card_id: int) -> list[Staff]:
    """Who the card may be handed to: active staff who may see cards, the current assignee left out."""
    card = await get_card(actor, card_id, "card.assign", ENGINE_CARD)
    people = list(await Staff.filter(active=True).exclude(id=card.assignee_id or 0).order_by("name", "id"))
    return [found.staff for found in await load_actors(people, channel="system") if can(found, "card.view")]


async def assign_card(actor: Actor, card_id: int, assignee_id: int, *, expected_version: int | None = None,
                      default_locale: str = "ru") -> Card:
    """Hand the card to another person (`card.assign`): the card's open tasks held by the previous assignee go with
    it, the new assignee is told, the audit log says who from whom."""
    card = await get_card(actor, card_id, "card.assign", ENGINE_CARD)
    if card.closed_at is not None:
        raise CardError("closed")
    version = card.version if expected_version is None else expected_version
    person = await Staff.get_or_none(id=assignee_id, active=True)
    if person is None or not can(await load_actor(person, channel="system"), "card.view"):
        raise CardError("unknown_assignee")
    if person.id == card.assignee_id:
        return card
    before = card.assignee_id
    async with atomic():
        if not await Card.filter(id=card.id, version=version).update(assignee_id=person.id, version=version + 1,
                                                                      updated_at=now()):
            raise CardError("card_changed")
        if before is not None:
            await Task.filter(card_id=card.id, assignee_id=before, status=tasks.OPEN).update(assignee_id=person.id)
        await activity.record_by(actor, "card.assign", object_type="card", object_id=card.id,
                                 before={"assignee": before}, after={"assignee": person.id})
        card.assignee_id, card.assignee, card.version = person.id, person, version + 1
        await notify.notify_staff([person], "notify-card-assigned", card=card, default_locale=default_locale,
                                  exclude=actor.staff, number=card_number(card), title=card.title or "—")
    events.publish("card.changed", card_id=card.id)
    return card


async def add_comment(actor: Actor, card_id: int, text: str) -> Comment:
    card = await get_card(actor, card_id, "card.comment", ())
    text = text.strip()
    if not text:
        raise CardError("empty_comment")
    async with atomic():
        comment = await Comment.create(card=card, author=actor.staff, text=text[:4000], channel=actor.channel)
        await activity.record_by(actor, "card.comment", object_type="card",
                              object_id=card.id, after={"comment": comment.id})
    events.publish("card.changed", card_id=card.id)
    return comment


async def card_history(actor: Actor, card_id: int) -> list[CardHistory]:
    card = await get_card(actor, card_id)
    return list(await CardHistory.filter(card=card).order_by("id").select_related("from_stage", "to_stage", "actor"))


# --- SLA ---------------------------------------------------------------------------------------


async def sweep_sla(at: datetime | None = None, default_locale: str = "ru") -> int:
    """Cards that outstayed their stage's SLA: the holder and the owner (else the stage's acting role) are told, once
    per stay in a stage (a compare-and-set on `sla_breached_at`, which every move clears). From DB state only."""
    at = at or now()
    told = 0
    for stage in await Stage.filter(sla_hours__isnull=False, kind="open", active=True):
        late = await Card.filter(stage_id=stage.id, sla_breached_at__isnull=True,
                                 stage_entered_at__lt=at - timedelta(hours=stage.sla_hours)).select_related("pipeline")
        for card in late:
            async with in_transaction():
                marked = await Card.filter(id=card.id, version=card.version, sla_breached_at__isnull=True).update(
                    sla_breached_at=at)
                if not marked:
                    continue
                people = [person for person in [await Staff.get_or_none(id=card.assignee_id),
                                                await Staff.get_or_none(id=card.owner_id)] if person]
                if not people and stage.acting_role:  # nobody holds it: whoever could pick it up
                    people = await notify.staff_with_role(stage.acting_role)
                await notify.notify_staff(people, "notify-card-sla", card=card, default_locale=default_locale,
                                          number=card_number(card), title=card.title or "—", stage=stage.title,
                                          hours=int(stage.sla_hours) if float(stage.sla_hours).is_integer()
                                          else stage.sla_hours)
                await activity.record("card.sla_breached", channel="system", object_type="card",
                                      object_id=card.id, after={"stage": stage.key, "sla_hours": stage.sla_hours})
            told += 1
    return told
