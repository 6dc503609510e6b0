import pytest

from core.phones import InvalidPhone, digits_of, format_phone, normalize_phone

UA_MOBILE = "+380671234567"


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+380 (67) 123-45-67", "UA", UA_MOBILE),
        ("067 123 45 67", "UA", UA_MOBILE),
        ("(067) 123-45-67", "UA", UA_MOBILE),
        ("80671234567", "UA", UA_MOBILE),  # the old long-distance 8 before the 0
        ("8 067 123 45 67", "UA", UA_MOBILE),
        ("380671234567", "UA", UA_MOBILE),
        ("38 (067) 123 45 67", "UA", UA_MOBILE),
        ("+38 067 123 45 67", "UA", UA_MOBILE),
        ("00380671234567", "UA", UA_MOBILE),
        ("tel:+380671234567", "UA", UA_MOBILE),
        ("tel:+380671234567;ext=12", "UA", UA_MOBILE),
        ("067 123 45 67, доб. 12", "UA", UA_MOBILE),
        ("067 123 45 67 ext 12", "UA", UA_MOBILE),
        ("0671234567 доп. 5", "UA", UA_MOBILE),
        ("+380671234567 вн. 12", "UA", UA_MOBILE),
        ("+380671234567x12", "UA", UA_MOBILE),
        ("067\u00a0123\u00a045\u00a067", "UA", UA_MOBILE),  # non-breaking spaces
        ("０６７ １２３ ４５ ６７", "UA", UA_MOBILE),  # full-width digits
        ("тел.: 067-123-45-67;", "UA", UA_MOBILE),
        ("067 123 45 67 (Иван)", "UA", UA_MOBILE),
        ("  Иван: +380-67-123-45-67!  ", "UA", UA_MOBILE),
        ("067.123.45.67", "ua", UA_MOBILE),
        ("+380671234567", None, UA_MOBILE),
        ("(044) 234-56-78", "UA", "+380442345678"),
        ("+7 (916) 123-45-67", "UA", "+79161234567"),
        ("+ 7 916 123 45 67", "UA", "+79161234567"),
        ("(+7) 916 123 45 67", "UA", "+79161234567"),
        ("8 (916) 123-45-67", "RU", "+79161234567"),
        ("+48 601 234 567", "UA", "+48601234567"),
    ],
)
def test_normalize_phone(text, region, expected):
    assert normalize_phone(text, region) == expected


@pytest.mark.parametrize(
    ("text", "region", "reason"),
    [
        ("", "UA", "empty"),
        ("   ", "UA", "empty"),
        ("\u00a0", "UA", "empty"),
        ("abc", "UA", "not_a_number"),
        ("нет телефона", "UA", "not_a_number"),
        ("0671234567", None, "not_a_number"),  # no country code and no region to read it in
        ("12", "UA", "invalid"),
        ("067 123 45", "UA", "invalid"),
        ("+380 11 111 11 11", "UA", "invalid"),
        ("+380 67 123 45 67 89", "UA", "invalid"),
    ],
)
def test_normalize_phone_refuses(text, region, reason):
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone(text, region)
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        (UA_MOBILE, "+380 67 123 4567"),
        ("+79161234567", "+7 916 123-45-67"),
        ("not a phone", "not a phone"),
    ],
)
def test_format_phone(e164, shown):
    assert format_phone(e164, "ru") == shown


def test_digits_of_counts_any_script():
    assert digits_of("+٣٨٠ (０６７) 12-3") == "380067123"
