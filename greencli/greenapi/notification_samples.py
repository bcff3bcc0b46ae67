"""Realistic sample notifications, shaped as Green API pushes them, for testing a bot.

Shapes from Green API's notification pages (receiving/notifications-format/…):
incoming text https://green-api.com/en/docs/api/receiving/notifications-format/incoming-message/TextMessage/
outgoing status https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessageStatus/
state change https://green-api.com/en/docs/api/receiving/notifications-format/StateInstanceChanged/
outgoing from the phone / the API https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessage/
The values are greencli's own and marked as a test, so a bot's logs show where they came from,
except the instance's own: `instanceData.wid` is the instance's WhatsApp ID (getSettings' `wid`),
and so is `senderData.sender` of an outgoing message, whose sender is the instance itself (the
OutgoingMessageReceived page describes `sender` as the "message or file sender Id"; its examples
repeat the chat ID there). A bot that filters on its own number then sees what a push carries.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

TEST_TEXT = "greencli test notification: your bot received this from `greencli webhooks trigger`."
SENDER = "79001234568@c.us"

KINDS = (
    "incomingMessageReceived",
    "outgoingMessageReceived",
    "outgoingAPIMessageReceived",
    "outgoingMessageStatus",
    "stateInstanceChanged",
)


def sample(kind: str, instance_id: str, wid: str | None = None, now: float | None = None) -> dict[str, Any]:
    """One notification of `kind` for instance `instance_id` (linked as `wid`)."""
    envelope: dict[str, Any] = {
        "typeWebhook": kind,
        "instanceData": {
            "idInstance": int(instance_id) if instance_id.isdigit() else instance_id,
            "wid": wid or "",
            "typeInstance": "whatsapp",
        },
        "timestamp": int(now if now is not None else time.time()),
    }
    message_id = secrets.token_hex(10).upper()
    text = {"typeMessage": "textMessage", "textMessageData": {"textMessage": TEST_TEXT}}
    if kind == "incomingMessageReceived":
        return {
            **envelope,
            "idMessage": message_id,
            "senderData": {
                "chatId": SENDER,
                "sender": SENDER,
                "chatName": "greencli test",
                "senderName": "greencli test",
                "senderContactName": "",
            },
            "messageData": text,
        }
    if kind in ("outgoingMessageReceived", "outgoingAPIMessageReceived"):
        return {
            **envelope,
            "idMessage": message_id,
            "senderData": {"chatId": SENDER, "sender": wid or "", "chatName": "greencli test", "senderName": ""},
            "messageData": text,
        }
    if kind == "outgoingMessageStatus":
        return {**envelope, "chatId": SENDER, "idMessage": message_id, "status": "delivered", "sendByApi": True}
    if kind == "stateInstanceChanged":
        return {**envelope, "stateInstance": "authorized"}
    raise ValueError(f"unknown notification type {kind!r}")
