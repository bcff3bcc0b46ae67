"""doctor's CI reports: the JUnit XML file and GitHub Actions workflow commands."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

import pytest
import xmlschema

from greencli.cli.reports import InstanceReport, Unusable, github, junit
from greencli.doctor.result import CheckResult, Status

SCHEMA = Path(__file__).parent / "fixtures" / "junit.xsd"


def _check(check_id: str, status: str, message: str = "m", hint: str | None = None, details: tuple[str, ...] = (),
           duration_ms: int | None = None) -> CheckResult:
    return CheckResult(check_id, check_id.title(), Status(status), message, hint, list(details), duration_ms)


def _report(name: str, checks: Sequence[CheckResult], instance_id: str = "1101000001") -> InstanceReport:
    return InstanceReport(name, list(checks), instance_id, "https://1101.api.green-api.com")


MIXED = (
    _check("config", "pass", duration_ms=3),
    _check("hygiene", "warn", ".env can be read by others", "chmod 600 .env"),
    _check("state", "fail", "notAuthorized: no phone is linked", "greencli qr", details=("state: notAuthorized",)),
    _check("phone", "skip", "skipped: the instance is not authorized"),
)


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA)


def test_the_schema_accepts_what_pytest_itself_writes(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    """The schema is a reader's view: a mainstream producer's file must pass it."""
    (tmp_path / "test_sample.py").write_text(
        "import pytest\ndef test_ok(): pass\ndef test_bad(): assert 0\n@pytest.mark.skip\ndef test_skip(): pass\n"
    )
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--junit-xml=out.xml", "test_sample.py"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    schema.validate(tmp_path / "out.xml")


def test_junit_has_one_testcase_per_check_with_counts_right(schema: xmlschema.XMLSchema) -> None:
    xml = junit.render([_report("prod", MIXED)])
    schema.validate(xml.decode("utf-8"))
    root = ElementTree.fromstring(xml)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "greencli doctor: prod"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["config: Config", "hygiene: Hygiene", "state: State", "phone: Phone"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("4", "1", "1", "0")
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "1")
    failure = cases[2].find("failure")
    assert failure is not None and failure.get("message") == "notAuthorized: no phone is linked"
    assert "Fix: greencli qr" in (failure.text or "") and "state: notAuthorized" in (failure.text or "")
    assert cases[3].find("skipped") is not None
    warning = cases[1].find("system-out")
    assert warning is not None and "chmod 600 .env" in (warning.text or "")
    assert cases[1].find("failure") is None  # a warning does not fail the build, as doctor exits 0
    assert cases[0].get("time") == "0.003"


def test_junit_has_one_testsuite_per_instance(schema: xmlschema.XMLSchema) -> None:
    healthy = _report("dev", [_check("config", "pass"), _check("state", "pass")], instance_id="1101000002")
    unusable = InstanceReport("broken", [], unusable=Unusable("GREEN_API_TOKEN is not set.", "Run greencli init"))
    xml = junit.render([_report("prod", MIXED), healthy, unusable])
    schema.validate(xml.decode("utf-8"))
    root = ElementTree.fromstring(xml)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["greencli doctor: prod", "greencli doctor: dev", "greencli doctor: broken"]
    assert [s.get("tests") for s in suites] == ["4", "2", "1"]
    assert root.get("tests") == "7" and root.get("failures") == "2"


def test_junit_survives_characters_xml_cannot_hold(schema: xmlschema.XMLSchema) -> None:
    hostile = _report("x", [_check("state", "fail", "state \x1b]0;owned\x07 <b>&\x00", "fix \x0c it")])
    xml = junit.render([hostile])
    schema.validate(xml.decode("utf-8"))
    failure = ElementTree.fromstring(xml).find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "state ]0;owned <b>&"


def test_junit_drops_every_character_xml_1_0_excludes(schema: xmlschema.XMLSchema) -> None:
    """https://www.w3.org/TR/xml/#charsets: not even escaped can XML hold these."""
    excluded = "\x00\x08\x0b\x1f\ud800\udfff\ufffe\uffff"
    hostile = _report(f"name{excluded}", [_check("state", "fail", f"a{excluded}b \U0001F600", f"fix{excluded}")], instance_id=f"11{excluded}01")
    xml = junit.render([hostile])
    schema.validate(xml.decode("utf-8"))
    failure = ElementTree.fromstring(xml).find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "ab \U0001F600"


def test_the_job_summary_counts_in_words() -> None:
    summary = github.summary([_report("prod", MIXED)])
    assert "1 passed, 1 warning, 1 failed, 1 skipped" in summary


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """A reader of workflow commands as the Actions runner parses them: `::name k=v,k=v::message`."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match, f"not a workflow command: {line!r}"

    def unescape(text: str, is_property: bool) -> str:
        if is_property:
            text = text.replace("%3A", ":").replace("%2C", ",")
        return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")

    properties = {}
    for pair in (match.group(2) or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            properties[key] = unescape(value, True)
    return match.group(1), properties, unescape(match.group(3), False)


def test_annotations_round_trip_through_a_workflow_command_reader() -> None:
    report = _report("prod", [
        _check("config", "pass"),
        _check("hygiene", "warn", "50% of: a, b", "chmod 600 .env"),
        _check("state", "fail", "line one\nline two\r\n::error::injected", "greencli qr"),
    ])
    lines = github.annotation_lines([report])
    assert len(lines) == 2 and all("\n" not in line and "\r" not in line for line in lines)
    parsed = [parse_workflow_command(line) for line in lines]
    assert parsed[0] == ("warning", {"title": "greencli doctor: Hygiene"}, "50% of: a, b\nFix: chmod 600 .env")
    assert parsed[1] == ("error", {"title": "greencli doctor: State"}, "line one\nline two\r\n::error::injected\nFix: greencli qr")


def test_annotations_name_the_instance_when_there_are_several() -> None:
    lines = github.annotation_lines([_report("prod", MIXED), _report("dev, eu: 2", MIXED)])
    titles = [parse_workflow_command(line)[1]["title"] for line in lines]
    assert titles == [
        "greencli doctor: Hygiene (prod)",
        "greencli doctor: State (prod)",
        "greencli doctor: Hygiene (dev, eu: 2)",
        "greencli doctor: State (dev, eu: 2)",
    ]


def test_the_job_summary_keeps_server_text_inert() -> None:
    hostile = _report("prod", [_check("state", "fail", "[click](https://evil.example) <img src=x> | cell", "greencli qr")])
    summary = github.summary([hostile])
    row = next(line for line in summary.splitlines() if "Check" not in line and line.startswith("| ❌"))
    assert row.count(" | ") == 3  # the pipe in the text did not open a new cell
    assert "<img" not in summary and "&lt;img" in summary
    assert "[click]" not in summary and r"\[click\]" in summary


@pytest.mark.parametrize(
    ("summary", "words"),
    [
        ({"passed": 8, "warnings": 1, "failed": 2, "skipped": 4}, "8 passed, 1 warning, 2 failed, 4 skipped"),
        ({"passed": 14, "warnings": 0, "failed": 0, "skipped": 0}, "14 passed, 0 warnings, 0 failed"),
        ({"passed": 1, "warnings": 2, "failed": 1, "skipped": 1}, "1 passed, 2 warnings, 1 failed, 1 skipped"),
    ],
)
def test_doctor_setup_and_the_job_summary_count_in_the_same_words(summary: dict, words: str) -> None:
    from greencli.doctor.document import summary_words

    assert summary_words(summary) == words
