"""greencli's own repository as users reach it: a pre-commit `repo:` or a GitHub Action's ref.

A snapshot of this work tree (the package, pyproject.toml, README, the hook and action files)
committed to a repository in a temporary directory, and a wheelhouse of everything
`pip install .` of it needs. Installs in the tests read only the wheelhouse (PIP_NO_INDEX), so
they need no network at all: making the wheelhouse is the one step that uses pip's configured
index, once per run, shared by every xdist worker.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.git_repo import GitRepo

PROJECT = Path(__file__).resolve().parents[2]
# What `pip install .` of greencli needs, and the files that make it a hook and an action.
SNAPSHOT = ("greencli", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "action.yml")


class Repository(NamedTuple):
    path: Path
    revision: str
    wheelhouse: Path
    # pre-commit's store, caches and pip's settings for installing offline from the wheelhouse
    install_env: dict[str, str]


def source_files() -> list[str]:
    """The snapshot's files: those git tracks or would add (no caches, no build output)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *SNAPSHOT],
        cwd=PROJECT, capture_output=True, text=True, check=True,
    ).stdout
    return sorted(name for name in set(listed.split("\0")) if name and (PROJECT / name).is_file())


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """One xdist worker at a time (the others wait, then reuse what it made)."""
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A directory every xdist worker of this run shares."""
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / "greencli-repository"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def greencli_repository(shared_dir: Path) -> Repository:
    files = source_files()
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (PROJECT / name).read_bytes() + b"\0")
    key = digest.hexdigest()[:16]
    path, wheelhouse = shared_dir / f"greencli-{key}", shared_dir / f"wheels-{key}"
    with locked(shared_dir / "lock"):
        if not (path / ".git").exists():
            built = GitRepo(shared_dir / f"building-{key}")
            for name in files:
                target = built.path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT / name, target)
            built.commit("greencli as users reach it")
            # The only step that reads pip's configured index: every later install reads this.
            subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(wheelhouse), str(built.path), "setuptools>=69"],
                check=True, capture_output=True, timeout=900,
            )
            built.path.rename(path)
        revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, check=True).stdout.strip()
    install_env = {
        "PRE_COMMIT_HOME": str(shared_dir / "pre-commit"),  # pre-commit locks it for its own installs
        "XDG_CACHE_HOME": str(shared_dir / "cache"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(shared_dir / "virtualenv"),
        "VIRTUALENV_CONFIG_FILE": str(shared_dir / "no-virtualenv.ini"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return Repository(path, revision, wheelhouse, install_env)

