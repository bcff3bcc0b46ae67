"""`greencli doctor --fix --yes` in hostile repositories: inherited GIT_DIR / GIT_WORK_TREE
pointing at another repository, a file name that is pathspec magic, a .gitignore that is a
FIFO. The installed greencli runs against the project's sandbox on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import RunningSandbox, start
from tests.hostile.runner import plain_environment, run_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    yield running
    running.stop()


def git(directory: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", "-C", str(directory), *args], check=True, capture_output=True, text=True, env=env).stdout


def repository(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q")
    return path


def credentials(sandbox: RunningSandbox) -> str:
    return (
        f"GREEN_API_INSTANCE_ID={sandbox.instance.instance_id}\nGREEN_API_TOKEN={sandbox.instance.token}\n"
        f"GREEN_API_URL={sandbox.url}\n"
    )


def tracked(directory: Path) -> list[str]:
    return git(directory, "ls-files", "-z").split("\0")[:-1]


def fix(cwd: Path, home: Path, *args: str, **env: str):  # noqa: ANN201
    return run_in([*args, "doctor", "--fix", "--yes", "--json"], cwd, plain_environment(HOME=str(home), **env), limit=60)


def test_inherited_git_dir_never_sends_git_rm_to_another_repository(tmp_path: Path, sandbox: RunningSandbox) -> None:
    other = repository(tmp_path / "other")
    (other / ".env").write_text("SOMEONE_ELSES=1\n")
    git(other, "add", ".env")
    project = repository(tmp_path / "project")
    (project / ".env").write_text(credentials(sandbox))
    (project / ".env").chmod(0o600)
    git(project, "add", ".env")
    run = fix(project, tmp_path, GIT_DIR=str(other / ".git"), GIT_WORK_TREE=str(other), GIT_INDEX_FILE=str(other / ".git" / "index"))
    outcomes = {f["id"]: f["outcome"] for f in json.loads(run.stdout)["fixes"]}
    assert outcomes.get("env_untracked") == "applied", run.stdout + run.stderr
    assert tracked(other) == [".env"]  # the other repository is untouched
    assert tracked(project) == []
    assert (project / ".env").exists()


def test_a_pathspec_magic_name_untracks_that_file_and_no_other(tmp_path: Path, sandbox: RunningSandbox) -> None:
    project = repository(tmp_path / "project")
    (project / "a.env").write_text("NOT_OURS=1\n")
    (project / "sub").mkdir()
    ours = project / "sub" / ":(top)a.env"
    ours.write_text(credentials(sandbox))
    ours.chmod(0o600)
    git(project, "add", "--", "a.env", "sub/:(top)a.env")
    run = fix(project / "sub", tmp_path, "--env-file", ":(top)a.env")
    outcomes = {f["id"]: f["outcome"] for f in json.loads(run.stdout)["fixes"]}
    assert outcomes.get("env_untracked") == "applied", run.stdout + run.stderr
    assert tracked(project) == ["a.env"]
    ignored = subprocess.run(["git", "-C", str(project / "sub"), "check-ignore", "-q", "--", "./:(top)a.env"], check=False)
    assert ignored.returncode == 0  # and the line written matches that name only
    assert subprocess.run(["git", "-C", str(project), "check-ignore", "-q", "a.env"], check=False).returncode == 1


def test_a_tracked_env_already_in_gitignore_is_not_offered_again(tmp_path: Path, sandbox: RunningSandbox) -> None:
    project = repository(tmp_path / "project")
    (project / ".gitignore").write_text("/.env\n")
    (project / ".env").write_text(credentials(sandbox))
    (project / ".env").chmod(0o600)
    git(project, "add", "-f", ".env")
    run = fix(project, tmp_path)
    assert [f["id"] for f in json.loads(run.stdout)["fixes"]] == ["env_untracked"], run.stdout
    assert (project / ".gitignore").read_text() == "/.env\n"
    assert tracked(project) == []


def test_a_gitignore_that_is_a_fifo_fails_the_fix_at_once(tmp_path: Path, sandbox: RunningSandbox) -> None:
    project = repository(tmp_path / "project")
    (project / ".env").write_text(credentials(sandbox))
    (project / ".env").chmod(0o600)
    os.mkfifo(project / ".gitignore")
    run = fix(project, tmp_path)
    outcomes = {f["id"]: (f["outcome"], f["message"]) for f in json.loads(run.stdout)["fixes"]}
    assert outcomes["env_ignored"][0] == "failed" and "not a regular file" in outcomes["env_ignored"][1]
