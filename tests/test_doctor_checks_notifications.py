"""doctor's notification checks: the settings and webhook URL, delivery statuses."""

from __future__ import annotations

import pytest

from greencli.doctor.checks.notifications import check_notifications, check_statuses
from tests.doctor_inputs import fetched, settings

ON = "yes"


def test_delivery_statuses_off_is_an_informational_line_with_the_fix() -> None:
    off = check_statuses(fetched({"outgoingWebhook": "no"}))
    assert off.status == "pass"  # informational: not every bot tracks delivery
    assert "outgoingWebhook = no" in off.message and "greencli webhooks enable --status" in off.message
    on = {"outgoingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes"}
    assert check_statuses(fetched(on)).message.startswith("Delivery statuses are on")


@pytest.mark.parametrize(
    ("settings", "status", "words"),
    [
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": ""}, "pass", "polling"),
        ({"incomingWebhook": "no", "webhookUrl": ""}, "fail", "nothing will ever arrive"),
        ({"incomingWebhook": "yes", "webhookUrl": ""}, "warn", "not all on"),
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": "https://localhost/x"}, "fail", "cannot reach"),
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": "http://93.184.215.14/x"}, "warn", "plain http"),
    ],
)
def test_notifications(settings, status, words) -> None:
    result = check_notifications(fetched(settings), resolve_urls=False)
    assert result.status == status and words in result.message


def test_statuses_follow_the_documented_rule() -> None:
    """The journals show statuses with outgoingWebhook on
    (https://green-api.com/en/docs/api/journals/GetMessage/); the outgoingMessageStatus
    notification asks for outgoingWebhook, outgoingMessageWebhook and outgoingAPIMessageWebhook
    (https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessageStatus/)."""
    all_three = check_statuses(settings(outgoingWebhook=ON, outgoingMessageWebhook=ON, outgoingAPIMessageWebhook=ON))
    assert all_three.status == "pass" and all_three.message.startswith("Delivery statuses are on")
    journals_only = check_statuses(settings(outgoingWebhook=ON, outgoingMessageWebhook=ON, outgoingAPIMessageWebhook="no"))
    assert journals_only.status == "warn" and "outgoingAPIMessageWebhook" in journals_only.message
    assert journals_only.hint == "greencli webhooks enable --status"
    off = check_statuses(settings(outgoingWebhook="no", outgoingMessageWebhook=ON, outgoingAPIMessageWebhook=ON))
    assert off.status == "pass" and "outgoingWebhook = no" in off.message  # informational: not every bot tracks delivery
