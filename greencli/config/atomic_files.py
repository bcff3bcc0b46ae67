"""Writing files so that an interruption never leaves half of one behind, and two runs at
once never overwrite each other's file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _temporary_beside(path: Path, data: bytes, mode: int) -> str:
    """A complete, synced copy of `data` in a new file next to `path` (created with `mode`)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to a temporary file beside `path` (created with `mode`), then rename it
    over `path`: readers see the old file or the new one, never a mix, even after Ctrl-C."""
    temporary = _temporary_beside(path, data, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def create_exclusively(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Create `path` holding `data`, whole, or raise FileExistsError when it exists, even
    when another process creates it at the same moment: the complete temporary file is
    hard-linked to `path`, which fails rather than replace anything."""
    temporary = _temporary_beside(path, data, mode)
    try:
        os.link(temporary, path)
    except (FileExistsError, KeyboardInterrupt):
        raise
    except OSError:  # a file system without hard links: exclusive create, then write
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    finally:
        os.unlink(temporary)


@contextmanager
def directory_lock(directory: Path, wait: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `directory` (its own inode, so nothing is left behind): a
    read-modify-write of a file in it never interleaves with another greencli's.

    `wait`: give up after that many seconds with TimeoutError (another process, perhaps
    another user's, holds the lock); None waits as long as it takes. A directory greencli may
    write in but not open (mode -wx) is not locked: the writes are still atomic."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the writes are still atomic
        yield
        return
    try:
        descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        yield
        return
    try:
        if wait is None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        else:
            _lock_within(descriptor, wait, directory)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _lock_within(descriptor: int, wait: float, directory: Path) -> None:
    import fcntl
    import time

    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"another process holds the lock on {directory}") from None
            time.sleep(0.1)
