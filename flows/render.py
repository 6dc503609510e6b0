"""Values as a reader in ru / uk / en expects them: money, numbers, dates, phones, card fields; and the card view.

Pure formatting plus the look-ups a card view needs (reference rows, names); no business rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from core.clock import as_utc
from core.fields import FieldSpec, is_empty, schema_of
from core.i18n import Translator
from core.phones import format_phone
from core.pipelines import CardView
from models import Card, CardHistory

# Thousands and decimal separators per locale: "12 345,50" in ru/uk (a no-break space), "12,345.50" in en.
SEPARATORS = {"ru": ("\u00a0", ","), "uk": ("\u00a0", ","), "en": (",", ".")}
DATE_FORMATS = {"ru": "%d.%m.%Y", "uk": "%d.%m.%Y", "en": "%Y-%m-%d"}
TIME_FORMAT = "%H:%M"
TEXT_LIMIT = 4000  # Telegram allows 4096 characters in a message


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def number(value: Any, locale: str, places: int | None = None) -> str:
    """A decimal for reading: grouped thousands, the locale's decimal mark; `places` fixes the decimals."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places))
    thousands, mark = SEPARATORS.get(locale, SEPARATORS["en"])
    sign = "-" if amount < 0 else ""
    text = format(abs(amount), "f")
    whole, _, fraction = text.partition(".")
    result = sign + _group(whole, thousands)
    return f"{result}{mark}{fraction}" if fraction else result


def money(value: Any, locale: str, currency: str = "") -> str:
    text = number(value, locale, places=2)
    return f"{text}\u00a0{currency}" if currency else text


def date_text(value: date | str, locale: str) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime(DATE_FORMATS.get(locale, DATE_FORMATS["en"]))


def datetime_text(value: datetime | str, locale: str, tz: tzinfo = UTC) -> str:
    """In the reader's time zone; a stored value without an offset is taken as UTC (the engine stores UTC)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = as_utc(value).astimezone(tz)
    return f"{date_text(local.date(), locale)} {local.strftime(TIME_FORMAT)}"


def phone_text(e164: str, locale: str) -> str:
    return format_phone(e164, locale)


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_value(spec: FieldSpec, value: Any, t: Translator, *, currency: str, tz: tzinfo,
                reference_title: str | None = None) -> str:
    locale = t.locale
    if spec.type == "money":
        return money(value, locale, currency)
    if spec.type == "number":
        return number(value, locale)
    if spec.type == "date":
        return date_text(value, locale)
    if spec.type == "datetime":
        return datetime_text(value, locale, tz)
    if spec.type == "phone":
        return phone_text(str(value), locale)
    if spec.type == "boolean":
        return t("value-yes") if value else t("value-no")
    if spec.type in ("choice", "link"):
        return reference_title or str(value)
    if spec.type == "file":
        return f"📎 #{value}"
    return str(value)


def card_fields(view: CardView, t: Translator, *, currency: str, tz: tzinfo) -> list[tuple[str, str]]:
    """(title, value) of the card's filled custom fields, in the schema's order, titles in the reader's language."""
    card = view.card
    values = card.fields_data or {}
    return [
        (spec.title(t.locale),
         field_value(spec, values[spec.key], t, currency=currency, tz=tz,
                     reference_title=view.references[spec.key].title(t.locale) if spec.key in view.references
                     else None))
        for spec in schema_of(card.pipeline.field_schema).values()
        if not is_empty(values.get(spec.key))
    ]


def card_heading(number_text: str, card: Card) -> str:
    return f"{number_text} · {card.title}" if card.title else number_text


def card_text(view: CardView, t: Translator, *, currency: str, tz: tzinfo) -> str:
    """The card as plain text (no parse mode: names and field values are shown exactly as typed)."""
    card, locale = view.card, t.locale
    lines = [f"📋 {card_heading(view.number, card)}", f"{t('card-stage')}: {card.stage.title(locale)}"]
    if card.customer is not None:
        customer = card.customer.name
        if view.customer_phone:
            customer += f", {phone_text(view.customer_phone, locale)}"
        lines.append(f"{t('card-customer')}: {customer}")
    if card.assignee is not None:
        lines.append(f"{t('card-assignee')}: {card.assignee.name}")
    if card.urgent or card.priority:
        marks = [t("card-urgent")] if card.urgent else []
        if card.priority:
            marks.append(f"{t('card-priority')}: {card.priority}")
        lines.append(" · ".join(marks))
    if card.deadline is not None:
        lines.append(f"{t('card-deadline')}: {datetime_text(card.deadline, locale, tz)}")
    for title, value in card_fields(view, t, currency=currency, tz=tz):
        lines.append(f"{title}: {value}")
    return "\n".join(lines)[:TEXT_LIMIT]


def history_lines(rows: list[CardHistory], t: Translator, tz: tzinfo) -> list[str]:
    lines = []
    for row in rows:
        who = row.actor.name if row.actor else t("card-history-system")
        when = datetime_text(row.at, t.locale, tz)
        source = row.from_stage.title(t.locale) if row.from_stage else t("card-history-created")
        lines.append(f"{when} · {who}: {source} → {row.to_stage.title(t.locale)}")
        if row.reason:
            lines.append(f"    {t('card-history-reason')}: {row.reason}")
    return lines
