"""Every web-* Fluent message exists in ru, uk and en and formats without errors."""

from __future__ import annotations

import re
from pathlib import Path

from core.config import LOCALES
from core.i18n import LOCALES_DIR, message_ids, translator

SAMPLE_ARGS = {"name": "Олена", "minutes": 15, "hours": 72, "count": 3, "max": 200, "status": 418, "rule": "правило"}
TEMPLATES = Path(__file__).resolve().parents[2] / "webadmin" / "templates"
PYTHON = Path(__file__).resolve().parents[2] / "webadmin"


def web_ids(locale: str) -> set[str]:
    return {key for key in message_ids(locale) if key.startswith("web-")}


def test_web_messages_complete_in_every_locale():
    ru, uk, en = web_ids("ru"), web_ids("uk"), web_ids("en")
    assert ru, "no web-* messages"
    assert ru == uk == en, {"missing in uk": ru - uk, "missing in en": ru - en, "only in uk/en": (uk | en) - ru}
    for locale in ("ru", "uk", "en"):
        assert (LOCALES_DIR / locale / "web.ftl").exists()
        t = translator(locale, strict=True)
        for key in sorted(ru):
            for count in (1, 3, 5, 21):
                text = t(key, **{**SAMPLE_ARGS, "minutes": count, "hours": count, "count": count})
                assert text.strip() and "{" not in text, (locale, key, text)


def test_every_literal_id_used_by_the_panel_exists():
    sources = [*TEMPLATES.glob("*.html"), *PYTHON.glob("*.py")]
    used = set()
    for path in sources:
        used |= set(re.findall(r"""["'](web-[a-z0-9-]+[a-z0-9])["']""", path.read_text(encoding="utf-8")))
    assert used, "found no message ids in the panel's sources"
    # Prefix-built ids (web-lang-<code>, web-error-<kind>-title, web-invite-status-<state>) are checked below.
    missing = {key for key in used if key not in web_ids("ru") and not key.endswith("-")}
    assert not missing, missing
    built = [f"web-lang-{code}" for code in LOCALES] + [f"web-lang-short-{code}" for code in LOCALES]
    built += [f"web-error-{kind}-{part}" for kind in ("400", "403", "404", "405", "500", "csrf", "generic")
              for part in ("title", "text")]
    built += [f"web-invite-status-{state}" for state in ("open", "used", "closed")]
    assert not set(built) - web_ids("ru"), set(built) - web_ids("ru")
