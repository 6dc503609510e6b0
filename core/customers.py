"""Customers — people and companies — with their phones, addresses, company links and balance ledger; search,
duplicate detection and merging.

Every use case that changes something takes the acting `Actor` first, asks core.permissions, writes the audit log
with the values before and after, and runs in one transaction. Refusals raise `CustomerError` with a stable
`reason` the entry points translate; a phone that is not a phone raises `core.phones.InvalidPhone`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz, process
from tortoise import connections
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core import activity
from core.clock import now
from core.permissions import Actor, require, visible
from core.phones import InvalidPhone, digits_of, format_phone, normalize_phone
from models import (
    Attachment,
    Card,
    Customer,
    CustomerAddress,
    CustomerPhone,
    LedgerEntry,
    Staff,
    VehicleOwnership,
)

KINDS = ("person", "company")
EDITABLE_FIELDS = frozenset({"name", "kind", "email", "notes", "tags", "source", "external_id", "owner", "locale"})
# A query with at least this many digits is also looked up as the tail of stored numbers ("123-45-67").
PHONE_SUFFIX_MIN_DIGITS = 7
E164_MAX_LENGTH = 16  # "+" and at most 15 digits
NAME_SIMILARITY_THRESHOLD = 85
# A matching phone or e-mail says far more than a similar name; each adds this to a candidate's score.
CONTACT_MATCH_SCORE = 100
NAME_MAX_LENGTH = 300
ADDRESS_MAX_LENGTH = 500
LEDGER_KIND_MAX_LENGTH = 32
LEDGER_NOTE_MAX_LENGTH = 300
# DecimalField(max_digits=14, decimal_places=2)
LEDGER_AMOUNT_LIMIT = Decimal(10) ** 12
CENT = Decimal("0.01")
# Legal forms say nothing about which company it is: "ТОВ Ромашка" and "Ромашка" are the same customer.
_LEGAL_FORMS = frozenset(
    "ооо оао зао пао ао ип чп тов тзов прат пат пп фоп спд llc ltd inc gmbh".split()
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NOT_WORD = re.compile(r"[\W_]+")


class CustomerError(Exception):
    """A refusal the user should read; `reason` is a stable code the entry points translate.

    Reasons: not_found, merged, name_required, name_too_long, too_long, invalid_kind, invalid_email, unknown_field,
    owner_not_found, phone_not_found, address_required, address_too_long, invalid_coordinates, not_a_company,
    link_to_self, invalid_amount, zero_amount, amount_precision, amount_too_large, ledger_kind_required,
    invalid_currency, card_not_found, merge_into_self, merge_into_merged, already_merged.
    """

    def __init__(self, reason: str, **details: Any):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Candidate:
    """A customer that may be the same as another; `reasons` from phone, email, name; higher `score` is likelier."""

    customer: Customer
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


# --- cleaning ----------------------------------------------------------------------------------------------------


def _clean_name(name: str | None) -> str:
    name = " ".join(unicodedata.normalize("NFKC", name or "").split())
    if not name:
        raise CustomerError("name_required")
    if len(name) > NAME_MAX_LENGTH:
        raise CustomerError("name_too_long", max=NAME_MAX_LENGTH)
    return name


def _clean_kind(kind: str) -> str:
    if kind not in KINDS:
        raise CustomerError("invalid_kind", kind=kind)
    return kind


def clean_email(email: str | None) -> str | None:
    """The one e-mail rule (customers, leads, imports). Lower case: mail servers treat the local part case-blind
    in practice, and matching must too. Raises CustomerError("invalid_email")."""
    email = unicodedata.normalize("NFKC", email or "").strip().lower()
    if not email:
        return None
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise CustomerError("invalid_email", email=email)
    return email


def _clean_tags(tags: Iterable[str] | None) -> list[str]:
    cleaned: list[str] = []
    for tag in tags or ():
        tag = " ".join(str(tag).split())
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _clean_text(text: str | None) -> str:
    return (text or "").strip()


# Short text fields and their column lengths; too long a value is refused by name rather than cut.
OPTIONAL_TEXT_LENGTHS = {"source": 64, "external_id": 128, "locale": 8}


def _clean_optional(field_name: str, text: str | None) -> str | None:
    text = (text or "").strip() or None
    if text is not None and len(text) > OPTIONAL_TEXT_LENGTHS[field_name]:
        raise CustomerError("too_long", field=field_name, max=OPTIONAL_TEXT_LENGTHS[field_name])
    return text


def _clean_phones(phones: Iterable[str], region: str | None) -> list[tuple[str, str]]:
    """(e164, as entered) for each phone, the first of equal numbers kept."""
    seen: dict[str, str] = {}
    for entered in phones:
        e164 = normalize_phone(entered, region)
        seen.setdefault(e164, entered.strip()[:64])
    return list(seen.items())


AddressParts = tuple[str, float | None, float | None]  # text, latitude, longitude


def _clean_address(text: str, latitude: float | None, longitude: float | None) -> AddressParts:
    text = " ".join((text or "").split())
    if not text:
        raise CustomerError("address_required")
    if len(text) > ADDRESS_MAX_LENGTH:
        raise CustomerError("address_too_long", max=ADDRESS_MAX_LENGTH)
    if (latitude is None) != (longitude is None):
        raise CustomerError("invalid_coordinates")
    if latitude is not None and longitude is not None:
        latitude, longitude = float(latitude), float(longitude)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise CustomerError("invalid_coordinates")
    return text, latitude, longitude


def _address_input(address: str | Mapping[str, Any]) -> AddressParts:
    if isinstance(address, str):
        return _clean_address(address, None, None)
    return _clean_address(address.get("text", ""), address.get("latitude"), address.get("longitude"))


def _same_address_key(text: str) -> str:
    return " ".join(text.casefold().split())


def normalize_name(name: str) -> str:
    """A name reduced to what tells people apart: case, "ё", punctuation and legal forms removed."""
    folded = unicodedata.normalize("NFKC", name).casefold().replace("ё", "е")
    words = _NOT_WORD.sub(" ", folded).split()
    return " ".join(word for word in words if word not in _LEGAL_FORMS)


async def _staff_id(owner: Staff | int | None) -> int | None:
    if owner is None:
        return None
    owner_id = owner.id if isinstance(owner, Staff) else int(owner)
    if not await Staff.exists(id=owner_id):
        raise CustomerError("owner_not_found", owner_id=owner_id)
    return owner_id


def _snapshot(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.name,
        "kind": customer.kind,
        "email": customer.email,
        "notes": customer.notes,
        "tags": list(customer.tags or []),
        "source": customer.source,
        "external_id": customer.external_id,
        "owner": customer.owner_id,
        "locale": customer.locale,
        "telegram_id": customer.telegram_id,
    }


async def _get(customer_id: int) -> Customer:
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise CustomerError("not_found", customer_id=customer_id)
    return customer


async def _get_live(customer_id: int) -> Customer:
    """A customer that can still be changed: a merged record is kept for history only."""
    customer = await _get(customer_id)
    if customer.merged_into_id is not None:
        raise CustomerError("merged", customer_id=customer_id, merged_into=customer.merged_into_id)
    return customer


async def _record(actor: Actor, action: str, customer_id: int, before: dict | None, after: dict | None) -> None:
    await activity.record_by(actor, action, object_type="customer", object_id=customer_id, before=before, after=after)


# --- creating and editing ----------------------------------------------------------------------------------------


async def create_customer(
    actor: Actor,
    *,
    name: str,
    kind: str = "person",
    phones: Iterable[str] = (),
    email: str | None = None,
    addresses: Iterable[str | Mapping[str, Any]] = (),
    notes: str = "",
    tags: Iterable[str] = (),
    source: str | None = None,
    external_id: str | None = None,
    owner: Staff | int | None = None,
    region: str | None,
) -> Customer:
    """A new customer. Without `owner` the staff member creating it owns it: with `customer.view:own` they would
    otherwise lose sight of the customer they just made."""
    await require(actor, "customer.create")
    # A lone string would otherwise be taken character by character.
    phones = [phones] if isinstance(phones, str) else phones
    addresses = [addresses] if isinstance(addresses, str | Mapping) else addresses
    name = _clean_name(name)
    kind = _clean_kind(kind)
    email = clean_email(email)
    cleaned_phones = _clean_phones(phones, region)
    cleaned_addresses = [_address_input(address) for address in addresses]
    source = _clean_optional("source", source)
    external_id = _clean_optional("external_id", external_id)
    owner_id = await _staff_id(owner) if owner is not None else actor.staff_id
    async with in_transaction():
        customer = await Customer.create(
            name=name, kind=kind, email=email, notes=_clean_text(notes), tags=_clean_tags(tags), source=source,
            external_id=external_id, owner_id=owner_id,
        )
        for position, (e164, entered) in enumerate(cleaned_phones):
            await CustomerPhone.create(customer=customer, e164=e164, as_entered=entered, position=position)
        for position, (text, latitude, longitude) in enumerate(cleaned_addresses):
            await CustomerAddress.create(
                customer=customer, text=text, latitude=latitude, longitude=longitude, position=position
            )
        after = _snapshot(customer) | {
            "phones": [e164 for e164, _ in cleaned_phones],
            "addresses": [text for text, _, _ in cleaned_addresses],
        }
        await _record(actor, "customer.create", customer.id, None, after)
    return customer


async def update_customer(actor: Actor, customer_id: int, **changes: Any) -> Customer:
    """Changes the given fields (any of EDITABLE_FIELDS; `owner` takes a Staff, a staff id or None)."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise CustomerError("unknown_field", fields=unknown)
    customer = await _get_live(customer_id)
    await require(actor, "customer.edit", customer)
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "name":
            cleaned["name"] = _clean_name(value)
        elif name == "kind":
            cleaned["kind"] = _clean_kind(value)
        elif name == "email":
            cleaned["email"] = clean_email(value)
        elif name == "notes":
            cleaned["notes"] = _clean_text(value)
        elif name == "tags":
            cleaned["tags"] = _clean_tags(value)
        elif name == "owner":
            cleaned["owner_id"] = await _staff_id(value)
        else:
            cleaned[name] = _clean_optional(name, value)
    changed = {name: value for name, value in cleaned.items() if getattr(customer, name) != value}
    if not changed:
        return customer
    before = _snapshot(customer)
    for name, value in changed.items():
        setattr(customer, name, value)
    after = _snapshot(customer)
    keys = [key for key in after if before[key] != after[key]]
    async with in_transaction():
        await customer.save(update_fields=list(changed))
        await _record(
            actor, "customer.update", customer.id, {key: before[key] for key in keys}, {key: after[key] for key in keys}
        )
    return customer


async def add_phone(actor: Actor, customer_id: int, phone: str, *, region: str | None) -> CustomerPhone:
    """Adds a phone at the end of the customer's list; a number they already have is returned as it is."""
    e164 = normalize_phone(phone, region)
    customer = await _get_live(customer_id)
    await require(actor, "customer.edit", customer)
    async with in_transaction():
        existing = await CustomerPhone.get_or_none(customer_id=customer.id, e164=e164)
        if existing is not None:
            return existing
        last = await CustomerPhone.filter(customer_id=customer.id).order_by("-position").first()
        added = await CustomerPhone.create(
            customer_id=customer.id, e164=e164, as_entered=phone.strip()[:64],
            position=0 if last is None else last.position + 1,
        )
        await _record(actor, "customer.phone_add", customer.id, None, {"phone": e164})
    return added


async def remove_phone(actor: Actor, customer_id: int, phone: str, *, region: str | None = None) -> None:
    """Removes one of the customer's phones, given in any format."""
    e164 = normalize_phone(phone, region)
    customer = await _get_live(customer_id)
    await require(actor, "customer.edit", customer)
    async with in_transaction():
        removed = await CustomerPhone.filter(customer_id=customer.id, e164=e164).delete()
        if not removed:
            raise CustomerError("phone_not_found", phone=e164)
        await _record(actor, "customer.phone_remove", customer.id, {"phone": e164}, None)


async def phones_of(customer_id: int) -> list[CustomerPhone]:
    return list(await CustomerPhone.filter(customer_id=customer_id).order_by("position", "id"))


async def add_address(
    actor: Actor, customer_id: int, text: str, latitude: float | None = None, longitude: float | None = None
) -> CustomerAddress:
    text, latitude, longitude = _clean_address(text, latitude, longitude)
    customer = await _get_live(customer_id)
    await require(actor, "customer.edit", customer)
    async with in_transaction():
        last = await CustomerAddress.filter(customer_id=customer.id).order_by("-position").first()
        address = await CustomerAddress.create(
            customer_id=customer.id, text=text, latitude=latitude, longitude=longitude,
            position=0 if last is None else last.position + 1,
        )
        await _record(
            actor, "customer.address_add", customer.id, None,
            {"address": text, "latitude": latitude, "longitude": longitude},
        )
    return address


async def link_company(actor: Actor, person_id: int, company_id: int) -> None:
    """Makes the person a member of the company; linking twice changes nothing."""
    if person_id == company_id:
        raise CustomerError("link_to_self")
    person = await _get_live(person_id)
    company = await _get_live(company_id)
    if company.kind != "company":
        raise CustomerError("not_a_company", customer_id=company_id)
    await require(actor, "customer.edit", person)
    async with in_transaction():
        if await person.companies.filter(id=company.id).exists():
            return
        await person.companies.add(company)
        await _record(actor, "customer.link_company", person.id, None, {"company": company.id})


# --- finding -----------------------------------------------------------------------------------------------------


async def _database_folds_unicode_case() -> bool:
    """Does the database's UPPER() fold Cyrillic (which `icontains` relies on)?

    SQLite's UPPER and LIKE fold ASCII only, and PostgreSQL folds per its LC_CTYPE: yes under C.UTF-8 or
    ru_RU.UTF-8, no under plain "C". Asking the database tells which; where it cannot, names are matched in Python.
    """
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        return False
    rows = await connection.execute_query_dict("SELECT UPPER('жё') = 'ЖЁ' AS folds")
    return bool(rows and rows[0]["folds"])


async def _with_name_words(queryset: QuerySet, words: list[str], limit: int) -> list[Customer]:
    """Rows of `queryset` whose name contains every word, case-insensitively in any script, by name."""
    if await _database_folds_unicode_case():
        for word in words:
            queryset = queryset.filter(name__icontains=word)
        return list(await queryset.order_by("name", "id").limit(limit))
    folded = [word.casefold() for word in words]
    rows = await queryset.values_list("id", "name")
    matching = sorted((name, id_) for id_, name in rows if all(word in name.casefold() for word in folded))
    ids = [id_ for _, id_ in matching[:limit]]
    by_id = {customer.id: customer for customer in await Customer.filter(id__in=ids)}
    return [by_id[id_] for id_ in ids if id_ in by_id]


async def _ids_by_phone(query: str, region: str | None) -> list[int]:
    """Customers with the phone the query is, in any format, or whose phone ends with its (7+) digits."""
    looks_like_phone = re.fullmatch(r"[\d\s()+\-./]+", unicodedata.normalize("NFKC", query))
    if not looks_like_phone and not query.lower().startswith("tel:"):
        return []
    numbers = CustomerPhone.filter(customer__merged_into_id__isnull=True)
    try:
        e164 = normalize_phone(query, region)
    except InvalidPhone:
        e164 = None
    digits = digits_of(query)
    if e164:
        exact = await numbers.filter(e164=e164).values_list("customer_id", flat=True)
        if exact:
            return list(dict.fromkeys(exact))
    if len(digits) < PHONE_SUFFIX_MIN_DIGITS:
        return []
    # Typed with a trunk prefix ("067…") the tail after it is what the stored "+38067…" ends with anyway.
    return list(dict.fromkeys(await numbers.filter(e164__endswith=digits).values_list("customer_id", flat=True)))


async def search_customers(actor: Actor, query: str, region: str | None, limit: int = 20) -> list[Customer]:
    """Customers the actor may see matching the query: phone (any format, or its last 7+ digits) first, then
    e-mail, then name (every word of the query, any case), then members of companies so named. Merged-away
    records are never listed."""
    base = visible(actor, "customer.view", Customer.filter(merged_into_id__isnull=True))
    query = " ".join(unicodedata.normalize("NFKC", query or "").split())
    if not query or limit <= 0:
        return []
    found: dict[int, Customer] = {}

    def take(customers: Iterable[Customer]) -> None:
        for customer in customers:
            if len(found) < limit:
                found.setdefault(customer.id, customer)

    phone_ids = await _ids_by_phone(query, region)
    if phone_ids:
        take(await base.filter(id__in=phone_ids).order_by("name", "id").limit(limit))
    if len(found) < limit and "@" in query:
        take(await base.filter(email__icontains=query.lower()).order_by("name", "id").limit(limit))
    words = query.split()
    if len(found) < limit and not phone_ids:
        take(await _with_name_words(base, words, limit))
        companies = await _with_name_words(
            Customer.filter(kind="company", merged_into_id__isnull=True), words, limit
        )
        if companies and len(found) < limit:
            members = base.filter(companies__id__in=[company.id for company in companies]).distinct()
            take(await members.order_by("name", "id").limit(limit))
    return list(found.values())


async def find_by_phone(e164: str) -> Customer | None:
    """The (oldest) customer with this phone, for matching a shared Telegram contact or an incoming call."""
    if not e164 or len(e164) > E164_MAX_LENGTH:
        return None
    phone = await (
        CustomerPhone.filter(e164=e164, customer__merged_into_id__isnull=True).order_by("customer_id").first()
    )
    return None if phone is None else await Customer.get(id=phone.customer_id)


async def find_or_create_by_contact(
    actor: Actor,
    *,
    name: str | None,
    phone: str | None = None,
    email: str | None = None,
    source: str | None = None,
    region: str | None,
) -> tuple[Customer, bool]:
    """The customer with this phone, else with this e-mail, else a new one; True when created.

    A found customer must be visible to the actor: a manager limited to their own customers is refused rather
    than handed someone else's record. Without a name the new customer is named by the phone or e-mail."""
    e164 = normalize_phone(phone, region) if phone and phone.strip() else None
    email = clean_email(email)
    existing = await find_by_phone(e164) if e164 else None
    if existing is None and email:
        existing = await Customer.filter(email=email, merged_into_id__isnull=True).order_by("id").first()
    if existing is not None:
        await require(actor, "customer.view", existing)
        return existing, False
    display_name = (name or "").strip() or (format_phone(e164) if e164 else email) or ""
    customer = await create_customer(
        actor, name=display_name, phones=[e164] if e164 else (), email=email, source=source, region=region
    )
    return customer, True


# --- ledger ------------------------------------------------------------------------------------------------------


async def post_entry(
    actor: Actor,
    customer_id: int,
    amount: Decimal,
    kind: str,
    *,
    note: str = "",
    card: Card | int | None = None,
    currency: str,
) -> LedgerEntry:
    """Appends to the customer's ledger. Entries are never edited: a correction is a new entry."""
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)) or not Decimal(amount).is_finite():
        # A float cannot hold 0.10 exactly; money comes in as Decimal (or whole numbers).
        raise CustomerError("invalid_amount")
    amount = Decimal(amount)
    if amount == 0:
        raise CustomerError("zero_amount")
    if amount != amount.quantize(CENT):
        raise CustomerError("amount_precision")
    if abs(amount) >= LEDGER_AMOUNT_LIMIT:
        raise CustomerError("amount_too_large")
    kind = (kind or "").strip()
    if not kind or len(kind) > LEDGER_KIND_MAX_LENGTH:
        raise CustomerError("ledger_kind_required")
    currency = (currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise CustomerError("invalid_currency", currency=currency)
    card_id = card.id if isinstance(card, Card) else card
    if card_id is not None and not await Card.exists(id=card_id):
        raise CustomerError("card_not_found", card_id=card_id)
    customer = await _get_live(customer_id)
    await require(actor, "ledger.post", customer)
    async with in_transaction():
        entry = await LedgerEntry.create(
            customer_id=customer.id, amount=amount.quantize(CENT), currency=currency, kind=kind, card_id=card_id,
            note=_clean_text(note)[:LEDGER_NOTE_MAX_LENGTH], actor=actor.staff, channel=actor.channel,
        )
        await _record(
            actor, "ledger.post", customer.id, None,
            {"entry": entry.id, "amount": str(entry.amount), "currency": currency, "kind": kind, "card": card_id},
        )
    return entry


async def balance(customer_id: int, currency: str | None = None) -> Decimal:
    """The sum of the customer's entries (of one currency if given; a CRM keeps one, settings.crm.currency).

    Summed in Python: SQLite keeps decimals as text and its SUM() would answer in floats."""
    entries = LedgerEntry.filter(customer_id=customer_id)
    if currency:
        entries = entries.filter(currency=currency.upper())
    amounts = await entries.values_list("amount", flat=True)
    return sum((Decimal(amount) for amount in amounts), Decimal("0.00")).quantize(CENT)


async def ledger_of(customer_id: int) -> list[LedgerEntry]:
    return list(await LedgerEntry.filter(customer_id=customer_id).order_by("at", "id"))


# --- duplicates --------------------------------------------------------------------------------------------------


async def duplicate_candidates(actor: Actor, customer_id: int) -> list[Candidate]:
    """Customers the actor may see that may be the same as this one: same phone, same e-mail, or a similar name
    ("Иванов Иван" ~ "Иван Иванов"), likeliest first."""
    customer = await _get(customer_id)
    await require(actor, "customer.view", customer)
    others = visible(actor, "customer.view", Customer.filter(merged_into_id__isnull=True).exclude(id=customer.id))
    reasons: dict[int, list[str]] = {}
    name_scores: dict[int, float] = {}

    my_phones = await CustomerPhone.filter(customer_id=customer.id).values_list("e164", flat=True)
    if my_phones:
        same_phone = await CustomerPhone.filter(e164__in=list(my_phones)).values_list("customer_id", flat=True)
        for other_id in await others.filter(id__in=list(set(same_phone))).values_list("id", flat=True):
            reasons.setdefault(other_id, []).append("phone")
    if customer.email:
        for other_id in await others.filter(email=customer.email).values_list("id", flat=True):
            reasons.setdefault(other_id, []).append("email")
    my_name = normalize_name(customer.name)
    if my_name:
        names = {other_id: normalize_name(name) for other_id, name in await others.values_list("id", "name")}
        for _, score, other_id in process.extract(
            my_name, names, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_SIMILARITY_THRESHOLD, limit=None
        ):
            reasons.setdefault(other_id, []).append("name")
            name_scores[other_id] = score
    if not reasons:
        return []
    by_id = {other.id: other for other in await Customer.filter(id__in=list(reasons))}
    candidates = []
    for other_id, why in reasons.items():
        name_score = name_scores.get(other_id)
        if name_score is None:
            name_score = fuzz.token_sort_ratio(my_name, normalize_name(by_id[other_id].name))
        contacts = sum(1 for reason in why if reason in ("phone", "email"))
        candidates.append(Candidate(by_id[other_id], why, contacts * CONTACT_MATCH_SCORE + name_score))
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.customer.id))
    return candidates


async def _footprint(customer_id: int) -> dict[str, int]:
    """How much hangs off a customer: the counts the merge audit records before and after."""
    return {
        "cards": await Card.filter(customer_id=customer_id).count(),
        "ownerships": await VehicleOwnership.filter(customer_id=customer_id).count(),
        "ledger": await LedgerEntry.filter(customer_id=customer_id).count(),
        "attachments": await Attachment.filter(customer_id=customer_id).count(),
        "phones": await CustomerPhone.filter(customer_id=customer_id).count(),
        "addresses": await CustomerAddress.filter(customer_id=customer_id).count(),
        "companies": await Customer.filter(members__id=customer_id).count(),
        "members": await Customer.filter(companies__id=customer_id).count(),
    }


async def merge_customers(actor: Actor, survivor_id: int, duplicate_id: int) -> Customer:
    """Moves everything of the duplicate onto the survivor — cards, vehicle ownerships, ledger entries,
    attachments, phones and addresses it lacks, company links — fills the survivor's empty contact fields from it,
    and marks the duplicate merged. The duplicate record stays, empty, for history; one audited transaction."""
    await require(actor, "customer.merge")
    if survivor_id == duplicate_id:
        raise CustomerError("merge_into_self")
    async with in_transaction():
        # Both rows locked, in id order so that two opposite merges cannot deadlock each other.
        locked = await Customer.filter(id__in=[survivor_id, duplicate_id]).select_for_update().order_by("id")
        by_id = {customer.id: customer for customer in locked}
        if survivor_id not in by_id:
            raise CustomerError("not_found", customer_id=survivor_id)
        if duplicate_id not in by_id:
            raise CustomerError("not_found", customer_id=duplicate_id)
        survivor, duplicate = by_id[survivor_id], by_id[duplicate_id]
        if survivor.merged_into_id is not None:
            raise CustomerError("merge_into_merged", customer_id=survivor_id, merged_into=survivor.merged_into_id)
        if duplicate.merged_into_id is not None:
            raise CustomerError("already_merged", customer_id=duplicate_id, merged_into=duplicate.merged_into_id)

        before = {
            "survivor": {"id": survivor.id, **_snapshot(survivor), **await _footprint(survivor.id)},
            "duplicate": {"id": duplicate.id, **_snapshot(duplicate), **await _footprint(duplicate.id)},
        }
        moment = now()

        await Card.filter(customer_id=duplicate.id).update(customer_id=survivor.id)
        await Attachment.filter(customer_id=duplicate.id).update(customer_id=survivor.id)
        await LedgerEntry.filter(customer_id=duplicate.id).update(customer_id=survivor.id)

        # A car both records own at once would end with two open ownerships of one owner: the duplicate's ends now.
        survivor_cars = await VehicleOwnership.filter(customer_id=survivor.id, until__isnull=True).values_list(
            "vehicle_id", flat=True
        )
        await VehicleOwnership.filter(
            customer_id=duplicate.id, until__isnull=True, vehicle_id__in=list(survivor_cars)
        ).update(until=moment)
        await VehicleOwnership.filter(customer_id=duplicate.id).update(customer_id=survivor.id)

        survivor_phones = set(await CustomerPhone.filter(customer_id=survivor.id).values_list("e164", flat=True))
        next_position = await CustomerPhone.filter(customer_id=survivor.id).count()
        for phone in await CustomerPhone.filter(customer_id=duplicate.id).order_by("position", "id"):
            if phone.e164 in survivor_phones:
                await phone.delete()
            else:
                await CustomerPhone.filter(id=phone.id).update(customer_id=survivor.id, position=next_position)
                next_position += 1

        survivor_addresses = {
            _same_address_key(text)
            for text in await CustomerAddress.filter(customer_id=survivor.id).values_list("text", flat=True)
        }
        next_position = await CustomerAddress.filter(customer_id=survivor.id).count()
        for address in await CustomerAddress.filter(customer_id=duplicate.id).order_by("position", "id"):
            if _same_address_key(address.text) in survivor_addresses:
                await address.delete()
            else:
                await CustomerAddress.filter(id=address.id).update(customer_id=survivor.id, position=next_position)
                next_position += 1

        await _move_company_links(survivor, duplicate)
        await _absorb_fields(survivor, duplicate)

        # Records merged into the duplicate earlier now point at the survivor, so no chain has to be followed.
        await Customer.filter(merged_into_id=duplicate.id).update(merged_into_id=survivor.id)
        duplicate.merged_into_id = survivor.id
        await duplicate.save(update_fields=["merged_into_id"])

        after = {
            "survivor": {"id": survivor.id, **_snapshot(survivor), **await _footprint(survivor.id)},
            "duplicate": {"id": duplicate.id, "merged_into": survivor.id, **await _footprint(duplicate.id)},
        }
        await _record(actor, "customer.merge", survivor.id, before, after)
    return survivor


async def _move_company_links(survivor: Customer, duplicate: Customer) -> None:
    """The duplicate's companies and members become the survivor's; a link of the survivor to itself is dropped."""
    survivor_companies = {company.id for company in await survivor.companies.all()}
    for company in await duplicate.companies.all():
        if company.id != survivor.id and company.id not in survivor_companies:
            await survivor.companies.add(company)
    survivor_members = {member.id for member in await survivor.members.all()}
    for member in await duplicate.members.all():
        if member.id != survivor.id and member.id not in survivor_members:
            await survivor.members.add(member)
    await duplicate.companies.clear()
    await duplicate.members.clear()


async def _absorb_fields(survivor: Customer, duplicate: Customer) -> None:
    """The survivor keeps what it has; what it lacks, it takes from the duplicate."""
    updates: dict[str, Any] = {}
    for name in ("email", "source", "external_id", "owner_id", "locale"):
        if getattr(survivor, name) is None and getattr(duplicate, name) is not None:
            updates[name] = getattr(duplicate, name)
    tags = _clean_tags([*(survivor.tags or []), *(duplicate.tags or [])])
    if tags != list(survivor.tags or []):
        updates["tags"] = tags
    if duplicate.notes and duplicate.notes not in survivor.notes:
        updates["notes"] = f"{survivor.notes}\n\n{duplicate.notes}" if survivor.notes else duplicate.notes
    if survivor.telegram_id is None and duplicate.telegram_id is not None:
        # telegram_id is unique: the duplicate lets go of it first.
        updates["telegram_id"] = duplicate.telegram_id
        await Customer.filter(id=duplicate.id).update(telegram_id=None)
        duplicate.telegram_id = None
    if updates:
        for name, value in updates.items():
            setattr(survivor, name, value)
        await survivor.save(update_fields=list(updates))
