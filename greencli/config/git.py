"""The few questions greencli asks git about the project directory.

Every function answers None when git is missing or the directory is not in a work tree, so
callers can say "not a git repository" instead of failing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(directory: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(directory), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
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
    result = _git(path.parent, "ls-files", "--error-unmatch", "--", path.name)
    if result is None or work_tree(path.parent) is None:
        return None
    return result.returncode == 0


def is_ignored(path: Path) -> bool | None:
    result = _git(path.parent, "check-ignore", "-q", "--", path.name)
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
