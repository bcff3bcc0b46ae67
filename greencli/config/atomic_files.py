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
def directory_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory` (its own inode, so nothing is left behind): a
    read-modify-write of a file in it never interleaves with another greencli's."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the writes are still atomic
        yield
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock
