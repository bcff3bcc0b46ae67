"""The pre-commit hook, run by the real `pre-commit` tool in fresh repositories.

greencli's repository is a snapshot of this work tree (tests/e2e/greencli_repository.py);
pre-commit builds the hook's virtualenv with `pip install .` of it, reading only a wheelhouse, so
the hook is built without any network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import token_leaks
from tests.e2e.greencli_repository import Repository, greencli_repository, shared_dir  # noqa: F401 - fixtures
from tests.git_repo import GitRepo

pytestmark = pytest.mark.e2e

HOOK = "greencli-token-scan"
ID = "1101000001"
HOST = "https://1101.api.green-api.com"


def pre_commit_command() -> list[str]:
    script = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "pre_commit"]


@pytest.fixture
def project(tmp_path: Path, greencli_repository: Repository) -> GitRepo:  # noqa: F811
    """A user's fresh repository, with greencli's hook in its .pre-commit-config.yaml."""
    made = GitRepo(tmp_path / "bot", environment=greencli_repository.install_env)
    made.write(".pre-commit-config.yaml", f"repos:\n  - repo: {greencli_repository.path}\n    rev: {greencli_repository.revision}\n    hooks:\n      - id: {HOOK}\n")
    return made


def pre_commit(project: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pre_commit_command(), *args], cwd=project.path, env=project.env, capture_output=True, text=True, timeout=900)


def no_token_in(token: str, *texts: str) -> None:
    for text in texts:
        assert not token_leaks(text, token), "the token (or 20 characters of it) was shown"


def test_try_repo_blocks_a_token_in_a_url_and_in_a_config_file_and_passes_the_rest(
    project: GitRepo, greencli_repository: Repository, token: str  # noqa: F811
) -> None:
    project.write("bot.py", f'import requests\n\nSEND = "{HOST}/waInstance{ID}/sendMessage/{token}"\n')
    project.write("config.json", f'{{\n  "idInstance": {ID},\n  "apiTokenInstance": "{token}"\n}}\n')
    project.write("clean.py", "print('no secrets here')\n")
    project.write(".env.example", "GREEN_API_INSTANCE_ID=\nGREEN_API_TOKEN=your-token-here\n")
    project.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n", mode=0o600)
    project.write(".gitignore", "/.env\n")
    project.add("bot.py", "config.json", "clean.py", ".env.example", ".gitignore")

    ran = pre_commit(project, "try-repo", str(greencli_repository.path), HOOK, "--ref", greencli_repository.revision)
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
