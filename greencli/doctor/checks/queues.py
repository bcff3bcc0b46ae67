"""Checks of the two queues: messages waiting to be sent, notifications waiting to be read."""

from __future__ import annotations

from typing import Any

from greencli.doctor.answers import MESSAGES_COUNT, SETTINGS, STATE, WEBHOOKS_COUNT, Fetched
from greencli.doctor.declaration import Check, Gate, Stage
from greencli.doctor.result import Verdict, failed, passed, skipped, warned

PILING_UP = 50  # notifications waiting in polling mode before doctor calls it a problem


def check_queue(count: Fetched[int], authorized: bool) -> Verdict:
    """Messages waiting to be sent, counted with getMessagesCount: showMessagesQueue leaves out
    the first queued message (https://green-api.com/en/forum/post/213), so one stuck message
    would read as none."""
    if count.error is not None:
        if count.error.code == "not_found":
            return skipped("this server does not offer getMessagesCount")
        return warned(f"Could not read the outgoing queue: {count.error.message}")
    number = count.value
    if number == 0:
        return passed("No messages waiting to be sent")
    plural = "s" if number != 1 else ""
    if not authorized:
        return failed(f"Messages are stuck: {number} message{plural} waiting while the instance is not authorized",
                      "Link the phone (`greencli qr`); messages left more than 24 hours are dropped.")
    return passed(f"{number} message{plural} on the way out (sent at the configured pace)")


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
        return warned(f"{number} notification{plural} not yet accepted by the webhook URL",
                      "Make the URL answer 200 within 180 s; Green API retries every 60 s for 24 hours.")
    return warned(f"{number} notifications waiting: nobody seems to be reading them",
                  "Start your bot's polling loop, or watch them: greencli webhooks listen")


CHECKS = (
    Check("queue", "Outgoing queue", lambda evidence: check_queue(evidence.answer(MESSAGES_COUNT), evidence.answer(STATE).value == "authorized"),
          Stage.ANSWER, reads=(MESSAGES_COUNT,), needs=Gate.ACCEPTED),
    Check("incoming", "Incoming queue", lambda evidence: check_incoming(evidence.answer(WEBHOOKS_COUNT), evidence.answer(SETTINGS)),
          Stage.ANSWER, reads=(WEBHOOKS_COUNT, SETTINGS), needs=Gate.ACCEPTED),
)
