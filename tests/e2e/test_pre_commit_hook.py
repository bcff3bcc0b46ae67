"""The pre-commit hook, run by the real `pre-commit` tool in fresh repositories.

greencli's hook repository is a snapshot of this work tree (the package, pyproject.toml, README
and .pre-commit-hooks.yaml) committed to a repository in a temporary directory, as a user's
`repo:` would be. pre-commit builds the hook's virtualenv by `pip install .` of that repository;
here pip reads only a wheelhouse made once per run (PIP_NO_INDEX), so building the hook needs no
network at all: the wheelhouse is the one step that uses pip's configured index.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import token_leaks
from tests.git_repo import GitRepo

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
HOOK = "greencli-token-scan"
ID = "1101000001"
HOST = "https://1101.api.green-api.com"
# What `pip install .` of greencli needs from its repository.
SNAPSHOT = ("greencli", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def pre_commit_command() -> list[str]:
    script = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "pre_commit"]


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
    """A directory every xdist worker of this run shares (pre-commit's store, the wheelhouse)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / "pre-commit-hook"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def hook_repo(shared_dir: Path) -> tuple[Path, str, dict[str, str]]:
    """greencli's hook repository (path, commit) and the environment pre-commit runs in."""
    files = source_files()
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (PROJECT / name).read_bytes() + b"\0")
    key = digest.hexdigest()[:16]
    repo_path, wheelhouse = shared_dir / f"greencli-{key}", shared_dir / f"wheels-{key}"
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(shared_dir / "store"),  # pre-commit locks it for its own installs
        "XDG_CACHE_HOME": str(shared_dir / "cache"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(shared_dir / "virtualenv"),
        "VIRTUALENV_CONFIG_FILE": str(shared_dir / "no-virtualenv.ini"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    with locked(shared_dir / "lock"):
        if not (repo_path / ".git").exists():
            built = GitRepo(shared_dir / f"building-{key}")
            for name in files:
                target = built.path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT / name, target)
            built.commit("greencli as a hook repository")
            # The only step that reads pip's configured index: every later install reads this.
            subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(wheelhouse), str(built.path), "setuptools>=69"],
                check=True, capture_output=True, timeout=900,
            )
            built.path.rename(repo_path)
        revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo_path, capture_output=True, text=True, check=True).stdout.strip()
    return repo_path, revision, env


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str, dict[str, str]]) -> GitRepo:
    """A user's fresh repository, with greencli's hook in its .pre-commit-config.yaml."""
    path, revision, env = hook_repo
    made = GitRepo(tmp_path / "bot", environment={key: value for key, value in env.items() if key.startswith(("PRE_COMMIT", "PIP_", "XDG_", "VIRTUALENV_"))})
    made.write(".pre-commit-config.yaml", f"repos:\n  - repo: {path}\n    rev: {revision}\n    hooks:\n      - id: {HOOK}\n")
    return made


def pre_commit(project: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pre_commit_command(), *args], cwd=project.path, env=project.env, capture_output=True, text=True, timeout=900)


def no_token_in(token: str, *texts: str) -> None:
    for text in texts:
        assert not token_leaks(text, token), "the token (or 20 characters of it) was shown"


def test_try_repo_blocks_a_token_in_a_url_and_in_a_config_file_and_passes_the_rest(
    project: GitRepo, hook_repo: tuple[Path, str, dict[str, str]], token: str
) -> None:
    path, revision, _ = hook_repo
    project.write("bot.py", f'import requests\n\nSEND = "{HOST}/waInstance{ID}/sendMessage/{token}"\n')
    project.write("config.json", f'{{\n  "idInstance": {ID},\n  "apiTokenInstance": "{token}"\n}}\n')
    project.write("clean.py", "print('no secrets here')\n")
    project.write(".env.example", "GREEN_API_INSTANCE_ID=\nGREEN_API_TOKEN=your-token-here\n")
    project.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n", mode=0o600)
    project.write(".gitignore", "/.env\n")
    project.add("bot.py", "config.json", "clean.py", ".env.example", ".gitignore")

    ran = pre_commit(project, "try-repo", str(path), HOOK, "--ref", revision)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "Green API token scan" in ran.stdout and "Failed" in ran.stdout
    assert "bot.py:3  a token in a Green API request URL" in ran.stdout
    assert "config.json:3  apiTokenInstance is set to a token" in ran.stdout
    assert f"{token[:4]}...{token[-4:]}" in ran.stdout  # masked as everywhere
    assert "clean.py" not in ran.stdout and ".env.example" not in ran.stdout
    no_token_in(token, ran.stdout, ran.stderr)


def test_the_installed_hook_stops_the_commit_and_lets_a_clean_one_through(project: GitRepo, token: str) -> None:
    installed = pre_commit(project, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    project.write(".gitignore", "/.env\n")
    project.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n", mode=0o600)
    project.write("bot.py", "import os\nTOKEN = os.environ['GREEN_API_TOKEN']\n")
    project.add(".gitignore", "bot.py", ".pre-commit-config.yaml")
    clean = project.git("commit", "-m", "a bot that reads its token from the environment", check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr  # the ignored .env stays out and passes
    first = project.head()

    project.write("send.sh", f"curl -X POST {HOST}/waInstance{ID}/sendMessage/{token} -d @message.json\n")
    project.add("send.sh")
    blocked = project.git("commit", "-m", "a script with the token in it", check=False)
    assert blocked.returncode != 0
    assert project.head() == first  # nothing was committed
    assert "send.sh:1  a token in a Green API request URL" in blocked.stdout + blocked.stderr
    no_token_in(token, blocked.stdout, blocked.stderr)


def test_an_env_file_forced_past_gitignore_is_stopped(project: GitRepo, token: str) -> None:
    project.write(".gitignore", ".env\n")
    project.write(".env", f"GREEN_API_TOKEN={token}\n", mode=0o600)
    project.add(".gitignore", ".pre-commit-config.yaml")
    project.add(".env", force=True)
    ran = pre_commit(project, "run")
    assert ran.returncode == 1
    assert ".env:1  .env holds the token" in ran.stdout
    no_token_in(token, ran.stdout, ran.stderr)
