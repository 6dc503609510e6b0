"""Typed custom fields of a pipeline's cards: the schema a pack declares, and cleaning a value against it.

Values are stored in `Card.fields_data` as JSON: money and numbers as decimal strings (never floats), dates and
datetimes as ISO text, phones as E.164, choices as the reference row key, links as the reference row id, files as
attachment ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

FIELD_TYPES = ("text", "number", "money", "date", "datetime", "phone", "choice", "link", "boolean", "file")
_TRUE = {"1", "true", "yes", "y", "on", "да", "так", "+"}
_FALSE = {"0", "false", "no", "n", "off", "нет", "ні", "-"}


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


def clean_value(spec: FieldSpec, raw: Any, *, region: str = "UA", reference_rows: dict[str, int] | None = None) -> Any:
    """The stored form of `raw`, or FieldError. `reference_rows` maps row key → id for choice and link fields."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return _CLEANERS[spec.type](spec, raw, region, reference_rows or {})
    except FieldError:
        raise
    except (ValueError, TypeError, InvalidOperation, phonenumbers.NumberParseException):
        raise FieldError(spec.key, "invalid") from None


def _text(spec, raw, region, rows):
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


def _number(spec, raw, region, rows):
    return str(_decimal(raw).normalize())


def _money(spec, raw, region, rows):
    return str(_decimal(raw).quantize(Decimal("0.01")))


def _date(spec, raw, region, rows):
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(text)


def _datetime(spec, raw, region, rows):
    if isinstance(raw, datetime):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    for pattern in ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    raise ValueError(text)


def _phone(spec, raw, region, rows):
    number = phonenumbers.parse(str(raw), region)
    if not phonenumbers.is_valid_number(number):
        raise FieldError(spec.key, "invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _choice(spec, raw, region, rows):
    key = str(raw).strip()
    if key not in rows:
        raise FieldError(spec.key, "unknown_choice")
    return key


def _link(spec, raw, region, rows):
    value = str(raw).strip()
    if value in rows:
        return rows[value]
    if value.isdigit() and int(value) in rows.values():
        return int(value)
    raise FieldError(spec.key, "unknown_choice")


def _boolean(spec, raw, region, rows):
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def _file(spec, raw, region, rows):
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
