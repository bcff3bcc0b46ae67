"""Phone numbers and chat IDs as people type them, turned into what the API expects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from greencli.errors import UsageError
from greencli.redaction import redact

MIN_DIGITS = 10
MAX_DIGITS = 15  # E.164
# checkWhatsapp refuses other lengths with 400 "bad phone number, valid from 11 to 16 digits"
# (https://green-api.com/en/docs/api/service/CheckWhatsapp/).
CHECK_MIN_DIGITS = 11
CHECK_MAX_DIGITS = 16
EXPECTED_NUMBER = "the full international number, e.g. 79001234567 or +7 (900) 123-45-67"
EXPECTED = f"{EXPECTED_NUMBER}, or a chat ID like 79001234567@c.us"

_CHAT_ID = re.compile(r"(?:\d{5,20}@c\.us|\d{5,20}(?:-\d{5,20})?@g\.us|\d{5,20}@lid)")
_SEPARATORS = re.compile(r"[\s().\-\u00a0]")


@dataclass(frozen=True)
class Recipient:
    chat_id: str
    phone: int | None  # None for group and LID chat IDs, which are not phone numbers

    @property
    def display(self) -> str:
        return f"+{self.phone}" if self.phone is not None else self.chat_id


def parse_recipient(text: str, allow_chat_id: bool = True) -> Recipient:
    """'+7 (900) 123-45-67' -> 79001234567@c.us; chat IDs pass through unchanged.

    Raises UsageError (exit 2) with the expected form for anything else.
    """
    raw = text.strip()
    if "@" in raw:
        if allow_chat_id and _CHAT_ID.fullmatch(raw):
            number = raw.split("@")[0]
            return Recipient(raw, int(number) if raw.endswith("@c.us") else None)
        raise _invalid(text, "is not a chat ID greencli knows (…@c.us, …@g.us or …@lid)" if allow_chat_id else "must be a phone number here, not a chat ID", allow_chat_id)
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("+"):
        compact = compact[1:]
    elif compact.startswith("00"):
        compact = compact[2:]
    if not compact:
        raise _invalid(text, "is empty", allow_chat_id)
    if not compact.isascii() or not compact.isdigit():
        raise _invalid(text, "contains characters other than digits, spaces, +, -, . and brackets", allow_chat_id)
    if compact.startswith("89") and len(compact) == 11:
        # No country code begins with 89: this is a Russian or Kazakh national number.
        raise _invalid(text, "starts with 8 9, like a national number in Russia or Kazakhstan; replace the leading 8 with +7", allow_chat_id)
    if compact.startswith("0"):
        raise _invalid(text, "starts with 0, like a national number; country codes never start with 0", allow_chat_id)
    if len(compact) < MIN_DIGITS:
        digits = f"{len(compact)} digit{'' if len(compact) == 1 else 's'}"
        raise _invalid(text, f"has {digits}, too few for an international number", allow_chat_id)
    if len(compact) > MAX_DIGITS:
        raise _invalid(text, f"has {len(compact)} digits; international numbers have at most {MAX_DIGITS}", allow_chat_id)
    return Recipient(f"{compact}@c.us", int(compact))


def check_refusal(recipient: Recipient) -> UsageError | None:
    """Why checkWhatsapp would refuse this number (so no request is spent on it), or None.

    Group and LID chats are not phone numbers and are never checked.
    """
    if recipient.phone is None:
        return None
    digits = len(str(recipient.phone))
    if CHECK_MIN_DIGITS <= digits <= CHECK_MAX_DIGITS:
        return None
    return UsageError(
        f"The number {recipient.display} has {digits} digits; Green API's WhatsApp check accepts "
        f"only {CHECK_MIN_DIGITS} to {CHECK_MAX_DIGITS} (country code included).",
        "Check that the number is complete with its country code, or send without the check "
        "with --no-check.",
        code="invalid_phone",
    )


def _invalid(text: str, why: str, allow_chat_id: bool = True) -> UsageError:
    shown = redact(text)  # before cutting it short: a cut token no longer looks like one
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return UsageError(
        f"The phone number {shown!r} {why}.",
        f"Write {EXPECTED if allow_chat_id else EXPECTED_NUMBER}.",
        code="invalid_phone",
    )
