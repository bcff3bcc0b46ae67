"""What one webhook push from Green API looks like: its Authorization header and its body.

`webhooks listen --forward-to` passes on the notification exactly as Green API wrote it inside
receiveNotification's answer (notification_answer.py), and the sandbox's push mode writes it the way the
sandbox writes that answer (`encode_body`), so a bot sees the same bytes and the same header
from either.
"""

from __future__ import annotations

import json
from typing import Any

CONTENT_TYPE = "application/json"


def authorization_header(webhook_token: str) -> str:
    """`Bearer <webhookUrlToken>`, the value a receiver of Green API's pushes sees.

    The docs only call webhookUrlToken the "webhook authorization header"
    (https://green-api.com/en/docs/api/account/GetSettings/). Green API's own integration
    library reads the header as `<scheme> <token>` (github.com/green-api/greenapi-integration,
    src/core/guard.ts: `header.split(" ")[1]`), and third-party receivers compare it with
    `Bearer ${token}` (github.com/Zo-Bro-23/whatsapp-accounts, api/webhook.js).
    """
    return f"Bearer {webhook_token}"


def encode_body(notification: Any) -> bytes:
    """A notification as JSON, written as the sandbox writes its API answers (and so as
    receiveNotification carries it): keys in order, Python's default separators."""
    return json.dumps(notification).encode("utf-8")

