"""Values as a reader in ru / uk / en reads them, the same in the bot and in the panel: money, numbers, dates,
times and moments, phones, and a card field's stored value. Separators, month names and patterns are Babel's
(CLDR); nothing here is spelled by hand.

Moments are stored in UTC and shown at the clock of the business's time zone (settings.i18n.zone), whatever the
reader's language: a naive datetime (never stored on purpose) is taken as UTC, like `core.clock.as_utc`, and is
converted like any other, never shown as it is.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

from core.clock import as_utc
from core.fields import stored_datetime
from core.phones import format_phone

# The field types whose stored value is formatted here; the words for the others (a reference row's title, yes or
# no, a file's name) are the caller's.
FORMATTED_TYPES = frozenset({"money", "number", "date", "datetime", "phone"})
# CLDR's currency spacing: a currency shown by its letters ("UAH" in English) stands apart from the digits by a
# no-break space ("UAH 12,500.50", not "UAH12,500.50"); Babel leaves that step out.
_CURRENCY_SPACING = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def _decimal(value: Any) -> Decimal:
    """Decimal of a stored amount (a decimal string, a Decimal, an int); a float goes through its shortest text."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError(value)
    return amount


def money(value: Any, currency: str, locale: str) -> str:
    """An amount in an ISO 4217 currency with the currency's own decimals (kopecks: 2): "12 345,50 ₴" in ru and
    uk, "UAH 12,345.50" in en. Raises ValueError (decimal.InvalidOperation) for what is not an amount."""
    text = format_currency(_decimal(value), currency.upper(), locale=locale)
    return _CURRENCY_SPACING.sub("\u00a0", text)


def number(value: Any, locale: str) -> str:
    """A quantity with every decimal it has, thousands grouped: "1 234,5" in ru and uk, "1,234.5" in en."""
    return format_decimal(_decimal(value), locale=locale, decimal_quantization=False)


def quantity(value: Any, locale: str) -> str:
    """A stored quantity without the zeros its column's scale adds ("2.000" → "2", "1.500" → "1,5")."""
    amount = _decimal(value)
    return number(amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize(),
                  locale)


def local_time(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` at the business's clock; a naive one is taken as UTC (the storage convention)."""
    return as_utc(moment).astimezone(zone)


def date_text(day: date, locale: str) -> str:
    """A calendar day: "5 мар. 2026 г.", "5 бер. 2026 р.", "Mar 5, 2026". A datetime here is a moment: use
    datetime_text, or date_text(local_time(moment, zone).date(), …)."""
    if isinstance(day, datetime):
        raise TypeError("a datetime is a moment: pass local_time(moment, zone).date()")
    return format_date(day, "medium", locale=locale)


def time_text(moment: datetime, locale: str, zone: tzinfo) -> str:
    """The clock time of `moment` in `zone`: "14:30" in ru and uk, "2:30 PM" in en."""
    return format_time(local_time(moment, zone), "short", locale=locale)


def datetime_text(moment: datetime, locale: str, zone: tzinfo) -> str:
    """Day and clock time of `moment` in `zone`, joined as the locale joins them: "1 апр. 2026 г., 10:30",
    "Apr 1, 2026, 10:30 AM"."""
    local = local_time(moment, zone)
    pattern = str(get_datetime_format("medium", locale=locale))
    return pattern.replace("{1}", date_text(local.date(), locale)).replace("{0}", time_text(local, locale, zone))


def phone_text(e164: str, locale: str) -> str:
    """A stored E.164 number for reading: "+380 67 123 4567" (see core.phones.format_phone)."""
    return format_phone(e164, locale)


def field_text(field_type: str, raw: Any, locale: str, *, currency: str, zone: tzinfo) -> str | None:
    """A card field's stored value of one of FORMATTED_TYPES as the reader reads it; None for any other type.
    A value that does not parse (stored by hand, or by an old pack version) is shown as it is."""
    if field_type not in FORMATTED_TYPES:
        return None
    try:
        if field_type == "money":
            return money(raw, currency, locale)
        if field_type == "number":
            return number(raw, locale)
        if field_type == "date":
            return date_text(date.fromisoformat(str(raw)), locale)
        if field_type == "datetime":
            return datetime_text(stored_datetime(raw, zone), locale, zone)
        return phone_text(str(raw), locale)
    except (ValueError, ArithmeticError, TypeError):
        return str(raw)
