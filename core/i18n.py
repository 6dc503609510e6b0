"""Fluent translations for every string a person reads (bot and web), ru / uk / en."""

from __future__ import annotations

import logging
from datetime import UTC, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from fluent.runtime import FluentBundle, FluentResource
from phonenumbers import timezone as phone_timezones

from core.config import LOCALES

log = logging.getLogger(__name__)
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


class MissingMessage(KeyError):
    pass


class Translator:
    """Formats messages of one locale; a message missing there is an error in tests, not a silent key."""

    def __init__(self, locale: str, bundle: FluentBundle, strict: bool = False):
        self.locale = locale
        self._bundle = bundle
        self._strict = strict

    def __call__(self, key: str, **args: Any) -> str:
        if not self._bundle.has_message(key):
            if self._strict:
                raise MissingMessage(f"{self.locale}: {key}")
            log.error("missing Fluent message %s in %s", key, self.locale)
            return key
        value, errors = self._bundle.format_pattern(self._bundle.get_message(key).value, args)
        if errors:
            if self._strict:
                raise MissingMessage(f"{self.locale}: {key}: {errors}")
            log.error("Fluent errors in %s/%s: %s", self.locale, key, errors)
        return value

    def has(self, key: str) -> bool:
        return self._bundle.has_message(key)


@cache
def _bundle(locale: str, directory: Path) -> FluentBundle:
    # Telegram shows Unicode isolation marks as garbage in some clients, so keep them off.
    bundle = FluentBundle([locale], use_isolating=False)
    for path in sorted((directory / locale).glob("*.ftl")):
        errors = bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
        if errors:
            raise ValueError(f"{path}: {errors}")
    return bundle


def pick_locale(*candidates: str | None, default: str = "ru") -> str:
    """The first supported locale among candidates (stored choice, Telegram language_code, ...)."""
    for candidate in candidates:
        if not candidate:
            continue
        short = candidate.lower().replace("_", "-").split("-")[0]
        if short in LOCALES:
            return short
    return default


def translator(locale: str, strict: bool = False, directory: Path = LOCALES_DIR) -> Translator:
    locale = locale if locale in LOCALES else "ru"
    return Translator(locale, _bundle(locale, directory), strict=strict)


def message_ids(locale: str, directory: Path = LOCALES_DIR) -> set[str]:
    return set(_bundle(locale, directory)._messages)


@cache
def region_timezone(region: str | None) -> tzinfo:
    """The time zone people of the configured region live in ("UA" → Europe/Kyiv); UTC if it has several.
    The one rule for the bot and the panel, so both show a moment at the same clock time."""
    try:
        example = phonenumbers.example_number((region or "").upper())
        zones = phone_timezones.time_zones_for_number(example) if example else ()
        if len(zones) == 1 and zones[0] != "Etc/Unknown":
            return ZoneInfo(zones[0])
    except Exception:  # an unknown region or zone name: show UTC rather than fail a message
        pass
    return UTC
