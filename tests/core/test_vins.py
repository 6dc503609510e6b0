import pytest

from core.vins import InvalidVin, clean_vin, normalize_plate, validate_vin

HONDA = "1HGCM82633A004352"  # North American: the 9th character "3" is the check digit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HONDA, HONDA),
        ("1hgcm82633a004352", HONDA),
        (" 1HG-CM8.2633 A004352 ", HONDA),
        ("1HG CM826 33A 004352", HONDA),
        ("JH4KA7561PC008269", "JH4KA7561PC008269"),
        ("JH4KA7560PC008269", "JH4KA7560PC008269"),  # Japan: the 9th character is not checked
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),  # check digit X
        ("WVWZZZ1JZXW000001", "WVWZZZ1JZXW000001"),  # Europe: no check digit, "Z" in position 9 is fine
        ("XTA21099043456789", "XTA21099043456789"),
        ("ХТА21099043456789", "XTA21099043456789"),  # typed on a Cyrillic keyboard
        ("wvw zzz 1jz xw 000001", "WVWZZZ1JZXW000001"),
        ("ＷＶＷＺＺＺ１ＪＺＸＷ０００００１", "WVWZZZ1JZXW000001"),  # full-width
    ],
)
def test_validate_vin(text, expected):
    assert validate_vin(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("1HGCM82633A00435", "length"),
        ("1HGCM82633A0043521", "length"),
        ("VIN: 1HGCM82633A004352", "length"),
        ("WVWZZZ1JZXW0000#1", "characters"),
        ("WVWZZZ1JZXW0000_1", "characters"),
        ("WVWZZZ1JZXW00000Ж", "characters"),
        ("WVWZZZ1JZXW00000O", "forbidden_letters"),
        ("WVWZZZ1JZXWI00001", "forbidden_letters"),
        ("QVWZZZ1JZXW000001", "forbidden_letters"),
        ("ХТА2109904345678О", "forbidden_letters"),  # Cyrillic О is an O
        ("1HGCM82643A004352", "check_digit"),  # one digit off
        ("1HGCM82633A004353", "check_digit"),
        ("5YJ3E1EA7KF317000", "check_digit"),
    ],
)
def test_validate_vin_refuses(text, reason):
    with pytest.raises(InvalidVin) as refused:
        validate_vin(text)
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError)


def test_clean_vin_does_not_validate():
    assert clean_vin(" ab-c.d e ") == "ABCDE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("АА 1234 ВВ", "AA1234BB"),  # Cyrillic
        ("AA1234BB", "AA1234BB"),
        ("аа-1234-вв", "AA1234BB"),
        ("AI 7777 KK", "AI7777KK"),
        ("АІ 7777 КК", "AI7777KK"),  # Ukrainian І
        ("ка 0001 ав", "KA0001AB"),
        ("Е 123 КХ 77", "E123KX77"),
        ("  x\u00a0001\u00a0xx  ", "X001XX"),
        ("ДП 1234", "ДП1234"),  # no Latin twin: kept
        ("", ""),
    ],
)
def test_normalize_plate(text, expected):
    assert normalize_plate(text) == expected
