"""Reading an env file's bytes, bounded: a regular file of at most 1 MiB, or a refusal.

A `.env` arrives with a `git clone`, so it is outside input: a symlink to /dev/zero, a FIFO
that never ends or a 100 MB file must cost nothing and end in one clear line. The file is
checked before it is opened (so no device is ever opened), opened without blocking (a FIFO
that appeared in between does not wait for a writer), checked again on the open descriptor,
and read at most one byte past the limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_BYTES = 1024 * 1024  # far more than any .env; docs/guide.md states the limit


class EnvFileRefused(ValueError):
    """The env file is not one greencli reads: `why` completes "<file> …", `hint` says what to do."""

    def __init__(self, why: str, hint: str) -> None:
        super().__init__(why)
        self.why = why
        self.hint = hint


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check(info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise EnvFileRefused("is a directory, not a file.", "Point --env-file at a file, e.g. --env-file ./.env")
    if not stat.S_ISREG(info.st_mode):
        raise EnvFileRefused(
            f"is {_kind(info.st_mode)}, not a regular file; greencli reads env files from regular files only.",
            "Replace it with a plain text file of NAME=value lines (a link to a regular file is fine).",
        )
    if info.st_size > MAX_BYTES:
        raise EnvFileRefused(
            f"is {_size(info.st_size)}; an env file greencli reads is at most 1 MiB.",
            "Keep only NAME=value lines in it (GREEN_API_INSTANCE_ID, GREEN_API_TOKEN, GREEN_API_URL).",
        )


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def read_env_bytes(path: Path, follow_symlinks: bool = True) -> bytes:
    """The whole content of `path`, or EnvFileRefused (not a regular file, over MAX_BYTES).
    OSError when it cannot be opened or read (missing, permission denied); with
    `follow_symlinks=False`, a symlink is refused with ELOOP."""
    info = os.stat(path, follow_symlinks=follow_symlinks)
    if stat.S_ISLNK(info.st_mode):
        raise OSError(errno.ELOOP, "is a symbolic link")  # as O_NOFOLLOW would say it
    _check(info)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    try:
        opened = os.fstat(descriptor)
        _check(opened)  # what was opened, in case the name changed since it was looked at
        chunks: list[bytes] = []
        remaining = MAX_BYTES + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 64 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > MAX_BYTES:  # it grew while being read
        raise EnvFileRefused(
            "grew past 1 MiB while it was read; an env file greencli reads is at most 1 MiB.",
            "Keep only NAME=value lines in it.",
        )
    return data
