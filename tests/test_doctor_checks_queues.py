"""doctor's queue checks: messages waiting to be sent, notifications waiting to be read."""

from __future__ import annotations

import pytest

from greencli.doctor.answers import Fetched
from greencli.doctor.checks.queues import DELAY_MAXIMUM_MS, check_incoming, check_queue
from tests.doctor_inputs import api_error, fetched, settings


def test_messages_waiting_while_not_authorized_are_stuck() -> None:
    # Counted with getMessagesCount: showMessagesQueue leaves out the first message
    # (https://green-api.com/en/forum/post/213), so ONE stuck message must fail too.
    queue = fetched(1)
    assert check_queue(queue, authorized=False).status == "fail"
    assert "stuck: 1 message waiting" in check_queue(queue, authorized=False).message
    assert check_queue(queue, authorized=True).status == "pass"
    assert check_queue(fetched(error=api_error("not_found", 404)), authorized=False).status == "skip"


def test_incoming_notifications_piling_up_in_polling_mode_warn_and_unknown_methods_skip() -> None:
    # The count is read with the client's typed getWebhooksCount (which accepts the Cyrillic
    # spelling some doc versions print: tests/test_client_queue_history_token_upload.py).
    polling = fetched({"webhookUrl": ""})
    assert check_incoming(fetched(80), polling).status == "warn"
    assert check_incoming(fetched(49), polling).status == "pass"
    assert check_incoming(fetched(0), polling).status == "pass"
    assert check_incoming(fetched(error=api_error("not_found", 404)), polling).status == "skip"


@pytest.mark.parametrize(("delay", "status"), [(5000, "pass"), (DELAY_MAXIMUM_MS, "pass"), (DELAY_MAXIMUM_MS + 1, "warn"), (3_600_000, "warn")])
def test_a_send_delay_above_the_documented_maximum_with_messages_queued_warns(delay: int, status: str) -> None:
    """delaySendMessagesMilliseconds: at most 600,000 ms on newer copies of
    https://green-api.com/he/docs/api/send-messages-delay/ ; the English page,
    https://green-api.com/en/docs/api/send-messages-delay/ , allows 86,400,000 ms and says a
    message above it is not sent. doctor warns above the lower, and only with messages queued."""
    verdict = check_queue(Fetched(3), True, settings(delaySendMessagesMilliseconds=delay))
    assert verdict.status == status
    if status == "warn":
        assert f"{delay:,} ms" in verdict.message and "600,000 ms" in verdict.message and "may never drain" in verdict.message
        assert verdict.hint is not None and "300,000" in verdict.hint
        assert any("86,400,000" in detail for detail in verdict.details)
    assert check_queue(Fetched(0), True, settings(delaySendMessagesMilliseconds=delay)).status == "pass"  # nothing waits


def test_above_even_the_older_maximum_the_details_say_the_message_is_not_sent() -> None:
    """https://green-api.com/en/docs/api/send-messages-delay/: above 86,400,000 ms "the message
    will not be sent"."""
    verdict = check_queue(Fetched(1), True, settings(delaySendMessagesMilliseconds="90000000"))
    assert verdict.status == "warn" and any("not sent" in detail for detail in verdict.details)
    stuck = check_queue(Fetched(1), False, settings(delaySendMessagesMilliseconds=90_000_000))
    assert stuck.status == "fail" and "not authorized" in stuck.message and stuck.details  # the delay is named too


def test_many_notifications_with_a_webhook_url_say_how_to_clear_them() -> None:
    """https://github.com/green-api/issues/issues/1107: clearWebhooksQueue fails while a webhook
    URL is set; the workaround is to remove the URL first."""
    push = settings(webhookUrl="https://bot.example.com/hook")
    many = check_incoming(Fetched(120), push)
    hint = many.hint or ""
    assert many.status == "warn" and "1107" in hint and "clearWebhooksQueue" in hint
    assert hint.index("webhooks enable --polling") < hint.index("clear the queue") < hint.index("webhooks enable --url")
    few = check_incoming(Fetched(3), push)
    assert few.status == "warn" and "clearWebhooksQueue" not in (few.hint or "")
