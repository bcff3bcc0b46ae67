"""Finding a secret in a repository's history: every commit a `git push` would publish.

A token that one commit added and a later one removed is still in every clone. The search
reads each object reachable from any ref once (`git rev-list --all --objects` piped straight
into `git cat-file --batch`) and looks for the secret in greencli's own memory: the secret is
never handed to git, neither on a command line (which other local users can read in /proc
while git runs) nor on a pipe. Only the ids of the objects that hold it go back to git, to
name the commits that added or removed them (`git log --find-object`). Each version of a file
is read once however many commits share it, which is what keeps a long history fast; a
deadline bounds it all, and a search that runs out says so instead of passing.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# The repository that holds `top`, never one an inherited GIT_DIR / GIT_WORK_TREE points at.
from greencli.config.git import environment

_CHUNK = 1 << 20
MAX_NAMED = 20  # versions holding the secret that are traced to their commits


@dataclass(frozen=True)
class Leak:
    commit: str  # short hash
    how: str  # "added", "removed" or "message" (the commit message holds it)
    path: str | None = None


@dataclass
class HistorySearch:
    leaks: list[Leak] = field(default_factory=list)
    complete: bool = True  # False: the deadline came first, so not all of history was read
    objects: int = 0  # objects read


def find_in_history(top: Path, secret: str, seconds: float) -> HistorySearch | None:
    """Every commit reachable from a ref that added or removed a file version holding `secret`,
    or whose message holds it; None when git cannot be run here."""
    deadline = time.monotonic() + seconds
    needle = secret.encode("utf-8")
    try:
        listing = subprocess.Popen(["git", "-C", str(top), "rev-list", "--all", "--objects"], env=environment(),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    except OSError:
        return None
    try:
        reader = subprocess.Popen(
            ["git", "-C", str(top), "cat-file", "--batch=%(objectname) %(objecttype) %(objectsize) %(rest)"],
            stdin=listing.stdout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment(),
        )
    except OSError:
        listing.kill()
        listing.wait()
        return None
    assert listing.stdout is not None and reader.stdout is not None
    listing.stdout.close()  # the reader has it now: rev-list ends when the reader does
    search = HistorySearch()
    # At the deadline both processes are stopped; the read below then ends at once.
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), _stop, (listing, reader, search))
    timer.start()
    blobs: dict[str, str] = {}  # version holding the secret -> a path it had
    commits: list[str] = []
    try:
        for object_id, kind, path, holds in _objects(reader.stdout, needle):
            search.objects += 1
            if holds and kind == "blob":
                blobs.setdefault(object_id, path)
            elif holds and kind == "commit":
                commits.append(object_id)
    finally:
        timer.cancel()
        for process in (listing, reader):
            if process.poll() is None:
                process.kill()
            process.wait()
    if not search.complete:
        return search
    if listing.returncode != 0 or reader.returncode != 0:
        return None  # not a repository git can read (or one without any commit)
    leaks = [Leak(commit, "message") for commit in _short_hashes(top, commits)]
    if blobs:
        traced = _trace(top, dict(list(blobs.items())[:MAX_NAMED]), deadline)
        if traced is None:
            search.complete = False
            return search
        leaks += traced
    search.leaks = leaks
    return search


def _stop(listing: subprocess.Popen[bytes], reader: subprocess.Popen[bytes], search: HistorySearch) -> None:
    search.complete = False
    for process in (listing, reader):
        if process.poll() is None:
            process.kill()


def _objects(stream: IO[bytes], needle: bytes) -> Iterator[tuple[str, str, str, bool]]:
    """(id, type, path, whether it holds `needle`) for each object cat-file writes."""
    while True:
        header = stream.readline()
        if not header:
            return
        parts = header.rstrip(b"\n").split(b" ", 3)
        if len(parts) < 3 or parts[1] == b"missing":
            continue
        object_id, kind, size = parts[0].decode(), parts[1].decode(), int(parts[2])
        path = parts[3].decode("utf-8", "surrogateescape") if len(parts) > 3 else ""
        holds = _holds(stream, size, needle) if kind in ("blob", "commit", "tag") else _skip(stream, size)
        stream.read(1)  # the newline after the content
        yield object_id, kind, path, holds


def _holds(stream: IO[bytes], size: int, needle: bytes) -> bool:
    """Read `size` bytes, a chunk at a time, and say whether `needle` is among them."""
    found = False
    tail = b""
    while size > 0:
        chunk = stream.read(min(_CHUNK, size))
        if not chunk:
            return found
        size -= len(chunk)
        if not found:
            window = tail + chunk
            found = needle in window
            tail = window[-(len(needle) - 1):] if len(needle) > 1 else b""
    return found


def _skip(stream: IO[bytes], size: int) -> bool:
    while size > 0:
        chunk = stream.read(min(_CHUNK, size))
        if not chunk:
            break
        size -= len(chunk)
    return False


def _trace(top: Path, blobs: dict[str, str], deadline: float) -> list[Leak] | None:
    """The commits that added or removed each version in `blobs`; None when out of time."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    # Oldest first; %h and the raw lines' object ids are git's short forms, unique here.
    command = ["git", "-C", str(top), "log", "--all", "--reverse", "--format=%x00%h", "--raw", "--no-renames"]
    command += [f"--find-object={blob}" for blob in blobs]
    try:
        result = subprocess.run(command, capture_output=True, timeout=remaining, check=False, stdin=subprocess.DEVNULL, env=environment())
    except subprocess.TimeoutExpired:
        return None
    except OSError:
        return []
    leaks: list[Leak] = []
    commit = ""
    for line in result.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("\0"):
            commit = line[1:]
        elif line.startswith(":") and "\t" in line:
            fields, path = line[1:].split("\t", 1)
            old, new = (short.rstrip(".") for short in fields.split()[2:4])
            if any(blob.startswith(new) for blob in blobs):
                leaks.append(Leak(commit, "added", path))
            elif any(blob.startswith(old) for blob in blobs):
                leaks.append(Leak(commit, "removed", path))
    return leaks


def _short_hashes(top: Path, commits: list[str]) -> list[str]:
    """git's short form of each commit id (unique in this repository)."""
    if not commits:
        return []
    try:
        result = subprocess.run(["git", "-C", str(top), "log", "--no-walk=unsorted", "--format=%h", *commits],
                                capture_output=True, text=True, timeout=10, check=False, stdin=subprocess.DEVNULL, env=environment())
        short = result.stdout.split()
    except (OSError, subprocess.SubprocessError):
        short = []
    return short if len(short) == len(commits) else [commit[:12] for commit in commits]
