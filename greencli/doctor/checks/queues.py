"""Checks of the two queues: messages waiting to be sent, notifications waiting to be read."""

from __future__ import annotations

from typing import Any

from greencli.doctor.answers import MESSAGES_COUNT, SETTINGS, STATE, WEBHOOKS_COUNT, Fetched
from greencli.doctor.declaration import Check, Gate, Stage
from greencli.doctor.result import Verdict, failed, passed, skipped, warned

PILING_UP = 50  # notifications waiting before doctor calls it a problem
# The longest delaySendMessagesMilliseconds the docs allow: 600,000 ms (10 minutes) on the newer
# copies of https://green-api.com/he/docs/api/send-messages-delay/ (and the Telegram API's page);
# 86,400,000 ms on the English page, https://green-api.com/en/docs/api/send-messages-delay/,
# which says a message above it is not sent. doctor warns above the lower of the two.
DELAY_MAXIMUM_MS = 600_000
DELAY_MAXIMUM_OLDER_PAGE_MS = 86_400_000


def check_queue(count: Fetched[int], authorized: bool, settings: Fetched[dict[str, Any]] | None = None) -> Verdict:
    """Messages waiting to be sent, counted with getMessagesCount: showMessagesQueue leaves out
    the first queued message (https://green-api.com/en/forum/post/213), so one stuck message
    would read as none. With messages waiting, a send delay above the documented maximum means
    the queue may never drain."""
    if count.error is not None:
        if count.error.code == "not_found":
            return skipped("this server does not offer getMessagesCount")
        return warned(f"Could not read the outgoing queue: {count.error.message}")
    number = count.value
    if number == 0:
        return passed("No messages waiting to be sent")
    plural = "s" if number != 1 else ""
    delay = _send_delay(settings)
    too_slow = delay is not None and delay > DELAY_MAXIMUM_MS
    details = [_delay_words(delay)] if too_slow and delay is not None else []
    if not authorized:
        return failed(f"Messages are stuck: {number} message{plural} waiting while the instance is not authorized",
                      "Link the phone (`greencli qr`); messages left more than 24 hours are dropped.", details)
    if too_slow and delay is not None:
        return warned(f"{number} message{plural} waiting, but delaySendMessagesMilliseconds is {delay:,} ms, above the documented "
                      f"maximum of {DELAY_MAXIMUM_MS:,} ms: the queue may never drain",
                      "Lower it to 300,000 ms or less (Green API's advice) in the instance's settings in the console, or with "
                      'setSettings {"delaySendMessagesMilliseconds": 5000}; queued messages are dropped after 24 hours.', details)
    return passed(f"{number} message{plural} on the way out (sent at the configured pace)")


def _send_delay(settings: Fetched[dict[str, Any]] | None) -> int | None:
    """delaySendMessagesMilliseconds from getSettings, or None when unknown."""
    if settings is None or not isinstance(settings.value, dict):
        return None
    value = settings.value.get("delaySendMessagesMilliseconds")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _delay_words(delay: int) -> str:
    older = (f"above {DELAY_MAXIMUM_OLDER_PAGE_MS:,} ms even the English page says the message is not sent"
             if delay > DELAY_MAXIMUM_OLDER_PAGE_MS else f"the English page allows up to {DELAY_MAXIMUM_OLDER_PAGE_MS:,} ms")
    return f"send delay {delay:,} ms: newer copies of the send-messages-delay page allow at most {DELAY_MAXIMUM_MS:,} ms; {older}"


def check_incoming(count: Fetched[int], settings: Fetched[dict[str, Any]]) -> Verdict:
    if count.error is not None:
        if count.error.code == "not_found":
            return skipped("this server does not offer getWebhooksCount")
        return warned(f"Could not read the incoming queue: {count.error.message}")
    number = count.value
    if not number:
        return passed("No notifications waiting")
    plural = "s" if number != 1 else ""
    push = isinstance(settings.value, dict) and bool(settings.value.get("webhookUrl"))
    if not push and number < PILING_UP:
        return passed(f"{number} notification{plural} waiting to be read (by your bot, or `greencli webhooks listen`)")
    if push:
        hint = "Make the URL answer 200 within 180 s; Green API retries every 60 s for 24 hours."
        if number >= PILING_UP:
            # clearWebhooksQueue fails while a webhook URL is set; remove the URL first
            # (https://github.com/green-api/issues/issues/1107).
            hint += (" To drop them instead: clearWebhooksQueue fails while a webhook URL is set (Green API issue 1107), "
                     "so switch to polling first (`greencli webhooks enable --polling`), clear the queue (clearWebhooksQueue, "
                     "or the console), then set the URL again (`greencli webhooks enable --url URL`).")
        return warned(f"{number} notification{plural} not yet accepted by the webhook URL", hint)
    return warned(f"{number} notifications waiting: nobody seems to be reading them",
                  "Start your bot's polling loop, or watch them: greencli webhooks listen")


CHECKS = (
    Check("queue", "Outgoing queue",
          lambda evidence: check_queue(evidence.answer(MESSAGES_COUNT), evidence.answer(STATE).value == "authorized", evidence.answer(SETTINGS)),
          Stage.ANSWER, reads=(MESSAGES_COUNT, STATE, SETTINGS), needs=Gate.ACCEPTED),
    Check("incoming", "Incoming queue", lambda evidence: check_incoming(evidence.answer(WEBHOOKS_COUNT), evidence.answer(SETTINGS)),
          Stage.ANSWER, reads=(WEBHOOKS_COUNT, SETTINGS), needs=Gate.ACCEPTED),
)
