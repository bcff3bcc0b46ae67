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
from urllib.parse import quote

from greencli.greenapi.notification_settings import ALL_TYPES, GUIDE_TYPES, is_on
from greencli.greenapi.states import STATES as GREEN_API_STATES
from greencli.sandbox.journal import Journal, ReceivedMessage, SentMessage, outgoing_entry
from greencli.sandbox.push import Pusher
from greencli.sandbox.quotas import DEVELOPER_CHATS, Quotas, plan_quotas
from greencli.sandbox.scheduler import Scheduler

Answer = tuple[int, Any]

# Green API's states, and "new": an instance still being created (getStateInstance answers null).
STATES = ("new", *GREEN_API_STATES)
DEFAULT_PHONE = "79001234567"
MAX_MESSAGE = 20_000
MAX_UPLOAD = 100 * 1024 * 1024  # sending/SendFileByUpload: files up to 100 MB
# getStateInstanceHistory's documented variants (account/GetStateInstanceHistory): the sandbox
# records moves into these, not the brief `starting` of a restart.
HISTORY_STATES = ("authorized", "notAuthorized", "blocked")
HISTORY_DEFAULT_COUNT = 100


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
    # Journal entries show up this long after the message (Green API: up to about 2 minutes).
    journal_lag_seconds: float = 0.0
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
        self.journal = Journal(options.journal_lag_seconds)
        self.quotas = Quotas(
            options.quota_limits if options.quota_limits is not None else plan_quotas(options.plan),
            DEVELOPER_CHATS if options.plan == "developer" else None,
        )
        self._sent_count = 0
        self._history: list[dict[str, Any]] = []
        self._record_state(self._state)
        self._qr_epoch = time.monotonic()
        self._qr_secret = secrets.token_bytes(8)
        self._scan_scheduled = False
        self._qr_error: str | None = None
        self.no_whatsapp_suffix = "0000"  # numbers ending in 0000 have no WhatsApp account
        self.failing_suffix = "0001"  # messages to numbers ending in 0001 end `failed`
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
                self._record_state(state)
                self._notify_state(state)

    def _record_state(self, state: str) -> None:
        if state in HISTORY_STATES:
            self._history.insert(
                0,
                {
                    "stateInstance": state,
                    "timestamp": int(time.time()),
                    "phoneNumber": f"{self.phone or self.options.phone}@c.us",
                },
            )

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

    def pending_notifications(self) -> list[dict[str, Any]]:
        """The bodies waiting in the notification queue, oldest first (for tests and the view)."""
        with self._lock:
            return [body for _, body in self._notifications]

    def clear_notifications(self) -> None:
        with self._lock:
            self._notifications.clear()

    def _notify_state(self, state: str) -> None:
        if is_on(self.settings, "stateWebhook"):
            self.push({**self._envelope("stateInstanceChanged"), "stateInstance": state})

    def incoming_message(self, chat_id: str, text: str, sender_name: str = "Sandbox contact") -> int | None:
        """Simulate a message arriving from `chat_id` (a notification if incomingWebhook is on).

        On the developer plan a 4th chat's message produces a `quotaExceeded` notification
        instead, and is not journaled (about-tariffs; notifications-format/QuotaExceeded)."""
        with self._lock:
            if not self.quotas.allow_chat(chat_id):
                return self.push({**self._envelope("quotaExceeded"), "quotaData": self.quotas.quota_data()})
            if not is_on(self.settings, "incomingWebhook"):
                return None
            id_message = secrets.token_hex(16).upper()
            self.journal.add_incoming(ReceivedMessage(id_message, chat_id, sender_name, text, int(time.time())))
            body = {
                **self._envelope("incomingMessageReceived"),
                "idMessage": id_message,
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

    def get_state_instance_history(self, request: dict[str, Any]) -> Answer:
        """Newest first; an optional body {"count": N} (default 100). account/GetStateInstanceHistory"""
        body = request.get("json")
        count: Any = HISTORY_DEFAULT_COUNT
        if isinstance(body, dict) and "count" in body:
            count = body["count"]
        elif request.get("query", {}).get("count"):
            # The official Python SDK sends it as ?count=N.
            count = _int_param(request, "count", HISTORY_DEFAULT_COUNT)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            return 400, TextBody("Validation failed. Details: 'count' must be a positive integer")
        with self._lock:
            return 200, [dict(record) for record in self._history[:count]]

    def update_api_token(self, request: dict[str, Any]) -> Answer:
        """A new token; the old one stops working at once (account/UpdateApiToken, beta)."""
        with self._lock:
            self.token = secrets.token_hex(25)
            return 200, {"apiTokenInstance": self.token}

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
            if not self.quotas.allow_chat(chat_id):
                return 466, self.quotas.chat_quota_body("sendMessage", self._sent_count)
            message = SentMessage(secrets.token_hex(10).upper(), chat_id, text, int(time.time()))
            self._accept(message)
            return 200, {"idMessage": message.id_message}

    def send_file_by_upload(self, request: dict[str, Any]) -> Answer:
        """A multipart upload (on the media host for Green API): chatId, file, fileName, caption.
        Answers {"idMessage", "urlFile"} (sending/SendFileByUpload)."""
        form = request.get("form")
        if form is None:
            return 400, TextBody("Validation failed. Details: the body must be multipart/form-data")
        chat_id = form.fields.get("chatId", "")
        upload = form.files.get("file")
        if not _valid_chat_id(chat_id):
            return 400, TextBody("Validation failed. Details: 'chatId' is not a valid chat id")
        if upload is None:
            return 400, TextBody("Validation failed. Details: 'file' is required")
        file_name = form.fields.get("fileName") or upload.filename
        if "." not in file_name.strip(".") or len(upload.content) > MAX_UPLOAD:
            return 400, TextBody("Validation failed. Details: 'fileName' must have an extension; files up to 100 MB")
        caption = form.fields.get("caption", "")
        if len(caption) > MAX_MESSAGE:
            return 400, TextBody("Validation failed. Details: 'caption' length must be less than or equal to 20000 characters long")
        with self._lock:
            exceeded = self.quotas.spend("sendFileByUpload")
            if exceeded:
                return 466, exceeded
            if not self.quotas.allow_chat(chat_id):
                return 466, self.quotas.chat_quota_body("sendFileByUpload", self._sent_count)
            type_message, mime = _file_kind(file_name)
            # A link that resolves nowhere: the sandbox keeps no files (Green API's lasts 15 days).
            url_file = f"https://media.sandbox.invalid/{self.instance_id}/{secrets.token_hex(8)}/{quote(file_name)}"
            file_data = {"downloadUrl": url_file, "caption": caption, "fileName": file_name, "jpegThumbnail": "", "mimeType": mime}
            message = SentMessage(
                secrets.token_hex(10).upper(), chat_id, caption, int(time.time()), type_message=type_message, file=file_data
            )
            self._accept(message)
            return 200, {"idMessage": message.id_message, "urlFile": url_file}

    def _accept(self, message: SentMessage) -> None:
        """Journal a new outgoing message and send it now, or queue it until authorized."""
        self._sent_count += 1
        self.journal.add_outgoing(message)
        if self.state == "authorized":
            self._deliver(message)
        else:
            self._queue.append(message)

    def _flush_queue(self) -> None:
        queued, self._queue = self._queue, []
        for message in queued:
            self._deliver(message)

    def _deliver(self, message: SentMessage) -> None:
        """The message leaves the queue: notifications now, statuses step by step."""
        number = message.chat_id.split("@")[0]
        personal = message.chat_id.endswith("@c.us")
        no_account = personal and number.endswith(self.no_whatsapp_suffix)
        # No outgoingAPIMessageReceived for a number without WhatsApp (account/GetSettings).
        if is_on(self.settings, "outgoingAPIMessageWebhook") and not no_account:
            if message.file is not None:
                message_data = {"typeMessage": message.type_message, "fileMessageData": dict(message.file)}
            else:
                message_data = {"typeMessage": "textMessage", "textMessageData": {"textMessage": message.text}}
            self.push(
                {
                    **self._envelope("outgoingAPIMessageReceived"),
                    "idMessage": message.id_message,
                    "senderData": {"chatId": message.chat_id, "sender": self.settings.get("wid", "")},
                    "messageData": message_data,
                }
            )
        if no_account:
            steps = ["noAccount"]
        elif personal and number.endswith(self.failing_suffix):
            steps = ["failed"]
        elif message.chat_id == self.settings.get("wid"):
            # A message to the instance's own number stays `sent` (sending/SendMessage).
            steps = ["sent"]
        else:
            steps = ["sent", "delivered", "read"]
        step = self.options.status_step_seconds
        for index, status in enumerate(steps, start=1):
            self._scheduler.after(step * index, lambda s=status: self._set_status(message, s))

    def _set_status(self, message: SentMessage, status: str) -> None:
        with self._lock:
            message.status = status
            if status == "noAccount":
                message.description = "The recipient has no WhatsApp account"
            elif status == "failed":
                message.description = "Sandbox: messages to numbers ending in 0001 fail"
                self.journal.forget(message)  # failed messages are not journaled (issues#613)
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
        exceeded = self.quotas.spend("checkWhatsapp")
        if exceeded:
            return 466, exceeded
        return 200, {"existsWhatsapp": not str(phone).endswith(self.no_whatsapp_suffix)}

    def use_up_checks(self) -> None:
        self.quotas.use_up("checkWhatsapp")

    # -- journals and queues ------------------------------------------------------------------

    def get_message(self, request: dict[str, Any]) -> Answer:
        body = request.get("json")
        if not isinstance(body, dict) or not isinstance(body.get("idMessage"), str):
            return 400, TextBody("Validation failed. Details: 'idMessage' is required")
        exceeded = self.quotas.spend("getMessage")
        if exceeded:
            return 466, exceeded
        entry = self.journal.find(body.get("chatId"), body["idMessage"])
        if entry is None:
            return 400, TextBody("Message not found")
        return 200, entry

    def last_outgoing_messages(self, request: dict[str, Any]) -> Answer:
        exceeded = self.quotas.spend("lastOutgoingMessages")
        if exceeded:
            return 466, exceeded
        return 200, self.journal.outgoing(_int_param(request, "minutes", 1440))

    def last_incoming_messages(self, request: dict[str, Any]) -> Answer:
        exceeded = self.quotas.spend("lastIncomingMessages")
        if exceeded:
            return 466, exceeded
        return 200, self.journal.incoming(_int_param(request, "minutes", 1440))

    def show_messages_queue(self, request: dict[str, Any]) -> Answer:
        """The queue as Green API lists it today: without its first message (an open bug,
        green-api.com/en/forum/topic/213: one stuck message reads as an empty queue).
        getMessagesCount counts them all."""
        with self._lock:
            return 200, [
                {
                    "messageID": m.id_message,
                    "type": "sendFileByUrl" if m.file is not None else "sendMessage",
                    "body": {"chatId": m.chat_id, "message": m.text, "linkPreview": True}
                    if m.file is None
                    else {"chatId": m.chat_id, "urlFile": m.file["downloadUrl"], "fileName": m.file["fileName"], "caption": m.text},
                }
                for m in self._queue[1:]
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
                "sent": [outgoing_entry(m) for m in self.journal.all_outgoing],
                "quotas": self.quotas.describe(),
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


def _file_kind(file_name: str) -> tuple[str, str]:
    """typeMessage and MIME type from the extension, as Green API picks how to send a file."""
    import mimetypes

    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    kind = mime.split("/")[0]
    return {"image": "imageMessage", "video": "videoMessage", "audio": "audioMessage"}.get(kind, "documentMessage"), mime


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
