"""`greencli doctor --fix`: safe repairs offered, applied with --yes, then checked again."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import RunningSandbox, start


@pytest.fixture
def broken_project(tmp_path: Path) -> Iterator[RunningSandbox]:
    """A git project whose .env is 644 and not ignored, for an instance with notifications off."""
    sandbox = start(Options(state="authorized", restart_seconds=0.5), rate_limits=False)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    env_file = tmp_path / ".env"
    env_file.write_text(f"GREEN_API_INSTANCE_ID={sandbox.instance.instance_id}\nGREEN_API_TOKEN={sandbox.instance.token}\nGREEN_API_URL={sandbox.url}\n")
    os.chmod(env_file, 0o644)
    yield sandbox
    sandbox.stop()


def test_fix_yes_turns_a_broken_project_into_a_passing_one(run_cli, broken_project: RunningSandbox, tmp_path: Path) -> None:
    before = run_cli(["doctor", "--json"])
    assert before.exit_code == 1
    result = run_cli(["doctor", "--fix", "--yes", "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert {fix["id"]: fix["outcome"] for fix in document["fixes"]} == {
        "env_permissions": "applied",
        "env_ignored": "applied",
        "notifications": "applied",
    }
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=tmp_path, check=False)
    assert ignored.returncode == 0
    settings = broken_project.instance.settings
    assert all(settings[name] == "yes" for name in guide_settings() if name.endswith("Webhook") and guide_settings()[name] == "yes")
    assert len([r for r in broken_project.sandbox.requests if r.get("method") == "setSettings"]) == 1  # one restart


def test_without_yes_or_a_terminal_nothing_is_applied(run_cli, broken_project: RunningSandbox, tmp_path: Path) -> None:
    result = run_cli(["doctor", "--fix", "--json"])
    assert result.exit_code == 1
    outcomes = {fix["outcome"] for fix in json.loads(result.stdout)["fixes"]}
    assert outcomes == {"skipped"}
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o644
    assert not (tmp_path / ".gitignore").exists()


def test_a_tracked_env_is_untracked_with_a_warning_to_rotate(run_cli, broken_project: RunningSandbox, tmp_path: Path) -> None:
    subprocess.run(["git", "add", ".env"], cwd=tmp_path, check=True)
    result = run_cli(["doctor", "--fix", "--yes"])
    assert "greencli token rotate" in result.stderr
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", ".env"], cwd=tmp_path, capture_output=True, check=False)
    assert tracked.returncode != 0  # no longer tracked
    assert (tmp_path / ".env").exists()  # but still there


def test_a_healthy_project_has_nothing_to_fix(run_cli, tmp_path: Path) -> None:
    sandbox = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    try:
        env = {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}
        result = run_cli(["doctor", "--fix", "--yes", "--json"], env=env)
    finally:
        sandbox.stop()
    assert result.exit_code == 0
    assert json.loads(result.stdout)["fixes"] == []
