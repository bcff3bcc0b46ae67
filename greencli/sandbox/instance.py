"""One emulated Green API instance: its state, settings, queues, journal and quotas.

Each public method takes the decoded request and returns (HTTP status, JSON-able body), the
shapes copied from Green API's documentation. Time-based behaviour (QR rotation, the brief
`starting` after a settings change, message statuses moving on) runs on a scheduler thread.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from greencli.greenapi.notification_settings import ALL_TYPES, GUIDE_TYPES, is_on
from greencli.sandbox.push import Pusher
from greencli.sandbox.scheduler import Scheduler

Answer = tuple[int, Any]

STATES = ("new", "notAuthorized", "authorized", "starting", "blocked", "yellowCard", "sleepMode")
DEFAULT_PHONE = "79001234567"
MAX_MESSAGE = 20_000
FREE_PLAN_CHATS = 3
FREE_PLAN_CHECKS = 100


class TextBody(str):
    """An error answer sent as plain text, as Green API does for most errors."""


def default_settings() -> dict[str, Any]:
    settings: dict[str, Any] = {
        "wid": "",
        "webhookUrl": "",
        "webhookUrlToken": "",
        "delaySendMessagesMilliseconds": 5000,
        "markIncomingMessagesReaded": "no",
        "markIncomingMessagesReadedOnReply": "no",
        "keepOnlineStatus": "no",
    }
    settings.update(dict.fromkeys(ALL_TYPES, "no"))
    return settings


def guide_settings() -> dict[str, Any]:
    """Settings as the setup guide leaves them: its four types on, polling mode."""
    settings = default_settings()
    settings.update(dict.fromkeys(GUIDE_TYPES, "yes"))
    return settings


@dataclass
class SentMessage:
    id_message: str
    chat_id: str
    text: str
    timestamp: int
    status: str = "pending"
    description: str | None = None


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
    plan: str = "developer"  # "developer" (free: 3 chats, 100 checks a month) or "business"
    settings: dict[str, Any] = field(default_factory=default_settings)
    # Push mode: Green API pauses 60 s before sending a failed notification again and waits
    # 180 s for an answer (recommendations/working-with-incomming-webhooks).
    push_retry_seconds: float = 60.0
    push_timeout_seconds: float = 180.0


class Instance:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.instance_id = options.instance_id
        self.token = options.token
        self.settings = dict(options.settings)
        self._lock = threading.RLock()
        self._new_queue = threading.Condition(self._lock)
        self._scheduler = Scheduler()
        self._created = time.monotonic()
        self._state = "notAuthorized" if options.state == "new" else options.state
        self._being_created = options.state == "new"
        self._restore_after_start: str | None = None
        self.phone = options.phone if self._state not in ("notAuthorized",) else ""
        self.settings["wid"] = f"{self.phone}@c.us" if self.phone else ""
        self._notifications: deque[tuple[int, dict[str, Any]]] = deque()
        self._next_receipt = 1
        self._queue: list[SentMessage] = []  # waiting to be sent (instance not authorized)
        self._journal: list[SentMessage] = []
        self._chats: list[str] = []
        self._checks_used = 0
        self._qr_epoch = time.monotonic()
        self._qr_secret = secrets.token_bytes(8)
        self._scan_scheduled = False
        self._qr_error: str | None = None
        self.no_whatsapp_suffix = "0000"  # numbers ending in 0000 have no WhatsApp account
        self._pusher = Pusher(self, options.push_retry_seconds, options.push_timeout_seconds)

    def stop(self) -> None:
        self._scheduler.stop()
        self._pusher.stop()

    # -- state --------------------------------------------------------------------------------

    @property
    def state(self) -> str | None:
        with self._lock:
            if self._being_created:
                if time.monotonic() - self._created < self.options.creation_seconds:
                    return None
                self._being_created = False
            return self._state

    def set_state(self, state: str) -> None:
        """Move to `state`, with the side effects the real service has."""
        with self._lock:
            if state == "new":
                self._being_created = True
                self._created = time.monotonic()
                state = "notAuthorized"
            previous = self._state
            self._state = state
            if state == "authorized":
                self.phone = self.phone or self.options.phone
                self.settings["wid"] = f"{self.phone}@c.us"
                self._qr_error = None
                self._flush_queue()
            elif state == "notAuthorized":
                self.phone = ""
                self.settings["wid"] = ""
            if previous != state:
                self._notify_state(state)

    def authorize(self) -> None:
        """A phone scanned the QR code or entered the pairing code."""
        with self._lock:
            if self._state == "notAuthorized":
                self.set_state("authorized")

    def _restart(self) -> None:
        """A reboot or a settings change: `starting` for a while, then back."""
        with self._lock:
            if self._state == "starting":
                return
            self._restore_after_start = self._state
            self._state = "starting"
            self._notify_state("starting")

        def back() -> None:
            with self._lock:
                if self._state == "starting" and self._restore_after_start:
                    self._state = self._restore_after_start
                    self._notify_state(self._state)
                    if self._state == "authorized":
                        self._flush_queue()

        self._scheduler.after(self.options.restart_seconds, back)

    # -- notifications ------------------------------------------------------------------------

    def _envelope(self, type_webhook: str) -> dict[str, Any]:
        return {
            "typeWebhook": type_webhook,
            "instanceData": {
                "idInstance": int(self.instance_id),
                "wid": self.settings.get("wid", ""),
                "typeInstance": "whatsapp",
            },
            "timestamp": int(time.time()),
        }

    def push(self, body: dict[str, Any]) -> int:
        with self._lock:
            receipt = self._next_receipt
            self._next_receipt += 1
            self._notifications.append((receipt, body))
            self._new_queue.notify_all()
            return receipt

    # -- push mode (greencli.sandbox.push) -------------------------------------------------------

    def next_push(self, stopped: threading.Event) -> tuple[int, dict[str, Any], str, str] | None:
        """The head of the queue and where to push it, once a webhookUrl is set and something
        waits; None when `stopped` is set (or after a short wait, to look again)."""
        with self._lock:
            while not stopped.is_set():
                url = self.settings.get("webhookUrl")
                if url and self._notifications:
                    receipt, body = self._notifications[0]
                    return receipt, body, str(url), str(self.settings.get("webhookUrlToken") or "")
                self._new_queue.wait(0.5)
            return None

    def pushed(self, receipt: int) -> None:
        """The receiver answered 200: the notification leaves the queue."""
        with self._lock:
            for entry in self._notifications:
                if entry[0] == receipt:
                    self._notifications.remove(entry)
                    break

    def wake_pusher(self) -> None:
        with self._lock:
            self._new_queue.notify_all()

    def update_settings(self, changes: dict[str, Any]) -> None:
        """Change settings directly (the control endpoint): no restart, no notification."""
        with self._lock:
            self.settings.update({k: v for k, v in changes.items() if k != "wid"})
            self._new_queue.notify_all()

    def _notify_state(self, state: str) -> None:
        if is_on(self.settings, "stateWebhook"):
            self.push({**self._envelope("stateInstanceChanged"), "stateInstance": state})

    def incoming_message(self, chat_id: str, text: str, sender_name: str = "Sandbox contact") -> int | None:
        """Simulate a message arriving from `chat_id` (a notification if incomingWebhook is on)."""
        with self._lock:
            if not is_on(self.settings, "incomingWebhook"):
                return None
            body = {
                **self._envelope("incomingMessageReceived"),
                "idMessage": secrets.token_hex(16).upper(),
                "senderData": {
                    "chatId": chat_id,
                    "sender": chat_id,
                    "chatName": sender_name,
                    "senderName": sender_name,
                    "senderContactName": sender_name,
                },
                "messageData": {
                    "typeMessage": "textMessage",
                    "textMessageData": {"textMessage": text},
                },
            }
            return self.push(body)

    # -- account methods ----------------------------------------------------------------------

    def get_state_instance(self, request: dict[str, Any]) -> Answer:
        state = self.state
        return 200, None if state is None else {"stateInstance": state}

    def get_status_instance(self, request: dict[str, Any]) -> Answer:
        return 200, {"statusInstance": "online" if self.state == "authorized" else "offline"}

    def get_wa_settings(self, request: dict[str, Any]) -> Answer:
        state = self.state
        linked = state in ("authorized", "yellowCard", "sleepMode")
        return 200, {
            "avatar": "",
            "phone": self.phone if linked else "",
            "stateInstance": state if state is not None else "notAuthorized",
            "deviceId": f"{self.phone}:8@s.whatsapp.net" if linked else "",
        }

    def get_settings(self, request: dict[str, Any]) -> Answer:
        with self._lock:
            return 200, dict(self.settings)

    def set_settings(self, request: dict[str, Any], save: bool = True) -> Answer:
        body = request.get("json")
        if not isinstance(body, dict) or not body:
            return 400, TextBody("Validation failed. Details: 'value' must have at least 1 key")
        for key, value in body.items():
            if key in ALL_TYPES or key in (
                "markIncomingMessagesReaded",
                "markIncomingMessagesReadedOnReply",
                "keepOnlineStatus",
            ):
                if value not in ("yes", "no"):
                    return 400, TextBody(f"Validation failed. Details: '{key}' must be one of [yes, no]")
            elif key in ("webhookUrl", "webhookUrlToken"):
                if not isinstance(value, str):
                    return 400, TextBody(f"Validation failed. Details: '{key}' must be a string")
            elif key == "delaySendMessagesMilliseconds":
                if not isinstance(value, int) or not 500 <= value <= 600_000:
                    return 400, TextBody(
                        "Validation failed. Details: 'delaySendMessagesMilliseconds' must be "
                        "between 500 and 600000"
                    )
        if save:
            with self._lock:
                for key, value in body.items():
                    if key != "wid":
                        self.settings[key] = value
                self._new_queue.notify_all()  # a new webhookUrl starts (or stops) push mode
        self._restart()
        return 200, {"saveSettings": True}

    def qr(self, request: dict[str, Any]) -> Answer:
        state = self.state
        if state == "authorized":
            return 200, {"type": "alreadyLogged", "message": "instance account already authorized"}
        if self._qr_error:
            return 200, {"type": "error", "message": self._qr_error}
        if state != "notAuthorized":
            return 200, {"type": "error", "message": f"Instance is in state {state}, try later"}
        self._schedule_auto_scan()
        return 200, {"type": "qrCode", "message": base64.b64encode(self.qr_png()).decode("ascii")}

    def qr_payload(self) -> str:
        """The text inside the current QR code; it changes every `qr_rotate_seconds`."""
        rotation = int((time.monotonic() - self._qr_epoch) // self.options.qr_rotate_seconds)
        seed = self._qr_secret + rotation.to_bytes(4, "big")

        def piece(label: bytes, size: int) -> str:
            import hashlib

            digest = hashlib.sha256(seed + label).digest() * 2
            return base64.b64encode(digest[:size]).decode("ascii")

        # Shaped like WhatsApp's link payload: ref, then three keys, comma separated.
        return f"2@{piece(b'ref', 60)},{piece(b'noise', 32)},{piece(b'identity', 32)},{piece(b'adv', 32)},1"

    def qr_png(self) -> bytes:
        from greencli.sandbox.qrimage import png_for

        return png_for(self.qr_payload())

    def _schedule_auto_scan(self) -> None:
        with self._lock:
            if self.options.auto_scan is None or self._scan_scheduled:
                return
            self._scan_scheduled = True
        self._scheduler.after(self.options.auto_scan, self._auto_scanned)

    def _auto_scanned(self) -> None:
        with self._lock:
            self._scan_scheduled = False
            self.authorize()

    def set_qr_error(self, message: str | None) -> None:
        with self._lock:
            self._qr_error = message

    def get_authorization_code(self, request: dict[str, Any]) -> Answer:
        phone, invalid = _phone_number(request, "Validation failed. Details: 'phoneNumber' must be a number")
        if invalid:
            return invalid
        if self.state != "notAuthorized":
            return 200, {"status": False, "code": ""}
        self._schedule_auto_scan()
        code = secrets.token_hex(4).upper()
        return 200, {"status": True, "code": code}

    def reboot(self, request: dict[str, Any]) -> Answer:
        self._restart()
        return 200, {"isReboot": True}

    def logout(self, request: dict[str, Any]) -> Answer:
        self.set_state("notAuthorized")
        return 200, {"isLogout": True}

    # -- sending ------------------------------------------------------------------------------

    def send_message(self, request: dict[str, Any]) -> Answer:
        body = request.get("json")
        if not isinstance(body, dict):
            return 400, TextBody("Validation failed. Details: body must be a JSON object")
        chat_id, text = body.get("chatId"), body.get("message")
        if not isinstance(chat_id, str) or not _valid_chat_id(chat_id):
            return 400, TextBody("Validation failed. Details: 'chatId' is not a valid chat id")
        if not isinstance(text, str) or not text:
            return 400, TextBody("Validation failed. Details: 'message' is required")
        if len(text) > MAX_MESSAGE:
            return 400, TextBody(
                "Validation failed. Details: 'message' length must be less than or equal to "
                "20000 characters long"
            )
        with self._lock:
            if self.options.plan == "developer" and chat_id not in self._chats:
                if len(self._chats) >= FREE_PLAN_CHATS:
                    return 466, self._chat_quota_body()
                self._chats.append(chat_id)
            message = SentMessage(secrets.token_hex(10).upper(), chat_id, text, int(time.time()))
            self._journal.append(message)
            if self.state == "authorized":
                self._deliver(message)
            else:
                self._queue.append(message)
            return 200, {"idMessage": message.id_message}

    def _chat_quota_body(self) -> dict[str, Any]:
        allowed = ",".join(self._chats)
        return {
            "invokeStatus": {"method": "sendmessage", "used": len(self._journal), "total": 0, "status": "QUOTE_ALLOWED"},
            "correspondentsStatus": {
                "method": "correspondents",
                "used": len(self._chats),
                "total": FREE_PLAN_CHATS,
                "status": "CORRESPONDENTS_QUOTE_EXCEEDED",
                "description": (
                    "Monthly quota has been exceeded. You can only send or receive messages "
                    f"from these numbers: {allowed}. Please go to your personal account and "
                    "change the tariff to business https://console.green-api.com"
                ),
            },
        }

    def _flush_queue(self) -> None:
        queued, self._queue = self._queue, []
        for message in queued:
            self._deliver(message)

    def _deliver(self, message: SentMessage) -> None:
        """The message leaves the queue: notifications now, statuses step by step."""
        if is_on(self.settings, "outgoingAPIMessageWebhook"):
            self.push(
                {
                    **self._envelope("outgoingAPIMessageReceived"),
                    "idMessage": message.id_message,
                    "senderData": {"chatId": message.chat_id, "sender": self.settings.get("wid", "")},
                    "messageData": {
                        "typeMessage": "textMessage",
                        "textMessageData": {"textMessage": message.text},
                    },
                }
            )
        number = message.chat_id.split("@")[0]
        if message.chat_id.endswith("@c.us") and number.endswith(self.no_whatsapp_suffix):
            steps = ["noAccount"]
        else:
            steps = ["sent", "delivered", "read"]
        step = self.options.status_step_seconds
        for index, status in enumerate(steps, start=1):
            self._scheduler.after(step * index, lambda s=status: self._set_status(message, s))

    def _set_status(self, message: SentMessage, status: str) -> None:
        with self._lock:
            message.status = status
            if status in ("failed", "noAccount"):
                message.description = "The recipient has no WhatsApp account" if status == "noAccount" else None
            if is_on(self.settings, "outgoingWebhook") or status in ("failed", "noAccount"):
                self.push(
                    {
                        **self._envelope("outgoingMessageStatus"),
                        "chatId": message.chat_id,
                        "idMessage": message.id_message,
                        "status": status,
                        "sendByApi": True,
                        **({"description": message.description} if message.description else {}),
                    }
                )

    def check_whatsapp(self, request: dict[str, Any]) -> Answer:
        phone, invalid = _phone_number(request, "Validation failed. Details: Wrong format. 'phoneNumber' must contain only digits")
        if invalid:
            return invalid
        if self.state != "authorized":
            return 400, TextBody("instance is starting or not authorized")
        with self._lock:
            if self.options.plan == "developer":
                if self._checks_used >= FREE_PLAN_CHECKS:
                    return 466, {
                        "invokeStatus": {
                            "method": "checkwhatsapp",
                            "used": self._checks_used,
                            "total": FREE_PLAN_CHECKS,
                            "status": "QUOTE_EXCEEDED",
                            "description": (
                                "Monthly quota has been exceeded. Please go to your personal "
                                "account and change the tariff to business https://console.green-api.com"
                            ),
                        }
                    }
                self._checks_used += 1
        return 200, {"existsWhatsapp": not str(phone).endswith(self.no_whatsapp_suffix)}

    def use_up_checks(self) -> None:
        with self._lock:
            self._checks_used = FREE_PLAN_CHECKS

    # -- journals and queues ------------------------------------------------------------------

    def _journal_entry(self, message: SentMessage) -> dict[str, Any]:
        entry = {
            "type": "outgoing",
            "idMessage": message.id_message,
            "timestamp": message.timestamp,
            "typeMessage": "textMessage",
            "chatId": message.chat_id,
            "textMessage": message.text,
            "statusMessage": message.status,
            "sendByApi": True,
        }
        if message.description:
            entry["description"] = message.description
        return entry

    def get_message(self, request: dict[str, Any]) -> Answer:
        body = request.get("json")
        if not isinstance(body, dict) or not isinstance(body.get("idMessage"), str):
            return 400, TextBody("Validation failed. Details: 'idMessage' is required")
        with self._lock:
            for message in self._journal:
                if message.id_message == body["idMessage"] and message.chat_id == body.get("chatId"):
                    return 200, self._journal_entry(message)
        return 400, TextBody("Message not found")

    def last_outgoing_messages(self, request: dict[str, Any]) -> Answer:
        minutes = _int_param(request, "minutes", 1440)
        cutoff = time.time() - minutes * 60
        with self._lock:
            return 200, [self._journal_entry(m) for m in reversed(self._journal) if m.timestamp >= cutoff]

    def show_messages_queue(self, request: dict[str, Any]) -> Answer:
        with self._lock:
            return 200, [
                {
                    "messageID": m.id_message,
                    "type": "sendMessage",
                    "body": {"chatId": m.chat_id, "message": m.text, "linkPreview": True},
                }
                for m in self._queue
            ]

    def get_messages_count(self, request: dict[str, Any]) -> Answer:
        with self._lock:
            return 200, {"count": len(self._queue)}

    def get_webhooks_count(self, request: dict[str, Any]) -> Answer:
        with self._lock:
            return 200, {"count": len(self._notifications)}

    # -- receiving ----------------------------------------------------------------------------

    def receive_notification(self, request: dict[str, Any]) -> Answer:
        wait = _int_param(request, "receiveTimeout", 5)
        if not 5 <= wait <= 60:
            return 400, TextBody("Validation failed. Details: 'receiveTimeout' must be from 5 to 60")
        deadline = time.monotonic() + wait
        with self._lock:
            while True:
                # Polling delivers nothing while a webhook URL is set (push mode).
                if self._notifications and not self.settings.get("webhookUrl"):
                    receipt, body = self._notifications[0]
                    return 200, {"receiptId": receipt, "body": body}
                left = deadline - time.monotonic()
                if left <= 0:
                    return 200, None
                self._new_queue.wait(left)

    def delete_notification(self, request: dict[str, Any]) -> Answer:
        receipt = request.get("extra", "")
        if not receipt.isdigit():
            return 400, TextBody("Parameter receiptId must be a Number")
        with self._lock:
            for entry in self._notifications:
                if entry[0] == int(receipt):
                    self._notifications.remove(entry)
                    return 200, {"result": True}
        return 200, {"result": False}

    # -- the control endpoint's view ----------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "idInstance": self.instance_id,
                "stateInstance": self.state,
                "phone": self.phone,
                "settings": {k: v for k, v in self.settings.items() if k != "webhookUrlToken"},
                "notifications": len(self._notifications),
                "queued": len(self._queue),
                "sent": [self._journal_entry(m) for m in self._journal],
                "chats": list(self._chats),
                "checksUsed": self._checks_used,
                "qrPayload": self.qr_payload() if self._state == "notAuthorized" else None,
                "push": self._pusher.describe(),
            }


def _phone_number(request: dict[str, Any], wrong_type: str) -> tuple[int, Answer | None]:
    """The integer `phoneNumber` of a request body, or the 400 answer Green API gives."""
    body = request.get("json")
    phone = body.get("phoneNumber") if isinstance(body, dict) else None
    if not isinstance(phone, int) or isinstance(phone, bool):
        return 0, (400, TextBody(wrong_type))
    if not 11 <= len(str(phone)) <= 16:
        return 0, (400, TextBody("bad phone number, valid from 11 to 16 digits"))
    return phone, None


def _valid_chat_id(chat_id: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{5,20}@c\.us|[\d-]{5,40}@g\.us|\d{5,20}@lid", chat_id))


def _int_param(request: dict[str, Any], name: str, default: int) -> int:
    values = request.get("query", {}).get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        return -1
