"""Typed custom fields of a pipeline's cards: the schema a pack declares, and cleaning a value against it.

Values are stored in `Card.fields_data` as JSON: money and numbers as decimal strings (never floats), dates as ISO
text, datetimes as ISO text in UTC with its offset ("2026-04-01T07:30:00+00:00"), phones as E.164, choices as the
reference row key, links as the reference row id, files as attachment ids.

A time typed without a zone ("01.04.2026 10:30", a panel's datetime-local input, an Excel cell) is the business's
clock: it is read in the zone the caller passes (settings.i18n.zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import phonenumbers

from core.clock import as_utc
from core.config import DEFAULT_TIMEZONE

FIELD_TYPES = ("text", "number", "money", "date", "datetime", "phone", "choice", "link", "boolean", "file")
_TRUE = {"1", "true", "yes", "y", "on", "да", "так", "+"}
_FALSE = {"0", "false", "no", "n", "off", "нет", "ні", "-"}
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


class FieldError(ValueError):
    """A value does not fit its field; `reason` is a stable code the entry points translate."""

    def __init__(self, field_key: str, reason: str):
        super().__init__(f"{field_key}: {reason}")
        self.field_key = field_key
        self.reason = reason


@dataclass(frozen=True)
class FieldSpec:
    key: str
    type: str
    titles: dict[str, str] = field(default_factory=dict)
    reference: str | None = None
    # Stage keys where the field may be edited; empty: every stage.
    editable_in: tuple[str, ...] = ()
    # Role keys that may edit it; empty: anyone who may edit the card. Admins always may.
    editable_by: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict) -> FieldSpec:
        return cls(
            key=data["key"],
            type=data["type"],
            titles=data.get("titles", {}),
            reference=data.get("reference"),
            editable_in=tuple(data.get("editable_in", ())),
            editable_by=tuple(data.get("editable_by", ())),
        )

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "type": self.type,
            "titles": self.titles,
            "reference": self.reference,
            "editable_in": list(self.editable_in),
            "editable_by": list(self.editable_by),
        }

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or self.key


def schema_of(field_schema: list[dict]) -> dict[str, FieldSpec]:
    return {item["key"]: FieldSpec.from_json(item) for item in field_schema}


def field_titles(field_schema: list[dict], keys: list[str], locale: str) -> dict[str, str]:
    """What a reader calls each of `keys` (a field no longer in the schema keeps its key)."""
    schema = schema_of(field_schema)
    return {key: schema[key].title(locale) if key in schema else key for key in keys}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class _Reading(NamedTuple):
    """How a typed value is read: phones without a country code in `region`, times without a zone in `zone`,
    choice and link keys through `rows` (row key → id)."""

    region: str
    zone: tzinfo
    rows: dict[str, int]


def clean_value(spec: FieldSpec, raw: Any, *, region: str = "UA", zone: tzinfo = DEFAULT_ZONE,
                reference_rows: dict[str, int] | None = None) -> Any:
    """The stored form of `raw`, or FieldError. `reference_rows` maps row key → id for choice and link fields;
    `zone` is the business's time zone, in which a datetime typed without one is read."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return _CLEANERS[spec.type](spec, raw, _Reading(region, zone, reference_rows or {}))
    except FieldError:
        raise
    except (ValueError, TypeError, InvalidOperation, phonenumbers.NumberParseException):
        raise FieldError(spec.key, "invalid") from None


def stored_datetime(raw: Any, zone: tzinfo) -> datetime:
    """A stored datetime field value as an aware UTC datetime. Values stored before they carried an offset were
    typed at the business's clock, so a naive one is read in `zone`. Raises ValueError for anything else."""
    return as_utc(raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw)), zone)


def _text(spec, raw, reading):
    return str(raw).strip()


def _decimal(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("bool")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError("not finite")
    return value


def _number(spec, raw, reading):
    return str(_decimal(raw).normalize())


def _money(spec, raw, reading):
    return str(_decimal(raw).quantize(Decimal("0.01")))


def _date(spec, raw, reading):
    if isinstance(raw, datetime):
        # A moment with a zone falls on the business's calendar day; a naive one is already a wall-clock time.
        return (raw.astimezone(reading.zone) if raw.tzinfo is not None else raw).date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(text)


def _datetime(spec, raw, reading):
    return as_utc(_parse_datetime(raw), reading.zone).isoformat()


def _parse_datetime(raw) -> datetime:
    if isinstance(raw, datetime):
        return raw
    text = str(raw).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(text)


def _phone(spec, raw, reading):
    number = phonenumbers.parse(str(raw), reading.region)
    if not phonenumbers.is_valid_number(number):
        raise FieldError(spec.key, "invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _choice(spec, raw, reading):
    key = str(raw).strip()
    if key not in reading.rows:
        raise FieldError(spec.key, "unknown_choice")
    return key


def _link(spec, raw, reading):
    value = str(raw).strip()
    if value in reading.rows:
        return reading.rows[value]
    if value.isdigit() and int(value) in reading.rows.values():
        return int(value)
    raise FieldError(spec.key, "unknown_choice")


def _boolean(spec, raw, reading):
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def _file(spec, raw, reading):
    if isinstance(raw, bool):
        raise ValueError("bool")
    return int(raw)


_CLEANERS = {
    "text": _text,
    "number": _number,
    "money": _money,
    "date": _date,
    "datetime": _datetime,
    "phone": _phone,
    "choice": _choice,
    "link": _link,
    "boolean": _boolean,
    "file": _file,
}
