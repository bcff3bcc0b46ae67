"""Several instances, one .env file each: `--env-file` given more than once, or as a glob."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path

from greencli.errors import UsageError

_GLOB_CHARACTERS = frozenset("*?[")


def expand(values: Sequence[Path], cwd: Path) -> list[Path]:
    """Every file named by the --env-file values, globs expanded (sorted), without repeats."""
    files: list[Path] = []
    for value in values:
        text = str(value)
        if _GLOB_CHARACTERS.intersection(text):
            pattern = text if os.path.isabs(text) else str(cwd / text)
            matches = sorted(Path(match) for match in glob.glob(pattern) if not os.path.isdir(match))
            if not matches:
                raise UsageError(
                    f"--env-file {text} matches no file.",
                    "Check the pattern (quote it so the shell does not expand it first), e.g. --env-file 'envs/*.env'.",
                    code="env_file_error",
                )
            files.extend(_relative(match, cwd) for match in matches)
        else:
            files.append(value)
    unique: dict[Path, Path] = {}
    for path in files:
        unique.setdefault((path if path.is_absolute() else cwd / path).resolve(), path)
    return list(unique.values())


def instance_names(files: Sequence[Path]) -> list[str]:
    """What to call each instance in a report: the file's name without .env, else its folder."""

    def name(path: Path) -> str:
        if path.name == ".env":
            return path.resolve().parent.name or ".env"
        return path.name[: -len(".env")] if path.name.endswith(".env") and path.name != ".env" else path.name

    names = [name(path) for path in files]
    if len(set(names)) < len(names):  # two prod.env in different folders: show the paths
        return [str(path) for path in files]
    return names


def _relative(path: Path, cwd: Path) -> Path:
    try:
        return path.relative_to(cwd)
    except ValueError:
        return path
