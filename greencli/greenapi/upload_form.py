"""The multipart form of an upload, streamed: the file is read from disk while the request is
sent, so memory stays flat whatever its size.

The form's framing is urllib3's own (the bytes requests would build with `files=`), with the
file's content left out and streamed in its place; the Content-Length is known in advance.
"""

from __future__ import annotations

from collections.abc import Iterator

from urllib3.fields import RequestField
from urllib3.filepost import choose_boundary, encode_multipart_formdata

from greencli.greenapi.media_files import OpenedFile

PIECE = 64 * 1024


class StreamedForm:
    """A form of text fields and one file, last; readable once per attempt (see `restart`).

    requests sends an object with `read`, `__iter__` and `__len__` as a stream with a
    Content-Length; urllib3 then reads it in blocks as the socket takes them.
    """

    def __init__(self, fields: dict[str, str], file_field: str, file: OpenedFile) -> None:
        self.boundary = choose_boundary()
        part = RequestField(name=file_field, data=b"", filename=file.media.name)
        part.make_multipart(content_type=None)
        framing, self.content_type = encode_multipart_formdata([*fields.items(), part], boundary=self.boundary)
        closing = f"\r\n--{self.boundary}--\r\n".encode("latin-1")
        self._head, self._tail = framing[: -len(closing)], closing
        self._file = file
        self._pieces: Iterator[bytes] = iter(())
        self._buffer = b""

    def __len__(self) -> int:
        return len(self._head) + self._file.media.size + len(self._tail)

    def restart(self) -> StreamedForm:
        """From the start again (each attempt sends the whole form)."""
        self._pieces = self._all_pieces()
        self._buffer = b""
        return self

    def _all_pieces(self) -> Iterator[bytes]:
        yield self._head
        yield from self._file.pieces(PIECE)
        yield self._tail

    def read(self, size: int = -1) -> bytes:
        """At most `size` bytes (all that is left when negative); b"" at the end."""
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken

    def __iter__(self) -> Iterator[bytes]:
        while piece := self.read(PIECE):
            yield piece
