"""The message journals: what lastIncomingMessages, lastOutgoingMessages and getMessage read.

As Green API documents and reports them:
- entries can show up late (up to about 2 minutes; journals/GetMessage): `lag_seconds` hides
  an entry for that long after the message was sent or received;
- a message that ends `failed` is not journaled at all (github.com/green-api/issues/issues/613,
  open: "log messages with failed status"); track it through notifications instead;
- incoming messages are journaled only while incomingWebhook is on (journals pages).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentMessage:
    id_message: str
    chat_id: str
    text: str
    timestamp: int
    status: str = "pending"
    description: str | None = None
    type_message: str = "textMessage"
    file: dict[str, Any] | None = None  # fileMessageData of a sendFileByUpload
    # Other kinds than text and files: the journal's fields for it, and the notification's
    # messageData (without typeMessage), e.g. {"location": {…}} and {"locationMessageData": {…}}.
    fields: dict[str, Any] = field(default_factory=dict)
    message_data: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False  # deleteMessage
    created: float = field(default_factory=time.monotonic)


@dataclass
class ReceivedMessage:
    id_message: str
    chat_id: str
    sender_name: str
    text: str
    timestamp: int
    created: float = field(default_factory=time.monotonic)
    read: bool = False  # readChat


class Journal:
    def __init__(self, lag_seconds: float = 0.0) -> None:
        self.lag_seconds = lag_seconds
        self._lock = threading.Lock()
        self._outgoing: list[SentMessage] = []
        self._incoming: list[ReceivedMessage] = []

    def add_outgoing(self, message: SentMessage) -> None:
        with self._lock:
            self._outgoing.append(message)

    def add_incoming(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._incoming.append(message)

    def forget(self, message: SentMessage) -> None:
        """A failed message leaves no journal entry (green-api/issues#613)."""
        with self._lock:
            if message in self._outgoing:
                self._outgoing.remove(message)

    @property
    def all_outgoing(self) -> list[SentMessage]:
        """Every journaled send, visible or not yet (the control endpoint's view)."""
        with self._lock:
            return list(self._outgoing)

    def _visible(self, created: float) -> bool:
        return time.monotonic() - created >= self.lag_seconds

    def outgoing(self, minutes: int) -> list[dict[str, Any]]:
        cutoff = time.time() - minutes * 60
        with self._lock:
            return [outgoing_entry(m) for m in reversed(self._outgoing) if m.timestamp >= cutoff and self._visible(m.created)]

    def incoming(self, minutes: int) -> list[dict[str, Any]]:
        cutoff = time.time() - minutes * 60
        with self._lock:
            return [incoming_entry(m) for m in reversed(self._incoming) if m.timestamp >= cutoff and self._visible(m.created)]

    def chat(self, chat_id: str, count: int) -> list[dict[str, Any]]:
        """The chat's messages, newest first (journals/GetChatHistory)."""
        with self._lock:
            entries = [(m.timestamp, m.created, outgoing_entry(m)) for m in self._outgoing if m.chat_id == chat_id]
            entries += [(m.timestamp, m.created, incoming_entry(m)) for m in self._incoming if m.chat_id == chat_id]
        entries.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [entry for *_, entry in entries[:count]]

    def mark_read(self, chat_id: str, id_message: Any = None) -> bool:
        """readChat: the chat's incoming messages (or the one named) are read."""
        with self._lock:
            for message in self._incoming:
                if message.chat_id == chat_id and (id_message is None or message.id_message == id_message):
                    message.read = True
        return True

    def sent(self, chat_id: Any, id_message: str) -> SentMessage | None:
        with self._lock:
            for message in self._outgoing:
                if message.id_message == id_message and message.chat_id == chat_id:
                    return message
        return None

    def received(self, chat_id: Any, id_message: str) -> ReceivedMessage | None:
        with self._lock:
            for message in self._incoming:
                if message.id_message == id_message and message.chat_id == chat_id:
                    return message
        return None

    def find(self, chat_id: Any, id_message: str) -> dict[str, Any] | None:
        with self._lock:
            for sent in self._outgoing:
                if sent.id_message == id_message and sent.chat_id == chat_id and self._visible(sent.created):
                    return outgoing_entry(sent)
            for received in self._incoming:
                if received.id_message == id_message and received.chat_id == chat_id and self._visible(received.created):
                    return incoming_entry(received)
        return None


def outgoing_entry(message: SentMessage) -> dict[str, Any]:
    """One journal object for an outgoing message (journals/LastOutgoingMessages)."""
    entry: dict[str, Any] = {
        "type": "outgoing",
        "idMessage": message.id_message,
        "timestamp": message.timestamp,
        "typeMessage": message.type_message,
        "chatId": message.chat_id,
    }
    if message.file is not None:
        entry.update({k: v for k, v in message.file.items() if k != "jpegThumbnail"})
    elif message.fields:
        entry.update(message.fields)
    else:
        entry["textMessage"] = message.text
    entry["statusMessage"] = message.status
    entry["sendByApi"] = True
    if message.description:
        entry["description"] = message.description
    return entry


def incoming_entry(message: ReceivedMessage) -> dict[str, Any]:
    """One journal object for an incoming message (journals/LastIncomingMessages)."""
    return {
        "type": "incoming",
        "idMessage": message.id_message,
        "timestamp": message.timestamp,
        "typeMessage": "textMessage",
        "chatId": message.chat_id,
        "senderId": message.chat_id,
        "senderName": message.sender_name,
        "senderContactName": message.sender_name,
        "textMessage": message.text,
    }
