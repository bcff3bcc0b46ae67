"""Directories that only this user can enter, for the files greencli keeps for itself.

A file at a predictable path in a shared directory such as /tmp can be created first by
another local user: a lock they hold blocks greencli, a file they own can be read or swapped.
So greencli's own files live in a `greencli` directory inside the user's runtime, state or
cache directory (the XDG base directories), made with mode 0700 and checked before each use:
a real directory, not a symbolic link, owned by this user and closed to everyone else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotPrivate(Exception):
    """The directory exists but cannot be trusted (another owner, not a directory)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path} {why}")
        self.path = path


def runtime_directory() -> Path:
    """For locks: $XDG_RUNTIME_DIR/greencli when that directory is the user's own and
    private, as the XDG base directory specification requires it to be; else the cache
    directory's greencli."""
    runtime = _xdg("XDG_RUNTIME_DIR")
    if runtime is not None and _own_and_closed(runtime):
        return private_directory(runtime)
    return private_directory(_xdg("XDG_CACHE_HOME") or Path.home() / ".cache")


def state_directory() -> Path:
    """For what must outlast a reboot: $XDG_STATE_HOME/greencli (~/.local/state/greencli)."""
    return private_directory(_xdg("XDG_STATE_HOME") or Path.home() / ".local" / "state")


def private_directory(base: Path) -> Path:
    """`base`/greencli, created 0700 if missing; NotPrivate unless it is this user's own
    directory. One of the user's own that others may enter is closed (chmod 0700)."""
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = base / "greencli"
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    try:
        # The directory itself, never what a symbolic link in its place points to.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise NotPrivate(path, "is not a directory greencli can use (a symbolic link?)") from error
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISDIR(info.st_mode):
            raise NotPrivate(path, "is not a directory")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise NotPrivate(path, f"belongs to another user (uid {info.st_uid})")
        if info.st_mode & 0o077:
            os.fchmod(descriptor, 0o700)
    finally:
        os.close(descriptor)
    return path


def _xdg(name: str) -> Path | None:
    """An XDG base directory variable; relative paths are invalid and ignored (the spec)."""
    value = os.environ.get(name, "")
    return Path(value) if value and os.path.isabs(value) else None


def _own_and_closed(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owner_ok and not info.st_mode & 0o077
