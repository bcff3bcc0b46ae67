"""One `webhooks listen` per instance on this machine.

Two listeners polling one queue each get some of the notifications and each delete what they
got, so neither shows everything. A listener holds an exclusive lock (fcntl) on a file named
after the instance and API host, in the user's runtime directory (XDG_RUNTIME_DIR, else the
temporary directory); the file holds its PID so a second listener can say which process to
stop. The operating system releases the lock when the process ends, however it ends.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class ListenerRunning(Exception):
    def __init__(self, pid: int | None, path: Path) -> None:
        super().__init__(f"another listener (PID {pid}) holds {path}" if pid else f"another listener holds {path}")
        self.pid = pid
        self.path = path


def lock_path(api_url: str, instance_id: str) -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    directory = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    host = hashlib.sha256(api_url.rstrip("/").encode()).hexdigest()[:12]
    user = os.getuid() if hasattr(os, "getuid") else 0
    return directory / f"greencli-{user}-listen-{instance_id}-{host}.lock"


class ListenerLock:
    """Held from `acquire()` until `release()` (or the process's end)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> ListenerLock:
        """Take the lock, or raise ListenerRunning. Where locks are unavailable (no fcntl, an
        unwritable directory), listening goes on unguarded: the lock is a courtesy check."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError:
            return self
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
