"""The sandbox refuses an oversized request body before reading it (issue 22, "Bounded,
everywhere"): a declared Content-Length over the bound is answered at once, with no byte of
the body sent; a chunked body is read only up to the bound. Measured with
`python -m tests.hostile.measure_sandbox` (peak RSS of a 400 MB POST: 425 MB before, 26 MB after)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from greencli.sandbox.bodies import CONTROL_LIMIT, JSON_LIMIT, UPLOAD_LIMIT
from greencli.sandbox.forms import parse_form
from greencli.sandbox.server import RunningSandbox, start

pytestmark = pytest.mark.e2e


@pytest.fixture
def running() -> Iterator[RunningSandbox]:
    sandbox = start(rate_limits=False)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def status_after_headers(sandbox: RunningSandbox, head: str, body: bytes = b"") -> int:
    """Send the request line and headers (and `body`, if any), nothing more; the status the
    sandbox answers with. It can answer only if it did not wait for the declared body."""
    port = int(sandbox.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode("latin-1") + body)
        answer = b""
        while b"\r\n" not in answer:
            piece = connection.recv(1024)
            assert piece, "the sandbox closed the connection without answering"
            answer += piece
    return int(answer.split(b" ", 2)[1])


def api_path(sandbox: RunningSandbox, method: str) -> str:
    return f"/waInstance{sandbox.instance.instance_id}/{method}/{sandbox.instance.token}"


def test_a_400_mb_control_request_from_a_foreign_host_is_refused_before_its_body(running: RunningSandbox) -> None:
    head = f"POST /sandbox/state HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: {400 << 20}\r\n\r\n"
    assert status_after_headers(running, head) == 403


@pytest.mark.parametrize(("path", "limit"), [("/sandbox/state", CONTROL_LIMIT), ("api:sendMessage", JSON_LIMIT), ("api:sendFileByUpload", UPLOAD_LIMIT)])
def test_a_declared_length_over_the_bound_is_answered_413_without_reading(running: RunningSandbox, path: str, limit: int) -> None:
    port = running.url.rsplit(":", 1)[1]
    target = api_path(running, path.split(":")[1]) if path.startswith("api:") else path
    head = f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {limit + 1}\r\n\r\n"
    assert status_after_headers(running, head) == 413
    assert running.instance.state == "authorized"


def test_a_chunked_body_is_read_only_up_to_the_bound(running: RunningSandbox) -> None:
    port = running.url.rsplit(":", 1)[1]
    head = f"POST {api_path(running, 'sendMessage')} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"a" * 65536
    body = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(JSON_LIMIT // len(chunk) + 1))
    assert status_after_headers(running, head, body) == 413  # no final chunk was ever sent


def test_a_chunked_json_body_within_the_bound_is_understood(running: RunningSandbox) -> None:
    port = running.url.rsplit(":", 1)[1]
    payload = b'{"chatId": "79001112233@c.us", "message": "chunked"}'
    head = f"POST {api_path(running, 'sendMessage')} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    body = f"{len(payload[:10]):x}\r\n".encode() + payload[:10] + b"\r\n" + f"{len(payload[10:]):x}\r\n".encode() + payload[10:] + b"\r\n0\r\n\r\n"
    assert status_after_headers(running, head, body) == 200
    assert [m.text for m in running.instance.journal.all_outgoing] == ["chunked"]


@pytest.mark.parametrize("bad", ["zz\r\n", "1" * 2000 + "\r\n"])
def test_a_malformed_chunked_body_is_a_400(running: RunningSandbox, bad: str) -> None:
    port = running.url.rsplit(":", 1)[1]
    head = f"POST {api_path(running, 'sendMessage')} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert status_after_headers(running, head, bad.encode()) == 400


def test_a_multipart_file_is_a_view_of_the_body_not_a_copy() -> None:
    body = (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"chatId\"\r\n\r\n79001112233@c.us\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        b"\x00\r\n--Xy\xff\r\n"
        b"--XyZ--\r\n"
    )
    form = parse_form("multipart/form-data; boundary=XyZ", body)
    assert form is not None
    assert form.fields == {"chatId": "79001112233@c.us"}
    upload = form.files["file"]
    assert (upload.filename, bytes(upload.content), upload.content_type) == ("a b.jpg", b"\x00\r\n--Xy\xff", "image/jpeg")
    assert isinstance(upload.content, memoryview) and upload.content.obj is body


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n\r\n--x--"),  # no boundary parameter
        ("multipart/form-data; boundary=x", b"no delimiter at all"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nnever closed"),
        ("multipart/form-data; boundary=x", b"--xjunk"),
    ],
)
def test_a_broken_multipart_body_is_refused(content_type: str, body: bytes) -> None:
    assert parse_form(content_type, body) is None
