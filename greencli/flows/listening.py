"""Listening to notifications by polling: receive, deliver, delete, and keep going.

Green API keeps a notification in the queue until it is deleted, and a receive hands out the
same one again until then
(https://green-api.com/en/docs/api/receiving/technology-http-api/ReceiveNotification/). So a
notification is deleted only after it was delivered: forwarded to the bot and answered with a
complete HTTP 200 (forwarding.py), or else written out in full to stdout. One greencli cannot
read is forwarded as its exact bytes, or set aside in a private file, then deleted: it never
blocks the queue, and nothing is lost.

When stdout's reader goes away (`| head -2`), listening stops at once: what was not delivered
stays in the queue. Passing trouble (5xx, timeouts, lost connections, 429) is retried with
growing pauses, as Green API advises for 5xx answers:
https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from greencli.errors import ApiError, ErrorCode, ExitCode, GreenCliError, NotFine, ReaderGone
from greencli.greenapi.failures import is_transient

if TYPE_CHECKING:
    from greencli.flows.forwarding import Forwarder
    from greencli.greenapi.client import GreenApiClient, Notification

T = TypeVar("T")

MAX_PAUSE = 30.0


class SetAsideFailed(GreenCliError):
    """An unreadable notification could not be saved to its file (exit 74, like any output
    greencli could not write): it stays in the queue."""

    code: ErrorCode = "set_aside_failed"
    exit_code = ExitCode.OUTPUT


class Handover(NamedTuple):
    """One notification on its way out, and where it has been delivered so far."""

    notification: Notification
    forwarded: int | None = None  # the bot's status (200) when forwarded
    set_aside: Path | None = None  # the private file an unreadable notification was saved to


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


def _run_here(call: Callable[[], T]) -> T:
    return call()


def listen(
    client: GreenApiClient,
    show: Callable[[Handover], bool],
    *,
    count: int | None,
    receive_timeout: int,
    forwarder: Forwarder | None = None,
    waiting: Callable[[Callable[[], Any]], Any] = _run_here,
    on_retry: Callable[[ApiError, float], None] = lambda error, pause: None,
    on_forward_failure: Callable[[str, float], None] = lambda reason, retry_in: None,
    on_not_deleted: Callable[[Notification], None] = lambda notification: None,
    on_end: Callable[[int, int], None] = lambda handled, not_deleted: None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Receive notifications until `count` were delivered (forever when None).

    Each is forwarded first (with `forwarder`), or set aside when it cannot be read and there
    is no bot to take it; then `show` writes it out and says whether it reached stdout's reader
    in full. It is deleted when the bot answered 200, or else when `show` said yes. A `show`
    that says no means the reader went away: listening stops there. Every wait (a receive, a
    forward) runs through `waiting`, which raises ReaderGone when the reader leaves meanwhile.
    `on_not_deleted` hears of a delete answered result: false. However it ends,
    `on_end(delivered, not_deleted)` is told.
    """
    delivered = not_deleted = 0
    try:
        while count is None or delivered < count:
            notification: Notification | None = waiting(
                lambda: until_it_works(partial(client.receive_notification, receive_timeout), on_retry, sleep)
            )
            if notification is None:
                continue
            handover = Handover(notification)
            if forwarder is not None:
                handover = handover._replace(forwarded=waiting(partial(_forward, forwarder, notification, on_forward_failure, sleep)))
            elif notification.unreadable is not None:
                handover = handover._replace(set_aside=_set_aside(client, notification))
            shown = show(handover)
            if handover.forwarded is None and not shown:
                break  # the reader went away before taking it: it stays in the queue
            if not until_it_works(partial(client.delete_notification, notification.receipt_id), on_retry, sleep):
                not_deleted += 1
                on_not_deleted(notification)
            delivered += 1
            if not shown:
                break  # delivered to the bot, but nobody reads stdout any more
    except ReaderGone:
        pass
    finally:
        if forwarder is not None:
            forwarder.close()
        on_end(delivered, not_deleted)


def _forward(forwarder: Forwarder, notification: Notification, on_failure: Callable[[str, float], None], sleep: Callable[[float], None]) -> int:
    return forwarder.deliver(notification.body, on_failure, sleep, raw=notification.raw_body)


def _set_aside(client: GreenApiClient, notification: Notification) -> Path:
    """Save an unreadable notification's exact bytes, or stop: it stays in the queue."""
    from greencli.config.set_aside import set_aside

    try:
        return set_aside(client.credentials.instance_id, notification.receipt_id, notification.raw_body or b"")
    except Exception as error:  # OSError, NotPrivate: nothing was written
        raise SetAsideFailed(
            f"Notification {notification.receipt_id} cannot be read ({notification.unreadable}), and greencli "
            f"could not set it aside in a file: {error}. It stays in the queue.",
            "Make greencli's state directory writable ($XDG_STATE_HOME/greencli, else "
            "~/.local/state/greencli), or pass it to your bot with --forward-to.",
        ) from None


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
