"""HTTP with limits a hostile server cannot talk its way past: a body cap and a wall clock.

A socket timeout only bounds the wait for the *next* byte, so a server that drips one byte a
second, or streams an endless body, is never timed out by it. Here every request runs inside a
`Deadline`: when it passes, the sockets the request uses are shut down, which wakes a read
blocked on them. Bodies are read in pieces and counted after decompression (urllib3 limits what
one read may inflate to), so a gzip bomb stops at the cap instead of filling memory.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

BODY_CAP = 4 * 1024 * 1024  # far above any Green API answer (a QR PNG is a few KB)
_PIECE = 64 * 1024
_current = threading.local()


class BodyTooLarge(Exception):
    """The answer went past the cap (counted after decompression)."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"more than {cap // 1024} KB")
        self.cap = cap


class Deadline:
    """The wall-clock limit of one request, retries included; a context manager per thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.expires_at = self.started + seconds
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._previous: Deadline | None = None

    def left(self) -> float:
        return max(0.0, self.expires_at - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if sock not in self._sockets:
                self._sockets.append(sock)
            passed = self.passed
        if passed:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def pause(self, seconds: float, sleep: Callable[[float], None]) -> None:
        """Sleep between attempts; the pause does not count against the deadline."""
        self._timer.cancel()
        sleep(seconds)
        self.expires_at += seconds
        self._timer = threading.Timer(self.left(), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def __enter__(self) -> Deadline:
        self._previous = getattr(_current, "deadline", None)
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        _current.deadline = self._previous


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS sockets: it wakes a blocked read with EOF
    # without touching the TLS object another thread is using.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def _watch_current(sock: Any) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None and isinstance(sock, socket.socket):
        deadline.watch(sock)


class WatchedHTTPConnection(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch_current(self.sock)
        return super().getresponse(*args, **kwargs)


class WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch_current(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class _WatchedTlsPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


_POOLS = {"http": _WatchedPool, "https": _WatchedTlsPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections are shut down when the current `Deadline` passes."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS brings its own connection classes
            manager.pool_classes_by_scheme = _POOLS
        return manager


def read_body(response: requests.Response, cap: int, deadline: Deadline) -> bytes:
    """The whole answer, decompressed, or BodyTooLarge; urllib3's errors pass through.

    On success the connection goes back to the pool; on any failure it is closed.
    """
    pieces = bytearray()
    try:
        while True:
            piece = response.raw.read(_PIECE, decode_content=True)
            if not piece:
                break
            pieces += piece
            if len(pieces) > cap:
                raise BodyTooLarge(cap)
            if deadline.passed:
                raise TimeoutError("the deadline passed while reading the answer")
        if deadline.passed:  # an answer without a length ends at EOF: the shutdown's EOF too
            raise TimeoutError("the deadline passed while reading the answer")
    except BaseException:
        response.close()
        raise
    body = bytes(pieces)
    response._content = body  # what requests would have read itself: .text and .json() work
    response._content_consumed = True
    response.close()  # consumed: returns the connection to the pool
    return body


def header_text(value: str, limit: int = 200) -> str:
    """A value a server chose (a Location, say), fit for a message: cut short, and anything
    unprintable (controls, bidi overrides) shown as a visible escape."""
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in value[:limit])
    return text + ("…" if len(value) > limit else "")
