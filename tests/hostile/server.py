"""A small hostile HTTP server on 127.0.0.1: it plays a Green API (or a bot) that misbehaves.

Each Green API method (or bot path) is given a behaviour: a function that writes whatever it
likes on the socket. Threads serve connections; `stop()` wakes every behaviour that waits, so
a test never hangs on the server. Behaviours are built by the functions below.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import threading
import time
import zlib
from collections.abc import Callable
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = Callable[["Handler"], None]

MIB = 1024 * 1024


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Behaviour] = {}
        self.before_body: dict[str, Behaviour] = {}  # run once the headers are in, before the body is read
        self.stopping = threading.Event()
        self.seen: list[tuple[str, str, bytes]] = []  # (verb, path, body)
        # Bodies longer than this are kept as their first bytes, with their length and SHA-256
        # in `large_bodies`: a test process that held a 95 MB upload would show up in the peak
        # RSS of every greencli it starts later (the kernel counts the parent's at the spawn).
        self.keep_body_bytes = 8 * MIB
        self.large_bodies: list[tuple[str, int, str]] = []  # (method or path, length, sha256 hex)
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def route(self, name: str, behaviour: Behaviour) -> None:
        """`name` is a Green API method (the path segment after waInstanceID) or a bot path."""
        self.routes[name] = behaviour

    def calls(self, name: str) -> list[tuple[str, str, bytes]]:
        with self.lock:
            return [seen for seen in self.seen if _route_name(seen[1]) == name]

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hanging up on a hostile answer is the point


def _route_name(path: str) -> str:
    parts = [part for part in path.split("?", 1)[0].split("/") if part]
    if parts and parts[0].startswith("waInstance") and len(parts) > 1:
        return parts[1]
    return "/" + "/".join(parts)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        early = self.server.before_body.get(_route_name(self.path))
        if early is not None:
            early(self)
        length = int(self.headers.get("Content-Length") or 0)
        body = self._read_body(length)
        with self.server.lock:
            self.server.seen.append((self.command, self.path, body))
        behaviour = self.server.routes.get(_route_name(self.path), reply(404, b'{"error": "unscripted"}'))
        try:
            behaviour(self)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    do_GET = do_POST = do_DELETE = _serve

    def _read_body(self, length: int) -> bytes:
        if length <= self.server.keep_body_bytes:
            return self.rfile.read(length) if length else b""
        digest, kept, received = hashlib.sha256(), b"", 0
        while received < length:
            piece = self.rfile.read(min(MIB, length - received))
            if not piece:
                break  # the client hung up: the body stays short
            digest.update(piece)
            kept += piece[: max(0, self.server.keep_body_bytes - len(kept))]
            received += len(piece)
        with self.server.lock:
            self.server.large_bodies.append((_route_name(self.path), received, digest.hexdigest()))
        return kept

    def wait(self, seconds: float) -> bool:
        """Sleep unless the server stops; True when it is stopping."""
        return self.server.stopping.wait(seconds)


# -- behaviours -----------------------------------------------------------------------------


def reply(
    status: int = 200, body: bytes | str | Any = b"", headers: dict[str, str] | None = None, content_type: str = "application/json"
) -> Behaviour:
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    data = body.encode() if isinstance(body, str) else body

    def behave(handler: Handler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    return behave


def json_reply(data: Any) -> Behaviour:
    return reply(200, json.dumps(data))


def sequence(*behaviours: Behaviour) -> Behaviour:
    """Each call takes the next behaviour; the last one repeats."""
    queue = list(behaviours)
    lock = threading.Lock()

    def behave(handler: Handler) -> None:
        with lock:
            current = queue.pop(0) if len(queue) > 1 else queue[0]
        current(handler)

    return behave


def huge_body(size: int) -> Behaviour:
    """A 200 with a JSON string of `size` bytes, sent as fast as the client reads it."""
    def behave(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b" " * MIB
        handler.wfile.write(b'"')
        left = size - 2
        while left > 0 and not handler.server.stopping.is_set():
            piece = chunk[: min(left, MIB)]
            handler.wfile.write(piece)
            left -= len(piece)
        handler.wfile.write(b'"')

    return behave


@lru_cache(maxsize=2)
def gzip_bomb_bytes(decoded_mib: int) -> bytes:
    """Gzip members of 1 MiB of spaces each: about 1 KB per MiB once compressed."""
    member = gzip.compress(b" " * MIB, compresslevel=9)
    return member * decoded_mib


def gzip_bomb(decoded_mib: int = 1024) -> Behaviour:
    def behave(handler: Handler) -> None:
        data = gzip_bomb_bytes(decoded_mib)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return behave


def endless_chunked(chunk_size: int = 64 * 1024) -> Behaviour:
    """A chunked body that never ends (until the client hangs up or the server stops)."""
    def behave(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"%x\r\n%s\r\n" % (chunk_size, b"[" * chunk_size)
        while not handler.server.stopping.is_set():
            handler.wfile.write(chunk)

    return behave


def drip(interval: float = 1.0, declared: int = 10_000, headers_too: bool = False) -> Behaviour:
    """One byte every `interval` seconds: of the body (after the headers), or of everything."""
    def behave(handler: Handler) -> None:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n".encode()
        )
        if headers_too:
            payload = head + b" " * declared
        else:
            handler.wfile.write(head)
            handler.wfile.flush()
            payload = b" " * declared
        for byte in payload:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            if handler.wait(interval):
                return
        handler.close_connection = True

    return behave


def delayed(seconds: float, then: Behaviour) -> Behaviour:
    """Think for `seconds` (a slow bot), then behave as `then`."""
    def behave(handler: Handler) -> None:
        if not handler.wait(seconds):
            then(handler)

    return behave


def status_line_only(status: int = 200) -> Behaviour:
    """A status line, then nothing more: the connection closes before any header ends."""
    def behave(handler: Handler) -> None:
        handler.wfile.write(f"HTTP/1.1 {status} OK\r\n".encode())
        handler.wfile.flush()
        handler.close_connection = True

    return behave


def cut_short(status: int = 200, declared: int = 100, sent: int = 10) -> Behaviour:
    """Headers announcing `declared` bytes of body, `sent` of them, then the connection closes."""
    def behave(handler: Handler) -> None:
        handler.wfile.write(f"HTTP/1.1 {status} OK\r\nContent-Length: {declared}\r\n\r\n".encode() + b"x" * sent)
        handler.wfile.flush()
        handler.close_connection = True

    return behave


def never_answers() -> Behaviour:
    def behave(handler: Handler) -> None:
        handler.wait(3600)
        handler.close_connection = True

    return behave


def redirect(status: int, location: str) -> Behaviour:
    return reply(status, b"", {"Location": location})


def deep_json(depth: int = 100_000) -> Behaviour:
    return reply(200, b"[" * depth)


# -- QR pictures ----------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=4)
def white_png(width: int, height: int) -> bytes:
    """An all-white 8-bit greyscale PNG, built row by row (never held decoded in memory)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    pieces = [compressor.compress(row) for _ in range(height)]
    pieces.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(pieces)) + _chunk(b"IEND", b"")


# -- a Green API instance whose notifications the test controls -----------------------------


class NotificationQueue:
    """receiveNotification / deleteNotification over a list the test fills.

    Entries are raw JSON texts (so a test can put NaN or anything else in them); each is
    answered until deleted, exactly as Green API's queue does.
    """

    def __init__(self, server: HostileServer, settings: dict[str, Any] | None = None, empty_wait: float = 0.2) -> None:
        self.server = server
        self.empty_wait = empty_wait  # how long an empty queue holds a receive (Green API: receiveTimeout)
        self.pending: list[tuple[int, str | bytes]] = []
        self.deleted: list[int] = []
        self.delete_result = True
        self.lock = threading.Lock()
        server.route("getSettings", json_reply(settings or {"webhookUrl": "", "incomingWebhook": "yes"}))
        server.route("receiveNotification", self._receive)
        server.route("deleteNotification", self._delete)

    def add(self, receipt_id: int, body_json: str | bytes) -> None:
        with self.lock:
            self.pending.append((receipt_id, body_json))

    def _receive(self, handler: Handler) -> None:
        with self.lock:
            first = self.pending[0] if self.pending else None
        if first is None:
            handler.wait(self.empty_wait)  # a short long-poll by default: tests stay fast
            reply(200, b"null")(handler)
            return
        body = first[1] if isinstance(first[1], bytes) else first[1].encode()
        reply(200, b'{"receiptId": %d, "body": %s}' % (first[0], body))(handler)

    def _delete(self, handler: Handler) -> None:
        receipt_id = int(handler.path.rstrip("/").rsplit("/", 1)[-1])
        with self.lock:
            if self.delete_result:
                self.pending = [entry for entry in self.pending if entry[0] != receipt_id]
                self.deleted.append(receipt_id)
        reply(200, json.dumps({"result": self.delete_result}))(handler)


def wait_until(predicate: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
