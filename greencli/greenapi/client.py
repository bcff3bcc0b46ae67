"""The one Green API client: URL building, timeouts, retries, decoding and typed errors.

It never prints and never exits: every failure is an `ApiError` whose message carries no URL
and no token. Retries follow the contract: connection failures before the request was sent and
429 for every call; 502/503/504, resets and read timeouts only for idempotent calls (GET and
DELETE). A POST that may have been processed is never sent again: not sendMessage (it would
send twice), and not setSettings, whose every call reboots the instance
(https://green-api.com/en/docs/api/account/SetSettings/): after an ambiguous failure the caller
reads the settings back instead.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, HTTPError, NewConnectionError, ProtocolError
from urllib3.util.retry import Retry

from greencli import __version__
from greencli.errors import ApiError, QuotaExceeded
from greencli.greenapi import connections
from greencli.greenapi.bounded_http import (
    BODY_CAP,
    BodyTooLarge,
    Deadline,
    WatchedAdapter,
    WatchedHTTPConnection,
    WatchedHTTPSConnection,
    header_text,
    read_body,
)
from greencli.greenapi.credentials import Credentials, media_url_for
from greencli.greenapi.strict_json import UnusableJson, parse_json
from greencli.greenapi.trust import trust
from greencli.greenapi.webhook_push import member_text
from greencli.redaction import redact, register

# POSTs that change nothing and may be repeated. setSettings is not one: each call reboots the
# instance (https://green-api.com/en/docs/api/account/SetSettings/).
IDEMPOTENT_POSTS: frozenset[str] = frozenset()
# A GET that changes something: repeating updateApiToken after a lost answer would rotate the
# token again with the old (now dead) one, so it is never retried.
NON_IDEMPOTENT_GETS = frozenset({"updateApiToken"})
MAX_RETRIES = 3
MAX_RETRY_AFTER = 30.0
_QUOTA_EXCEEDED = re.compile(r"QUOT[AE]_EXCEEDED", re.IGNORECASE)
_CHAT_ID = re.compile(r"[\w.+-]+@(?:c\.us|g\.us|lid)")


def _retry_after(value: str | None) -> float | None:
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


class QrAnswer(NamedTuple):
    type: str  # "qrCode", "alreadyLogged" or "error"
    message: str


class Notification(NamedTuple):
    receipt_id: int
    body: Any  # an object, unless the server sent something odd
    # The body exactly as the server wrote it inside the answer, so `listen --forward-to` can
    # pass on Green API's own bytes rather than a re-encoding (None if it could not be cut out).
    raw_body: str | None = None


class StateChange(NamedTuple):
    """One record of GetStateInstanceHistory: the state the instance entered, and when."""

    state: str
    timestamp: int
    phone: str | None  # "79001234567@c.us" in the docs' example (typed integer in its table)


class FileSent(NamedTuple):
    id_message: str
    url_file: str | None  # a link to the uploaded file, valid 15 days


UPLOAD_SECONDS_PER_MB = 2.0  # about 4 Mbit/s: a 100 MB file gets 200 s more than --timeout


def upload_allowance(size: int) -> float:
    """Seconds an upload of `size` bytes may take on top of the call's timeout."""
    return size / (1024 * 1024) * UPLOAD_SECONDS_PER_MB


class GreenApiClient:
    """`concurrency`: how many calls may run at once from different threads (doctor's
    concurrent phase); the pool keeps that many connections alive for reuse."""

    def __init__(
        self,
        credentials: Credentials,
        timeout: float = 10.0,
        backoff: float = 0.25,
        concurrency: int = 10,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        register(credentials.token)  # whatever shape it has, it never reaches a message
        self.credentials = credentials
        self.timeout = timeout
        self.backoff = backoff
        self.concurrency = concurrency
        self.on_retry = on_retry  # told before every pause between attempts (the spinner shows it)
        self.sleep: Callable[[float], None] = time.sleep
        self.host = urlsplit(credentials.api_url).netloc
        self._base = f"{credentials.api_url}/waInstance{credentials.instance_id}"
        # Uploads go to the console's mediaUrl, else the universal media host for Green API's
        # hosts, else (a sandbox, a proxy) apiUrl: the same decision as doctor's media check.
        media_url, _ = media_url_for(credentials)
        self._media_base = f"{media_url}/waInstance{credentials.instance_id}"
        self._http: requests.Session | None = None
        # The same certificate authorities as doctor's TLS check and the warm-up connections.
        self._verify = trust().path

    # -- plumbing -------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        if self._http is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"greencli/{__version__}"
            # Retries are decided in `request`, which knows the deadline and tells the spinner.
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

    def __enter__(self) -> GreenApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(
        self,
        http_method: str,
        api_method: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        extra_path: str | None = None,
        long_poll: float = 0.0,
        files: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        media: bool = False,
        lenient_numbers: bool = False,
        with_text: bool = False,
    ) -> Any:
        """Call one API method and return its decoded JSON (which may be None).

        `files` and `data` send a multipart form instead of JSON; `media` sends the request to
        the media host (mediaUrl), where Green API takes uploads. The call's attempts together
        end within `timeout` (plus the long-poll wait), and the pauses between them add at most
        `timeout` more: the wall-clock deadline a hostile or stuck server meets. `with_text`
        returns the answer's text too, as (decoded JSON, text).
        """
        idempotent = (
            http_method in ("GET", "DELETE") or api_method in IDEMPOTENT_POSTS
        ) and api_method not in NON_IDEMPOTENT_GETS
        base = self._media_base if media else self._base
        url = f"{base}/{api_method}/{self.credentials.token}"
        send = {"json": body, "params": params, "files": files, "data": data}
        if extra_path:
            url += f"/{extra_path}"
        with Deadline(self.timeout + long_poll) as deadline:
            attempt = 1
            pauses_left = self.timeout  # pauses between attempts may add up to --timeout more
            while True:
                try:
                    outcome = self._attempt(http_method, url, send, long_poll, deadline, attempt)
                except ValueError as error:  # requests parses a 3xx's Location even when not following it
                    raise _bad_response(
                        f"{self.host} answered {api_method} with a redirect to an address that is not a URL.",
                        "Set GREEN_API_URL to the instance's apiUrl from the console; greencli does not "
                        "follow redirects.",
                        api_method,
                        not idempotent,
                    ) from error
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
            decoded = self._outcome(outcome, api_method, idempotent, deadline, attempt, lenient_numbers)
            if with_text and outcome.response is not None:
                return decoded, outcome.body.decode(outcome.response.encoding or "utf-8", "replace")
            return decoded

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

    def _outcome(
        self, outcome: _Attempt, method: str, idempotent: bool, deadline: Deadline, attempts: int, lenient_numbers: bool
    ) -> Any:
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        if deadline.passed or isinstance(outcome.error, TimeoutError):
            waited = _seconds(deadline.elapsed())
            message = (
                f"{self.host} did not answer {method} within {waited} s{tries}."
                if outcome.response is None
                else f"{self.host} started answering {method} but had not finished after {waited} s "
                "(an answer that trickles in or never ends)."
            )
            raise ApiError(
                message,
                "Try again, or raise the limit with --timeout (it covers retries too).",
                code="timeout",
                method=method,
                may_have_been_processed=not idempotent,
            )
        if isinstance(outcome.error, BodyTooLarge):
            raise _bad_response(
                f"{self.host} answered {method} with {outcome.error} of data, far more than any Green API answer; "
                "greencli stopped reading.",
                "GREEN_API_URL may point at something other than Green API: copy apiUrl from the console.",
                method,
                not idempotent,
            )
        if isinstance(outcome.error, (DecodeError, requests.exceptions.ContentDecodingError)):
            raise _bad_response(
                f"{self.host} answered {method} with a compressed body that could not be decompressed.",
                "Try again; if it persists, a proxy between you and Green API may be altering answers.",
                method,
                not idempotent,
            )
        if outcome.error is not None:
            raise self._transport_error(outcome.error, method, idempotent, deadline.elapsed(), attempts) from outcome.error
        assert outcome.response is not None
        return self._decode(outcome.response, outcome.body, method, idempotent, attempts, lenient_numbers)

    # -- typed methods --------------------------------------------------------------------

    def get_state_instance(self) -> str | None:
        """The instance state, or None while a new instance is still being created."""
        data = self.request("GET", "getStateInstance")
        if data is None:
            return None
        return _field(data, "stateInstance", str, "getStateInstance", nullable=True)

    def get_status_instance(self) -> str:
        data = self.request("GET", "getStatusInstance")
        return _field(data, "statusInstance", str, "getStatusInstance")

    def get_wa_settings(self) -> dict[str, Any]:
        data = _object(self.request("GET", "getWaSettings"), "getWaSettings")
        for key in ("phone", "stateInstance", "avatar", "deviceId"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise _bad_shape("getWaSettings", f"`{key}` as text")
        return data

    def get_settings(self) -> dict[str, Any]:
        return _object(self.request("GET", "getSettings"), "getSettings")

    def set_settings(self, changes: dict[str, Any]) -> bool:
        data = self.request("POST", "setSettings", body=changes)
        return _field(data, "saveSettings", bool, "setSettings")

    def qr(self) -> QrAnswer:
        data = _object(self.request("GET", "qr"), "qr")
        kind = _field(data, "type", str, "qr")
        message = data.get("message")
        if not isinstance(message, str):
            raise _bad_shape("qr", "a text `message`")
        return QrAnswer(kind, message)

    def get_authorization_code(self, phone_number: int) -> tuple[bool, str | None]:
        data = _object(
            self.request("POST", "getAuthorizationCode", body={"phoneNumber": phone_number}),
            "getAuthorizationCode",
        )
        status = _field(data, "status", bool, "getAuthorizationCode")
        code = data.get("code")
        return status, code if isinstance(code, str) and code else None

    def send_message(self, chat_id: str, message: str) -> str:
        data = self.request("POST", "sendMessage", body={"chatId": chat_id, "message": message})
        try:
            return _field(data, "idMessage", str, "sendMessage")
        except ApiError as error:
            error.may_have_been_processed = True  # it answered 200: the message was accepted
            raise

    def check_whatsapp(self, phone_number: int) -> bool:
        data = self.request("POST", "checkWhatsapp", body={"phoneNumber": phone_number})
        return _field(data, "existsWhatsapp", bool, "checkWhatsapp")

    def get_message(self, chat_id: str, id_message: str) -> dict[str, Any]:
        data = self.request("POST", "getMessage", body={"chatId": chat_id, "idMessage": id_message})
        return _object(data, "getMessage")

    def last_outgoing_messages(self, minutes: int = 60) -> list[dict[str, Any]]:
        data = self.request("GET", "lastOutgoingMessages", params={"minutes": minutes})
        return _list_of_objects(data, "lastOutgoingMessages")

    def show_messages_queue(self) -> list[dict[str, Any]]:
        return _list_of_objects(self.request("GET", "showMessagesQueue"), "showMessagesQueue")

    def receive_notification(self, wait_seconds: int = 20) -> Notification | None:
        """Long-poll the notification queue; None when nothing arrived within the wait."""
        wait_seconds = max(5, min(60, wait_seconds))
        data, text = self.request(
            "GET",
            "receiveNotification",
            params={"receiveTimeout": wait_seconds},
            long_poll=wait_seconds,
            # NaN or Infinity in a notification become null: refusing the answer would block
            # the queue on that notification for ever, as nothing else could delete it.
            lenient_numbers=True,
            with_text=True,
        )
        if data is None:
            return None
        data = _object(data, "receiveNotification")
        receipt_id = data.get("receiptId")
        body = data.get("body")
        if not isinstance(receipt_id, int) or isinstance(receipt_id, bool) or "body" not in data:
            raise _bad_shape("receiveNotification", "a receiptId number and a body")
        # A body of another shape is still a notification with a receipt: it is shown,
        # forwarded and deleted like any other, so it cannot block the queue.
        return Notification(receipt_id, body, member_text(text, "body"))

    def delete_notification(self, receipt_id: int) -> bool:
        data = self.request("DELETE", "deleteNotification", extra_path=str(receipt_id))
        return _field(data, "result", bool, "deleteNotification")

    def get_messages_count(self) -> int:
        """Messages waiting in the outgoing send queue (refreshed every 10 s; no monthly quota).

        Unlike showMessagesQueue, it does not leave out the first queued message (Green API
        forum, topic 213). https://green-api.com/en/docs/api/queues/GetMessagesCount/
        """
        return _count(self.request("GET", "getMessagesCount"), "getMessagesCount")

    def get_webhooks_count(self) -> int:
        """Notifications waiting in the incoming queue (refreshed every 10 s).
        https://green-api.com/en/docs/api/queues/GetWebhooksCount/"""
        return _count(self.request("GET", "getWebhooksCount"), "getWebhooksCount")

    def get_state_instance_history(self, count: int | None = None) -> list[StateChange]:
        """The instance's recent state changes, newest first (default 100 records).

        https://green-api.com/en/docs/api/account/GetStateInstanceHistory/ (GET with an
        optional body `{"count": N}`).
        """
        body = {"count": count} if count is not None else None
        data = _list_of_objects(
            self.request("GET", "GetStateInstanceHistory", body=body), "GetStateInstanceHistory"
        )
        changes = []
        for record in data:
            state, timestamp, phone = record.get("stateInstance"), record.get("timestamp"), record.get("phoneNumber")
            if not isinstance(state, str) or not isinstance(timestamp, int) or isinstance(timestamp, bool):
                raise _bad_shape("GetStateInstanceHistory", "records with `stateInstance` and `timestamp`")
            if isinstance(phone, int) and not isinstance(phone, bool):
                phone = str(phone)
            changes.append(StateChange(state, timestamp, phone if isinstance(phone, str) and phone else None))
        return changes

    def update_api_token(self) -> str:
        """Rotate the token (beta): the old one stops working. Returns the new token, which
        this client uses from then on.

        A failure is HTTP 200 with `{"code": 401, "description": "Unauthorized"}` in the body.
        https://green-api.com/en/docs/api/account/UpdateApiToken
        """
        data = _object(self.request("GET", "updateApiToken"), "updateApiToken")
        token = data.get("apiTokenInstance")
        if not isinstance(token, str) or not token:
            code = data.get("code")
            if isinstance(code, int) and not isinstance(code, bool):
                description = data.get("description") if isinstance(data.get("description"), str) else ""
                raise ApiError(
                    f"Green API did not rotate the token: {code} {redact(description)}".rstrip() + ".",
                    "The token was not changed; check GREEN_API_TOKEN against the console and try again.",
                    code="unauthorized" if code == 401 else "token_not_rotated",
                    status=200,
                    method="updateApiToken",
                )
            raise _bad_shape("updateApiToken", "an object with `apiTokenInstance`")
        register(token)
        self.credentials = self.credentials._replace(token=token)
        return token

    def send_file_by_upload(
        self, chat_id: str, content: bytes, file_name: str, caption: str | None = None
    ) -> FileSent:
        """Send a file as a multipart upload to the media host; never retried once sent.

        https://green-api.com/en/docs/api/sending/SendFileByUpload/ :
        POST {mediaUrl}/waInstance{id}/sendFileByUpload/{token}, form fields chatId, file,
        fileName, caption; answers {"idMessage", "urlFile"}.
        """
        form = {"chatId": chat_id, "fileName": file_name}
        if caption:
            form["caption"] = caption
        data = self.request(
            "POST",
            "sendFileByUpload",
            files={"file": (file_name, content)},
            data=form,
            media=True,
            # The file's own transfer time on top of --timeout, or a large upload on an ordinary
            # link would end as "possibly sent" (the server waits for the whole body to answer).
            long_poll=upload_allowance(len(content)),
        )
        try:
            id_message = _field(data, "idMessage", str, "sendFileByUpload")
        except ApiError as error:
            error.may_have_been_processed = True
            raise
        url_file = data.get("urlFile")
        return FileSent(id_message, url_file if isinstance(url_file, str) else None)

    def reboot(self) -> bool:
        return _field(self.request("GET", "reboot"), "isReboot", bool, "reboot")

    def logout(self) -> bool:
        return _field(self.request("GET", "logout"), "isLogout", bool, "logout")

    # -- errors ---------------------------------------------------------------------------

    def _decode(
        self, response: requests.Response, body: bytes, method: str, idempotent: bool, attempts: int, lenient_numbers: bool
    ) -> Any:
        text = body.decode(response.encoding or "utf-8", "replace")
        if response.status_code != 200:
            raise self._http_error(response, text, method, idempotent, attempts)
        processed = not idempotent  # a 200 means the request was handled, whatever the body
        if not text.strip():
            raise _bad_response(
                f"Green API answered {method} with an empty body instead of JSON.",
                "Try again; if it persists, check that GREEN_API_URL is the instance's apiUrl.",
                method,
                processed,
            )
        if _looks_like_html(text):
            raise _bad_response(
                f"{self.host} answered {method} with an HTML page instead of JSON.",
                "GREEN_API_URL may point at something other than Green API (a proxy, "
                "a login page or a typo): copy apiUrl from the console.",
                method,
                processed,
            )
        try:
            return parse_json(text, lenient_numbers)
        except UnusableJson as error:
            raise _bad_response(
                f"Green API answered {method} with JSON greencli does not accept ({error}).",
                "Try again; if it persists, GREEN_API_URL may not point at Green API (copy apiUrl from the console).",
                method,
                processed,
            ) from None
        except ValueError:
            raise _bad_response(
                f"Green API answered {method} with a body that is not valid JSON (cut short or garbled).",
                "Try again; if it persists, a proxy between you and Green API may be altering answers.",
                method,
                processed,
            ) from None

    def _http_error(self, response: requests.Response, text: str, method: str, idempotent: bool, attempts: int) -> ApiError:
        status = response.status_code
        summary = _body_summary(text)
        instance_id = self.credentials.instance_id
        if status == 401:
            return ApiError(
                "Green API rejected the token (401 Unauthorized).",
                "Check GREEN_API_TOKEN: copy apiTokenInstance from the instance's page at "
                "console.green-api.com (a rotated token stops working).",
                code="unauthorized",
                status=status,
                method=method,
            )
        if status == 403:
            # 403 is a wrong idInstance (https://green-api.com/en/docs/api/common-errors/) or
            # a host that does not serve it. The host cannot be derived from the ID (1101...
            # instances live on 1101.api.green-api.com, pools share hosts): never guess one.
            return ApiError(
                f"Green API refused instance {instance_id} at {self.host} (403 Forbidden): "
                "the instance ID is wrong, or the instance lives on another host.",
                "Check GREEN_API_INSTANCE_ID (idInstance), and set GREEN_API_URL and "
                "GREEN_API_MEDIA_URL to the apiUrl and mediaUrl shown on the instance's page at "
                "console.green-api.com. `greencli doctor` tells which.",
                code="forbidden",
                status=status,
                method=method,
            )
        if status == 404:
            # Green API answers 404 for a wrong method name or HTTP verb
            # (https://green-api.com/en/docs/api/common-errors/); greencli's are right, so the
            # usual cause is a URL with extra path, or a server that is not Green API.
            return ApiError(
                f"{self.host} does not know the method {method} (404 Not Found).",
                "GREEN_API_URL must be the instance's apiUrl exactly as the console shows it, "
                "with no extra path; a server that is not Green API, or an older one, may also "
                "lack this method.",
                code="not_found",
                status=status,
                method=method,
            )
        if status == 429:
            return ApiError(
                f"Green API kept answering 429 Too Many Requests for {method}, "
                + (f"after {attempts - 1} retries." if attempts > MAX_RETRIES else
                   f"and the next pause it needed is more than --timeout ({self.timeout:g} s) leaves for pauses."),
                "Wait a few seconds and try again. Most account methods allow 1 request a "
                "second per instance; another program may be polling the same instance.",
                code="rate_limited",
                status=status,
                method=method,
            )
        if status == 466:
            return _quota_error(text, method)
        if 300 <= status < 400:
            target = header_text(_host_of(response.headers.get("Location", "")), 100) or "another address"
            return ApiError(
                f"{self.host} redirected {method} to {target} ({status}).",
                "Set GREEN_API_URL to the instance's apiUrl from the console; greencli does "
                "not follow redirects, so the token is never sent to another host.",
                code="redirected",
                status=status,
                method=method,
            )
        if status >= 500:
            return ApiError(
                f"Green API answered {status} for {method}{': ' + summary if summary else ''}.",
                "The problem is on Green API's side. Wait a minute and try again; if it "
                "lasts, contact Green API support.",
                code="server_error",
                status=status,
                method=method,
                may_have_been_processed=not idempotent,
            )
        if status == 400:
            return ApiError(
                f"Green API refused {method} (400){': ' + summary if summary else ''}.",
                _hint_for_400(text),
                code="bad_request",
                status=status,
                method=method,
            )
        return ApiError(
            f"Green API answered {status} for {method}{': ' + summary if summary else ''}.",
            "Try again; if it persists, run `greencli doctor`.",
            code="http_error",
            status=status,
            method=method,
        )

    def _transport_error(
        self, error: BaseException, method: str, idempotent: bool, elapsed: float, attempts: int
    ) -> ApiError:
        chain = _exception_chain(error)
        names = {type(e).__name__ for e in chain}
        host = self.host
        if isinstance(error, requests.exceptions.SSLError):
            return ApiError(
                f"The TLS handshake with {host} failed (the certificate could not be verified).",
                "Check the system clock and CA certificates (REQUESTS_CA_BUNDLE or "
                "SSL_CERT_FILE), or a proxy that intercepts HTTPS: `greencli doctor` names the "
                "certificate's issuer.",
                code="tls_error",
                method=method,
            )
        if isinstance(error, requests.exceptions.ProxyError):
            return ApiError(
                f"The proxy refused or failed the connection to {host}.",
                "Check HTTPS_PROXY / HTTP_PROXY / NO_PROXY.",
                code="proxy_error",
                method=method,
            )
        if isinstance(error, requests.exceptions.ConnectTimeout) or "ConnectTimeoutError" in names:
            return ApiError(
                f"Could not connect to {host} within {self.timeout:g} s.",
                "Check the network and firewall, or raise the limit with --timeout.",
                code="timeout",
                method=method,
            )
        if "NameResolutionError" in names or "gaierror" in names:
            return ApiError(
                f"Cannot resolve the host name {urlsplit(self.credentials.api_url).hostname}.",
                "Check GREEN_API_URL for typos, and that DNS works on this machine.",
                code="dns_failed",
                method=method,
            )
        if "NewConnectionError" in names or "ConnectionRefusedError" in names:
            return ApiError(
                f"Could not connect to {host}: the connection was refused.",
                "Check GREEN_API_URL (host and port) and that nothing blocks the connection.",
                code="connection_failed",
                method=method,
            )
        if isinstance(error, requests.exceptions.ReadTimeout) or "ReadTimeoutError" in names:
            tries = f" ({attempts} attempts)" if attempts > 1 else ""
            return ApiError(
                f"{host} did not answer {method} within {_seconds(elapsed)} s{tries}.",
                "Try again, or raise the limit with --timeout (it covers retries too).",
                code="timeout",
                method=method,
                may_have_been_processed=not idempotent,
            )
        broken_while_reading = isinstance(error, (ProtocolError, OSError)) and not isinstance(error, requests.RequestException)
        if broken_while_reading or isinstance(error, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            return ApiError(
                f"The connection to {host} broke before {method} was answered.",
                "Try again; if it keeps happening, check the network or proxy.",
                code="connection_failed",
                method=method,
                may_have_been_processed=not idempotent,
            )
        return ApiError(
            f"The request for {method} to {host} failed: {redact(type(error).__name__)}.",
            "Try again with --debug for details.",
            code="connection_failed",
            method=method,
            may_have_been_processed=not idempotent,
        )


# -- helpers -------------------------------------------------------------------------------


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
            isinstance(cause, NewConnectionError) for cause in _exception_chain(error)
        ):
            return "Could not connect", None
        return ("The connection failed", None) if idempotent else None
    response = outcome.response
    assert response is not None
    status = response.status_code
    if status == 429 or (idempotent and status in (502, 503, 504)):
        asked = _retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
        return f"Green API answered {status}", asked
    return None


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _exception_chain(error: BaseException) -> list[BaseException]:
    """The error, its causes and contexts, and the reasons urllib3 wraps inside MaxRetryError."""
    seen: list[BaseException] = []
    stack: list[BaseException] = [error]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.append(current)
        for attr in ("__cause__", "__context__", "reason"):
            nested = getattr(current, attr, None)
            if isinstance(nested, BaseException):
                stack.append(nested)
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                stack.append(arg)
    return seen


def _host_of(url: str) -> str:
    """The host part of a URL a server sent; empty when there is none or it does not parse
    (urlsplit raises on an unbalanced "[" in the host)."""
    try:
        return urlsplit(url).netloc
    except ValueError:
        return ""


def _looks_like_html(text: str) -> bool:
    start = text.lstrip()[:100].lower()
    return start.startswith("<") and ("html" in start or "<head" in start or "<body" in start or start.startswith("<!"))


def _body_summary(text: str) -> str:
    """A short, redacted, single-line summary of an error body for the message."""
    if not text.strip():
        return ""
    if _looks_like_html(text):
        return "an HTML page"
    try:
        data = parse_json(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "description"):
            if isinstance(data.get(key), str):
                text = data[key]
                break
    elif isinstance(data, str):
        text = data
    line = " ".join(text.split())
    if len(line) > 160:
        line = line[:157] + "..."
    return redact(line)


def _hint_for_400(text: str) -> str:
    """What to do about a 400, by the error ids of https://green-api.com/en/docs/api/common-errors/
    (and checkWhatsapp's and receiveNotification's own pages)."""
    lowered = text.lower()
    if "starting or not authorized" in lowered:  # "instance is starting or not authorized"
        return ("The instance is starting or has no phone linked: `greencli check-state` tells "
                "which (wait for starting; `greencli qr` links a phone).")
    if "starting" in lowered:  # "instance in starting process try later"
        return "The instance is starting: wait a few seconds and try again (`greencli check-state --wait 300`)."
    if "not authorized" in lowered:  # "instance account not authorized"
        return "The phone is not linked: run `greencli qr`, then try again."
    if "expired" in lowered:  # "Instance account is expired. Renew your instance from personal area"
        return "Renew the instance in the console at console.green-api.com."
    if "deleted" in lowered:  # "Instance is deleted"
        return "The instance was deleted: create a new one in the console and run `greencli init`."
    if "webhook url is set" in lowered:  # receiveNotification while push mode is on
        return "A webhook URL is set, so notifications cannot be polled: `greencli webhooks enable --polling`."
    if "11 to 16 digits" in lowered:  # checkWhatsapp: "bad phone number, valid from 11 to 16 digits"
        return "Give the full international number (11 to 16 digits, with the country code)."
    if "unexpected token" in lowered:  # malformed JSON body
        return "Green API could not read the request body; report it with `greencli --debug`."
    # "bad request data" / "Validation failed. Details: ..."
    return "Green API found a value in the request invalid (see the message); `greencli doctor` checks the whole setup."


def _quota_error(text: str, method: str) -> QuotaExceeded:
    try:
        data = parse_json(text)
    except ValueError:
        data = None
    data = data if isinstance(data, dict) else {}
    chats = data.get("correspondentsStatus")
    invoke = data.get("invokeStatus")
    if isinstance(chats, dict) and _QUOTA_EXCEEDED.search(str(chats.get("status", ""))):
        description = str(chats.get("description", ""))
        allowed = list(dict.fromkeys(_CHAT_ID.findall(description)))
        used, total = _number(chats.get("used")), _number(chats.get("total"))
        count = f" ({used} of {total})" if used is not None and total is not None else ""
        allowed_text = (
            f"This month the plan still allows: {', '.join(allowed)}. " if allowed else ""
        )
        return QuotaExceeded(
            f"The plan's monthly limit of chats is used up{count}: "
            "the free Developer plan can talk to 3 chats a month.",
            f"{allowed_text}Send to one of those, wait for the quota to reset on the 1st of "
            "the month, or move the instance to the Business plan at console.green-api.com.",
            kind="chats",
            quota_method="correspondents",
            used=used,
            total=total,
            allowed_chats=allowed,
            method=method,
        )
    if isinstance(invoke, dict):
        quota_method = str(invoke.get("method") or method)
        used, total = _number(invoke.get("used")), _number(invoke.get("total"))
        count = f" ({used} of {total})" if used is not None and total is not None else ""
        return QuotaExceeded(
            f"The plan's monthly quota for {quota_method} is used up{count}.",
            "It resets on the 1st of the month; the Business plan at console.green-api.com "
            "raises it.",
            kind="method",
            quota_method=quota_method,
            used=used,
            total=total,
            method=method,
        )
    return QuotaExceeded(
        f"Green API answered 466 for {method}: a monthly quota of the plan is used up.",
        "Quotas reset on the 1st of the month; see the plan at console.green-api.com.",
        kind="unknown",
        method=method,
    )


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _bad_response(message: str, hint: str, method: str, processed: bool = False) -> ApiError:
    """A 200 whose body is not the JSON expected (exit 3, `bad_response`)."""
    return ApiError(message, hint, code="bad_response", status=200, method=method, may_have_been_processed=processed)


def _bad_shape(method: str, expected: str) -> ApiError:
    return _bad_response(
        f"Green API answered {method} with JSON of an unexpected shape (expected {expected}).",
        "Try again; if it persists, GREEN_API_URL may not point at the WhatsApp API "
        "(copy apiUrl from the console).",
        method,
    )


def _count(data: Any, method: str) -> int:
    data = _object(data, method)
    # Some versions of the queue pages print the key with a Cyrillic "с" (U+0441): accept both.
    count = data.get("count", data.get("\u0441ount"))
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise _bad_shape(method, "an object with a `count` number")
    return count


def _object(data: Any, method: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _bad_shape(method, "an object")
    return data


def _list_of_objects(data: Any, method: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _bad_shape(method, "a list of objects")
    return data


def _field(data: Any, key: str, kind: type, method: str, nullable: bool = False) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise _bad_shape(method, f"an object with `{key}`")
    value = data[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _bad_shape(method, f"`{key}` as {kind.__name__}")
    return value
