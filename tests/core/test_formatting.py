"""core.formatting: money, numbers, dates and moments as a reader in ru / uk / en reads them, at the business's
clock; and core.fields reading a typed time in the business's zone and keeping it in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import pytest

from core import formatting
from core.clock import as_utc
from core.config import load_settings
from core.fields import FieldSpec, clean_value, stored_datetime

KYIV = ZoneInfo("Europe/Kyiv")
NBSP, NNBSP = "\u00a0", "\u202f"  # CLDR's no-break space (ru/uk grouping, currency) and narrow one (г., AM)
NEXT_CALL = FieldSpec(key="next_call", type="datetime")


@pytest.mark.parametrize(("locale", "expected"), [
    ("ru", f"12{NBSP}345,50{NBSP}₴"),
    ("uk", f"12{NBSP}345,50{NBSP}₴"),
    ("en", f"UAH{NBSP}12,345.50"),  # a code, not a sign, stands apart from the digits (CLDR currency spacing)
])
def test_money_shows_kopecks_in_each_locale(locale, expected):
    assert formatting.money("12345.5", "UAH", locale) == expected
    assert formatting.money(Decimal("12345.50"), "uah", locale) == expected


def test_money_other_currencies_signs_and_rounding():
    assert formatting.money("-1234567", "USD", "en") == "-$1,234,567.00"
    assert formatting.money("-250.5", "UAH", "ru") == f"-250,50{NBSP}₴"
    assert formatting.money("0.5", "EUR", "ru") == f"0,50{NBSP}€"
    assert formatting.money(Decimal("0.10"), "USD", "uk") == f"0,10{NBSP}USD"
    assert formatting.money("1000", "JPY", "en") == "¥1,000"  # the currency's own decimals: yen has none
    for bad in ("дорого", "NaN", True):
        with pytest.raises((InvalidOperation, ValueError, TypeError)):
            formatting.money(bad, "UAH", "ru")


def test_numbers_keep_every_decimal_and_group_thousands():
    assert formatting.number("1234.5678", "ru") == f"1{NBSP}234,5678"
    assert formatting.number("1000.25", "uk") == f"1{NBSP}000,25"
    assert formatting.number("1234.5678", "en") == "1,234.5678"
    assert formatting.number("12", "en") == "12"
    assert formatting.number("1E+3", "ru") == f"1{NBSP}000"  # how core.fields stores a normalized 1000
    assert formatting.number(-0.5, "uk") == "-0,5"


def test_dates_per_locale():
    day = date(2026, 3, 5)
    assert formatting.date_text(day, "ru") == f"5 мар. 2026{NNBSP}г."
    assert formatting.date_text(day, "uk") == f"5 бер. 2026{NNBSP}р."
    assert formatting.date_text(day, "en") == "Mar 5, 2026"
    with pytest.raises(TypeError):  # a moment has no calendar day until it is placed in a zone
        formatting.date_text(datetime(2026, 3, 5, 23, 30, tzinfo=UTC), "en")


def test_moments_are_shown_at_the_business_clock_in_each_locale():
    moment = datetime(2026, 4, 1, 7, 30, tzinfo=UTC)  # Kyiv is on summer time (UTC+3)
    assert formatting.datetime_text(moment, "ru", KYIV) == f"1 апр. 2026{NNBSP}г., 10:30"
    assert formatting.datetime_text(moment, "uk", KYIV) == f"1 квіт. 2026{NNBSP}р., 10:30"
    assert formatting.datetime_text(moment, "en", KYIV) == f"Apr 1, 2026, 10:30{NNBSP}AM"
    assert formatting.time_text(moment, "en", KYIV) == f"10:30{NNBSP}AM"
    assert formatting.time_text(moment, "uk", KYIV) == "10:30"
    # Late in the evening UTC is already the next day in Kyiv.
    assert formatting.datetime_text(datetime(2026, 3, 5, 23, 30, tzinfo=UTC), "en", KYIV) == \
        f"Mar 6, 2026, 1:30{NNBSP}AM"


def test_a_naive_moment_is_utc_never_shown_as_it_is():
    naive, aware = datetime(2026, 1, 10, 8, 0), datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    assert formatting.datetime_text(naive, "ru", KYIV) == formatting.datetime_text(aware, "ru", KYIV)
    assert formatting.time_text(naive, "ru", KYIV) == "10:00"  # winter: UTC+2, not the naive 08:00
    # The same instant with another offset reads the same.
    other = datetime(2026, 1, 10, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    assert formatting.datetime_text(other, "ru", KYIV) == formatting.datetime_text(aware, "ru", KYIV)


def test_clock_changes_in_kyiv():
    # Spring, 30 March 2025: 03:00 local never happens (02:59:59 EET is followed by 04:00 EEST).
    assert formatting.time_text(datetime(2025, 3, 30, 0, 59, tzinfo=UTC), "ru", KYIV) == "02:59"
    assert formatting.time_text(datetime(2025, 3, 30, 1, 0, tzinfo=UTC), "ru", KYIV) == "04:00"
    # Autumn, 26 October 2025: 03:30 local happens twice, an hour apart.
    first, second = datetime(2025, 10, 26, 0, 30, tzinfo=UTC), datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
    assert formatting.time_text(first, "ru", KYIV) == formatting.time_text(second, "ru", KYIV) == "03:30"
    assert formatting.datetime_text(second, "en", KYIV) == f"Oct 26, 2025, 3:30{NNBSP}AM"


def test_a_typed_time_is_the_business_clock_and_is_kept_in_utc():
    def cleaned(raw, zone=KYIV):
        return clean_value(NEXT_CALL, raw, zone=zone)

    assert cleaned("28.11.2026 10:00") == "2026-11-28T08:00:00+00:00"  # winter, UTC+2
    assert cleaned("2026-04-01T10:30") == "2026-04-01T07:30:00+00:00"  # the panel's datetime-local; summer
    assert cleaned("01.04.2026 10:30", zone=UTC) == "2026-04-01T10:30:00+00:00"
    # A time that says its zone keeps its instant.
    assert cleaned("2026-04-01T10:30:00+02:00") == "2026-04-01T08:30:00+00:00"
    assert cleaned("2026-04-01T10:30:00Z") == "2026-04-01T10:30:00+00:00"
    assert cleaned(datetime(2026, 4, 1, 10, 30, tzinfo=UTC)) == "2026-04-01T10:30:00+00:00"
    assert cleaned(datetime(2026, 4, 1, 10, 30)) == "2026-04-01T07:30:00+00:00"
    # Cleaning what is stored changes nothing (a lead's fields are cleaned again when its card is made).
    assert cleaned(cleaned("28.11.2026 10:00"), zone=UTC) == "2026-11-28T08:00:00+00:00"


def test_typed_times_around_the_clock_changes():
    def shown(raw):
        return formatting.time_text(stored_datetime(clean_value(NEXT_CALL, raw, zone=KYIV), KYIV), "ru", KYIV)

    # 03:30 on the spring night does not exist: read with the winter offset, it is 04:30 summer time.
    assert clean_value(NEXT_CALL, "30.03.2025 03:30", zone=KYIV) == "2025-03-30T01:30:00+00:00"
    assert shown("30.03.2025 03:30") == "04:30"
    assert shown("30.03.2025 04:30") == "04:30"
    # 03:30 on the autumn night happens twice: the first one (still summer time) is taken.
    assert clean_value(NEXT_CALL, "26.10.2025 03:30", zone=KYIV) == "2025-10-26T00:30:00+00:00"
    assert shown("26.10.2025 03:30") == "03:30"


def test_as_utc_reads_a_naive_value_in_the_zone_given():
    assert as_utc(datetime(2026, 1, 10, 8, 0)) == datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    assert as_utc(datetime(2026, 1, 10, 8, 0), KYIV) == datetime(2026, 1, 10, 6, 0, tzinfo=UTC)
    aware = datetime(2026, 1, 10, 8, 0, tzinfo=KYIV)
    assert as_utc(aware, UTC) == as_utc(aware, KYIV) == datetime(2026, 1, 10, 6, 0, tzinfo=UTC)
    assert as_utc(aware).tzinfo is UTC


def test_a_date_typed_as_a_moment_falls_on_the_business_day():
    due = FieldSpec(key="proposal_due", type="date")
    assert clean_value(due, datetime(2026, 3, 5, 23, 30, tzinfo=UTC), zone=KYIV) == "2026-03-06"
    assert clean_value(due, datetime(2026, 3, 5, 23, 30), zone=KYIV) == "2026-03-05"  # naive: a wall-clock time


def test_stored_field_values_as_text():
    def text(field_type, raw, locale="ru"):
        return formatting.field_text(field_type, raw, locale, currency="UAH", zone=KYIV)

    assert text("money", "12345.50") == f"12{NBSP}345,50{NBSP}₴"
    assert text("number", "1234.5", "en") == "1,234.5"
    assert text("date", "2026-03-05", "en") == "Mar 5, 2026"
    assert text("datetime", "2026-04-01T07:30:00+00:00", "en") == f"Apr 1, 2026, 10:30{NNBSP}AM"
    # Stored before values carried an offset: it was typed at the business's clock, and reads so.
    assert text("datetime", "2026-04-01T10:30:00", "en") == f"Apr 1, 2026, 10:30{NNBSP}AM"
    assert text("phone", "+380671234567") == "+380 67 123 4567"
    # What does not parse (stored by hand, or by an old pack) is shown as it is.
    assert text("money", "дорого") == "дорого"
    assert text("date", "скоро") == "скоро"
    assert text("datetime", "2026-13-01T10:00") == "2026-13-01T10:00"
    # The words for the other types are the caller's.
    assert text("boolean", True) is None and text("choice", "site") is None and text("text", "x") is None


def test_the_business_zone_is_a_setting(tmp_path):
    assert load_settings(tmp_path / "missing.toml", environ={}).i18n.zone == KYIV
    settings = load_settings(tmp_path / "missing.toml", environ={"ESTAFETA__I18N__TIMEZONE": "America/New_York"})
    assert settings.i18n.zone == ZoneInfo("America/New_York")


@pytest.mark.parametrize(("stored", "locale", "shown"), [
    ("2.000", "uk", "2"), ("1.500", "ru", "1,5"), ("10.000", "en", "10"), ("1250.250", "en", "1,250.25"),
])
def test_a_stored_quantity_is_shown_without_its_columns_zeros(stored, locale, shown):
    assert formatting.quantity(stored, locale).replace("\xa0", " ") == shown.replace("\xa0", " ")
