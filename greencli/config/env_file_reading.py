"""Reading an env file: its bytes, bounded, then its bindings as python-dotenv parses them.

`read_env_file` gives each of greencli's variables with the line it is on, and every problem
found (unreadable, not UTF-8, a line of greencli's that cannot be parsed, a variable set twice,
a token other users can read). Nothing is written into the process environment.

The bytes: a regular file of at most 1 MiB, or a refusal.

A `.env` arrives with a `git clone`, so it is outside input: a symlink to /dev/zero, a FIFO
that never ends or a 100 MB file must cost nothing and end in one clear line. The file is
checked before it is opened (so no device is ever opened), opened without blocking (a FIFO
that appeared in between does not wait for a writer), checked again on the open descriptor,
and read at most one byte past the limit.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from pathlib import Path
from typing import NamedTuple

from greencli.config.variables import CA_VARIABLES, TOKEN, VARIABLES, Problem

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


class EnvFile(NamedTuple):
    path: Path
    display: str
    values: dict[str, tuple[str, int]]  # variable -> (value, line)
    problems: list[Problem]


def read_env_file(path: Path, display: str) -> EnvFile:
    """Read a .env file with python-dotenv, keeping the line of each of greencli's variables."""
    import logging

    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    # greencli reports unparsable lines itself, naming file and line; not twice.
    logging.getLogger("dotenv.main").setLevel(logging.ERROR)

    problems: list[Problem] = []

    def unreadable(why: str, hint: str) -> EnvFile:
        problems.append(Problem("error", "env_file_error", f"{display} {why}", hint))
        return EnvFile(path, display, {}, problems)

    try:
        raw = read_env_bytes(path)
    except EnvFileRefused as refused:
        if refused.why.startswith("is a directory") and (display == ".env" or display.endswith("/.env")):
            return unreadable(
                refused.why,
                "greencli reads a file named .env; this one is a directory: rename it, or use --env-file PATH.",
            )
        return unreadable(refused.why, refused.hint)
    except PermissionError:
        return unreadable(
            "cannot be read: permission denied.",
            f"Make it readable by you: chmod 600 {display}",
        )
    except OSError as error:
        return unreadable(
            f"cannot be read ({error.strerror or error}).",
            "Check that the file exists and is a regular file.",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return unreadable(
            "is not a UTF-8 text file.",
            "Save it as plain UTF-8 text with lines like GREEN_API_INSTANCE_ID=1101000001.",
        )
    if "\x00" in text:
        return unreadable(
            "looks like a binary file, not a text .env file.",
            "Write lines like GREEN_API_INSTANCE_ID=1101000001 in a plain text file.",
        )

    lines: dict[str, list[int]] = {}
    for binding in parse_stream(io.StringIO(text)):
        # python-dotenv counts from the blank lines before a binding; count to the binding.
        leading = binding.original.string[: len(binding.original.string) - len(binding.original.string.lstrip())]
        line = binding.original.line + leading.count("\n")
        original = binding.original.string.strip()
        if binding.error:
            ours = re.match(r"(export\s+)?(GREEN_API_|GREENCLI_)", original)
            problems.append(
                Problem(
                    "error" if ours else "warning",
                    "env_file_error",
                    f"{display} line {line} cannot be parsed"
                    + (" (it looks like one of greencli's variables)." if ours else "."),
                    "Write it as NAME=value, quoting values that contain spaces or #.",
                )
            )
        elif binding.key in VARIABLES or binding.key in CA_VARIABLES:
            lines.setdefault(binding.key, []).append(line)

    if TOKEN in lines and path.stat().st_mode & 0o077:
        problems.append(
            Problem(
                "warning",
                "env_file_permissions",
                f"{display} holds the API token and can be read by other users on this machine.",
                f"Make it private: chmod 600 {display}",
            )
        )
    parsed = dotenv_values(stream=io.StringIO(text), interpolate=False)
    values: dict[str, tuple[str, int]] = {}
    for variable, found_on in lines.items():
        value = parsed.get(variable)
        if value is None:
            continue
        values[variable] = (value, found_on[-1])
        if len(found_on) > 1:
            problems.append(
                Problem(
                    "warning",
                    "duplicate_variable",
                    f"{variable} is set {len(found_on)} times in {display} "
                    f"(lines {', '.join(map(str, found_on))}); line {found_on[-1]} is used.",
                    f"Keep one {variable} line in {display}.",
                    variable,
                )
            )
    return EnvFile(path, display, values, problems)
