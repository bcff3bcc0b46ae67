"""A throw-away git repository for tests: files written, added and committed as a user would,
with git's user-level configuration kept out (no global hooks, aliases or signing)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def isolated_git_environment(home: Path) -> dict[str, str]:
    """Variables that keep git (and what it runs) from the user's own configuration."""
    empty = home / "gitconfig"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.touch()
    return {
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test User",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test User",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }


class GitRepo:
    def __init__(self, path: Path, environment: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.env = {**os.environ, **isolated_git_environment(path.parent / f".{path.name}-git-home"), **(environment or {})}
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=self.path, env=self.env, capture_output=True, text=True, check=check, input=input)

    def write(self, name: str, text: str, mode: int | None = None) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if mode is not None:
            path.chmod(mode)
        return path

    def add(self, *names: str, force: bool = False) -> None:
        self.git("add", *(["-f"] if force else []), "--", *names)

    def commit(self, message: str, *names: str) -> str:
        """Add `names` (all changes when none), commit without hooks, give the short hash."""
        if names:
            self.add(*names)
        else:
            self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "--short", "HEAD").stdout.strip()
