"""One `webhooks listen` per instance on this machine.

Two listeners polling one queue each get some of the notifications and each delete what they
got, so neither shows everything. A listener holds an exclusive lock (fcntl) on a file named
after the instance and API host, in greencli's private runtime directory (private_dirs.py:
0700, this user's own; never a predictable path in /tmp that another local user could create
first and lock); the file holds its PID so a second listener can say which process to stop.
The operating system releases the lock when the process ends, however it ends.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from greencli.config.private_dirs import runtime_directory


class ListenerRunning(Exception):
    def __init__(self, pid: int | None, path: Path) -> None:
        super().__init__(f"another listener (PID {pid}) holds {path}" if pid else f"another listener holds {path}")
        self.pid = pid
        self.path = path


def lock_path(api_url: str, instance_id: str) -> Path:
    """The lock's file, in a private directory made for it (OSError or NotPrivate when none
    can be made or trusted)."""
    host = hashlib.sha256(api_url.rstrip("/").encode()).hexdigest()[:12]
    return runtime_directory() / f"listen-{instance_id}-{host}.lock"


class ListenerLock:
    """Held from `acquire()` until `release()` (or the process's end)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> ListenerLock:
        """Take the lock, or raise ListenerRunning; OSError when the file cannot be opened.
        Without fcntl (Windows) listening goes on unguarded: the lock is a courtesy check."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        fd = _open_own(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                text = os.read(fd, 32).decode("ascii", "replace").strip()
            finally:
                os.close(fd)
            raise ListenerRunning(int(text) if text.isdigit() else None, self.path) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            finally:
                os.close(self._fd)  # closing releases the lock; the empty file may stay
            self._fd = None


def _open_own(path: Path) -> int:
    """The lock file, this user's own regular file: anything else in its place (left there
    while the directory was open to others) is removed first."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError:  # a symbolic link (O_NOFOLLOW), a directory, a FIFO…
        fd = -1
    if fd >= 0:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == os.getuid()):
            return fd
        os.close(fd)
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    else:
        path.unlink()
    return os.open(path, flags | os.O_EXCL, 0o600)
