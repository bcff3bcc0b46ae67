"""Push mode: while a webhookUrl is set, POST each queued notification to it, as Green API does.

What Green API documents (recommendations/working-with-incomming-webhooks and
receiving/technology-webhook-endpoint, green-api.com/en/docs/api/…):
- each notification is POSTed to webhookUrl; the receiver must answer **200**, and only then is
  the notification removed from the queue;
- it waits up to 180 s for that answer; on anything else it pauses 60 s and sends the *same*
  notification again, so one failing notification holds back the ones behind it (FIFO);
- the webhookUrlToken travels in the Authorization header (`Bearer <token>`, see
  greencli.greenapi.webhook_push);
- while webhookUrl is set, receiveNotification delivers nothing (notifications.NotificationQueue).

The sandbox never follows a redirect (a 3xx is a failed delivery): observed of Green API, whose
docs are silent on redirects. The pause before a retry is an option (`--push-retry`) so tests and impatient developers need not wait a minute.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from greencli.greenapi.webhook_push import CONTENT_TYPE, authorization_header, encode_body
from greencli.sandbox.notifications import NotificationQueue

USER_AGENT = "greencli-sandbox (push mode)"
MAX_LOG = 200  # deliveries kept for the control endpoint's view
MIN_PAUSE = 0.05  # seconds between attempts at one notification, whatever --push-retry says


@dataclass(frozen=True)
class Attempt:
    receipt_id: int
    url: str
    status: int | None  # None: no HTTP answer (refused, timed out, bad URL)
    error: str | None
    time: float

    def describe(self) -> dict[str, Any]:
        return {"receiptId": self.receipt_id, "url": self.url, "status": self.status, "error": self.error, "time": self.time}


class Pusher:
    """One background thread delivering the instance's notification queue, head first."""

    def __init__(self, queue: NotificationQueue, retry_seconds: float, timeout_seconds: float) -> None:
        self.queue = queue
        self.retry_seconds = retry_seconds
        self.timeout_seconds = timeout_seconds
        self.attempts: deque[Attempt] = deque(maxlen=MAX_LOG)
        self.delivered = 0
        self.failed = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-push", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self.queue.wake()

    def describe(self) -> dict[str, Any]:
        return {
            "retrySeconds": self.retry_seconds,
            "delivered": self.delivered,
            "failed": self.failed,
            "attempts": [a.describe() for a in list(self.attempts)[-20:]],
        }

    # -- the loop -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopped.is_set():
            job = self.queue.next_push(self._stopped)
            if job is None:
                continue
            receipt_id, body, url, token = job
            status, error = self._post(url, token, body)
            self.attempts.append(Attempt(receipt_id, url, status, error, time.time()))
            if status == 200:
                self.delivered += 1
                self.queue.delete(receipt_id)
            else:
                self.failed += 1
                # The same notification again after the pause; nothing behind it goes first.
                # (A floor keeps --push-retry 0 from hammering a failing bot in a tight loop.)
                self._stopped.wait(max(self.retry_seconds, MIN_PAUSE))

    def _post(self, url: str, token: str, body: dict[str, Any]) -> tuple[int | None, str | None]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None, "webhookUrl is not an http(s) URL"
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        try:
            connection = connection_class(parts.hostname, parts.port, timeout=self.timeout_seconds)
        except ValueError as error:
            return None, str(error)
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        headers = {"Content-Type": CONTENT_TYPE, "User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = authorization_header(token)
        try:
            connection.request("POST", path, body=encode_body(body), headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, None
        except (OSError, http.client.HTTPException) as error:
            return None, type(error).__name__
        finally:
            connection.close()
