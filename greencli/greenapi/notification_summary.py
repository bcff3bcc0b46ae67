"""Notifications (webhook bodies) summed up in one readable line."""

from __future__ import annotations

import json
import time
from typing import Any


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def message_text(message_data: Any) -> str | None:
    """The text of a message, or its kind in brackets for media and the like."""
    if not isinstance(message_data, dict):
        return None
    kind = message_data.get("typeMessage")
    for path in (
        ("textMessageData", "textMessage"),
        ("extendedTextMessageData", "text"),
        ("fileMessageData", "caption"),
        ("quotedMessage", "textMessage"),
    ):
        text = _get(message_data, *path)
        if isinstance(text, str) and text:
            return text
    return f"[{kind}]" if isinstance(kind, str) else None


def summarize(body: dict[str, Any]) -> dict[str, Any]:
    """The fields worth a glance: time, type, chat, sender and text or status."""
    kind = body.get("typeWebhook")
    sender = _get(body, "senderData")
    detail: str | None
    if kind in ("stateInstanceChanged",):
        detail = f"state: {body.get('stateInstance')}"
    elif kind == "statusInstanceChanged":
        detail = f"socket: {body.get('statusInstance')}"
    elif kind == "outgoingMessageStatus":
        detail = f"status: {body.get('status')}" + (f" ({body['description']})" if body.get("description") else "")
    elif kind == "incomingCall":
        detail = f"call: {body.get('status')}"
    elif kind == "quotaExceeded":
        detail = f"quota: {_get(body, 'quotaData', 'description') or _get(body, 'quotaData', 'status')}"
    else:
        detail = message_text(body.get("messageData"))
    return {
        "time": _clock(body.get("timestamp")),
        "type": kind if isinstance(kind, str) else "unknown",
        "chat": _get(sender, "chatId") or body.get("chatId") or body.get("from"),
        "sender": _get(sender, "senderName") or _get(sender, "sender"),
        "detail": detail,
    }


def _clock(timestamp: Any) -> str:
    """HH:MM:SS of a timestamp; a sender-made 1e300 or -1 is not a time."""
    if not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
        return "--:--:--"
    try:
        return time.strftime("%H:%M:%S", time.localtime(timestamp))
    except (OverflowError, OSError, ValueError):
        return "--:--:--"


def one_line(body: Any) -> str:
    """The summary line; never fails: a notification that cannot be summed up is shown raw."""
    try:
        return _summary_line(body)
    except Exception:  # noqa: BLE001 - whatever a notification holds, it must still be shown
        try:
            raw = json.dumps(body, ensure_ascii=True, separators=(",", ":"), default=repr)
        except (ValueError, TypeError, RecursionError):
            raw = ""
        return f"(a notification greencli cannot summarise) {raw[:300]}".rstrip()


def _summary_line(body: dict[str, Any]) -> str:
    fields = summarize(body)
    parts = [fields["time"], fields["type"]]
    if fields["chat"]:
        parts.append(f"chat={fields['chat']}")
    if fields["sender"]:
        parts.append(f"from={fields['sender']!r}" if " " in str(fields["sender"]) else f"from={fields['sender']}")
    line = " ".join(_flat(p) for p in parts)
    if fields["detail"]:
        line += f": {_flat(fields['detail'])[:200]}"
    return line


def _flat(value: object) -> str:
    """One line of text: whatever a sender put in a field, newlines included."""
    return " ".join(str(value).split()) or "-"
