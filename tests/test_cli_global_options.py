"""Global options work before or after the command, and every usage error reads the same."""

from __future__ import annotations

import json

import pytest

from tests.commands_doc import command_paths


@pytest.mark.parametrize("args", [["doctor", "--json"], ["--json", "doctor"]])
def test_json_works_before_and_after_the_command(run_cli, args) -> None:
    result = run_cli(args)
    assert result.exit_code == 2  # nothing configured
    assert json.loads(result.stdout)["checks"][0]["id"] == "config"


@pytest.mark.parametrize("args", [["doctor", "--env-file", "nowhere.env"], ["--env-file", "nowhere.env", "doctor"]])
def test_env_file_works_before_and_after_the_command(run_cli, args) -> None:
    result = run_cli([*args, "--json"])
    config = json.loads(result.stdout)["checks"][0]
    assert config["status"] == "fail" and "nowhere.env" in config["message"]


def test_the_later_of_two_values_wins(run_cli, tmp_path) -> None:
    result = run_cli(["--instance-id", "1101000001", "doctor", "--instance-id", "1101000002", "--json"])
    assert json.loads(result.stdout)["instanceId"] == "1101000002"


def test_env_files_before_and_after_the_command_add_up_to_several_instances(run_cli, tmp_path) -> None:
    # --env-file is the one global option that adds up: each file is one instance (doctor and
    # check-state check several at once).
    result = run_cli(["--env-file", "first.env", "doctor", "--env-file", "second.env", "--json"])
    names = [instance["name"] for instance in json.loads(result.stdout)["instances"]]
    assert names == ["first", "second"]


def test_sandbox_after_the_command(run_cli) -> None:
    result = run_cli(["check-state", "--sandbox", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["stateInstance"] == "authorized"


def test_sandbox_refuses_credentials_it_would_ignore(run_cli) -> None:
    result = run_cli(["check-state", "--sandbox", "--api-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "--api-url" in result.stderr and result.stderr.startswith("error: ")


@pytest.mark.parametrize("path", command_paths()[1:], ids=lambda p: " ".join(p))
def test_every_command_lists_the_global_options(run_cli, path) -> None:
    result = run_cli([*path, "--help"])
    assert result.exit_code == 0
    assert "Global options (before or after the command):" in result.stdout
    assert "--env-file PATH" in result.stdout and "--sandbox" in result.stdout
    assert "--install-completion" not in result.stdout


def test_usage_shows_arguments_plainly(run_cli) -> None:
    result = run_cli(["send-test"])
    assert result.exit_code == 2
    assert "{PHONE}" not in result.stderr and "send-test [OPTIONS] PHONE" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["check-state", "--bogus"], ["send-test"], ["nosuch"], ["check-state", "--wait", "abc"], ["send-test", "79001234567", "--wait"]],
)
def test_usage_errors_read_like_every_other_error(run_cli, args) -> None:
    result = run_cli(args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: ")
    assert "Try '" not in result.stderr and not result.stderr.startswith("Usage:")
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["check-state", "--bogus", "--json"], ["check-state", "--json", "--bogus"], ["--json", "nosuch"], ["check-state", "--wait", "abc", "--json"]],
)
def test_usage_errors_with_json_are_the_error_document(run_cli, args) -> None:
    result = run_cli(args)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "usage_error"
    assert result.stderr == ""


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
