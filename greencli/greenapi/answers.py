"""What Green API's methods answer, as the client's typed methods return it."""

from __future__ import annotations

from typing import Any, NamedTuple


class QrAnswer(NamedTuple):
    type: str  # "qrCode", "alreadyLogged" or "error"
    message: str


class Notification(NamedTuple):
    receipt_id: int
    body: Any  # an object, unless the server sent something odd; None when `unreadable`
    # The body exactly as the server wrote it inside the answer, so `listen --forward-to` can
    # pass on Green API's own bytes rather than a re-encoding, and keep what it cannot read.
    raw_body: bytes | None = None
    unreadable: str | None = None  # why greencli cannot read the body, when it cannot


class StateChange(NamedTuple):
    """One record of GetStateInstanceHistory: the state the instance entered, and when."""

    state: str
    timestamp: int
    phone: str | None  # "79001234567@c.us" in the docs' example (typed integer in its table)


class FileSent(NamedTuple):
    id_message: str
    url_file: str | None  # a link to the uploaded file, valid 15 days

