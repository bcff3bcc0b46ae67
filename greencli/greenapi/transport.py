"""Getting one call through: attempts, retries and their pauses, the call's deadline, and the
pool of connections (which first takes those opened ahead of time).

Retries follow the contract: connection failures before the request was sent and 429 for
every call; 502/503/504, resets and read timeouts only for idempotent calls (GET and DELETE).
A POST that may have been processed is never sent again: not sendMessage (it would send
twice), and not setSettings, whose every call reboots the instance
(https://green-api.com/en/docs/api/account/SetSettings/): after an ambiguous failure the caller
reads the settings back instead.

The pauses between attempts go through a `sleep` given to the transport (by default the one
`retry_pauses` sets for the current context, else `time.sleep`), so tests count them instead
of waiting them out.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import requests
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, HTTPError, NewConnectionError
from urllib3.util.retry import Retry

from greencli import __version__
from greencli.greenapi import connections, failures
from greencli.greenapi.bounded_http import (
    BODY_CAP,
    BodyTooLarge,
    Deadline,
    WatchedAdapter,
    WatchedHTTPConnection,
    WatchedHTTPSConnection,
    read_body,
)
from greencli.greenapi.failures import Call, Endpoint
from greencli.greenapi.trust import Trust, trust

Sleep = Callable[[float], None]

# POSTs that change nothing and may be repeated. setSettings is not one: each call reboots the
# instance (https://green-api.com/en/docs/api/account/SetSettings/).
IDEMPOTENT_POSTS: frozenset[str] = frozenset()
# A GET that changes something: repeating updateApiToken after a lost answer would rotate the
# token again with the old (now dead) one, so it is never retried.
NON_IDEMPOTENT_GETS = frozenset({"updateApiToken"})
MAX_RETRIES = 3
MAX_RETRY_AFTER = 30.0

_sleep: contextvars.ContextVar[Sleep] = contextvars.ContextVar("greencli_retry_sleep", default=time.sleep)


@contextmanager
def retry_pauses(sleep: Sleep) -> Iterator[None]:
    """Transports made meanwhile in this context (a run, a test) pause between attempts with
    `sleep` unless given one of their own."""
    token = _sleep.set(sleep)
    try:
        yield
    finally:
        _sleep.reset(token)


def retry_after(value: str | None) -> float | None:
    """Seconds asked by a Retry-After header, capped (a server cannot park greencli for an
    hour) and read leniently: a fractional or garbled value means "wait a little"."""
    if value is None or not value.strip():
        return None
    try:
        seconds = Retry().parse_retry_after(value)
    except Exception:  # noqa: BLE001 - urllib3 raises InvalidHeader for values it cannot read
        try:
            seconds = float(value)
        except ValueError:
            seconds = 1.0
    if seconds != seconds:  # NaN
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class RetryNotice(NamedTuple):
    """A pause before the next attempt, for the spinner (`GreenApiClient.on_retry`)."""

    method: str
    seconds: float
    reason: str  # what went wrong, e.g. "Green API answered 503"
    retry_after: bool  # the server asked for this pause (Retry-After)
    attempt: int  # the attempt that comes next: 2, 3 or 4

    @property
    def message(self) -> str:
        pause = f"{self.seconds:.1f}".rstrip("0").rstrip(".")
        if self.retry_after:
            return f"{self.reason} for {self.method}; waiting {pause} s as asked by Retry-After (attempt {self.attempt} of {MAX_RETRIES + 1})…"
        return f"{self.reason} for {self.method}; retrying in {pause} s (attempt {self.attempt} of {MAX_RETRIES + 1})…"


class _Attempt(NamedTuple):
    """What one attempt came to: an answer with its body, or a transport failure."""

    response: requests.Response | None
    body: bytes
    error: BaseException | None


class _WarmHTTPConnection(WatchedHTTPConnection):
    """Takes a connection opened ahead of time to the same host, if one is waiting."""

    def connect(self) -> None:
        opened = None if self.proxy else connections.claim(f"http://{self.host}:{self.port}", None)
        if opened is None:
            super().connect()
            return
        self.sock = opened.sock
        self._has_connected_to_proxy = False


class _WarmHTTPSConnection(WatchedHTTPSConnection):
    """The same for https: only a connection verified against the same CAs and host name."""

    def connect(self) -> None:
        usable = not self.proxy and self.cert_reqs in (None, "CERT_REQUIRED") and self.ca_certs
        opened = connections.claim(f"https://{self.host}:{self.port}", self.ca_certs) if usable else None
        if opened is None:
            super().connect()
            return
        self.sock = opened.sock
        self.is_verified = True  # connections.open_connection verified chain and host name
        self._has_connected_to_proxy = False


class _WarmHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WarmHTTPConnection


class _WarmHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WarmHTTPSConnection


class Transport:
    """Sends calls to one API host and hands back each call's final answer, read whole (at most
    BODY_CAP), or raises the ApiError of a call that brought none.

    `concurrency`: how many calls may run at once from different threads (doctor's concurrent
    phase); the pool keeps that many connections alive for reuse."""

    def __init__(
        self,
        endpoint: Endpoint,
        timeout: float = 10.0,
        backoff: float = 0.25,
        concurrency: int = 10,
        on_retry: Callable[[RetryNotice], None] | None = None,
        sleep: Sleep | None = None,
        ca: Trust | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.backoff = backoff
        self.concurrency = concurrency
        self.on_retry = on_retry  # told before every pause between attempts (the spinner shows it)
        self.sleep = sleep if sleep is not None else _sleep.get()
        self._http: requests.Session | None = None
        # The same certificate authorities as doctor's TLS check and the warm-up connections.
        self._verify = trust(own=ca).path

    def _session(self) -> requests.Session:
        if self._http is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"greencli/{__version__}"
            # Retries are decided in `exchange`, which knows the deadline and tells the spinner.
            adapter = WatchedAdapter(max_retries=0, pool_maxsize=self.concurrency)
            # Its connections first take one opened ahead of time (greenapi/connections.py).
            adapter.poolmanager.pool_classes_by_scheme = {"http": _WarmHTTPPool, "https": _WarmHTTPSPool}
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._http = session
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def exchange(
        self, http_method: str, url: str, api_method: str, send: Callable[[], dict[str, Any]], long_poll: float = 0.0
    ) -> tuple[requests.Response, bytes, Call]:
        """The call's last answer (any status) with its body and how the call went.

        `send` gives the request's body arguments for each attempt (an upload is read again).
        The attempts together end within `timeout` (plus `long_poll`, the time the server may
        take by design), and the pauses between them add at most `timeout` more: the
        wall-clock deadline a hostile or stuck server meets.
        """
        idempotent = (
            http_method in ("GET", "DELETE") or api_method in IDEMPOTENT_POSTS
        ) and api_method not in NON_IDEMPOTENT_GETS
        with Deadline(self.timeout + long_poll) as deadline:
            attempt = 1
            pauses_left = self.timeout  # pauses between attempts may add up to --timeout more
            while True:
                try:
                    outcome = self._attempt(http_method, url, send(), long_poll, deadline, attempt)
                except ValueError as error:  # requests parses a 3xx's Location even when not following it
                    raise failures.redirect_to_no_url(self.endpoint, api_method, idempotent) from error
                retry = None if deadline.passed or attempt > MAX_RETRIES else _retry_reason(outcome, idempotent)
                if retry is None:
                    break
                reason, asked = retry
                seconds = asked if asked is not None else self.backoff * (2 ** (attempt - 1))
                if reason.endswith("429") and asked is None:
                    seconds = max(1.0, seconds)  # most methods allow one call a second
                if seconds > pauses_left or deadline.left() <= 0:
                    break  # no time for that pause (or for another attempt): this outcome is the last
                pauses_left -= seconds
                attempt += 1
                if self.on_retry is not None:
                    self.on_retry(RetryNotice(api_method, seconds, reason, asked is not None, attempt))
                deadline.pause(seconds, self.sleep)
            call = Call(api_method, idempotent, attempt, deadline.elapsed(), out_of_retries=attempt > MAX_RETRIES)
            if deadline.passed or isinstance(outcome.error, TimeoutError):
                raise failures.timed_out(self.endpoint, call, answering=outcome.response is not None)
            if outcome.error is not None:
                raise failures.transport_failure(outcome.error, self.endpoint, call) from outcome.error
        assert outcome.response is not None
        return outcome.response, outcome.body, call

    def _attempt(
        self, http_method: str, url: str, send: dict[str, Any], long_poll: float, deadline: Deadline, attempt: int
    ) -> _Attempt:
        # A retry may not start a connect that outlasts the deadline (the deadline shuts down
        # sockets it knows of, and a socket still connecting is not one of them yet).
        connect = self.timeout if attempt == 1 else min(self.timeout, deadline.left())
        try:
            response = self._session().request(
                http_method,
                url,
                **send,
                verify=self._verify,
                timeout=(connect, self.timeout + long_poll),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as error:
            return _Attempt(None, b"", error)
        try:
            return _Attempt(response, read_body(response, BODY_CAP, deadline), None)
        except (BodyTooLarge, OSError, HTTPError, requests.RequestException) as error:
            return _Attempt(response, b"", error)


def _retry_reason(outcome: _Attempt, idempotent: bool) -> tuple[str, float | None] | None:
    """Why this outcome deserves another attempt, and the pause the server asked for; or None.

    The contract: failures to connect (the request never left) and 429 for every call;
    502/503/504, resets and read timeouts only for idempotent calls, as the request may have
    been processed.
    """
    error = outcome.error
    if error is not None:
        if isinstance(error, (BodyTooLarge, DecodeError, requests.exceptions.ContentDecodingError, requests.exceptions.SSLError)):
            return None
        if isinstance(error, (requests.exceptions.ConnectTimeout, requests.exceptions.ProxyError)) or any(
            isinstance(cause, NewConnectionError) for cause in failures.exception_chain(error)
        ):
            return "Could not connect", None
        return ("The connection failed", None) if idempotent else None
    response = outcome.response
    assert response is not None
    status = response.status_code
    if status == 429 or (idempotent and status in (502, 503, 504)):
        asked = retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
        return f"Green API answered {status}", asked
    return None
