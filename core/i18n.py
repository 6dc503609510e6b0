"""Fluent translations for every string a person reads (bot and web), ru / uk / en."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

from core import modules
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
def _bundle(locale: str, directory: Path, module_dirs: tuple[str, ...] = ()) -> FluentBundle:
    # Telegram shows Unicode isolation marks as garbage in some clients, so keep them off.
    bundle = FluentBundle([locale], use_isolating=False)
    for folder in (directory, *map(Path, module_dirs)):
        for path in sorted((folder / locale).glob("*.ftl")):
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
    return Translator(locale, _bundle(locale, directory, modules.active().locale_dirs), strict=strict)


def message_ids(locale: str, directory: Path = LOCALES_DIR) -> set[str]:
    return set(_bundle(locale, directory, modules.active().locale_dirs)._messages)
