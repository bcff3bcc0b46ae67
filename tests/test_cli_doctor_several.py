"""One doctor (or check-state) run over several instances: --env-file repeated or a glob."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import RunningSandbox, start
from tests.conftest import token_leaks


@pytest.fixture
def three_instances(tmp_path: Path) -> Iterator[dict[str, RunningSandbox]]:
    """healthy (authorized, set up), unlinked (notAuthorized) and down (nothing listens)."""
    healthy = start(Options(instance_id="1101000001", state="authorized", settings=guide_settings()))
    unlinked = start(Options(instance_id="1101000002", state="notAuthorized", settings=guide_settings()))
    envs = tmp_path / "envs"
    envs.mkdir()
    for name, sandbox in (("healthy", healthy), ("unlinked", unlinked)):
        _write_env(envs / f"{name}.env", sandbox.instance.instance_id, sandbox.instance.token, sandbox.url)
    _write_env(envs / "down.env", "1101000003", "f" * 50, "http://127.0.0.1:9")
    yield {"healthy": healthy, "unlinked": unlinked}
    healthy.stop()
    unlinked.stop()


def _write_env(path: Path, instance_id: str, token: str, url: str) -> None:
    path.write_text(f"GREEN_API_INSTANCE_ID={instance_id}\nGREEN_API_TOKEN={token}\nGREEN_API_URL={url}\n")
    os.chmod(path, 0o600)


def test_one_doctor_run_reports_each_instance_and_combines_exit_codes(run_cli, three_instances, tmp_path: Path) -> None:
    result = run_cli(["--env-file", "envs/*.env", "doctor", "--json", "--junit-xml", "doctor.xml"])
    document = json.loads(result.stdout)
    by_name = {instance["name"]: instance for instance in document["instances"]}
    assert list(by_name) == ["down", "healthy", "unlinked"]  # the glob, sorted
    assert by_name["healthy"]["ok"] and by_name["healthy"]["exitCode"] == 0
    assert by_name["unlinked"]["exitCode"] == 1
    assert any(c["id"] == "state" and c["status"] == "fail" for c in by_name["unlinked"]["checks"])
    assert by_name["down"]["exitCode"] == 3  # an outage, not a broken instance
    assert result.exit_code == 3 and document["ok"] is False  # 3 outranks 1
    suites = ElementTree.fromstring((tmp_path / "doctor.xml").read_bytes()).findall("testsuite")
    assert [s.get("name") for s in suites] == ["greencli doctor: down", "greencli doctor: healthy", "greencli doctor: unlinked"]
    for sandbox in three_instances.values():
        for text in (result.stdout, result.stderr, (tmp_path / "doctor.xml").read_text()):
            assert not token_leaks(text, sandbox.instance.token)


def test_the_human_report_has_one_row_per_instance_then_the_failures(run_cli, three_instances) -> None:
    result = run_cli(["--env-file", "envs/healthy.env", "--env-file", "envs/unlinked.env", "doctor"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Instance", "ID", "State", "Failed", "Warnings"]
    assert lines[1].split()[:3] == ["healthy", "1101000001", "authorized"]
    assert lines[2].split()[:3] == ["unlinked", "1101000002", "notAuthorized"]
    assert "unlinked (envs/unlinked.env):" in result.stdout and "healthy (envs/healthy.env):" not in result.stdout
    assert "1 of 2 instances passed" in result.stdout


def test_an_unusable_configuration_outranks_everything(run_cli, three_instances, tmp_path: Path) -> None:
    (tmp_path / "envs" / "broken.env").write_text("GREEN_API_INSTANCE_ID=not-digits\n")
    result = run_cli(["--env-file", "envs/*.env", "doctor", "--json"])
    assert result.exit_code == 2
    broken = next(i for i in json.loads(result.stdout)["instances"] if i["name"] == "broken")
    assert broken["exitCode"] == 2


def test_each_instance_reads_its_own_file_not_the_environment(run_cli, three_instances) -> None:
    healthy = three_instances["healthy"]
    result = run_cli(
        ["--env-file", "envs/healthy.env", "--env-file", "envs/unlinked.env", "check-state", "--json"],
        env={"GREEN_API_INSTANCE_ID": "999", "GREEN_API_TOKEN": healthy.instance.token},
    )
    states = {i["name"]: i["stateInstance"] for i in json.loads(result.stdout)["instances"]}
    assert states == {"healthy": "authorized", "unlinked": "notAuthorized"}
    assert result.exit_code == 1


def test_check_state_over_several_instances(run_cli, three_instances) -> None:
    result = run_cli(["--env-file", "envs/*.env", "check-state"])
    assert result.exit_code == 3  # down.env cannot be reached
    rows = [line.split()[:3] for line in result.stdout.splitlines()[1:4]]
    assert rows == [["down", "1101000003", "unreachable"], ["healthy", "1101000001", "authorized"], ["unlinked", "1101000002", "notAuthorized"]]


@pytest.mark.parametrize("command", [["send-test", "79001234567"], ["webhooks", "show"], ["qr", "--once"], ["init"]])
def test_other_commands_refuse_several_files(run_cli, three_instances, command: list[str]) -> None:
    result = run_cli(["--env-file", "envs/*.env", *command])
    assert result.exit_code == 2
    assert "works on one instance" in result.stderr


def test_options_that_would_apply_to_every_instance_are_refused(run_cli, three_instances) -> None:
    result = run_cli(["--env-file", "envs/*.env", "--token", "0" * 50, "doctor"])
    assert result.exit_code == 2 and "each instance's credentials come from its own file" in result.stderr


def test_a_glob_that_matches_nothing_is_a_usage_error(run_cli) -> None:
    result = run_cli(["--env-file", "nowhere/*.env", "doctor"])
    assert result.exit_code == 2 and "matches no file" in result.stderr


def test_debug_logging_redacts_the_record_itself(three_instances) -> None:
    """logging prints a record's raw arguments when a handler fails: they must be redacted too."""
    import logging

    healthy = three_instances["healthy"]
    record = logging.LogRecord("urllib3", logging.DEBUG, __file__, 1, "GET %s", (f"/waInstance1/getSettings/{healthy.instance.token}",), None)
    from greencli.cli import debug_log

    started = debug_log.start()
    handler = next(h for h in logging.getLogger("urllib3").handlers if h.get_name() == "greencli-debug")
    try:
        handler.filter(record)
        assert not token_leaks(str(record.msg) + str(record.args), healthy.instance.token)
    finally:
        debug_log.stop(started)
    assert not any(h.get_name() == "greencli-debug" for h in logging.getLogger("urllib3").handlers)


@pytest.mark.parametrize("option", ["--fix", "--probe-webhook"])
def test_fix_and_probe_work_on_one_instance_at_a_time(run_cli, three_instances, option: str) -> None:
    result = run_cli(["--env-file", "envs/*.env", "doctor", option, "--yes"] if option == "--fix" else ["--env-file", "envs/*.env", "doctor", option])
    assert result.exit_code == 2 and "one instance at a time" in result.stderr
