"""Which env file a run reads: the one named by --env-file, else the nearest `.env`."""

from __future__ import annotations

import os
from pathlib import Path

from greencli.config.env_file_reading import EnvFile, read_env_file
from greencli.config.variables import Problem


def find_env_file(env_file: Path | None, cwd: Path, problems: list[Problem]) -> EnvFile | None:
    """The env file this run reads, read; None when there is none (a problem is added when
    the one named by --env-file does not exist)."""
    if env_file is not None:
        path = env_file if env_file.is_absolute() else cwd / env_file
        if not path.exists():
            problems.append(
                Problem(
                    "error",
                    "env_file_error",
                    f"The file given with --env-file does not exist: {env_file}",
                    "Check the path, or run `greencli init` in that directory to write one.",
                )
            )
            return None
        return read_env_file(path, str(env_file))
    nearest = nearest_env_file(cwd)
    if nearest is None:
        return None
    return read_env_file(nearest, os.path.relpath(nearest, cwd))


def project_root(cwd: Path) -> Path | None:
    """The top of the git work tree holding `cwd` (the nearest directory with a .git), or None.

    Found by looking for `.git` rather than by asking git: every command reads .env, and a git
    process would cost more than the rest of greencli's start-up.
    """
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists():
            return directory
    return None


def nearest_env_file(cwd: Path, home: Path | None = None) -> Path | None:
    """`.env` in `cwd`, else in its parents: up to the top of the git work tree holding `cwd`,
    or, outside a work tree, up to the home directory holding it (`home`, else $HOME) — never
    above either; elsewhere only `cwd`. A command run in a project's subdirectory finds the
    project's .env, and never one from another project or another user."""
    top = project_root(cwd) or _home_holding(cwd, home)
    directories = [cwd] if top is None else [cwd, *cwd.parents[: len(cwd.parents) - len(top.parents)]]
    for directory in directories:
        path = directory / ".env"
        if path.exists() or path.is_symlink():
            return path
    return None


def _home_holding(cwd: Path, home: Path | None) -> Path | None:
    """The home directory when `cwd` is in it (compared as real paths), else None; a home
    directory that is the file system's root counts as none."""
    try:
        home = (home or Path.home()).resolve()
    except (RuntimeError, KeyError, OSError):  # no home directory known
        return None
    if home == Path(home.anchor):
        return None
    return home if cwd == home or home in cwd.parents else None
