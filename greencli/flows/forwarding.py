"""POSTing notifications to the user's local bot, as Green API would, until it answers 2xx."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import requests
import requests.auth
from urllib3.exceptions import HTTPError

from greencli import __version__
from greencli.greenapi.bounded_http import BodyTooLarge, Deadline, WatchedAdapter, header_text, read_body
from greencli.greenapi.webhook_push import CONTENT_TYPE, authorization_header, encode_body

MAX_BACKOFF = 15.0
ANSWER_CAP = 64 * 1024  # a bot's answer is not used: read only this much of it


class Forwarder:
    def __init__(self, url: str, webhook_token: str | None, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # a local bot: never through a proxy
        adapter = WatchedAdapter(max_retries=0)  # each attempt ends by its deadline, body included
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = f"greencli/{__version__} (webhooks listen)"
        self.session.headers["Content-Type"] = CONTENT_TYPE
        if webhook_token:
            # As Green API would send it, so a bot tested here accepts real pushes.
            self.session.headers["Authorization"] = authorization_header(webhook_token)

    def deliver(
        self,
        body: dict[str, Any],
        on_failure: Callable[[str, float], None],
        sleep: Callable[[float], None] = time.sleep,
        raw: str | None = None,
    ) -> int:
        """POST `body` until the receiver answers 2xx; returns that status.

        `raw` is the body as Green API wrote it (Notification.raw_body): sent as it is, the bot
        gets the very bytes a push would carry. Never gives up on its own (a notification must
        not be lost): every failure is reported through `on_failure(reason, retry_in)` and
        retried with growing pauses. Ctrl-C stops it.
        """
        delay = 0.5
        payload = raw.encode("utf-8") if raw is not None else encode_body(body)
        while True:
            outcome = self._attempt(payload)
            if isinstance(outcome, int):
                return outcome
            on_failure(outcome, delay)
            sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    def _attempt(self, payload: bytes) -> int | str:
        """One POST, over within `timeout` however the bot answers: its 2xx status, or why not.

        Redirects are never followed: the notification (and its Authorization header) would
        go somewhere else, and a 301/302 turns the POST into a bodiless GET.
        """
        with Deadline(self.timeout) as deadline:
            try:
                response = self.session.post(
                    self.url, data=payload, timeout=self.timeout, allow_redirects=False, stream=True
                )
            except requests.Timeout:
                return f"{self.url} did not answer within {self.timeout:g} s"
            except requests.RequestException as error:
                if deadline.passed:
                    return f"{self.url} did not answer within {self.timeout:g} s"
                return f"{self.url} could not be reached ({connection_failure(error)})"
            status = response.status_code
            try:
                read_body(response, ANSWER_CAP, deadline)  # for the connection's reuse only
            except (BodyTooLarge, OSError, HTTPError, requests.RequestException):
                pass  # the status is the answer; read_body closed the connection
        if 200 <= status < 300:
            return status
        if 300 <= status < 400:
            location = header_text(response.headers.get("Location") or "", 200) or "nowhere"
            return (
                f"{self.url} answered {status}, a redirect to {location}; greencli does not follow "
                "redirects, so point --forward-to at the final address"
            )
        return f"{self.url} answered {status}"

    def close(self) -> None:
        self.session.close()


class Delivery(NamedTuple):
    """One POST of a notification, as Green API would make it, and how it went."""

    status: int | None  # the HTTP status, or None when no answer came
    seconds: float
    location: str | None = None  # where a redirect pointed
    failure: str | None = None  # "timeout", "tls" or "connection" when no answer came
    detail: str | None = None


def post_once(url: str, body: dict[str, Any], webhook_token: str | None, max_time: float) -> Delivery:
    """POST `body` to `url` once, with Green API's headers; never follows a redirect.

    Over within `max_time` by the wall clock, however slowly the bot answers: a socket timeout
    alone restarts with every byte, so a bot sending one byte a second would hold it forever.
    """
    session = requests.Session()
    adapter = WatchedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"greencli/{__version__} (webhooks trigger)"
    session.headers["Content-Type"] = CONTENT_TYPE
    started = time.monotonic()
    with Deadline(max_time) as deadline:
        try:
            # Only the status matters (Green API waits for a 200): the body is not read.
            with session.post(
                url,
                data=encode_body(body),
                timeout=(min(10.0, max_time), max_time),
                allow_redirects=False,
                stream=True,
                auth=AsGreenApiSends(webhook_token),
            ) as response:
                return Delivery(response.status_code, time.monotonic() - started, response.headers.get("Location"))
        except requests.Timeout:
            return Delivery(None, time.monotonic() - started, failure="timeout")
        except requests.exceptions.SSLError as error:
            return Delivery(None, time.monotonic() - started, failure="tls", detail=_tls_reason(error))
        except requests.RequestException as error:
            if deadline.passed:
                return Delivery(None, time.monotonic() - started, failure="timeout")
            return Delivery(None, time.monotonic() - started, failure="connection", detail=connection_failure(error))
        finally:
            session.close()


class AsGreenApiSends(requests.auth.AuthBase):
    """The Authorization header of a Green API push, and no other: requests would otherwise
    take Basic credentials from a URL's `user:password@` or from ~/.netrc."""

    def __init__(self, webhook_token: str | None) -> None:
        self.webhook_token = webhook_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        if self.webhook_token:
            request.headers["Authorization"] = authorization_header(self.webhook_token)
        return request


def connection_failure(error: BaseException) -> str:
    """Why a connection to the bot failed, in words (never an exception's class name)."""
    import socket

    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or type(current).__name__ == "NameResolutionError":
            return "its host name does not resolve"
        if isinstance(current, ConnectionRefusedError):
            return "the connection was refused"
        if type(current).__name__ == "RemoteDisconnected":
            return "it closed the connection without answering"
        if isinstance(current, OSError) and current.strerror:
            return f"the connection failed: {current.strerror.lower()}"
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return "the connection failed"


def _tls_reason(error: BaseException) -> str:
    text = str(error)
    for reason in ("CERTIFICATE_VERIFY_FAILED", "certificate has expired", "Hostname mismatch", "self-signed certificate", "unable to get local issuer certificate"):
        if reason.lower() in text.lower():
            return reason
    return "the certificate could not be verified"
