"""Phone numbers as people type them: a table of inputs, and no input that crashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencli.errors import ExitCode, UsageError
from greencli.greenapi.phone_numbers import Recipient, check_refusal, parse_recipient


@pytest.mark.parametrize(
    ("typed", "chat_id", "phone"),
    [
        ("79001234567", "79001234567@c.us", 79001234567),
        ("+79001234567", "79001234567@c.us", 79001234567),
        ("+7 (900) 123-45-67", "79001234567@c.us", 79001234567),
        ("+7.900.123.45.67", "79001234567@c.us", 79001234567),
        ("0079001234567", "79001234567@c.us", 79001234567),
        ("  +44 20 7946 0958 ", "442079460958@c.us", 442079460958),
        ("79001234567@c.us", "79001234567@c.us", 79001234567),
        ("120363043968066561@g.us", "120363043968066561@g.us", None),
        ("79001234567-1581234048@g.us", "79001234567-1581234048@g.us", None),
        ("123456789012345@lid", "123456789012345@lid", None),
    ],
)
def test_everyday_forms_become_the_chat_id(typed: str, chat_id: str, phone: int | None) -> None:
    assert parse_recipient(typed) == Recipient(chat_id, phone)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("7900abc4567", "characters other than digits"),
        ("+7 900 CALL-NOW", "characters other than digits"),
        ("12345", "has 5 digits, too few"),
        ("+1", "has 1 digit, too few"),
        ("1234567890123456", "at most 15"),
        ("", "is empty"),
        ("+", "is empty"),
        ("79001234567@s.whatsapp.net", "chat ID"),
        ("abc@c.us", "chat ID"),
        ("0 900 123 45 67", "starts with 0"),
        ("8 (900) 123-45-67", "replace the leading 8 with +7"),
        ("٧٩٠٠١٢٣٤٥٦٧", "characters other than digits"),  # Arabic-Indic digits are not accepted
    ],
)
def test_bad_numbers_are_usage_errors_that_show_the_expected_form(typed: str, why: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_recipient(typed)
    assert raised.value.exit_code == ExitCode.USAGE
    assert raised.value.code == "invalid_phone"
    assert why in raised.value.message
    assert "79001234567" in (raised.value.hint or "")


def test_pairing_code_numbers_refuse_chat_ids() -> None:
    with pytest.raises(UsageError):
        parse_recipient("79001234567@c.us", allow_chat_id=False)


@given(st.text())
def test_no_input_crashes_the_normaliser(typed: str) -> None:
    try:
        recipient = parse_recipient(typed)
    except UsageError:
        return
    assert recipient.chat_id.endswith(("@c.us", "@g.us", "@lid"))
    if recipient.phone is not None:
        assert 10 <= len(str(recipient.phone)) <= 20


@given(st.from_regex(r"\+?(00)?[1-9][0-9 ().-]{9,16}", fullmatch=True))
def test_any_separated_number_keeps_its_digits_in_order(typed: str) -> None:
    digits = "".join(c for c in typed if c.isdigit())
    digits = digits[2:] if typed.startswith("00") else digits
    try:
        recipient = parse_recipient(typed)
    except UsageError:
        assert digits.startswith("0") or (digits.startswith("89") and len(digits) == 11) or not 10 <= len(digits) <= 15
        return
    assert recipient.chat_id == f"{digits}@c.us"


# checkWhatsapp answers 400 "bad phone number, valid from 11 to 16 digits"
# (https://green-api.com/en/docs/api/service/CheckWhatsapp/): refuse those before the request.
@pytest.mark.parametrize("typed", ["+354 555 1234", "3545551234", "12345@c.us"])
def test_check_whatsapp_11_to_16_digits_refuses_shorter_numbers_with_the_reason(typed: str) -> None:
    error = check_refusal(parse_recipient(typed))
    assert error is not None
    assert error.exit_code == ExitCode.USAGE
    assert "11 to 16" in error.message
    assert "--no-check" in (error.hint or "")


@pytest.mark.parametrize("typed", ["79001234567", "+44 20 7946 0958", "123456789012345", "120363043968066561@g.us", "123456789012345@lid"])
def test_check_whatsapp_11_to_16_digits_accepts_the_rest(typed: str) -> None:
    assert check_refusal(parse_recipient(typed)) is None


@given(st.integers(min_value=1, max_value=10**20))
def test_check_refusal_matches_the_documented_range(number: int) -> None:
    refused = check_refusal(Recipient(f"{number}@c.us", number)) is not None
    assert refused == (not 11 <= len(str(number)) <= 16)
