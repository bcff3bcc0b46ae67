"""Acting on exactly the file that was looked at: identities taken when a change is planned,
checked on the opened directory and file when it is applied.

Between `doctor --fix` showing its plan and the user's yes, another local user or a hostile
repository's hook can swap the file (or its directory) for a symlink to something else. The
change is then made through descriptors: the directory is opened and compared with the
planned one, the file is opened inside it with O_NOFOLLOW (a symlink is never followed) and
compared too, and the change is made on the open file (fchmod), never on a name.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import NamedTuple

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class Identity(NamedTuple):
    device: int
    inode: int


class ChangedSincePlanned(OSError):
    """The file or directory is no longer the one the plan was made for; nothing was changed."""


def identity(path: Path, follow_symlinks: bool = False) -> Identity | None:
    """The identity of `path` itself (a symlink's own, not its target's, unless
    `follow_symlinks`: directories are compared as reached), or None when missing."""
    try:
        info = os.stat(path, follow_symlinks=follow_symlinks)
    except OSError:
        return None
    return Identity(info.st_dev, info.st_ino)


def _of(info: os.stat_result) -> Identity:
    return Identity(info.st_dev, info.st_ino)


def open_directory(path: Path, expected: Identity | None = None) -> int:
    """A descriptor of directory `path`; ChangedSincePlanned when it is not `expected`."""
    descriptor = os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    if expected is not None and _of(os.fstat(descriptor)) != expected:
        os.close(descriptor)
        raise ChangedSincePlanned(f"{path} is no longer the directory greencli looked at; nothing was changed")
    return descriptor


def open_planned_file(directory: int, name: str, expected: Identity | None, shown: str) -> int:
    """A descriptor of the regular file `name` in the open `directory`, never through a
    symlink (ELOOP), and only when it is the `expected` file."""
    flags = _NOFOLLOW | _NONBLOCK | _CLOEXEC
    try:
        try:
            descriptor = os.open(name, os.O_RDONLY | flags, dir_fd=directory)
        except PermissionError:  # a file its owner cannot read can still be chmodded through a write open
            descriptor = os.open(name, os.O_WRONLY | flags, dir_fd=directory)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ChangedSincePlanned(f"{shown} is now a symbolic link; greencli does not follow it, nothing was changed") from None
        raise
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or (expected is not None and _of(info) != expected):
        os.close(descriptor)
        raise ChangedSincePlanned(f"{shown} is no longer the file greencli looked at; nothing was changed")
    return descriptor


def still_the_same(path: Path, directory: Identity | None, file: Identity | None) -> None:
    """ChangedSincePlanned unless `path`'s directory and `path` itself (not followed) are the
    planned ones: for changes made by another program (git) that take a name."""
    if directory is not None and identity(path.parent, follow_symlinks=True) != directory:
        raise ChangedSincePlanned(f"{path.parent} is no longer the directory greencli looked at; nothing was changed")
    if file is not None and identity(path) != file:
        raise ChangedSincePlanned(f"{path.name} is no longer the file greencli looked at; nothing was changed")

