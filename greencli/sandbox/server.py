"""The sandbox's HTTP front: Green API's URL scheme, auth, rate limits, faults, control endpoint.

Green API paths: /waInstance{id}/{method}/{token}[/{extra}] — a wrong instance ID answers 403,
a wrong token 401, an unknown method or verb 404, too many calls to one method in a second 429.
The control endpoint lives under /sandbox/ (see docs/sandbox.md). It binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from greencli.sandbox import control
from greencli.sandbox.answers import Request, TextBody
from greencli.sandbox.bodies import (
    CONTROL_LIMIT,
    JSON_LIMIT,
    UPLOAD_LIMIT,
    BodyRefused,
    read_body,
    refuse_unread,
)
from greencli.sandbox.control import Sandbox
from greencli.sandbox.declaration import Method
from greencli.sandbox.faults import AFTER, BEFORE, Fault
from greencli.sandbox.forms import is_multipart, parse_form
from greencli.sandbox.instance import Instance, Options
from greencli.sandbox.methods import BY_NAME as ROUTES
from greencli.sandbox.methods.account import set_settings

if TYPE_CHECKING:
    from greencli.sandbox.tls import Certificates

__all__ = ["Handler", "RunningSandbox", "Sandbox", "SandboxHTTPServer", "start", "start_ready"]

_PATH = re.compile(r"^/waInstance(?P<id>\d+)/(?P<method>[A-Za-z]+)/(?P<token>[^/]+)(?:/(?P<extra>[^/]*))?/?$")


@dataclass
class Reply:
    status: int | None  # None: no answer at all (a fault dropped or cut it)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "greencli-sandbox"
    # Headers and body go out in separate writes: with Nagle's algorithm on, a keep-alive
    # client waits for a delayed ACK (40 ms) on every answer after the first.
    disable_nagle_algorithm = True
    sandbox: Sandbox  # set on the subclass made for each server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the request log is at /sandbox/requests

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- dispatch -----------------------------------------------------------------------------

    def _handle(self, verb: str) -> None:
        parts = urlsplit(self.path)
        if verb == "GET" and parts.path.startswith("/files/"):
            self._serve_file(parts.path.split("/")[2])
            return
        if parts.path.rstrip("/") == "/sandbox" or parts.path.startswith("/sandbox/"):
            self._control(verb, parts.path.rstrip("/"))
            return
        match = _PATH.match(parts.path)
        route = ROUTES.get(match.group("method").lower()) if match else None
        raw = self._body(UPLOAD_LIMIT if route is not None and route.upload else JSON_LIMIT, TextBody)
        if raw is None:
            return
        self._raw = raw
        latency = self.sandbox.faults.latency
        if latency:
            time.sleep(latency)
        entry: dict[str, Any] = {
            "time": time.time(),
            "verb": verb,
            "method": route.name if route else (match.group("method") if match else None),
            "extra": match.group("extra") if match else None,  # deleteNotification's receiptId
        }
        form = None
        if is_multipart(self.headers.get("Content-Type")):
            body_json, bad_json = None, False
            form = parse_form(self.headers["Content-Type"], raw)
            if form is not None:
                entry["body"] = {
                    **form.fields,
                    **{name: {"filename": f.filename, "size": len(f.content)} for name, f in form.files.items()},
                }
        elif route is not None and route.name == "uploadFile":
            body_json, bad_json = None, False  # the file itself is the body (sending/UploadFile)
        else:
            body_json, bad_json = _decode_json(raw)
        if body_json is not None:
            entry["body"] = body_json
        self.sandbox.log(entry)  # logged on arrival: a slow answer was still received
        reply = Reply(500, TextBody("sandbox error"))
        try:
            reply = self._answer(verb, match, route, body_json, bad_json, parts.query, entry, form)
        finally:
            entry["status"] = reply.status
        if reply.status is not None:
            self._send(reply.status, reply.body, reply.headers)

    def _answer(
        self,
        verb: str,
        match: re.Match[str] | None,
        route: Method | None,
        body_json: Any,
        bad_json: bool,
        query: str,
        entry: dict[str, Any],
        form: Any = None,
    ) -> Reply:
        instance = self.sandbox.instance
        if match is None:
            return Reply(404, TextBody("Not Found"))
        if match.group("id") != instance.instance_id:
            return Reply(403, TextBody("Forbidden"))
        if match.group("token") != instance.token:
            if route is not None and route.name == "updateApiToken":
                # Its failures are HTTP 200 with the code in the body (account/UpdateApiToken).
                return Reply(200, {"code": 401, "description": "Unauthorized"})
            return Reply(401, TextBody("Unauthorized"))
        if route is None or route.verb != verb:
            return Reply(404, TextBody("Not Found"))
        if self.sandbox.rate_limits and route.per_second and not self.sandbox.limiter.allow(route.name, route.per_second):
            retry_after = self.sandbox.limiter.retry_after()
            return Reply(429, TextBody("Too Many Requests"), {"Retry-After": retry_after} if retry_after else {})
        if bad_json:
            return Reply(400, TextBody("Unexpected token in JSON"))

        fault = self.sandbox.faults.take(route.name, BEFORE)
        if fault is not None and fault.kind != "not-saved":
            entry["fault"] = fault.kind
            return self._before_fault(fault)
        raw = self._raw if route.name == "uploadFile" else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(json=body_json, query=parse_qs(query), extra=match.group("extra") or "", form=form, raw=raw, headers=headers)
        if fault is not None:  # not-saved: setSettings says yes and keeps nothing
            entry["fault"] = fault.kind
            status, body = set_settings(instance, request, save=False)
        else:
            status, body = route.handler(instance, request)

        after = self.sandbox.faults.take(route.name, AFTER)
        if after is not None:
            entry["fault"] = after.kind
            return self._after_fault(after, status, body)
        return Reply(status, body)

    # -- faults -------------------------------------------------------------------------------

    def _before_fault(self, fault: Fault) -> Reply:
        if fault.kind == "rate-limit":
            headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            return Reply(429, TextBody(fault.body or "Too Many Requests"), headers)
        body = fault.body
        if body is not None and body.lstrip().startswith(("{", "[")):
            return Reply(fault.status, json.loads(body))
        return Reply(fault.status, TextBody(body if body is not None else _reason(fault.status)))

    def _after_fault(self, fault: Fault, status: int, body: Any) -> Reply:
        if fault.kind == "slow":
            time.sleep(fault.delay or 30.0)
            return Reply(status, body)
        if fault.kind == "drop":
            self.close_connection = True
            return Reply(None)
        if fault.kind == "reset":
            payload = _encode(body)[0]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload) + 50))
            self.end_headers()
            self.wfile.write(payload[: max(1, len(payload) // 2)])
            self.wfile.flush()
            self.close_connection = True
            return Reply(None)
        if fault.kind == "html":
            page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
            return Reply(fault.status, _Html(page))
        if fault.kind == "empty":
            return Reply(200, TextBody(""))
        if fault.kind == "truncated":
            text = _encode(body)[0].decode("utf-8")
            return Reply(200, TextBody(text[: max(1, len(text) // 2)] if len(text) > 1 else "{"))
        if fault.kind == "null":
            return Reply(200, None)
        if fault.kind == "wrong-shape":
            return Reply(200, ["unexpected"] if isinstance(body, dict) else {"unexpected": True})
        return Reply(status, body)

    # -- control endpoint ---------------------------------------------------------------------

    def _control(self, verb: str, path: str) -> None:
        port = self._port()
        refused = control.refusal(verb, self.headers.get("Host"), self.headers.get("Content-Type"), port)
        if refused is not None:  # before a byte of the body is read
            self._refuse_unread(*refused)
            return
        raw = self._body(CONTROL_LIMIT, lambda reason: {"error": reason})
        if raw is None:
            return
        body, bad = _decode_json(raw)
        if bad or (body is not None and not isinstance(body, dict)):
            self._send(400, {"error": "the body must be a JSON object"})
            return
        self._send(*control.answer(self.sandbox, verb, path, body or {}))

    def _serve_file(self, token: str) -> None:
        """A file kept by uploadFile, as Green API's media storage serves it."""
        stored = self.sandbox.instance.directory.file_by_token(token)
        if stored is None:
            self._send(404, TextBody("Not Found"))
            return
        self.send_response(200)
        self.send_header("Content-Type", stored.mime)
        self.send_header("Content-Length", str(len(stored.content)))
        self.end_headers()
        self.wfile.write(stored.content)

    def _port(self) -> int:
        address: Any = self.server.server_address
        return int(address[1])

    # -- wire ---------------------------------------------------------------------------------

    def _body(self, limit: int, shape: Callable[[str], Any]) -> bytes | None:
        """The request body within `limit`; None after answering 413 or 400 instead (the
        connection is then closed: what was not read cannot be skipped)."""
        try:
            return read_body(self.rfile, self.headers.get("Content-Length"), self.headers.get("Transfer-Encoding"), limit)
        except BodyRefused as refused:
            self._refuse_unread(refused.status, shape(refused.reason))
            return None

    def _refuse_unread(self, status: int, body: Any) -> None:
        """Answer without reading the rest of the body, then close the connection so that the
        client still reads the answer (bodies.refuse_unread)."""
        self.close_connection = True
        self._send(status, body, {"Connection": "close"})
        refuse_unread(self.connection)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload, content_type = _encode(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Html(str):
    pass


def _encode(body: Any) -> tuple[bytes, str]:
    if isinstance(body, _Html):
        return str(body).encode("utf-8"), "text/html; charset=utf-8"
    if isinstance(body, TextBody):
        return str(body).encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body).encode("utf-8"), "application/json"


def _decode_json(raw: bytes) -> tuple[Any, bool]:
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw.decode("utf-8")), False
    except (ValueError, UnicodeDecodeError):
        return None, True


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that stops at once.

    socketserver's `shutdown()` waits for `serve_forever` to notice a flag it checks only
    between polls (every 0.5 s). Here the loop blocks without a timeout on the listening
    socket and on one end of a socket pair; `stop()` writes to the other end, so the loop
    wakes and returns immediately.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._stop_requested = False
        self._stopped = threading.Event()

    def serve_forever(self, poll_interval: float | None = None) -> None:  # noqa: ARG002 - no polling
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_reader, selectors.EVENT_READ)
                while not self._stop_requested:
                    for key, _ in selector.select():
                        if key.fileobj is self and not self._stop_requested:
                            self._handle_request_noblock()  # type: ignore[attr-defined]
                    self.service_actions()
        finally:
            self._stopped.set()

    def stop(self) -> None:
        """Stop serving, wait for the loop to return and close the sockets."""
        if self._stop_requested:
            return
        self._stop_requested = True
        self._wake_writer.send(b"\0")
        self._stopped.wait()
        self.server_close()
        self._wake_reader.close()
        self._wake_writer.close()


@dataclass
class RunningSandbox:
    """A sandbox serving on 127.0.0.1 in a background thread."""

    sandbox: Sandbox
    server: SandboxHTTPServer
    thread: threading.Thread
    certificates: Certificates | None = None  # serving HTTPS (see sandbox/tls.py)

    @property
    def url(self) -> str:
        address: Any = self.server.server_address
        return f"{'https' if self.certificates else 'http'}://{address[0]}:{address[1]}"

    @property
    def instance(self) -> Instance:
        return self.sandbox.instance

    def stop(self) -> None:
        self.server.stop()
        self.sandbox.instance.stop()
        if self.certificates is not None:
            self.certificates.close()


def start(options: Options | None = None, port: int = 0, rate_limits: bool = True,
          certificates: Certificates | None = None) -> RunningSandbox:
    """Start a sandbox on 127.0.0.1:`port` (0: any free port) and return at once; with
    `certificates`, it serves HTTPS."""
    sandbox = Sandbox(Instance(options or Options()), rate_limits=rate_limits)
    handler = type("BoundHandler", (Handler,), {"sandbox": sandbox})
    server_class: type[SandboxHTTPServer] = SandboxHTTPServer
    if certificates is not None:
        from greencli.sandbox.tls import TlsServerMixin

        server_class = type("TlsServer", (TlsServerMixin, SandboxHTTPServer), {"tls_context": certificates.server_context()})
    server = server_class(("127.0.0.1", port), handler)
    address: Any = server.server_address
    sandbox.instance.public_url = f"{'https' if certificates else 'http'}://{address[0]}:{address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="sandbox-http", daemon=True)
    thread.start()
    return RunningSandbox(sandbox, server, thread, certificates)


def start_ready() -> RunningSandbox:
    """A sandbox set up as the guide leaves an instance: authorized, its four notification
    types on, polling mode, and one incoming message waiting in the queue."""
    from greencli.sandbox.options import guide_settings

    running = start(Options(state="authorized", settings=guide_settings()))
    running.instance.incoming_message("79001112233@c.us", "Hello from the greencli sandbox!")
    return running
