"""Listening to notifications by polling: receive, hand over, delete, and keep going.

A notification is deleted only after it was handed over (printed, or forwarded with a 2xx
answer), so one that was not handled stays in the queue. Passing trouble (5xx, timeouts, lost
connections, 429) is retried with growing pauses, as Green API advises for 5xx answers:
https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from greencli.errors import ApiError, NotFine
from greencli.greenapi.failures import is_transient

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient, Notification

T = TypeVar("T")

MAX_PAUSE = 30.0


def polling_settings(client: GreenApiClient) -> dict[str, Any]:
    """The instance's settings, when polling can receive anything at all (no webhook URL)."""
    settings = client.get_settings()
    if settings.get("webhookUrl"):
        raise NotFine(
            "A webhook URL is set, so Green API pushes notifications there and polling gets none.",
            "Switch to polling mode: greencli webhooks enable --polling (then wait up to a minute).",
            code="polling_impossible",
        )
    return settings


def listen(
    client: GreenApiClient,
    handle: Callable[[Notification, int | None], None],
    *,
    count: int | None,
    receive_timeout: int,
    forward_to: str | None = None,
    webhook_token: str | None = None,
    forward_timeout: float = 10.0,
    on_retry: Callable[[ApiError, float], None] = lambda error, pause: None,
    on_forward_failure: Callable[[str, float], None] = lambda reason, retry_in: None,
    on_not_deleted: Callable[[Notification], None] = lambda notification: None,
    on_end: Callable[[int, int], None] = lambda handled, not_deleted: None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Receive notifications until `count` were handled (forever when None).

    Each one is forwarded first (when `forward_to` is set), then given to `handle` with the
    forward's HTTP status (None when not forwarded), then deleted; `on_not_deleted` hears of a
    delete answered result: false. However it ends, `on_end(handled, not_deleted)` is told.
    """
    forwarder = None
    if forward_to is not None:
        from greencli.flows.forwarding import Forwarder

        forwarder = Forwarder(forward_to, webhook_token, forward_timeout)
    handled = not_deleted = 0
    try:
        while count is None or handled < count:
            notification = until_it_works(lambda: client.receive_notification(receive_timeout), on_retry, sleep)
            if notification is None:
                continue
            forwarded = None if forwarder is None else forwarder.deliver(notification.body, on_forward_failure, raw=notification.raw_body)
            handle(notification, forwarded)
            if not until_it_works(partial(client.delete_notification, notification.receipt_id), on_retry, sleep):
                not_deleted += 1
                on_not_deleted(notification)
            handled += 1
    finally:
        if forwarder is not None:
            forwarder.close()
        on_end(handled, not_deleted)


def until_it_works(
    call: Callable[[], T],
    on_retry: Callable[[ApiError, float], None],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Repeat a receive or delete through passing trouble, with growing pauses: a listener keeps
    listening. Errors no retry can fix (401, 403, 404, 400, quotas) end it, and so does the
    same unreadable answer a third time running."""
    pause = 1.0
    unreadable = 0
    while True:
        try:
            return call()
        except ApiError as error:
            # An answer cut short passes; the same unreadable answer three times running does not.
            unreadable = unreadable + 1 if error.code == "bad_response" else 0
            if not is_transient(error) or unreadable >= 3:
                raise
            on_retry(error, pause)
            sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)
