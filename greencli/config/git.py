"""The few questions greencli asks git about the project directory, and the two changes it
makes (untracking a .env, adding it to .gitignore).

Every question answers None when git is missing or the directory is not in a work tree, so
callers can say "not a git repository" instead of failing.

git is always asked about the repository that holds the directory, found from the directory
alone: variables inherited from the caller that point git elsewhere (GIT_DIR, GIT_WORK_TREE,
GIT_INDEX_FILE…, the list `git rev-parse --local-env-vars` prints) are removed, so `git rm
--cached` never reaches another repository. File names are given literally
(GIT_LITERAL_PATHSPECS=1): a file named `:(top)a.env` is that file, never pathspec magic.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Mapping
from pathlib import Path

from greencli.config.file_identity import Identity, open_directory

# `git rev-parse --local-env-vars` (git 2.39): what makes git act on another repository.
_REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR", "GIT_NAMESPACE",
    }
)
# git refuses GIT_LITERAL_PATHSPECS together with any of these.
_OTHER_PATHSPEC_VARIABLES = frozenset({"GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS"})
_MAX_GITIGNORE = 10 * 1024 * 1024


def environment(environ: Mapping[str, str] | None = None, literal: bool = True) -> dict[str, str]:
    """The environment greencli runs git in: no variable that points it at another
    repository, file names taken literally (`literal`; check-ignore refuses that setting and
    takes no pathspec magic anyway), git's own prompts off."""
    environ = os.environ if environ is None else environ
    cleaned = {
        name: value
        for name, value in environ.items()
        if name not in _REPOSITORY_VARIABLES
        and name not in _OTHER_PATHSPEC_VARIABLES
        and not name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    if literal:
        cleaned["GIT_LITERAL_PATHSPECS"] = "1"
    cleaned["GIT_TERMINAL_PROMPT"] = "0"
    return cleaned


def _git(
    directory: Path, *args: str, stdin: str | None = None, literal: bool = True
) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            # core.fsmonitor off: a repository's own config must not run a program of its choice.
            ["git", "-c", "core.fsmonitor=false", "-C", str(directory), *args],
            input=stdin,
            capture_output=True,
            text=True,
            errors="surrogateescape",  # a file name need not be UTF-8
            timeout=10,
            check=False,
            env=environment(literal=literal),
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
    """Whether git ignores `path` (a tracked file is never ignored)."""
    return _check_ignore(path)


def is_listed(path: Path) -> bool | None:
    """Whether git's ignore rules match `path`, tracked or not: a tracked .env that .gitignore
    already lists needs `git rm --cached`, not another line."""
    return _check_ignore(path, "--no-index")


def _check_ignore(path: Path, *options: str) -> bool | None:
    if not _ignore_files_are_regular(path.parent):
        return None  # git would wait on a FIFO .gitignore until its timeout: say "unknown" at once
    # "./": a name like "-x" or ":(top)x" stays a file name.
    result = _git(path.parent, "check-ignore", "-q", *options, "--", f"./{path.name}", literal=False)
    if result is None or result.returncode not in (0, 1):
        return None
    return result.returncode == 0


def _ignore_files_are_regular(directory: Path) -> bool:
    """Whether every .gitignore git reads for `directory` (up to the work tree's top) is a
    regular file or absent. A hostile repository can hold a FIFO named .gitignore; git opens
    and reads it (symlinks it refuses since 2.32), which blocks."""
    for folder in (directory, *directory.parents):
        try:
            mode = os.stat(folder / ".gitignore", follow_symlinks=False).st_mode
        except OSError:
            mode = None
        if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            return False
        if os.path.lexists(folder / ".git"):
            return True
    return True


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
    result = _git(top, "check-ignore", "--stdin", "-z", stdin=listed, literal=False)
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


def untrack(path: Path) -> None:
    """`git rm --cached` exactly `path` (the file stays); OSError when git refuses."""
    done = _git(path.parent, "rm", "--cached", "--quiet", "--", path.name)
    if done is None:
        raise OSError("git could not be run")
    if done.returncode != 0:
        raise OSError(f"git rm --cached failed: {done.stderr.strip()[:200]}")


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


def ignore(path: Path, directory_identity: Identity | None = None) -> str:
    """Make git ignore `path` through the .gitignore beside it; say how it went:
    "added", "already listed" (then still not ignored), "symlink" (never written through)
    or "inexpressible". OSError when .gitignore cannot be read or written (a FIFO, a device,
    over 10 MiB) or, given `directory_identity`, the directory is no longer that one.

    The .gitignore is opened inside the opened directory, with O_NOFOLLOW, read and appended
    through that one descriptor. The caller holds the directory's lock, so two runs never
    append the line twice."""
    line = gitignore_line(path.name)
    if line is None:
        return "inexpressible"
    directory = open_directory(path.parent, directory_identity)
    try:
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(".gitignore", flags | getattr(os, "O_CLOEXEC", 0), 0o644, dir_fd=directory)
        except OSError:
            if os.path.islink(path.parent / ".gitignore"):
                return "symlink"
            raise
    finally:
        os.close(directory)
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_GITIGNORE:
        os.close(descriptor)
        raise OSError(".gitignore is not a regular file" if not stat.S_ISREG(info.st_mode) else ".gitignore is over 10 MiB")
    with os.fdopen(descriptor, "r+b") as handle:
        existing = handle.read(_MAX_GITIGNORE + 1).decode("utf-8", "replace")
        if line in existing.splitlines():
            return "already listed"
        handle.write((("" if not existing or existing.endswith("\n") else "\n") + line + "\n").encode("utf-8"))
    return "added"
