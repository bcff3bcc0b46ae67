"""What went wrong with a call, as greencli errors: transport failures, HTTP statuses (what
error bodies say is read in greenapi/error_bodies.py), answers that are not the JSON expected;
and which of them are transient.

Every message names the host and the method, never the URL (it holds the token).
"""

from __future__ import annotations

import codecs
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import DecodeError, ProtocolError

from greencli.errors import ApiError, ErrorCode
from greencli.greenapi.bounded_http import BodyTooLarge, header_text
from greencli.greenapi.error_bodies import (
    body_summary,
    code_for_400,
    hint_for_400,
    looks_like_html,
    quota_exceeded,
)
from greencli.greenapi.strict_json import UnusableJson, parse_json
from greencli.redaction import redact

# Error codes of a call that may well succeed if simply made again: Green API asks clients to
# repeat a call that failed with a 5xx
# (https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/) and
# answers 499 or times out under load (https://github.com/green-api/issues/issues/487); an
# answer cut short or garbled, a 429 and a lost connection pass as well.
TRANSIENT_CODES: frozenset[ErrorCode] = frozenset({"server_error", "timeout", "connection_failed", "bad_response", "rate_limited", "http_error"})

def is_transient(error: ApiError) -> bool:
    """Passing trouble: Green API, or the way to it, failed for now. Only an answer that says
    something is wrong (401, 403, 404, 466, a 400, a redirect) or a setup that cannot work (DNS,
    TLS, the proxy) is not."""
    if error.code in TRANSIENT_CODES:
        return True
    return error.status is not None and (error.status >= 500 or error.status == 499)


class Endpoint(NamedTuple):
    """The API host as messages name it."""

    host: str  # host:port of apiUrl
    hostname: str  # without the port: what DNS is asked
    instance_id: str
    timeout: float  # --timeout: what one call may take, retries included


class Call(NamedTuple):
    """One API call as it ended: its method, whether it may be repeated, how it went."""

    method: str
    idempotent: bool
    attempts: int
    elapsed: float  # seconds since the first attempt started
    out_of_retries: bool = False  # it ended because no retry was left (not for want of time)


def bad_response(message: str, hint: str, method: str, processed: bool = False) -> ApiError:
    """A 200 whose body is not the JSON expected (exit 3, `bad_response`)."""
    return ApiError(message, hint, code="bad_response", status=200, method=method, may_have_been_processed=processed)


def redirect_to_no_url(endpoint: Endpoint, method: str, idempotent: bool) -> ApiError:
    """requests parses a 3xx's Location even when not following it, and raises on a bad one."""
    return bad_response(
        f"{endpoint.host} answered {method} with a redirect to an address that is not a URL.",
        "Set GREEN_API_URL to the instance's apiUrl from the console; greencli does not follow redirects.",
        method,
        not idempotent,
    )


# -- no usable answer ------------------------------------------------------------------------


def timed_out(endpoint: Endpoint, call: Call, answering: bool) -> ApiError:
    """The call's deadline passed; `answering`: the server had started its answer."""
    waited = _seconds(call.elapsed)
    message = (
        f"{endpoint.host} started answering {call.method} but had not finished after {waited} s "
        "(an answer that trickles in or never ends)."
        if answering
        else f"{endpoint.host} did not answer {call.method} within {waited} s{_tries(call)}."
    )
    return ApiError(
        message,
        "Try again, or raise the limit with --timeout (it covers retries too).",
        code="timeout",
        method=call.method,
        may_have_been_processed=not call.idempotent,
    )


def transport_failure(error: BaseException, endpoint: Endpoint, call: Call) -> ApiError:
    """An attempt that brought no answer greencli could read: a body too large or not
    decompressible, or a connection that failed."""
    method, processed = call.method, not call.idempotent
    if isinstance(error, BodyTooLarge):
        return bad_response(
            f"{endpoint.host} answered {method} with {error} of data, far more than any Green API answer; "
            "greencli stopped reading.",
            "GREEN_API_URL may point at something other than Green API: copy apiUrl from the console.",
            method,
            processed,
        )
    if isinstance(error, (DecodeError, requests.exceptions.ContentDecodingError)):
        return bad_response(
            f"{endpoint.host} answered {method} with a compressed body that could not be decompressed.",
            "Try again; if it persists, a proxy between you and Green API may be altering answers.",
            method,
            processed,
        )
    return _connection_failure(error, endpoint, call)


def _connection_failure(error: BaseException, endpoint: Endpoint, call: Call) -> ApiError:
    names = {type(e).__name__ for e in exception_chain(error)}
    host, method = endpoint.host, call.method
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
            f"Could not connect to {host} within {endpoint.timeout:g} s.",
            "Check the network and firewall, or raise the limit with --timeout.",
            code="timeout",
            method=method,
        )
    if "NameResolutionError" in names or "gaierror" in names:
        return ApiError(
            f"Cannot resolve the host name {endpoint.hostname}.",
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
    processed = not call.idempotent
    if isinstance(error, requests.exceptions.ReadTimeout) or "ReadTimeoutError" in names:
        return ApiError(
            f"{host} did not answer {method} within {_seconds(call.elapsed)} s{_tries(call)}.",
            "Try again, or raise the limit with --timeout (it covers retries too).",
            code="timeout",
            method=method,
            may_have_been_processed=processed,
        )
    broken_while_reading = isinstance(error, (ProtocolError, OSError)) and not isinstance(error, requests.RequestException)
    if broken_while_reading or isinstance(error, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return ApiError(
            f"The connection to {host} broke before {method} was answered.",
            "Try again; if it keeps happening, check the network or proxy.",
            code="connection_failed",
            method=method,
            may_have_been_processed=processed,
        )
    return ApiError(
        f"The request for {method} to {host} failed: {redact(type(error).__name__)}.",
        "Try again with --debug for details.",
        code="connection_failed",
        method=method,
        may_have_been_processed=processed,
    )


# -- an answer -------------------------------------------------------------------------------


def answer_text(response: requests.Response, body: bytes) -> str | None:
    """The body as text, in the charset the answer names (UTF-8 when it names none); None when
    Python cannot decode that charset (unknown, or not a text encoding)."""
    try:
        codecs.lookup(response.encoding or "utf-8")
        return body.decode(response.encoding or "utf-8", "replace")
    except (LookupError, ValueError):  # ValueError: "utf-8\0", or a codec without "replace"
        return None


def checked_answer(response: requests.Response, body: bytes, endpoint: Endpoint, call: Call) -> bytes:
    """The body of a 200 that can hold JSON, not decoded (the caller reads it), or the error its
    status or body makes."""
    _checked_text(response, body, endpoint, call)
    return body


def _checked_text(response: requests.Response, body: bytes, endpoint: Endpoint, call: Call) -> str:
    """The text of a 200 that can hold JSON, or the error its status or body makes."""
    text = answer_text(response, body)
    method = call.method
    processed = not call.idempotent  # a 200 means the request was handled, whatever the body
    if text is None:
        if response.status_code != 200:
            text = body.decode("utf-8", "replace")  # the status says what went wrong; the text only adds to it
        else:
            raise bad_response(
                f"{endpoint.host} answered {method} in a character set greencli cannot read "
                f"({header_text(str(response.encoding), 40)}).",
                "Try again; if it persists, GREEN_API_URL may not point at Green API (copy apiUrl from the console).",
                method,
                processed,
            )
    if response.status_code != 200:
        raise http_failure(response, text, endpoint, call)
    if not text.strip():
        raise bad_response(
            f"Green API answered {method} with an empty body instead of JSON.",
            "Try again; if it persists, check that GREEN_API_URL is the instance's apiUrl.",
            method,
            processed,
        )
    if looks_like_html(text):
        raise bad_response(
            f"{endpoint.host} answered {method} with an HTML page instead of JSON.",
            "GREEN_API_URL may point at something other than Green API (a proxy, "
            "a login page or a typo): copy apiUrl from the console.",
            method,
            processed,
        )
    return text


def json_answer(response: requests.Response, body: bytes, endpoint: Endpoint, call: Call) -> tuple[Any, str]:
    """The decoded JSON of a 200 and its text, or the error its status or body makes."""
    text = _checked_text(response, body, endpoint, call)
    method = call.method
    processed = not call.idempotent
    try:
        return parse_json(text), text
    except UnusableJson as error:
        raise bad_response(
            f"Green API answered {method} with JSON greencli does not accept ({error}).",
            "Try again; if it persists, GREEN_API_URL may not point at Green API (copy apiUrl from the console).",
            method,
            processed,
        ) from None
    except ValueError:
        raise bad_response(
            f"Green API answered {method} with a body that is not valid JSON (cut short or garbled).",
            "Try again; if it persists, a proxy between you and Green API may be altering answers.",
            method,
            processed,
        ) from None


def http_failure(response: requests.Response, text: str, endpoint: Endpoint, call: Call) -> ApiError:
    """The error an HTTP status other than 200 stands for (https://green-api.com/en/docs/api/common-errors/)."""
    status, method = response.status_code, call.method
    summary = body_summary(text)
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
        # 403 is a wrong idInstance or a host that does not serve it. The host cannot be
        # derived from the ID (1101... instances live on 1101.api.green-api.com, pools share
        # hosts): never guess one.
        return ApiError(
            f"Green API refused instance {endpoint.instance_id} at {endpoint.host} (403 Forbidden): "
            "the instance ID is wrong, or the instance lives on another host.",
            "Check GREEN_API_INSTANCE_ID (idInstance), and set GREEN_API_URL and "
            "GREEN_API_MEDIA_URL to the apiUrl and mediaUrl shown on the instance's page at "
            "console.green-api.com. `greencli doctor` tells which.",
            code="forbidden",
            status=status,
            method=method,
        )
    if status == 404:
        # Green API answers 404 for a wrong method name or HTTP verb; greencli's are right, so
        # the usual cause is a URL with extra path, or a server that is not Green API.
        return ApiError(
            f"{endpoint.host} does not know the method {method} (404 Not Found).",
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
            + (f"after {call.attempts - 1} retries." if call.out_of_retries else
               f"and the next pause it needed is more than --timeout ({endpoint.timeout:g} s) leaves for pauses."),
            "Wait a few seconds and try again. Most account methods allow 1 request a "
            "second per instance; another program may be polling the same instance.",
            code="rate_limited",
            status=status,
            method=method,
        )
    if status == 466:
        return quota_exceeded(text, method)
    if 300 <= status < 400:
        target = header_text(_host_of(response.headers.get("Location", "")), 100) or "another address"
        return ApiError(
            f"{endpoint.host} redirected {method} to {target} ({status}).",
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
            may_have_been_processed=not call.idempotent,
        )
    if status == 400:
        return ApiError(
            f"Green API refused {method} (400){': ' + summary if summary else ''}.",
            hint_for_400(text),
            code=code_for_400(text),
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


# -- helpers ---------------------------------------------------------------------------------


def exception_chain(error: BaseException) -> list[BaseException]:
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


def _tries(call: Call) -> str:
    return f" ({call.attempts} attempts)" if call.attempts > 1 else ""


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _host_of(url: str) -> str:
    """The host part of a URL a server sent; empty when there is none or it does not parse
    (urlsplit raises on an unbalanced "[" in the host)."""
    try:
        return urlsplit(url).netloc
    except ValueError:
        return ""
