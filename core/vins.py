"""VINs and number plates as people type them: cleaned to the one form they are stored and matched in."""

from __future__ import annotations

import re
import unicodedata

from vininfo import Vin

VIN_LENGTH = 17
# Never used in a VIN (ISO 3779): too easy to take for 1 and 0.
FORBIDDEN_VIN_LETTERS = frozenset("IOQ")
# Cyrillic capitals that look like Latin ones. People type plates (and VINs such as Lada's "XTA…") on a Cyrillic
# keyboard; both are stored in Latin so that "АА 1234 ВВ" and "AA1234BB" are the same plate.
CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")
_VIN_SEPARATORS = re.compile(r"[\s\-.]+")
_PLATE_SEPARATORS = re.compile(r"[\s\-.]+")
_VIN_CHARACTERS = re.compile(r"[A-Z0-9]*")
# World manufacturer identifiers starting 1–5 are North American, where the 9th character is a mandatory check
# digit (49 CFR 565). Elsewhere it is optional and often a plain letter, so checking it would refuse real cars.
_CHECK_DIGIT_REGIONS = frozenset("12345")


class InvalidVin(ValueError):
    """Not a VIN; `reason` is one of: length, characters, forbidden_letters, check_digit."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def clean_vin(text: str) -> str:
    """Upper case, without spaces, dashes and dots, Cyrillic look-alike letters in Latin. Does not validate."""
    text = unicodedata.normalize("NFKC", text or "")
    return _VIN_SEPARATORS.sub("", text).upper().translate(CYRILLIC_LOOKALIKES)


def validate_vin(text: str) -> str:
    """The clean VIN, or InvalidVin. Checks in the order a person can act on: length, then what the characters are,
    then the check digit."""
    vin = clean_vin(text)
    if len(vin) != VIN_LENGTH:
        raise InvalidVin("length")
    if not _VIN_CHARACTERS.fullmatch(vin):
        raise InvalidVin("characters")
    if FORBIDDEN_VIN_LETTERS & set(vin):
        raise InvalidVin("forbidden_letters")
    if vin[0] in _CHECK_DIGIT_REGIONS and not _check_digit_matches(vin):
        raise InvalidVin("check_digit")
    return vin


def _check_digit_matches(vin: str) -> bool:
    decoded = Vin(vin)
    # vininfo knows makers that reuse position 9 for a model code even under a checked WMI; those pass.
    if not getattr(decoded.assembler, "uses_sae_checkdigit", True):
        return True
    # check_year=False: the year letter is not what this check is about.
    return decoded.verify_checksum(check_year=False)


def normalize_plate(text: str) -> str:
    """Upper case, without spaces, dashes and dots, Cyrillic look-alike letters in Latin ("АА 1234 ВВ" → "AA1234BB").
    Letters without a Latin twin (e.g. Ukrainian "Ї") are kept as they are."""
    text = unicodedata.normalize("NFKC", text or "")
    return _PLATE_SEPARATORS.sub("", text).upper().translate(CYRILLIC_LOOKALIKES)
