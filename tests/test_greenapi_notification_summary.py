"""greenapi.notification_summary: a notification in one line, whatever its shape."""

from __future__ import annotations

import json

import pytest

from greencli.greenapi.notification_summary import one_line


@pytest.mark.parametrize(
    "body",
    [
        {"typeWebhook": "incomingMessageReceived", "timestamp": 1e300},
        {"typeWebhook": "incomingMessageReceived", "timestamp": None, "senderData": 5},
        {"typeWebhook": {"nested": True}, "messageData": []},
        ["not", "an", "object"],
        "text",
        None,
    ],
)
def test_one_line_never_fails(body: object) -> None:
    line = one_line(body)  # type: ignore[arg-type]
    assert isinstance(line, str) and line


def test_one_line_shows_an_unsummarisable_notification_raw() -> None:
    assert one_line(["x", 1]) == "(a notification greencli cannot summarise) " + json.dumps(["x", 1], separators=(",", ":"))
