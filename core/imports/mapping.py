"""Which column of a file goes into which field: the fields each entity takes, a guess from the header names
(ru / uk / en, as people name columns in their exports), and the check of a mapping a person gave.

A mapping is a dict {column header: field}. Several columns may feed the multi-valued fields (phones, tags,
notes); any other field takes one column. Custom card fields are named `fields.<key>` (a bare `<key>` of the
pipeline's schema is accepted too).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

ENTITIES = ("customers", "vehicles", "cards")

FIELDS: dict[str, tuple[str, ...]] = {
    "customers": ("external_id", "name", "kind", "phone", "email", "address", "tags", "notes", "source"),
    "vehicles": ("external_id", "vin", "plate", "make", "model", "year", "owner_phone", "owner_external_id"),
    "cards": ("external_id", "pipeline", "title", "stage", "customer_phone", "customer_external_id",
              "customer_name"),
}
# Fields several columns may feed: their values are joined (phones, tags) or put one under another (notes).
MULTI = frozenset({"phone", "tags", "notes"})
CUSTOM_PREFIX = "fields."

# Header names as they appear in exports, already normalized (see `normalize_header`).
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "external_id": ("id", "external id", "externalid", "external_id", "код", "код клиента", "код клієнта",
                        "ид", "id клиента", "id клієнта", "внешний id", "зовнішній id", "customer id", "client id",
                        "номер клиента", "номер клієнта", "crm id"),
        "name": ("имя", "фио", "ф и о", "name", "full name", "fullname", "клиент", "клієнт", "піб", "п і б",
                 "ім я", "імя", "наименование", "найменування", "назва", "customer", "client", "контакт",
                 "контрагент", "имя клиента", "ім я клієнта", "покупатель", "покупець", "название", "company",
                 "компания", "компанія", "customer name", "client name", "contact"),
        "kind": ("тип", "type", "kind", "вид", "тип клиента", "тип клієнта", "customer type", "client type"),
        "phone": ("телефон", "тел", "phone", "phones", "mobile", "моб", "мобильный", "мобільний", "телефоны",
                  "телефони", "номер телефона", "номер телефону", "phone number", "tel", "telephone",
                  "контактный телефон", "контактний телефон", "моб телефон", "cell"),
        "email": ("email", "e mail", "mail", "почта", "эл почта", "электронная почта", "пошта", "ел пошта",
                  "електронна пошта", "email address", "e mail address"),
        "address": ("адрес", "адреса", "address", "адрес доставки", "адреса доставки", "delivery address"),
        "tags": ("теги", "метки", "tags", "мітки", "тег", "tag", "label", "labels", "группа", "група", "group"),
        "notes": ("примечание", "примечания", "комментарий", "комментарии", "коментар", "коментарі", "заметки",
                  "нотатки", "notes", "note", "comment", "comments", "примітка", "примітки", "описание", "опис",
                  "description"),
        "source": ("источник", "джерело", "source", "канал", "lead source", "источник лида", "джерело ліда"),
    },
    "vehicles": {
        "external_id": ("id", "external id", "external_id", "код", "код авто", "код автомобиля", "код автомобіля",
                        "vehicle id", "car id", "id авто"),
        "vin": ("vin", "вин", "vin код", "вин код", "vin code", "vin номер", "номер кузова", "vin number"),
        "plate": ("госномер", "гос номер", "госзнак", "номерной знак", "номер авто", "держномер", "держ номер",
                  "номерний знак", "plate", "license plate", "licence plate", "plate number", "registration",
                  "reg number", "номер"),
        "make": ("марка", "make", "brand", "производитель", "виробник", "марка авто"),
        "model": ("модель", "model", "модель авто"),
        "year": ("год", "год выпуска", "рік", "рік випуску", "year", "model year", "г в", "р в"),
        "owner_phone": ("телефон", "телефон владельца", "телефон власника", "телефон клиента", "телефон клієнта",
                        "phone", "owner phone", "тел", "мобильный", "мобільний", "mobile"),
        "owner_external_id": ("код клиента", "код клієнта", "id клиента", "id клієнта", "owner id", "customer id",
                              "client id", "код владельца", "код власника", "владелец id"),
    },
    "cards": {
        "external_id": ("id", "external id", "external_id", "номер заказа", "номер замовлення", "номер сделки",
                        "номер угоди", "order id", "deal id", "id сделки", "id угоди", "код", "order", "№", "n"),
        "pipeline": ("воронка", "pipeline", "воронка продаж", "воронка продажів", "funnel"),
        "title": ("название", "заголовок", "title", "назва", "сделка", "угода", "deal", "тема", "subject",
                  "заказ", "замовлення", "название сделки", "назва угоди", "deal name"),
        "stage": ("этап", "стадия", "статус", "stage", "status", "етап", "стадія"),
        "customer_phone": ("телефон", "телефон клиента", "телефон клієнта", "phone", "customer phone",
                           "client phone", "тел", "мобильный", "мобільний", "mobile"),
        "customer_external_id": ("код клиента", "код клієнта", "id клиента", "id клієнта", "customer id",
                                 "client id"),
        "customer_name": ("клиент", "клієнт", "фио", "піб", "имя", "ім я", "customer", "client", "контакт",
                          "contact", "имя клиента", "ім я клієнта", "customer name", "client name", "контрагент"),
    },
}
# A header that starts with one of these is a phone column whatever follows ("Телефон 2", "Phone (work)").
_PHONE_PREFIXES = ("телефон", "phone", "тел ", "моб ", "мобильн", "мобільн", "mobile")
_PHONE_FIELD = {"customers": "phone", "vehicles": "owner_phone", "cards": "customer_phone"}
# Fields that tell one entity from the others when guessing which a file holds.
_DISTINCTIVE = {
    "customers": {"name", "email", "address", "kind", "tags"},
    "vehicles": {"vin", "plate", "make", "model", "year"},
    "cards": {"title", "stage", "pipeline"},
}
_REQUIRED = {"customers": ("name",), "vehicles": (), "cards": ()}
_IDENTITY = {"vehicles": ("vin", "plate", "external_id")}
_NOT_WORD = re.compile(r"[\W_]+")


class MappingError(Exception):
    """A mapping that cannot work. Reasons: unknown_entity, unknown_column, unknown_field, duplicate_field,
    field_required (`field` names it), identity_required (vehicles: VIN, plate or external id)."""

    def __init__(self, reason: str, *, column: str = "", field: str = ""):
        super().__init__(" ".join(part for part in (reason, column, field) if part))
        self.reason = reason
        self.column = column
        self.field = field


@dataclass(frozen=True)
class CustomField:
    """A card field of a pipeline's schema, as the guess needs it: its key and titles."""

    key: str
    titles: Mapping[str, str]


def normalize_header(text: str) -> str:
    """Case, "ё", punctuation, apostrophes and extra spaces removed: "Ф.И.О." → "ф и о", "E-mail" → "e mail"."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е")
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def _base_header(normalized: str) -> str:
    """Without a trailing counter or bracketed note: "телефон 2" → "телефон", "phone work" stays."""
    return re.sub(r"(\s+\d+)+$", "", normalized)


def fields_of(entity: str, custom: Iterable[CustomField] = ()) -> tuple[str, ...]:
    if entity not in FIELDS:
        raise MappingError("unknown_entity", field=entity)
    extra = tuple(f"{CUSTOM_PREFIX}{spec.key}" for spec in custom) if entity == "cards" else ()
    return FIELDS[entity] + extra


def guess_field(entity: str, header: str, custom: Sequence[CustomField] = ()) -> str | None:
    """The field a column of this name most likely holds, or None."""
    normalized = normalize_header(header)
    if not normalized:
        return None
    candidates = (normalized, _base_header(normalized))
    for name in candidates:
        for field_name, synonyms in _SYNONYMS[entity].items():
            if name in synonyms:
                return field_name
    if entity == "cards":
        for spec in custom:
            names = {normalize_header(spec.key), *(normalize_header(title) for title in spec.titles.values())}
            if names & set(candidates):
                return f"{CUSTOM_PREFIX}{spec.key}"
    if normalized.startswith(_PHONE_PREFIXES) or normalized in ("тел", "моб"):
        return _PHONE_FIELD[entity]
    return None


def guess_mapping(entity: str, header: Sequence[str], custom: Sequence[CustomField] = ()) -> dict[str, str]:
    """{column: field} for the columns whose names say what they hold; a single-valued field goes to the first
    column that claims it, later ones are left unmapped."""
    fields_of(entity, custom)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in header:
        field_name = guess_field(entity, column, custom)
        if field_name is None or (field_name in taken and field_name not in MULTI):
            continue
        mapping[column] = field_name
        taken.add(field_name)
    return mapping


def guess_entity(header: Sequence[str], custom: Sequence[CustomField] = ()) -> str | None:
    """customers, vehicles or cards, when the header names say so clearly; None when it is a toss-up."""
    scores = {}
    for entity in ENTITIES:
        fields = set(guess_mapping(entity, header, custom).values())
        distinctive = len(fields & _DISTINCTIVE[entity])
        custom_fields = sum(1 for name in fields if name.startswith(CUSTOM_PREFIX))
        # A field only this entity has counts twice; a phone or an ID column any of them could have, once. A custom
        # card field makes a file a candidate for cards, but counts once: its title may be a word like "Source".
        scores[entity] = (distinctive + len(fields)) if distinctive or custom_fields else 0
    best = max(scores.values())
    if best == 0:
        return None
    winners = [entity for entity, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def resolve_field(entity: str, name: str, custom: Sequence[CustomField] = ()) -> str:
    """A field name as a person typed it (`--map Бюджет=budget`) → the mapping's name for it."""
    name = name.strip()
    known = fields_of(entity, custom)
    if name in known:
        return name
    if entity == "cards" and f"{CUSTOM_PREFIX}{name}" in known:
        return f"{CUSTOM_PREFIX}{name}"
    raise MappingError("unknown_field", field=name)


def check_mapping(entity: str, mapping: Mapping[str, str | None], header: Sequence[str],
                  custom: Sequence[CustomField] = ()) -> dict[str, str]:
    """The mapping cleaned (unmapped columns dropped, field names resolved), or MappingError."""
    cleaned: dict[str, str] = {}
    used: set[str] = set()
    for column, field_name in mapping.items():
        if not field_name:
            continue
        if column not in header:
            raise MappingError("unknown_column", column=column)
        resolved = resolve_field(entity, field_name, custom)
        if resolved in used and resolved not in MULTI:
            raise MappingError("duplicate_field", column=column, field=resolved)
        used.add(resolved)
        cleaned[column] = resolved
    for required in _REQUIRED[entity]:
        if required not in used:
            raise MappingError("field_required", field=required)
    identity = _IDENTITY.get(entity)
    if identity and not used & set(identity):
        raise MappingError("identity_required", field="/".join(identity))
    return cleaned


def split_map_options(items: Iterable[str]) -> dict[str, str]:
    """`column=field` pairs from the command line as typed (`column=` leaves a column out); the field names are
    resolved once the entity is known (`resolve_field`)."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, field_name = item.rpartition("=")
        if not sep or not column.strip():
            raise MappingError("unknown_column", column=item)
        mapping[column.strip()] = field_name.strip()
    return mapping


def parse_map_options(entity: str, items: Iterable[str], custom: Sequence[CustomField] = ()) -> dict[str, str]:
    """`column=field` pairs from the command line, field names resolved for `entity`."""
    return {column: resolve_field(entity, name, custom) if name else ""
            for column, name in split_map_options(items).items()}
