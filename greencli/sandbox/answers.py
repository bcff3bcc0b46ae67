"""What a method handler takes and gives: the decoded request, the answer, and the checks on
request fields that several methods share (chat IDs, phone numbers, query integers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from greencli.sandbox.forms import Form

Answer = tuple[int, Any]  # HTTP status and a JSON-able body (or TextBody)


class TextBody(str):
    """An error answer sent as plain text, as Green API does for most errors."""


@dataclass(frozen=True)
class Request:
    """One decoded API call: its JSON body, query parameters, the path segment after the token
    (deleteNotification's receiptId), a multipart form, and a raw body with its headers
    (uploadFile)."""

    json: Any = None
    query: dict[str, list[str]] = field(default_factory=dict)
    extra: str = ""
    form: Form | None = None
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request | dict[str, Any]) -> Request:
        """A Request from itself or from the dict older callers pass ({"json": …, …})."""
        if isinstance(request, Request):
            return request
        return cls(
            json=request.get("json"),
            query=dict(request.get("query") or {}),
            extra=str(request.get("extra") or ""),
            form=request.get("form"),
        )

    def body(self) -> dict[str, Any]:
        """The JSON body when it is an object, else an empty one."""
        return self.json if isinstance(self.json, dict) else {}

    def int_param(self, name: str, default: int) -> int:
        """An integer query parameter; -1 when it is not a number (the caller refuses it)."""
        values = self.query.get(name)
        if not values:
            return default
        try:
            return int(values[0])
        except ValueError:
            return -1


def validation_failed(details: str) -> Answer:
    """Green API's 400 for a bad field (common-errors: "Validation failed. Details: …")."""
    return 400, TextBody(f"Validation failed. Details: {details}")


_CHAT_ID = re.compile(r"\d{5,20}@c\.us|[\d-]{5,40}@g\.us|\d{5,20}@lid")


def valid_chat_id(chat_id: object) -> bool:
    """A personal (`…@c.us`), group (`…@g.us`) or LID (`…@lid`) chat ID (api/chat-id)."""
    return isinstance(chat_id, str) and bool(_CHAT_ID.fullmatch(chat_id))


def phone_number(request: Request, wrong_type: str) -> tuple[int, Answer | None]:
    """The integer `phoneNumber` of a request body, or the 400 answer Green API gives."""
    phone = request.body().get("phoneNumber")
    if not isinstance(phone, int) or isinstance(phone, bool):
        return 0, (400, TextBody(wrong_type))
    if not 11 <= len(str(phone)) <= 16:
        return 0, (400, TextBody("bad phone number, valid from 11 to 16 digits"))
    return phone, None
