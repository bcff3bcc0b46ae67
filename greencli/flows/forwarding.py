"""POSTing notifications to the user's local bot, as Green API would, until it answers 200.

Green API POSTs each notification to the webhook URL, waits up to 180 s for the answer, and
counts it delivered only on an HTTP 200; anything else is sent again later
(https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/ and
https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/). The
forwarder keeps to the same rule, stricter only where the docs are silent: the 200 counts once
its answer is complete (the header block ended, the body reached its declared end) within the
wait. A status line and nothing more, or a body cut short, is not an answer.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import requests
import requests.auth
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError

from greencli import __version__
from greencli.greenapi.bounded_http import (
    Deadline,
    WatchedAdapter,
    WatchedHTTPConnection,
    WatchedHTTPSConnection,
    header_text,
)
from greencli.greenapi.webhook_push import CONTENT_TYPE, authorization_header, encode_body

GREEN_API_WAIT = 180.0  # seconds Green API waits for a webhook's answer (pages cited above)
DELIVERED = 200  # the only status Green API counts as delivered
MAX_BACKOFF = 15.0
_PIECE = 64 * 1024  # a bot's answer is read to its end, piece by piece, and not kept


class Forwarder:
    def __init__(self, url: str, webhook_token: str | None, timeout: float = GREEN_API_WAIT) -> None:
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # a local bot: never through a proxy
        adapter = _CompleteAnswers(max_retries=0)  # each attempt ends by its deadline, body included
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = f"greencli/{__version__} (webhooks listen)"
        self.session.headers["Content-Type"] = CONTENT_TYPE
        # As Green API would send it, so a bot tested here accepts real pushes (and never Basic
        # from a `user:password@` in the URL).
        self.session.auth = AsGreenApiSends(webhook_token)

    def deliver(
        self,
        body: Any,
        on_failure: Callable[[str, float], None],
        sleep: Callable[[float], None] = time.sleep,
        raw: bytes | None = None,
    ) -> int:
        """POST `body` until the receiver answers a complete 200 within `timeout`; returns 200.

        `raw` is the body as Green API wrote it (Notification.raw_body): sent as it is, the bot
        gets the very bytes a push would carry, also those greencli itself cannot read. Never
        gives up on its own (a notification must not be lost): every failure is reported
        through `on_failure(reason, retry_in)` and retried with growing pauses. Ctrl-C stops it.
        """
        delay = 0.5
        payload = raw if raw is not None else encode_body(body)
        while True:
            outcome = self._attempt(payload)
            if outcome is None:
                return DELIVERED
            on_failure(outcome, delay)
            sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    def _attempt(self, payload: bytes) -> str | None:
        """One POST, over within `timeout` however the bot answers: None when delivered (a
        complete 200), else why not.

        Redirects are never followed: the notification (and its Authorization header) would
        go somewhere else, and a 301/302 turns the POST into a bodiless GET.
        """
        late = f"{self.url} did not answer within {self.timeout:g} s"
        with Deadline(self.timeout) as deadline:
            try:
                response = self.session.post(
                    self.url, data=payload, timeout=self.timeout, allow_redirects=False, stream=True
                )
            except requests.Timeout:
                return late
            except requests.RequestException as error:
                if deadline.passed:
                    return late
                if _cut_short(error):
                    return f"{self.url} sent a status line, then closed the connection before its answer was complete"
                return f"{self.url} could not be reached ({connection_failure(error)})"
            status = response.status_code
            complete = _read_to_end(response, deadline)
        if status == DELIVERED:
            if complete:
                return None
            if deadline.passed:
                return f"{self.url} answered 200 but had not finished its answer after {self.timeout:g} s"
            return f"{self.url} answered 200 but its answer was cut short"
        if 300 <= status < 400:
            location = header_text(response.headers.get("Location") or "", 200) or "nowhere"
            return (
                f"{self.url} answered {status}, a redirect to {location}; greencli does not follow "
                "redirects, so point --forward-to at the final address"
            )
        if 200 <= status < 300:
            return f"{self.url} answered {status}; Green API counts only 200 as delivered"
        return f"{self.url} answered {status}"

    def close(self) -> None:
        self.session.close()


def _read_to_end(response: requests.Response, deadline: Deadline) -> bool:
    """Read the answer's body to its end, keeping nothing; whether it ended as declared
    before the deadline. The connection is closed unless the whole answer was read."""
    try:
        while response.raw.read(_PIECE, decode_content=False):
            if deadline.passed:
                return False
        return not deadline.passed  # a body without a length ends at EOF: the deadline's too
    except (OSError, HTTPError, requests.RequestException, http.client.HTTPException):
        return False
    finally:
        response.close()


class _HeadersCutShort(http.client.HTTPException):
    """The connection closed before the answer's header block ended."""


class _LastLine:
    """A response's file, remembering the last line read from it."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self.last: bytes | None = None

    def readline(self, limit: int = -1) -> bytes:
        self.last = self._fp.readline(limit)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


class _CompleteHeaders(http.client.HTTPResponse):
    """An answer counts only once its header block ended with its empty line: http.client
    takes the end of the connection for the end of the headers."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        fp = self.fp
        watched = _LastLine(fp)
        self.fp = watched
        try:
            super().begin()
        finally:
            if self.fp is watched:  # http.client sets it to None when it closes the connection
                self.fp = fp
        if watched.last == b"":
            raise _HeadersCutShort("the connection closed before the answer's headers ended")


class _Connection(WatchedHTTPConnection):
    response_class = _CompleteHeaders


class _TlsConnection(WatchedHTTPSConnection):
    response_class = _CompleteHeaders


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


class _CompleteAnswers(WatchedAdapter):
    """The watched adapter (a deadline for each attempt), whose answers must be complete."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}


def _cut_short(error: BaseException) -> bool:
    """Whether `error` (requests wraps urllib3, which wraps http.client) is _HeadersCutShort."""
    seen: list[BaseException] = [error]
    while seen:
        current = seen.pop()
        if isinstance(current, _HeadersCutShort):
            return True
        seen.extend(arg for arg in current.args if isinstance(arg, BaseException))
        if current.__cause__ is not None:
            seen.append(current.__cause__)
    return False


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
