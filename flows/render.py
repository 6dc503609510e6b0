"""The bot's card view: a card, its fields and its history as plain text, values formatted by core.formatting (the
panel's formatter too, so both read the same).

Pure formatting plus the look-ups a card view needs (reference rows, names); no business rules.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from core import formatting
from core.fields import FieldSpec, is_empty, schema_of
from core.i18n import Translator
from core.lines import describe_line
from core.pipelines import CardView, card_number
from models import Card, CardHistory

TEXT_LIMIT = 4000  # Telegram allows 4096 characters in a message


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_value(spec: FieldSpec, value: Any, t: Translator, *, currency: str, tz: tzinfo,
                reference_title: str | None = None) -> str:
    formatted = formatting.field_text(spec.type, value, t.locale, currency=currency, zone=tz)
    if formatted is not None:
        return formatted
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
            customer += f", {formatting.phone_text(view.customer_phone, locale)}"
        lines.append(f"{t('card-customer')}: {customer}")
    if card.assignee is not None:
        lines.append(f"{t('card-assignee')}: {card.assignee.name}")
    if card.urgent or card.priority:
        marks = [t("card-urgent")] if card.urgent else []
        if card.priority:
            marks.append(f"{t('card-priority')}: {card.priority}")
        lines.append(" · ".join(marks))
    if card.deadline is not None:
        lines.append(f"{t('card-deadline')}: {formatting.datetime_text(card.deadline, locale, tz)}")
    for title, value in card_fields(view, t, currency=currency, tz=tz):
        lines.append(f"{title}: {value}")
    lines += card_lines(view, t)
    for link in view.links:
        lines.append(f"🔗 {link.title(locale)}: {card_heading(card_number(link.other), link.other)}" if link.other
                     else f"🔗 {t('card-link-hidden')}")
    return "\n".join(lines)[:TEXT_LIMIT]


DECISION_MARKS = {"pending": "⏳", "approved": "✅", "declined": "❌"}


def card_lines(view: CardView, t: Translator) -> list[str]:
    if not view.lines:
        return []
    shown = [f"{t('card-lines')}:"]
    shown += [f"{DECISION_MARKS.get(line.decision, '')} {describe_line(line, t.locale)}" for line in view.lines]
    totals = view.totals
    summary = f"{t('card-lines-total')}: {formatting.money(totals.all.price, totals.currency, t.locale)}"
    if totals.pending:
        summary += f" · {t('card-lines-pending', count=totals.pending)}"
    return [*shown, summary]


def history_lines(rows: list[CardHistory], t: Translator, tz: tzinfo) -> list[str]:
    lines = []
    for row in rows:
        who = row.actor.name if row.actor else t("card-history-system")
        when = formatting.datetime_text(row.at, t.locale, tz)
        source = row.from_stage.title(t.locale) if row.from_stage else t("card-history-created")
        lines.append(f"{when} · {who}: {source} → {row.to_stage.title(t.locale)}")
        if row.reason:
            lines.append(f"    {t('card-history-reason')}: {row.reason}")
    return lines
