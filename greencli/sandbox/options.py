"""How a sandbox instance starts: its credentials, state, plan, timings and settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from greencli.greenapi.notification_settings import ALL_TYPES, GUIDE_TYPES
from greencli.greenapi.states import STATES as GREEN_API_STATES

# Green API's states, and "new": an instance still being created (getStateInstance answers null).
STATES = ("new", *GREEN_API_STATES)
DEFAULT_PHONE = "79001234567"


def default_settings() -> dict[str, Any]:
    """A new instance's settings: every notification type off (account/SetSettings)."""
    settings: dict[str, Any] = {
        "wid": "",
        "webhookUrl": "",
        "webhookUrlToken": "",
        "delaySendMessagesMilliseconds": 5000,
        "markIncomingMessagesReaded": "no",
        "markIncomingMessagesReadedOnReply": "no",
        "keepOnlineStatus": "no",
        # Deprecated, still returned by getSettings (account/GetSettings).
        "countryInstance": "",
        "typeAccount": "",
        "sharedSession": "no",
        "statusInstanceWebhook": "no",
    }
    settings.update(dict.fromkeys(ALL_TYPES, "no"))
    return settings


def guide_settings() -> dict[str, Any]:
    """Settings as the setup guide leaves them: its four types on, polling mode."""
    settings = default_settings()
    settings.update(dict.fromkeys(GUIDE_TYPES, "yes"))
    return settings


@dataclass
class Options:
    instance_id: str = "1101000001"
    token: str = field(default_factory=lambda: secrets.token_hex(25))
    state: str = "authorized"
    phone: str = DEFAULT_PHONE
    creation_seconds: float = 3.0  # how long a "new" instance answers null
    restart_seconds: float = 1.0  # how long `starting` lasts after a reboot or settings change
    status_step_seconds: float = 1.0  # pace of sent -> delivered -> read
    qr_rotate_seconds: float = 20.0
    auto_scan: float | None = None  # simulate a phone scanning the QR after this many seconds
    plan: str = "developer"  # "developer" (free: 3 chats, monthly method quotas) or "business"
    # Calls a month per method; None: the plan's documented table (greencli.sandbox.quotas).
    quota_limits: dict[str, int] | None = None
    # Which documented 466 shape a 4th chat gets: "older" (correspondentsStatus) or "newer"
    # (the allowed chats in invokeStatus.description); see greencli.sandbox.quotas.
    chat_quota_body: str = "older"
    # Journal entries show up this long after the message (Green API: up to about 2 minutes).
    journal_lag_seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=default_settings)
    # Push mode: Green API pauses 60 s before sending a failed notification again and waits
    # 180 s for an answer (recommendations/working-with-incomming-webhooks).
    push_retry_seconds: float = 60.0
    push_timeout_seconds: float = 180.0
