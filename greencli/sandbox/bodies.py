"""Reading a request body within a bound, before anything else is done with it.

The limit is decided from the request line and headers alone: a declared Content-Length over
it is refused without reading a byte, and a chunked body is read chunk by chunk only up to it.
Bounds (the sandbox's own; Green API documents only the 100 MB file limit of
sending/SendFileByUpload): 1 MB for JSON calls and the control endpoint, 100 MB plus room for
the multipart envelope for file uploads.
"""

from __future__ import annotations

import socket
import time
from typing import Protocol

MiB = 1024 * 1024
JSON_LIMIT = 1 * MiB
CONTROL_LIMIT = 1 * MiB
UPLOAD_LIMIT = 100 * MiB + MiB
_MAX_CHUNK_LINE = 1024
# After a refusal: how long and how much of the unread body to swallow, so that closing the
# socket with data unread does not reset the connection before the client has read the answer.
LINGER_SECONDS = 1.0
LINGER_BYTES = 64 * MiB


class Stream(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def readline(self, size: int = ..., /) -> bytes: ...


class BodyRefused(Exception):
    """The body is over its bound (413) or not readable as HTTP says (400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def read_body(stream: Stream, content_length: str | None, transfer_encoding: str | None, limit: int) -> bytes:
    """The body, at most `limit` bytes; BodyRefused before reading more than that."""
    if transfer_encoding is not None and transfer_encoding.strip().lower() != "identity":
        if transfer_encoding.strip().lower() != "chunked":
            raise BodyRefused(400, "only chunked or identity transfer encodings are understood")
        return _read_chunked(stream, limit)
    if not content_length:
        return b""
    text = content_length.strip()
    if not text.isdigit():
        raise BodyRefused(400, "Content-Length is not a number")
    length = int(text)
    if length > limit:
        raise BodyRefused(413, f"request body of {length} bytes; this endpoint takes at most {limit}")
    body = stream.read(length)
    if len(body) < length:
        raise BodyRefused(400, "the body ended before Content-Length bytes")
    return body


def _read_chunked(stream: Stream, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        line = stream.readline(_MAX_CHUNK_LINE + 1)
        if len(line) > _MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise BodyRefused(400, "a chunk size line is malformed")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BodyRefused(400, "a chunk size is not a hexadecimal number") from None
        if size == 0:
            _skip_trailers(stream)
            return b"".join(chunks)
        total += size
        if total > limit:
            raise BodyRefused(413, f"chunked request body over {limit} bytes")
        chunk = stream.read(size)
        if len(chunk) < size or stream.read(2) != b"\r\n":
            raise BodyRefused(400, "a chunk ended early")
        chunks.append(chunk)


def _skip_trailers(stream: Stream) -> None:
    for _ in range(100):
        line = stream.readline(_MAX_CHUNK_LINE + 1)
        if line in (b"\r\n", b"\n", b""):
            return
    raise BodyRefused(400, "too many trailer lines")


def refuse_unread(connection: socket.socket) -> None:
    """After an answer sent with the body unread: stop sending, then read and drop what the
    client is still sending, for at most LINGER_SECONDS and LINGER_BYTES (64 KB at a time,
    so memory stays flat), as web servers do at a "lingering close"."""
    try:
        connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        dropped = 0
        while dropped < LINGER_BYTES:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            connection.settimeout(left)
            data = connection.recv(64 * 1024)
            if not data:
                return
            dropped += len(data)
    except OSError:
        return
