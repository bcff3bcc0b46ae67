"""`greencli doctor` through greencli.cli.app.main: its exit codes and its two renderings."""

from __future__ import annotations

import json
import re

from greencli.sandbox.instance import guide_settings


def statuses(stdout: str) -> dict[str, str]:
    return {check["id"]: check["status"] for check in json.loads(stdout)["checks"]}


def test_doctor_exits_2_when_the_configuration_is_missing(run_cli) -> None:
    result = run_cli(["doctor", "--json"])
    assert result.exit_code == 2
    checks = statuses(result.stdout)
    assert checks["config"] == "fail" and checks["credentials"] == "skip"


def test_a_healthy_setup_passes_every_check_with_exit_0(run_cli, local_sandbox, assert_no_token) -> None:
    env, running = local_sandbox(state="authorized", settings=guide_settings())
    result = run_cli(["doctor", "--json"], env=env)
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["summary"]["failed"] == 0
    assert set(statuses(result.stdout).values()) <= {"pass", "warn"}
    assert_no_token(result, running.instance.token)


def test_an_unlinked_phone_fails_the_state_check_with_exit_1(run_cli, local_sandbox) -> None:
    env, _ = local_sandbox(state="notAuthorized", settings=guide_settings())
    result = run_cli(["doctor"], env=env)
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "greencli qr" in result.stdout
    assert re.search(r"^\d+ passed, \d+ warnings?, [1-9]\d* failed", result.stdout, re.MULTILINE)  # the summary


def test_a_wrong_instance_id_is_diagnosed_without_leaving_the_configured_host(run_cli, local_sandbox) -> None:
    env, _ = local_sandbox(state="authorized")
    result = run_cli(["doctor", "--json"], env=env | {"GREEN_API_INSTANCE_ID": "1101000002"})
    assert result.exit_code == 1
    credentials = next(check for check in json.loads(result.stdout)["checks"] if check["id"] == "credentials")
    assert credentials["status"] == "fail" and "403" in credentials["message"]
