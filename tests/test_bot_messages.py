"""Every message the bot can send exists in ru, uk and en (Fluent would otherwise show the bare key)."""

import re
from pathlib import Path

import pytest

from core import modules
from core.i18n import message_ids, translator

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("bot", "flows")
ARGS = {"name": "Олена", "roles": "Менеджер", "role": "Менеджер", "link": "https://t.me/x?start=inv_a",
        "command": "/start inv_a", "hours": 72, "minutes": 10, "url": "http://127.0.0.1:8080/auth/link/x",
        # cards, tasks, search
        "total": 12, "page": 1, "pages": 2, "number": "S-0042", "field": "Бюджет", "fields": "Бюджет, Источник",
        "error": "неверный формат", "count": 3, "parts": 3, "mb": 50, "rule": "заполните поле", "check": "x",
        "line": "Вікно · 800,00 ₴", "decision": "погодив", "state": "received"}


def keys_used_in_code() -> set[str]:
    used = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).glob("*.py"):
            used |= set(re.findall(r'\bt\(\s*"([a-z][a-z0-9-]*)"', path.read_text(encoding="utf-8")))
    entries = modules.BASE.menu
    used |= {f"menu-{entry.key}" for entry in entries} | {f"cmd-{entry.key}" for entry in entries} | {"cmd-menu"}
    used |= set(re.findall(r'"([a-z]+-[a-z-]+)"', (ROOT / "flows" / "start.py").read_text(encoding="utf-8")))
    return {key for key in used if not key.startswith("web-")}


def test_same_message_ids_in_every_locale():
    ru, uk, en = message_ids("ru"), message_ids("uk"), message_ids("en")
    assert ru == uk == en, {"missing in uk": ru - uk, "missing in en": ru - en, "extra": (uk | en) - ru}


@pytest.mark.parametrize("locale", ["ru", "uk", "en"])
def test_every_key_the_bot_uses_formats(locale):
    t = translator(locale, strict=True)
    used = keys_used_in_code()
    assert {"invite-used", "menu-title", "error-generic", "unknown-user"} <= used
    for key in sorted(used):
        text = t(key, **ARGS)
        assert text.strip() and "{" not in text and key not in text, (locale, key)
