"""Small things a new user hit, each reproduced: the message must say what is true."""

from __future__ import annotations

import json


def test_a_trailing_slash_does_not_make_the_same_url_a_different_one(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["--api-url", "http://127.0.0.1:9/", "doctor", "--json"], env=env)
    assert "overrides" not in result.stderr + result.stdout


def test_env_file_naming_a_directory_is_not_told_to_remove_it(run_cli, tmp_path) -> None:
    (tmp_path / "configs").mkdir()
    result = run_cli(["--env-file", "configs", "check-state"])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr and "Remove it" not in result.stderr
    assert "--env-file" in result.stderr


def test_a_zero_timeout_is_explained_truthfully(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREENCLI_TIMEOUT": "0"}
    result = run_cli(["check-state"], env=env)
    assert result.exit_code == 2
    assert "more than 0" in result.stderr and "between 0 and" not in result.stderr


def test_only_the_token_missing_speaks_of_one_value(run_cli) -> None:
    result = run_cli(["check-state"], env={"GREEN_API_INSTANCE_ID": "1101000001"})
    assert result.exit_code == 2
    assert "GREEN_API_TOKEN is not set" in result.stderr
    assert "Both" not in result.stderr and "write them" not in result.stderr


def test_sandbox_says_where_it_runs(run_cli) -> None:
    result = run_cli(["--sandbox", "check-state"])
    assert result.exit_code == 0
    assert "http://127.0.0.1:" in result.stderr and "/sandbox" in result.stderr
    quiet = run_cli(["--sandbox", "check-state", "--json"])
    assert json.loads(quiet.stdout)["ok"] and quiet.stderr == ""


def test_quiet_leaves_out_progress_and_next_steps(run_cli) -> None:
    loud = run_cli(["--sandbox", "webhooks", "disable", "--verify-wait", "0"])
    quiet = run_cli(["--sandbox", "webhooks", "disable", "--verify-wait", "0", "--quiet"])
    assert loud.exit_code == quiet.exit_code == 0
    assert "restarts to apply settings" in loud.stdout and "restarts to apply settings" not in quiet.stdout
    assert quiet.stderr == ""  # not even where the sandbox runs
    assert quiet.stdout.splitlines()[0] == loud.stdout.splitlines()[0]  # the result itself stays
