"""Phone numbers as people type them, turned into E.164 — the one form phones are stored, matched and searched in."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

# An extension after the number ("доб. 12", "ext 12", "x12", RFC 3966 ";ext=12"): a CRM matches customers by the
# line, never by the extension, so it is dropped before parsing (phonenumbers knows only some of these words).
_EXTENSION = re.compile(
    r"[\s,;]*(?:;\s*ext\s*=|\b(?:ext|extension|доб|доп|вн|внутр)\b\.?|x|#)\s*[:.=]?\s*\d{1,7}\s*\W*$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# Ukraine dialled long distance as 8, then the 0-prefixed national number; contacts saved back then still read
# 8 067 …, which phonenumbers would take for a national number starting with 8.
_LEGACY_TRUNK = {"UA": re.compile(r"8(0\d{9})")}


class InvalidPhone(ValueError):
    """Not a phone number we can store; `reason` is one of: empty, not_a_number, invalid."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _strip_noise(text: str) -> str:
    """Full-width digits and non-breaking spaces to plain ones, the extension off, words around the number off."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = _EXTENSION.sub("", text)
    digits = [match.start() for match in _DIGIT.finditer(text)]
    if not digits:
        return ""
    start = digits[0]
    # "+ 7 916 …" and "(+7) 916 …": the plus still says an international number follows.
    plus = text.rfind("+", 0, start)
    if plus >= 0 and not text[plus + 1 : start].strip(" (\t"):
        start = plus
    return text[start : digits[-1] + 1]


def normalize_phone(text: str, region: str | None) -> str:
    """`text` as E.164 ("+380671234567"); numbers without a country code are read as in `region` (e.g. "UA").
    Raises InvalidPhone."""
    if not text or not text.strip():
        raise InvalidPhone("empty")
    candidate = _strip_noise(text)
    if not candidate:
        raise InvalidPhone("not_a_number")
    region = region.upper() if region else None
    legacy = _LEGACY_TRUNK.get(region or "")
    if legacy and not candidate.startswith("+"):
        match = legacy.fullmatch(re.sub(r"\D", "", candidate))
        if match:
            candidate = match.group(1)
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone("not_a_number") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str, locale: str | None = None) -> str:
    """For display: "+380 67 123 4567". International format reads the same in every locale, so `locale` does not
    change it today; callers pass it so that a national format can come later without touching them.
    Anything that does not parse is shown as stored."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def digits_of(text: str) -> str:
    """Only the digits (after NFKC, so full-width ones count): what a partial phone search matches on."""
    return "".join(str(int(digit)) for digit in _DIGIT.findall(unicodedata.normalize("NFKC", text)))
