"""The few questions greencli asks git about the project directory.

Every function answers None when git is missing or the directory is not in a work tree, so
callers can say "not a git repository" instead of failing.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path


def _git(directory: Path, *args: str, stdin: str | None = None, literal: bool = False) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(directory), *args],
            input=stdin,
            capture_output=True,
            text=True,
            errors="surrogateescape",  # a file name need not be UTF-8
            timeout=10,
            check=False,
            # literal: a file name is a file name, never pathspec magic (":(top)…", "*").
            env={**os.environ, "GIT_LITERAL_PATHSPECS": "1"} if literal else None,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def work_tree(directory: Path) -> Path | None:
    """The top of the git work tree holding `directory`, or None."""
    result = _git(directory, "rev-parse", "--show-toplevel")
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.strip())


def is_tracked(path: Path) -> bool | None:
    result = _git(path.parent, "ls-files", "--error-unmatch", "--", path.name, literal=True)
    if result is None or work_tree(path.parent) is None:
        return None
    return result.returncode == 0


def is_ignored(path: Path) -> bool | None:
    # "./": check-ignore reads its arguments as pathspecs without magic, and fails on ":(…)".
    result = _git(path.parent, "check-ignore", "-q", "--", f"./{path.name}")
    if result is None or result.returncode not in (0, 1):
        return None
    return result.returncode == 0


def tracked_files_containing(directory: Path, secret: str) -> list[str] | None:
    """Tracked files (relative to `directory`) whose working copy contains `secret`.

    The secret is passed on stdin, never on the command line where other users could see it.
    """
    result = _git(directory, "grep", "-l", "-I", "-F", "-f", "-", stdin=secret + "\n")
    if result is None or result.returncode not in (0, 1):
        return None
    return [line for line in result.stdout.splitlines() if line]


def ignored_among(top: Path, paths: list[str]) -> set[str] | None:
    """Which of `paths` (relative to the work tree `top`) git ignores, in one call; None when
    git could not tell. A file in the index (tracked, or added with -f) is never ignored."""
    if not paths:
        return set()
    listed = "".join(f"./{path}\0" for path in paths)
    result = _git(top, "check-ignore", "--stdin", "-z", stdin=listed)
    if result is None or result.returncode not in (0, 1):
        return None
    return {name[2:] if name.startswith("./") else name for name in result.stdout.split("\0") if name}


def publishable_files(directory: Path) -> list[str] | None:
    """The files under `directory` that git tracks or would add (not ignored), relative to it;
    None outside a work tree."""
    result = _git(directory, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    if result is None or result.returncode != 0:
        return None
    return sorted({name for name in result.stdout.split("\0") if name})


def gitignore_line(name: str) -> str | None:
    """The .gitignore line matching exactly the file `name` beside that .gitignore, or None
    when no line can (a line break in the name). Anchored with "/" (so a leading "#" or "!"
    is neither a comment nor a negation, and a same-named file deeper down is not matched),
    with git's wildcards escaped and trailing spaces kept (git drops unescaped ones)."""
    if "\n" in name or "\r" in name:
        return None
    escaped = re.sub(r"([\\*?\[])", r"\\\1", name)
    kept = escaped.rstrip(" ")
    return "/" + kept + "\\ " * (len(escaped) - len(kept))


def ignore(path: Path) -> str:
    """Make git ignore `path` through the .gitignore beside it; say how it went:
    "added", "already listed" (then still not ignored), "symlink" (never written through)
    or "inexpressible". The answer is git's own (check-ignore), not a guess from the file.
    The caller holds the directory's lock, so two runs never append the line twice."""
    gitignore = path.parent / ".gitignore"
    line = gitignore_line(path.name)
    if line is None:
        return "inexpressible"
    if gitignore.is_symlink():
        return "symlink"
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if line in existing.splitlines():
        return "already listed"
    try:  # O_NOFOLLOW: a symlink put there since the check above is still not followed
        descriptor = os.open(gitignore, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError:
        if gitignore.is_symlink():
            return "symlink"
        raise
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(("" if not existing or existing.endswith("\n") else "\n") + line + "\n")
    return "added"
