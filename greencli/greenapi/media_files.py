"""A local file checked against Green API's rules for sendFileByUpload, before any request.

https://green-api.com/en/docs/api/sending/SendFileByUpload/ : files up to 100 MB; the file name
must contain an extension, which decides how WhatsApp shows the file (image, video and audio
as media, anything else as a document); the caption shows only under images and video; the
file name is UTF-8.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from greencli.errors import UsageError

MAX_FILE_BYTES = 100 * 1024 * 1024  # "The maximum size of outgoing files is 100 MB."
MAX_FILE_TEXT = "100 MB"
CAPTIONED_KINDS = ("image", "video")  # "Caption added to video, images."


@dataclass(frozen=True)
class MediaFile:
    path: Path
    name: str  # the fileName sent: the file's own name, with its extension
    size: int
    mime_type: str | None
    kind: str  # image, video, audio or document: how WhatsApp will show it

    @property
    def shows_caption(self) -> bool:
        return self.kind in CAPTIONED_KINDS


    def open(self) -> OpenedFile:
        """The file, opened for the upload: refused now when it cannot be read or its size
        changed since the check (before any request: a file that cannot be read costs none)."""
        try:
            # O_NONBLOCK: a pipe put in the file's place since the check must not hang the open.
            handle = os.fdopen(os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb")
        except OSError as error:
            raise _refuse(self.path, f"cannot be read ({error.strerror or error})", "Check the path and its permissions.") from error
        opened = OpenedFile(self, handle)
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size != self.size:
            opened.close()
            raise _changed(self.path, while_sent=False)
        return opened


class OpenedFile:
    """A checked file, read in pieces while it is sent (a 100 MB file is never all in memory).
    It must keep its size: one that grows or shrinks meanwhile is refused before its last piece
    goes out, so the upload ends cut short rather than complete with other content."""

    def __init__(self, media: MediaFile, handle: BinaryIO) -> None:
        self.media = media
        self._handle = handle

    def pieces(self, size: int) -> Iterator[bytes]:
        """The content from its start, in pieces of at most `size` bytes."""
        self._handle.seek(0)
        left = self.media.size
        while left > 0:
            piece = self._read(min(size, left))
            if not piece:
                raise _changed(self.media.path)
            left -= len(piece)
            if left == 0 and (self._read(1) or os.fstat(self._handle.fileno()).st_size != self.media.size):
                raise _changed(self.media.path)
            yield piece

    def _read(self, size: int) -> bytes:
        try:
            return self._handle.read(size)
        except OSError as error:
            raise _refuse(self.media.path, f"cannot be read ({error.strerror or error})", "Check the file and try again.") from error

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def check_media_file(text: str) -> MediaFile:
    """The file named by `text`, or a UsageError (exit 2) saying what is wrong and the fix."""
    path = Path(text).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _refuse(path, "does not exist", "Check the path (relative paths start from the current directory).") from None
    except OSError as error:
        raise _refuse(path, f"cannot be read ({error.strerror or error})", "Check the path and its permissions.") from error
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "is a directory", "Give one file: Green API sends one file per message.")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "is not a regular file (a device, pipe or socket)", "Give an ordinary file on disk.")
    if not os.access(path, os.R_OK):
        raise _refuse(path, "is not readable by you", f"Allow reading it (chmod u+r {path.name}) or copy it somewhere readable.")
    name = path.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(path, "has a name that is not valid UTF-8, which Green API requires for fileName",
                      "Rename the file with UTF-8 characters.") from None
    suffix = Path(name).suffix
    if not suffix or suffix == ".":
        raise _refuse(path, "has no extension; Green API needs one in the file name to know how to send it",
                      "Rename it with the extension of its type, e.g. report.pdf or photo.jpg.")
    if info.st_size == 0:
        raise _refuse(path, "is empty", "Send a file with some content.")
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(path, info.st_size)
    mime_type, _ = mimetypes.guess_type(name, strict=False)
    major = (mime_type or "").split("/")[0]
    kind = major if major in ("image", "video", "audio") else "document"
    return MediaFile(path, name, info.st_size, mime_type, kind)


def describe_size(size: int) -> str:
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _too_big(path: Path, size: int) -> UsageError:
    return _refuse(path, f"is {describe_size(size)}; Green API sends files up to {MAX_FILE_TEXT}",
                   "Compress it or send a smaller file.")


def _changed(path: Path, while_sent: bool = True) -> UsageError:
    problem = ("changed size while it was being sent, so the upload was stopped before its end" if while_sent
               else "changed since it was checked, so it was not sent")
    return _refuse(path, problem, "Send it again once nothing is writing to it.")


def _refuse(path: Path, problem: str, hint: str) -> UsageError:
    return UsageError(f"--file {path} {problem}.", hint, code="invalid_file")
