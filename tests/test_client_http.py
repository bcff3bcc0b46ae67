"""GreenApiClient against a scripted HTTP server on 127.0.0.1.

`responses` replaces the transport, so urllib3's own retry loop (connect errors, read
timeouts, dropped connections, Retry-After) never runs under it. These tests drive the real
requests/urllib3 stack against a local server to check the retry rules of the contract.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from greencli.errors import ApiError
from greencli.greenapi.client import GreenApiClient
from greencli.greenapi.credentials import Credentials
from greencli.greenapi.transport import MAX_RETRY_AFTER, RetryNotice
from tests.conftest import token_leaks
from tests.mocked_api import CHAT, ID

TIMEOUT = 0.3


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scripts: dict[str, list[tuple]] = defaultdict(list)
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, api_method: str, *actions: tuple) -> None:
        """Actions answered in order for `api_method`; the last one repeats."""
        self.scripts[api_method].extend(actions)

    def next_action(self, api_method: str) -> tuple:
        with self.lock:
            actions = self.scripts.get(api_method) or [("reply", 599, {}, b"unscripted")]
            return actions.pop(0) if len(actions) > 1 else actions[0]

    def calls(self, api_method: str) -> int:
        return sum(1 for _, path in self.seen if f"/{api_method}/" in path)

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - quiet broken pipes
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ScriptedServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.server.lock:
            self.server.seen.append((self.command, self.path))
        parts = self.path.split("?")[0].split("/")
        api_method = parts[2] if len(parts) > 2 else ""
        action = self.server.next_action(api_method)
        if action[0] == "sleep":
            time.sleep(action[1])
            action = ("reply", 200, {}, b'{"late": true}')
        if action[0] == "drop":
            self.close_connection = True
            return
        _, status, headers, body = action
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _handle


def reply(status: int = 200, body: bytes = b"{}", **headers: str) -> tuple:
    return ("reply", status, {k.replace("_", "-"): v for k, v in headers.items()}, body)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server():
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def client(server: ScriptedServer, token: str):
    with GreenApiClient(Credentials(ID, token, server.base), timeout=TIMEOUT, backoff=0) as c:
        yield c


def failure(call, token: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    error = caught.value
    for text in (str(error), error.message, error.hint or ""):
        assert not token_leaks(text, token), text
    return error


def test_request_path_reaches_server(server, client, token: str) -> None:
    server.script("getStateInstance", reply(body=b'{"stateInstance": "authorized"}'))
    assert client.get_state_instance() == "authorized"
    assert server.seen == [("GET", f"/waInstance{ID}/getStateInstance/{token}")]


def test_get_5xx_retried_by_urllib3(server, client) -> None:
    server.script(
        "getStateInstance", reply(502), reply(503), reply(504), reply(body=b'{"stateInstance": "starting"}')
    )
    assert client.get_state_instance() == "starting"
    assert server.calls("getStateInstance") == 4


def test_get_5xx_persisting(server, client, token: str) -> None:
    server.script("getStateInstance", reply(503, b"down"))
    error = failure(client.get_state_instance, token)
    assert error.code == "server_error"
    assert server.calls("getStateInstance") == 4


def test_429_with_retry_after_zero_retried(server, client) -> None:
    server.script("sendMessage", reply(429, Retry_After="0"), reply(body=b'{"idMessage": "M1"}'))
    assert client.send_message(CHAT, "hi") == "M1"
    assert server.calls("sendMessage") == 2


def test_send_message_502_sent_once(server, client, token: str) -> None:
    server.script("sendMessage", reply(502), reply(body=b'{"idMessage": "TWICE"}'))
    error = failure(lambda: client.send_message(CHAT, "hi"), token)
    assert error.code == "server_error"
    assert error.may_have_been_processed is True
    assert server.calls("sendMessage") == 1


def test_send_message_503_with_retry_after_sent_once(server, client, token: str) -> None:
    server.script("sendMessage", reply(503, Retry_After="0"), reply(body=b'{"idMessage": "TWICE"}'))
    error = failure(lambda: client.send_message(CHAT, "hi"), token)
    assert error.code == "server_error"
    assert server.calls("sendMessage") == 1


def test_send_message_read_timeout_sent_once(server, client, token: str) -> None:
    server.script("sendMessage", ("sleep", TIMEOUT * 3))
    error = failure(lambda: client.send_message(CHAT, "hi"), token)
    assert error.code == "timeout"
    assert error.may_have_been_processed is True
    assert server.calls("sendMessage") == 1


def test_get_read_timeout_ends_the_call(server, client, token: str) -> None:
    # --timeout bounds the whole call, retries included: a read timeout has used it all up.
    server.script("getStateInstance", ("sleep", TIMEOUT * 3), reply(body=b'{"stateInstance": "authorized"}'))
    error = failure(client.get_state_instance, token)
    assert error.code == "timeout"
    assert f"within {TIMEOUT:g} s" in error.message or "within 0." in error.message
    assert server.calls("getStateInstance") == 1


def test_dropped_connection_on_send_not_retried(server, client, token: str) -> None:
    server.script("sendMessage", ("drop",), reply(body=b'{"idMessage": "TWICE"}'))
    error = failure(lambda: client.send_message(CHAT, "hi"), token)
    assert error.code == "connection_failed"
    assert error.may_have_been_processed is True
    assert server.calls("sendMessage") == 1


def test_dropped_connection_on_get_retried(server, client) -> None:
    server.script("getStateInstance", ("drop",), reply(body=b'{"stateInstance": "authorized"}'))
    assert client.get_state_instance() == "authorized"
    assert server.calls("getStateInstance") == 2


def test_refused_connection(token: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on `port` any more.
    creds = Credentials(ID, token, f"http://127.0.0.1:{port}")
    with GreenApiClient(creds, timeout=TIMEOUT, backoff=0) as c:
        error = failure(lambda: c.send_message(CHAT, "hi"), token)
    assert error.code == "connection_failed"
    assert "refused" in error.message
    assert error.may_have_been_processed is False


@pytest.fixture
def patient(server: ScriptedServer, token: str):
    """A client with time for retries, whose pauses are recorded instead of slept."""
    slept: list[float] = []
    notices: list[RetryNotice] = []
    with GreenApiClient(Credentials(ID, token, server.base), timeout=120, backoff=0, on_retry=notices.append, sleep=slept.append) as c:
        c.slept = slept  # type: ignore[attr-defined]
        c.notices = notices  # type: ignore[attr-defined]
        yield c


def test_429_retry_after_is_honoured_and_told(server, patient) -> None:
    server.script(
        "getStateInstance", reply(429, Retry_After="2"), reply(body=b'{"stateInstance": "authorized"}')
    )
    assert patient.get_state_instance() == "authorized"
    assert patient.slept == [2]
    assert [n.message for n in patient.notices] == [
        "Green API answered 429 for getStateInstance; waiting 2 s as asked by Retry-After (attempt 2 of 4)…"
    ]


def test_5xx_retry_is_told(server, patient) -> None:
    server.script("getStateInstance", reply(503), reply(body=b'{"stateInstance": "authorized"}'))
    assert patient.get_state_instance() == "authorized"
    assert [(n.retry_after, n.attempt, n.reason) for n in patient.notices] == [(False, 2, "Green API answered 503")]


def test_429_retry_after_is_capped(server, patient, token: str) -> None:
    server.script("getStateInstance", reply(429, Retry_After="3600"))
    error = failure(patient.get_state_instance, token)
    assert error.code == "rate_limited"
    assert server.calls("getStateInstance") == 4
    assert patient.slept == [MAX_RETRY_AFTER] * 3


def test_429_retry_after_beyond_the_deadline_is_not_waited(server, client, token: str) -> None:
    # Waiting 30 s would break --timeout: the call ends at once and says why.
    server.script("getStateInstance", reply(429, Retry_After="30"), reply(body=b'{"stateInstance": "authorized"}'))
    error = failure(client.get_state_instance, token)
    assert error.code == "rate_limited"
    assert "--timeout" in error.message
    assert server.calls("getStateInstance") == 1


@pytest.mark.parametrize("retry_after", ["soon", "1.5", "-5"])
def test_429_with_unparsable_retry_after_is_still_rate_limited(server, patient, token: str, retry_after: str) -> None:
    # A malformed Retry-After must not turn a 429 into a "connection failed ... InvalidHeader"
    # error: it is retried (with some bounded wait) and ends as rate_limited.
    server.script("getStateInstance", reply(429, Retry_After=retry_after))
    error = failure(patient.get_state_instance, token)
    assert error.code == "rate_limited"
    assert error.status == 429
    assert server.calls("getStateInstance") == 4
    assert all(0 <= seconds <= MAX_RETRY_AFTER for seconds in patient.slept)
