"""The notification switches in an instance's settings, and which ones the setup guide needs.

Settings take the strings "yes" and "no". Shared by `webhooks`, `doctor` and the sandbox.
"""

from __future__ import annotations

# The four the setup guide switches on: without them a bot hears nothing.
GUIDE_TYPES = (
    "incomingWebhook",
    "outgoingMessageWebhook",
    "outgoingAPIMessageWebhook",
    "stateWebhook",
)
# Delivery statuses (sent / delivered / read) of outgoing messages: the journals show them with
# this on (https://green-api.com/en/docs/api/journals/GetMessage/).
STATUS_TYPE = "outgoingWebhook"
# What the outgoingMessageStatus notification asks for: all three
# (https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessageStatus/).
STATUS_NOTIFICATION_TYPES = (STATUS_TYPE, "outgoingMessageWebhook", "outgoingAPIMessageWebhook")

DESCRIPTIONS = {
    "incomingWebhook": "incoming messages and files",
    "outgoingMessageWebhook": "messages sent from the phone",
    "outgoingAPIMessageWebhook": "messages sent through the API",
    "stateWebhook": "instance state changes",
    "outgoingWebhook": "delivery statuses of sent messages",
    "incomingCallWebhook": "incoming calls",
    "pollMessageWebhook": "polls and votes",
    "incomingBlockWebhook": "contacts blocking the number",
    "editedMessageWebhook": "edited messages",
    "deletedMessageWebhook": "deleted messages",
    "deviceWebhook": "phone device info (out of service at Green API)",
}

ALL_TYPES = tuple(DESCRIPTIONS)
# "Temporarily out of service" (https://green-api.com/en/docs/api/account/SetSettings/): never
# switched on, so `webhooks enable --all` spends no setting (and no reboot) on it.
OUT_OF_SERVICE = ("deviceWebhook",)
ENABLE_ALL_TYPES = tuple(name for name in ALL_TYPES if name not in OUT_OF_SERVICE)


def is_on(settings: dict[str, object], name: str) -> bool:
    return str(settings.get(name, "no")).strip().lower() == "yes"
