"""Leads from websites and landing pages: API keys, validation, and turning a lead into a customer, a card and a
message to the manager who gets it.

`Idempotency-Key` semantics (`submit_lead`): the first request with a key inserts an in-flight record — the unique
constraint on (api key, idempotency key) decides who runs — then does all the work in one transaction that also
stores the answer on that record. A repeat with the same body gets that answer again; with another body, 422
`idempotency_key_reused`; while the first is still running, 409 `idempotency_key_in_flight`. If the work fails the
record is deleted, so the client can simply retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import activity
from core.clock import now
from core.customers import CustomerError, clean_email, find_or_create_by_contact
from core.distribution import pick_assignee
from core.fields import DEFAULT_ZONE, schema_of
from core.i18n import pick_locale, translator
from core.notify import CARD_CALLBACK_PREFIX
from core.outbox import enqueue
from core.permissions import machine_actor
from core.phones import InvalidPhone, format_phone, normalize_phone
from core.pipelines import CardError, card_number, clean_fields, create_card
from models import ApiKey, Card, Comment, IdempotencyRecord, Pipeline, Staff, Stage

log = logging.getLogger(__name__)

KEY_PREFIX = "est_"
SOURCE_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 64
EMAIL_MAX_LENGTH = 254
MESSAGE_MAX_LENGTH = 4000
IDEMPOTENCY_KEY_MAX_LENGTH = 200
UTM_MAX_ITEMS = 20
UTM_KEY_MAX_LENGTH = 64
UTM_VALUE_MAX_LENGTH = 500
CUSTOM_FIELDS_MAX_ITEMS = 50
CUSTOM_TEXT_MAX_LENGTH = 4000
# A card title is the name and the start of the message: enough to recognise the lead in a list.
TITLE_MESSAGE_CHARS = 80
LEAD_FIELDS = frozenset({"name", "phone", "email", "message", "source", "utm", "fields"})
# A file field holds attachment ids; a website must not point a card at someone else's files.
FIELD_TYPES_NOT_ACCEPTED = frozenset({"file"})
# A first request that has not finished in this long died with its process: a retry may take the key over.
IN_FLIGHT_LEASE = timedelta(seconds=60)
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e][\x20-\x7e]*")

# The intake acts for no person: a machine actor, so the customer, the card, its history and audit say "api".
INTAKE_ACTOR = machine_actor("api")
CHANNEL = "api"


class IntakeError(Exception):
    """A refusal about API keys; `reason`: source_required, source_too_long, unknown_pipeline, source_exists."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LeadInvalid(Exception):
    """The lead cannot be accepted; `errors` maps each bad field ("phone", "fields.budget" …) to a reason code."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{key}: {reason}" for key, reason in errors.items()))
        self.errors = errors


class PipelineUnavailable(Exception):
    """The API key points at a pipeline that no longer exists or was switched off: our problem, not the client's."""


@dataclass(frozen=True)
class Lead:
    name: str
    phone: str | None = None  # E.164
    email: str | None = None
    message: str = ""
    source: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # cleaned against the pipeline's schema


@dataclass(frozen=True)
class IntakeResult:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


# --- API keys ----------------------------------------------------------------------------------


def hash_key(plain_key: str) -> str:
    return hashlib.sha256(plain_key.encode()).hexdigest()


def _clean_source(source: str) -> str:
    source = (source or "").strip()
    if not source:
        raise IntakeError("source_required")
    if len(source) > SOURCE_MAX_LENGTH:
        raise IntakeError("source_too_long")
    return source


async def create_api_key(source: str, pipeline_key: str) -> str:
    """A new key for `source` whose leads go to `pipeline_key`. Returns the key itself — shown once, only its hash is
    stored. A revoked source gets a fresh key (that is how a key is rotated); an active one is refused."""
    source = _clean_source(source)
    if not await Pipeline.exists(key=pipeline_key, active=True):
        raise IntakeError("unknown_pipeline")
    plain_key = KEY_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        existing = await ApiKey.get_or_none(source=source)
        if existing is not None and existing.active:
            raise IntakeError("source_exists")
        if existing is None:
            api_key = await ApiKey.create(source=source, key_hash=hash_key(plain_key), pipeline_key=pipeline_key)
        else:
            api_key = existing
            await ApiKey.filter(id=existing.id).update(key_hash=hash_key(plain_key), pipeline_key=pipeline_key,
                                                       active=True, last_used_at=None)
        await activity.record("api_key.create", channel="system", object_type="api_key", object_id=api_key.id,
                              after={"source": source, "pipeline": pipeline_key})
    return plain_key


async def revoke_api_key(source: str) -> bool:
    """Switch the source's key off; False when it has no active key."""
    async with in_transaction():
        api_key = await ApiKey.get_or_none(source=(source or "").strip(), active=True)
        if api_key is None:
            return False
        await ApiKey.filter(id=api_key.id).update(active=False)
        await activity.record("api_key.revoke", channel="system", object_type="api_key", object_id=api_key.id,
                              before={"active": True}, after={"active": False})
    return True


async def authenticate(plain_key: str | None) -> ApiKey | None:
    """The active key matching `plain_key`, else None."""
    if not plain_key or not plain_key.isascii() or not plain_key.startswith(KEY_PREFIX):
        return None
    digest = hash_key(plain_key)
    api_key = await ApiKey.get_or_none(key_hash=digest, active=True)
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        return None
    api_key.last_used_at = now()
    await ApiKey.filter(id=api_key.id).update(last_used_at=api_key.last_used_at)
    return api_key


# --- validation --------------------------------------------------------------------------------


def body_hash(body: Any) -> str:
    """The same JSON sent with other spacing or key order is the same request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def valid_idempotency_key(key: str) -> bool:
    return len(key) <= IDEMPOTENCY_KEY_MAX_LENGTH and bool(_IDEMPOTENCY_KEY.fullmatch(key))


def _storable(value: Any) -> bool:
    """Databases refuse NUL characters and unpaired surrogates (both are valid in JSON strings)."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    return True


def _text(
    value: Any, max_length: int, errors: dict[str, str], key: str, *, required: bool = False, one_line: bool = False
) -> str | None:
    """NFKC-normalised and trimmed (`one_line`: runs of spaces and line breaks become one space); None when absent,
    with an error when it was required or is not text."""
    if value is None:
        if required:
            errors[key] = "required"
        return None
    if not isinstance(value, str):
        errors[key] = "invalid_type"
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if one_line:
        text = " ".join(text.split())
    if not text:
        if required:
            errors[key] = "required"
        return None
    if len(text) > max_length:
        errors[key] = "too_long"
        return None
    return text


def _clean_phone(value: Any, region: str, errors: dict[str, str]) -> str | None:
    text = _text(value, PHONE_MAX_LENGTH, errors, "phone")
    if text is None:
        return None
    try:
        return normalize_phone(text, region)
    except InvalidPhone:
        errors["phone"] = "invalid_phone"
        return None


def _clean_email(value: Any, errors: dict[str, str]) -> str | None:
    # core.customers' rule, so a lead we accept is a customer we can store.
    text = _text(value, EMAIL_MAX_LENGTH, errors, "email")
    if text is None:
        return None
    try:
        return clean_email(text)
    except CustomerError:
        errors["email"] = "invalid_email"
        return None


def _clean_utm(value: Any, errors: dict[str, str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > UTM_MAX_ITEMS or not all(
        isinstance(key, str) and 0 < len(key) <= UTM_KEY_MAX_LENGTH
        and isinstance(item, str) and len(item) <= UTM_VALUE_MAX_LENGTH
        for key, item in value.items()
    ):
        errors["utm"] = "invalid"
        return {}
    return {key.strip(): item.strip() for key, item in value.items()}


async def _clean_custom_fields(value: Any, pipeline: Pipeline, region: str, zone: tzinfo, errors: dict[str, str]
                               ) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors["fields"] = "invalid_type"
        return {}
    if len(value) > CUSTOM_FIELDS_MAX_ITEMS:
        errors["fields"] = "too_many"
        return {}
    schema = schema_of(pipeline.field_schema)
    accepted: dict[str, Any] = {}
    for key, raw in value.items():
        spec = schema.get(key)
        if spec is not None and spec.type in FIELD_TYPES_NOT_ACCEPTED:
            errors[f"fields.{key}"] = "not_accepted"
        elif isinstance(raw, dict | list):
            errors[f"fields.{key}"] = "invalid_type"
        elif isinstance(raw, str) and len(raw) > CUSTOM_TEXT_MAX_LENGTH:
            errors[f"fields.{key}"] = "too_long"
        else:
            accepted[key] = raw
    if not accepted:
        return {}
    first_stage = await Stage.filter(pipeline=pipeline, active=True).order_by("position").first()
    try:
        return await clean_fields(INTAKE_ACTOR, pipeline, first_stage, accepted, region=region, zone=zone)
    except CardError as error:
        errors.update({f"fields.{key}": reason for key, reason in error.details.get("fields", {}).items()})
        return {}


async def _pipeline(pipeline_key: str) -> Pipeline:
    pipeline = await Pipeline.get_or_none(key=pipeline_key, active=True)
    if pipeline is None:
        raise PipelineUnavailable(pipeline_key)
    return pipeline


async def validate_lead(body: Any, *, pipeline_key: str, region: str, zone: tzinfo = DEFAULT_ZONE) -> Lead:
    """The lead in `body` (parsed JSON), cleaned; LeadInvalid names every bad field at once. A datetime field
    without an offset is a time at the business's clock, `zone`.

    Custom `fields` are checked against the schema of the pipeline the lead will land in, by the same rule the bot
    and the panel use. Raises PipelineUnavailable when that pipeline is gone."""
    if not isinstance(body, dict):
        raise LeadInvalid({"body": "not_an_object"})
    pipeline = await _pipeline(pipeline_key)
    unusable: dict[str, str] = {key: "unknown_field" for key in body if key not in LEAD_FIELDS}
    unusable.update({key: "invalid_characters" for key, value in body.items()
                     if key in LEAD_FIELDS and not _storable(value)})
    # The usable rest is still checked, so one answer names every bad field.
    body = {key: value for key, value in body.items() if key not in unusable}
    errors: dict[str, str] = {}
    # Spacing as people type it is not part of a name (the rule customers are stored by).
    name = _text(body.get("name"), NAME_MAX_LENGTH, errors, "name", required=True, one_line=True)
    phone = _clean_phone(body.get("phone"), region, errors)
    email = _clean_email(body.get("email"), errors)
    if phone is None and email is None and "phone" not in errors and "email" not in errors:
        errors["phone"] = errors["email"] = "phone_or_email_required"
    message = _text(body.get("message"), MESSAGE_MAX_LENGTH, errors, "message") or ""
    source = _text(body.get("source"), SOURCE_MAX_LENGTH, errors, "source", one_line=True)
    utm = _clean_utm(body.get("utm"), errors)
    custom = await _clean_custom_fields(body.get("fields"), pipeline, region, zone, errors)
    errors.update(unusable)
    if errors:
        raise LeadInvalid(errors)
    return Lead(name=name, phone=phone, email=email, message=message, source=source, utm=utm, fields=custom)


# --- submitting --------------------------------------------------------------------------------


async def submit_lead(
    api_key: ApiKey,
    lead: Lead,
    idempotency_key: str | None,
    body_hash: str,
    *,
    region: str = "UA",
    default_locale: str = "ru",
) -> IntakeResult:
    """Create the lead once per idempotency key (see the module docstring); without a key, simply create it.

    201 `{"card", "card_id", "customer_id", "customer_created", "assigned_to"}`; a replay repeats the first
    answer exactly. Raises LeadInvalid or PipelineUnavailable; nothing is stored then."""
    if idempotency_key is None:
        return await _create_lead(api_key, lead, None, region=region, default_locale=default_locale)
    record = await _claim(api_key, idempotency_key, body_hash)
    if isinstance(record, IntakeResult):
        return record
    try:
        return await _create_lead(api_key, lead, record, region=region, default_locale=default_locale)
    except BaseException:
        # Nothing was stored: free the key so the client's retry runs instead of waiting out the lease.
        async with in_transaction():
            await IdempotencyRecord.filter(id=record.id, status="in_flight").delete()
        raise


async def _claim(api_key: ApiKey, idempotency_key: str, body_hash: str) -> IdempotencyRecord | IntakeResult:
    """The in-flight record this request now owns, or the answer for a key another request already holds."""
    for _ in range(2):
        try:
            async with in_transaction():
                return await IdempotencyRecord.create(api_key=api_key, key=idempotency_key, body_hash=body_hash)
        except IntegrityError:
            pass
        existing = await IdempotencyRecord.get_or_none(api_key=api_key, key=idempotency_key)
        if existing is None:
            continue  # its request failed and let the key go between our insert and this read
        if existing.body_hash != body_hash:
            return IntakeResult(422, {"error": "idempotency_key_reused"})
        if existing.status == "done":
            return IntakeResult(existing.response_status, existing.response_body, replayed=True)
        abandoned = existing.created_at < now() - IN_FLIGHT_LEASE
        if not (abandoned and await IdempotencyRecord.filter(id=existing.id, status="in_flight").delete()):
            return IntakeResult(409, {"error": "idempotency_key_in_flight"})
    return IntakeResult(409, {"error": "idempotency_key_in_flight"})


def _card_title(lead: Lead) -> str:
    first_line = lead.message.splitlines()[0].strip() if lead.message else ""
    if not first_line:
        return lead.name
    if len(first_line) > TITLE_MESSAGE_CHARS:
        first_line = first_line[: TITLE_MESSAGE_CHARS - 1].rstrip() + "…"
    return f"{lead.name} — {first_line}"


def _message_has_field(pipeline: Pipeline) -> bool:
    spec = schema_of(pipeline.field_schema).get("message")
    return spec is not None and spec.type == "text"


async def _create_lead(
    api_key: ApiKey, lead: Lead, record: IdempotencyRecord | None, *, region: str, default_locale: str
) -> IntakeResult:
    pipeline = await _pipeline(api_key.pipeline_key)
    source = lead.source or api_key.source
    fields = dict(lead.fields)
    # A pipeline that declares a text field "message" keeps the customer's words there; any other gets them as the
    # card's first comment. Either way the manager sees them on the card.
    message_as_field = bool(lead.message) and _message_has_field(pipeline) and "message" not in fields
    if message_as_field:
        fields["message"] = lead.message
    async with in_transaction():
        # First: picking locks the pipeline row (when it distributes), so simultaneous leads of a pipeline are handled
        # one after another, and two of them do not create the same customer twice.
        assignee = await pick_assignee(pipeline)
        try:
            customer, customer_created = await find_or_create_by_contact(
                INTAKE_ACTOR, name=lead.name, phone=lead.phone, email=lead.email, source=source, region=region
            )
        except CustomerError as error:
            # Validation follows the customers' rules, so this means a rule changed there and not here. The client
            # still gets a 422 naming the field, and the transaction (the round-robin turn with it) rolls back.
            log.warning("lead refused by core.customers: %s", error.reason)
            raise LeadInvalid({_customer_field(error.reason): error.reason}) from error
        card = await create_card(
            INTAKE_ACTOR, pipeline.key, title=_card_title(lead), customer=customer, owner=assignee,
            assignee=assignee, fields=fields, source=source, region=region, default_locale=default_locale,
            announce=False,  # the lead message below tells the manager, with its buttons
        )
        if lead.message and not message_as_field:
            await Comment.create(card=card, author=None, text=lead.message, channel=CHANNEL)
        if assignee is not None:
            await _tell_assignee(assignee, card, lead, source, default_locale=default_locale)
        number = card_number(card, pipeline)
        await activity.record(
            "lead.create", channel=CHANNEL, object_type="card", object_id=card.id,
            after={"api_key": api_key.source, "source": source, "utm": lead.utm, "customer": customer.id,
                   "customer_created": customer_created, "assignee": assignee.id if assignee else None,
                   "idempotency_key": record.key if record else None},
        )
        body = {
            "card": number,
            "card_id": card.id,
            "customer_id": customer.id,
            "customer_created": customer_created,
            "assigned_to": assignee.name if assignee else None,
        }
        if record is not None:
            await IdempotencyRecord.filter(id=record.id).update(status="done", response_status=201,
                                                                response_body=body)
    return IntakeResult(201, body)


def _customer_field(reason: str) -> str:
    return {"invalid_email": "email", "name_required": "name", "name_too_long": "name"}.get(reason, "body")


def lead_keyboard(card_id: int, t) -> dict[str, Any]:
    """Take it, call back later, or reject it (the bot asks for the reason): callback data the bot's card router
    reads, e.g. "c1:take:42"."""
    def button(action: str, label_id: str) -> dict[str, str]:
        return {"text": t(label_id), "callback_data": f"{CARD_CALLBACK_PREFIX}:{action}:{card_id}"}

    return {"inline_keyboard": [[button("take", "lead-button-take")],
                                [button("later", "lead-button-later"), button("reject", "lead-button-reject")]]}


async def _tell_assignee(assignee: Staff, card: Card, lead: Lead, source: str, *, default_locale: str
                         ) -> None:
    if not assignee.active or assignee.telegram_id is None:
        return
    t = translator(pick_locale(assignee.locale, default=default_locale))
    text = t(
        "lead-new",
        number=card_number(card),
        name=lead.name,
        phone=format_phone(lead.phone) if lead.phone else "—",
        email=lead.email or "—",
        message=lead.message or "—",
        source=source,
    )
    await enqueue(assignee.telegram_id, text, payload={"reply_markup": lead_keyboard(card.id, t)})
