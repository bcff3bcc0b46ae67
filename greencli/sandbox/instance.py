"""One emulated Green API instance: its state and the locks that keep it consistent.

It holds the authorization state and its history, the settings, the outgoing send queue, the
incoming-notification queue, the journals and the quotas, and moves them the way the service
does (a restart after setSettings, statuses stepping on, queued sends leaving once authorized).
What each API method answers lives in greencli.sandbox.methods, one module per method family;
time-based behaviour (QR rotation, the brief `starting`, statuses) runs on a scheduler thread.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any

from greencli.greenapi.notification_settings import is_on
from greencli.sandbox.directory import Directory
from greencli.sandbox.journal import Journal, ReceivedMessage, SentMessage, outgoing_entry
from greencli.sandbox.notifications import Notification, NotificationQueue
from greencli.sandbox.options import DEFAULT_PHONE, STATES, Options, default_settings, guide_settings
from greencli.sandbox.push import Pusher
from greencli.sandbox.quotas import DEVELOPER_CHATS, Quotas, plan_quotas
from greencli.sandbox.scheduler import Scheduler

__all__ = ["DEFAULT_PHONE", "STATES", "Instance", "Options", "default_settings", "guide_settings"]

# getStateInstanceHistory's documented variants (account/GetStateInstanceHistory): the sandbox
# records moves into these, not the brief `starting` of a restart.
HISTORY_STATES = ("authorized", "notAuthorized", "blocked")


class Instance:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.instance_id = options.instance_id
        self.token = options.token
        self.settings = dict(options.settings)
        self.lock = threading.RLock()
        self._scheduler = Scheduler()
        self._created = time.monotonic()
        self._state = "notAuthorized" if options.state == "new" else options.state
        self._being_created = options.state == "new"
        self._restore_after_start: str | None = None
        self.phone = options.phone if self._state not in ("notAuthorized",) else ""
        self.settings["wid"] = f"{self.phone}@c.us" if self.phone else ""
        self.notifications = NotificationQueue(self.lock, self._webhook, self._may_push)
        self.send_queue: list[SentMessage] = []  # waiting to be sent (instance not authorized)
        self.journal = Journal(options.journal_lag_seconds)
        self.directory = Directory()
        self.public_url = ""  # where the sandbox serves (set when it starts): files are kept under it
        self.quotas = Quotas(
            options.quota_limits if options.quota_limits is not None else plan_quotas(options.plan),
            DEVELOPER_CHATS if options.plan == "developer" else None,
            chat_body=options.chat_quota_body,
        )
        self.sent_count = 0
        self.history: list[dict[str, Any]] = []
        self._record_state(self._state)
        self._qr_epoch = time.monotonic()
        self._qr_secret = secrets.token_bytes(8)
        self._scan_scheduled = False
        self.qr_error: str | None = None
        self.no_whatsapp_suffix = "0000"  # numbers ending in 0000 have no WhatsApp account
        self.failing_suffix = "0001"  # messages to numbers ending in 0001 end `failed`
        self._pusher = Pusher(self.notifications, options.push_retry_seconds, options.push_timeout_seconds)

    def stop(self) -> None:
        self._scheduler.stop()
        self._pusher.stop()

    def _may_push(self) -> bool:
        """Notifications wait in the queue while the instance is not authorized: Green API keeps
        them there (24 h) and sends them once it is (receiving/technology-webhook-endpoint)."""
        return self._state == "authorized" and not self._being_created

    def _webhook(self) -> tuple[str, str]:
        return str(self.settings.get("webhookUrl") or ""), str(self.settings.get("webhookUrlToken") or "")

    # -- state --------------------------------------------------------------------------------

    @property
    def state(self) -> str | None:
        with self.lock:
            if self._being_created:
                if time.monotonic() - self._created < self.options.creation_seconds:
                    return None
                self._being_created = False
            return self._state

    def set_state(self, state: str) -> None:
        """Move to `state`, with the side effects the real service has."""
        with self.lock:
            if state == "new":
                self._being_created = True
                self._created = time.monotonic()
                state = "notAuthorized"
            previous = self._state
            self._state = state
            if state == "authorized":
                self.phone = self.phone or self.options.phone
                self.settings["wid"] = f"{self.phone}@c.us"
                self.qr_error = None
                self._flush_queue()
            elif state == "notAuthorized":
                self.phone = ""
                self.settings["wid"] = ""
            if previous != state:
                self._record_state(state)
                self._notify_state(state)
            self.notifications.wake()  # pushes may start or stop

    def _record_state(self, state: str) -> None:
        if state in HISTORY_STATES:
            record = {"stateInstance": state, "timestamp": int(time.time()), "phoneNumber": f"{self.phone or self.options.phone}@c.us"}
            self.history.insert(0, record)

    def authorize(self) -> None:
        """A phone scanned the QR code or entered the pairing code."""
        with self.lock:
            if self._state == "notAuthorized":
                self.set_state("authorized")

    def restart(self) -> None:
        """A reboot or a settings change: `starting` for a while, then back."""
        with self.lock:
            if self._state == "starting":
                return
            self._restore_after_start = self._state
            self._state = "starting"
            self._notify_state("starting")

        def back() -> None:
            with self.lock:
                if self._state == "starting" and self._restore_after_start:
                    self._state = self._restore_after_start
                    self._notify_state(self._state)
                    if self._state == "authorized":
                        self._flush_queue()
                    self.notifications.wake()

        self._scheduler.after(self.options.restart_seconds, back)

    def rotate_token(self) -> str:
        with self.lock:
            self.token = secrets.token_hex(25)
            return self.token

    # -- settings -----------------------------------------------------------------------------

    def save_settings(self, changes: dict[str, Any]) -> None:
        """Keep new settings (never `wid`, which is the account's own); a new webhookUrl
        starts (or stops) push mode."""
        with self.lock:
            self.settings.update({key: value for key, value in changes.items() if key != "wid"})
            self.notifications.wake()

    def update_settings(self, changes: dict[str, Any]) -> None:
        """Change settings directly (the control endpoint): no restart, no notification."""
        self.save_settings(changes)

    # -- notifications ------------------------------------------------------------------------

    def envelope(self, type_webhook: str) -> Notification:
        return {
            "typeWebhook": type_webhook,
            "instanceData": {"idInstance": int(self.instance_id), "wid": self.settings.get("wid", ""), "typeInstance": "whatsapp"},
            "timestamp": int(time.time()),
        }

    def push(self, body: Notification) -> int:
        return self.notifications.add(body)

    def pending_notifications(self) -> list[Notification]:
        """The bodies waiting in the notification queue, oldest first (for tests and the view)."""
        return self.notifications.bodies()

    def clear_notifications(self) -> None:
        self.notifications.clear()

    def _notify_state(self, state: str) -> None:
        if is_on(self.settings, "stateWebhook"):
            self.push({**self.envelope("stateInstanceChanged"), "stateInstance": state})

    def incoming_message(self, chat_id: str, text: str, sender_name: str = "Sandbox contact") -> int | None:
        """Simulate a message arriving from `chat_id` (a notification if incomingWebhook is on).

        On the developer plan a 4th chat's message produces a `quotaExceeded` notification
        instead, and is not journaled (about-tariffs; notifications-format/QuotaExceeded)."""
        with self.lock:
            if not self.quotas.allow_chat(chat_id):
                return self.push({**self.envelope("quotaExceeded"), "quotaData": self.quotas.quota_data()})
            if not is_on(self.settings, "incomingWebhook"):
                return None
            id_message = secrets.token_hex(16).upper()
            self.journal.add_incoming(ReceivedMessage(id_message, chat_id, sender_name, text, int(time.time())))
            self.directory.meet(chat_id, sender_name)
            sender = {"chatId": chat_id, "sender": chat_id, "chatName": sender_name, "senderName": sender_name, "senderContactName": sender_name}
            message_data = {"typeMessage": "textMessage", "textMessageData": {"textMessage": text}}
            return self.push({**self.envelope("incomingMessageReceived"), "idMessage": id_message, "senderData": sender, "messageData": message_data})

    # -- outgoing messages --------------------------------------------------------------------

    def accept(self, message: SentMessage) -> None:
        """Journal a new outgoing message and send it now, or queue it until authorized."""
        with self.lock:
            self.sent_count += 1
            self.journal.add_outgoing(message)
            self.directory.meet(message.chat_id)
            if self.state == "authorized":
                self._deliver(message)
            else:
                self.send_queue.append(message)

    def _flush_queue(self) -> None:
        queued, self.send_queue = self.send_queue, []
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
            elif message.message_data:
                message_data = {"typeMessage": message.type_message, **message.message_data}
            else:
                message_data = {"typeMessage": "textMessage", "textMessageData": {"textMessage": message.text}}
            sender = {"chatId": message.chat_id, "sender": self.settings.get("wid", "")}
            self.push({**self.envelope("outgoingAPIMessageReceived"), "idMessage": message.id_message, "senderData": sender, "messageData": message_data})
        if no_account:
            steps = ["noAccount"]
        elif personal and number.endswith(self.failing_suffix):
            steps = ["failed"]
        elif message.chat_id == self.settings.get("wid"):
            # A message to the instance's own number stays `sent` (sending/SendMessage).
            steps = ["sent"]
        elif is_on(self.settings, "outgoingWebhook"):
            steps = ["sent", "delivered", "read"]
        else:
            # Delivered and read are known only with outgoingWebhook on (journals/GetMessage,
            # notifications-format/outgoing-message/OutgoingMessageStatus): the journal stays `sent`.
            steps = ["sent"]
        step = self.options.status_step_seconds
        for index, status in enumerate(steps, start=1):
            self._scheduler.after(step * index, lambda s=status: self._set_status(message, s))  # type: ignore[misc]

    def notify_changed(self, message: SentMessage, type_message: str) -> None:
        """editMessage / deleteMessage: the documented notification when its setting is on."""
        setting = "editedMessageWebhook" if type_message == "editedMessage" else "deletedMessageWebhook"
        if not is_on(self.settings, setting):
            return
        data: dict[str, Any] = {"stanzaId": message.id_message}
        if type_message == "editedMessage":
            data["textMessage"] = message.text
        key = "editedMessageData" if type_message == "editedMessage" else "deletedMessageData"
        sender = {"chatId": message.chat_id, "sender": self.settings.get("wid", "")}
        self.push({**self.envelope("outgoingAPIMessageReceived"), "idMessage": message.id_message, "senderData": sender, "messageData": {"typeMessage": type_message, key: data}})

    def _set_status(self, message: SentMessage, status: str) -> None:
        with self.lock:
            message.status = status
            if status == "noAccount":
                message.description = "The recipient has no WhatsApp account"
            elif status == "failed":
                message.description = "Sandbox: messages to numbers ending in 0001 fail"
                self.journal.forget(message)  # failed messages are not journaled (issues#613)
            if is_on(self.settings, "outgoingWebhook") or status in ("failed", "noAccount"):
                self.push(
                    {
                        **self.envelope("outgoingMessageStatus"),
                        "chatId": message.chat_id,
                        "idMessage": message.id_message,
                        "status": status,
                        "sendByApi": True,
                        **({"description": message.description} if message.description else {}),
                    }
                )

    # -- linking ------------------------------------------------------------------------------

    def qr_payload(self) -> str:
        """The text inside the current QR code; it changes every `qr_rotate_seconds`."""
        rotation = int((time.monotonic() - self._qr_epoch) // self.options.qr_rotate_seconds)
        seed = self._qr_secret + rotation.to_bytes(4, "big")

        def piece(label: bytes, size: int) -> str:
            digest = hashlib.sha256(seed + label).digest() * 2
            return base64.b64encode(digest[:size]).decode("ascii")

        # Shaped like WhatsApp's link payload: ref, then three keys, comma separated.
        return f"2@{piece(b'ref', 60)},{piece(b'noise', 32)},{piece(b'identity', 32)},{piece(b'adv', 32)},1"

    def qr_png(self) -> bytes:
        from greencli.sandbox.qr_image import png_for

        return png_for(self.qr_payload())

    def _schedule_auto_scan(self) -> None:
        with self.lock:
            if self.options.auto_scan is None or self._scan_scheduled:
                return
            self._scan_scheduled = True
        self._scheduler.after(self.options.auto_scan, self._auto_scanned)

    schedule_auto_scan = _schedule_auto_scan

    def _auto_scanned(self) -> None:
        with self.lock:
            self._scan_scheduled = False
            self.authorize()

    def set_qr_error(self, message: str | None) -> None:
        with self.lock:
            self.qr_error = message

    def use_up_checks(self) -> None:
        self.quotas.use_up("checkWhatsapp")

    # -- the control endpoint's view ----------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "idInstance": self.instance_id,
                "stateInstance": self.state,
                "phone": self.phone,
                "settings": {k: v for k, v in self.settings.items() if k != "webhookUrlToken"},
                "notifications": len(self.notifications),
                "queued": len(self.send_queue),
                "sent": [outgoing_entry(m) for m in self.journal.all_outgoing],
                "quotas": self.quotas.describe(),
                "qrPayload": self.qr_payload() if self._state == "notAuthorized" else None,
                "push": self._pusher.describe(),
            }
