"""What Green API's error answers say: the 466 quota answer (which quota, which chats are still
allowed), the error ids of a 400, and a one-line summary of any error body for a message."""

from __future__ import annotations

import re
from typing import Any

from greencli.errors import ErrorCode, QuotaExceeded
from greencli.greenapi.strict_json import parse_json
from greencli.redaction import redact

_QUOTA_EXCEEDED = re.compile(r"QUOT[AE]_EXCEEDED", re.IGNORECASE)
_CHAT_ID = re.compile(r"[\w.+-]+@(?:c\.us|g\.us|lid)")


def quota_exceeded(text: str, method: str) -> QuotaExceeded:
    """HTTP 466, read for which quota is used up: the free plan's chats (with the chats it still
    allows) or a method's monthly calls."""
    try:
        data = parse_json(text)
    except ValueError:
        data = None
    data = data if isinstance(data, dict) else {}
    chats = data.get("correspondentsStatus")
    invoke = data.get("invokeStatus")
    if isinstance(chats, dict) and _QUOTA_EXCEEDED.search(str(chats.get("status", ""))):
        description = str(chats.get("description", ""))
        allowed = list(dict.fromkeys(_CHAT_ID.findall(description)))
        used, total = _number(chats.get("used")), _number(chats.get("total"))
        count = f" ({used} of {total})" if used is not None and total is not None else ""
        allowed_text = (
            f"This month the plan still allows: {', '.join(allowed)}. " if allowed else ""
        )
        return QuotaExceeded(
            f"The plan's monthly limit of chats is used up{count}: "
            "the free Developer plan can talk to 3 chats a month.",
            f"{allowed_text}Send to one of those, wait for the quota to reset on the 1st of "
            "the month, or move the instance to the Business plan at console.green-api.com.",
            kind="chats",
            quota_method="correspondents",
            used=used,
            total=total,
            allowed_chats=allowed,
            method=method,
        )
    if isinstance(invoke, dict):
        quota_method = str(invoke.get("method") or method)
        used, total = _number(invoke.get("used")), _number(invoke.get("total"))
        count = f" ({used} of {total})" if used is not None and total is not None else ""
        return QuotaExceeded(
            f"The plan's monthly quota for {quota_method} is used up{count}.",
            "It resets on the 1st of the month; the Business plan at console.green-api.com "
            "raises it.",
            kind="method",
            quota_method=quota_method,
            used=used,
            total=total,
            method=method,
        )
    return QuotaExceeded(
        f"Green API answered 466 for {method}: a monthly quota of the plan is used up.",
        "Quotas reset on the 1st of the month; see the plan at console.green-api.com.",
        kind="unknown",
        method=method,
    )


def looks_like_html(text: str) -> bool:
    start = text.lstrip()[:100].lower()
    return start.startswith("<") and ("html" in start or "<head" in start or "<body" in start or start.startswith("<!"))


def body_summary(text: str) -> str:
    """A short, redacted, single-line summary of an error body for the message."""
    if not text.strip():
        return ""
    if looks_like_html(text):
        return "an HTML page"
    try:
        data = parse_json(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "description"):
            if isinstance(data.get(key), str):
                text = data[key]
                break
    elif isinstance(data, str):
        text = data
    line = " ".join(text.split())
    if len(line) > 160:
        line = line[:157] + "..."
    return redact(line)


def code_for_400(text: str) -> ErrorCode:
    """The error code of a 400: the documented answers about the instance itself have codes of
    their own (https://green-api.com/en/docs/api/common-errors/: "Instance account is expired.
    Renew your instance from personal area", "Instance is deleted"); any other 400 is a request
    Green API found invalid."""
    lowered = text.lower()
    if "instance account is expired" in lowered:
        return "instance_expired"
    if "instance is deleted" in lowered:
        return "instance_deleted"
    return "bad_request"


def hint_for_400(text: str) -> str:
    """What to do about a 400, by the error ids of https://green-api.com/en/docs/api/common-errors/
    (and checkWhatsapp's and receiveNotification's own pages)."""
    lowered = text.lower()
    if "starting or not authorized" in lowered:  # "instance is starting or not authorized"
        return ("The instance is starting or has no phone linked: `greencli check-state` tells "
                "which (wait for starting; `greencli qr` links a phone).")
    if "starting" in lowered:  # "instance in starting process try later"
        return "The instance is starting: wait a few seconds and try again (`greencli check-state --wait 300`)."
    if "not authorized" in lowered:  # "instance account not authorized"
        return "The phone is not linked: run `greencli qr`, then try again."
    if "expired" in lowered:  # "Instance account is expired. Renew your instance from personal area"
        return "Renew the instance in the console at console.green-api.com."
    if "deleted" in lowered:  # "Instance is deleted"
        return "The instance was deleted: create a new one in the console and run `greencli init`."
    if "webhook url is set" in lowered:  # receiveNotification while push mode is on
        return "A webhook URL is set, so notifications cannot be polled: `greencli webhooks enable --polling`."
    if "11 to 16 digits" in lowered:  # checkWhatsapp: "bad phone number, valid from 11 to 16 digits"
        return "Give the full international number (11 to 16 digits, with the country code)."
    if "unexpected token" in lowered:  # malformed JSON body
        return "Green API could not read the request body; report it with `greencli --debug`."
    # "bad request data" / "Validation failed. Details: ..."
    return "Green API found a value in the request invalid (see the message); `greencli doctor` checks the whole setup."


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
