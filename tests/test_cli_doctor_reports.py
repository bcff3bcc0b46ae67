"""`greencli doctor --junit-xml PATH` and `--format github`, against the built-in sandbox."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import xmlschema

from tests.test_reports import SCHEMA, parse_workflow_command


def test_junit_file_is_written_beside_the_usual_output(run_cli, tmp_path: Path) -> None:
    result = run_cli(["--sandbox", "doctor", "--junit-xml", "doctor.xml"])
    assert result.exit_code == 0, result.stderr
    import re

    from greencli.doctor.checks import ORDER

    summary = re.search(r"(\d+) passed, \d+ warnings?, 0 failed(?:, (\d+) skipped)?", result.stdout)
    assert summary, result.stdout  # the human output goes on as usual
    assert int(summary.group(1)) + int(summary.group(2) or 0) == len(ORDER)
    xml = (tmp_path / "doctor.xml").read_text(encoding="utf-8")
    xmlschema.XMLSchema(SCHEMA).validate(xml)
    suite = ElementTree.fromstring(xml).find("testsuite")
    assert suite is not None and suite.get("tests") == str(len(ORDER)) and suite.get("failures") == "0"


def test_junit_goes_with_json_too(run_cli, tmp_path: Path) -> None:
    import json

    result = run_cli(["--sandbox", "doctor", "--json", "--junit-xml", "doctor.xml"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    suite = ElementTree.fromstring((tmp_path / "doctor.xml").read_bytes()).find("testsuite")
    assert suite is not None and int(suite.get("tests") or 0) == len(document["checks"])


def test_github_format_annotates_failures_and_writes_the_job_summary(run_cli, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    # Polling is impossible with a URL set, and incoming notifications off: doctor fails.
    result = run_cli(
        ["--instance-id", "1101000001", "--token", "0" * 50, "--api-url", "http://127.0.0.1:9", "doctor", "--format", "github"],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code in (1, 3)
    commands = [parse_workflow_command(line) for line in result.stdout.splitlines() if line.startswith("::")]
    assert commands and commands[0][0] == "error"
    assert commands[0][1]["title"] == "greencli doctor: API host reachable"
    assert "Fix: " in commands[0][2]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## greencli doctor")  # appended, as GitHub asks
    assert "❌ | API host reachable" in text


def test_report_options_are_checked_before_any_request(run_cli, tmp_path: Path) -> None:
    bad_format = run_cli(["--sandbox", "doctor", "--format", "xml"])
    assert bad_format.exit_code == 2 and "--format must be one of text, json, github" in bad_format.stderr
    both = run_cli(["--sandbox", "doctor", "--json", "--format", "github"])
    assert both.exit_code == 2 and '"code": "usage_error"' in both.stdout
    nowhere = run_cli(["--sandbox", "doctor", "--junit-xml", "missing/dir/doctor.xml"])
    assert nowhere.exit_code == 2 and "does not exist or is not writable" in nowhere.stderr


def test_junit_never_replaces_a_link_or_a_device(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "real.xml"
    target.write_text("keep me")
    (tmp_path / "link.xml").symlink_to(target)
    linked = run_cli(["--sandbox", "doctor", "--junit-xml", "link.xml"])
    assert linked.exit_code == 2 and "not a plain file" in linked.stderr
    assert (tmp_path / "link.xml").is_symlink() and target.read_text() == "keep me"
    device = run_cli(["--sandbox", "doctor", "--junit-xml", "/dev/null"])
    assert device.exit_code == 2
    assert Path("/dev/null").is_char_device()


def test_an_unwritable_job_summary_is_a_warning_not_a_crash(run_cli, tmp_path: Path) -> None:
    result = run_cli(["--sandbox", "doctor", "--format", "github"], env={"GITHUB_STEP_SUMMARY": str(tmp_path / "missing" / "summary.md")})
    assert result.exit_code == 0
    assert "Could not write the job summary" in result.stderr
