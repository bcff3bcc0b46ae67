"""Doctor's results as a JUnit XML file, the format CI systems read test results from.

One testsuite per instance and one testcase per check. A failed check is a <failure> with its
message and fix; a skipped one is <skipped>. JUnit has no warnings: a check that passed with a
warning stays a passing testcase (doctor exits 0 for it too) and carries the warning and its
fix in <system-out>, where Jenkins, GitLab and GitHub's test reporters show it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

from greencli.cli.reports import InstanceReport
from greencli.doctor.result import CheckResult, Status

# What XML 1.0 cannot hold at all, not even escaped (https://www.w3.org/TR/xml/#charsets: Char
# is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]): the other C0
# controls, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(reports: Sequence[InstanceReport]) -> bytes:
    """The JUnit XML document for `reports`, UTF-8 encoded."""
    root = ElementTree.Element("testsuites", name="greencli doctor")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    for report in reports:
        suite = _testsuite(root, report)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += float(suite.get("time", "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds:.3f}")
    ElementTree.indent(root)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _testsuite(root: ElementTree.Element, report: InstanceReport) -> ElementTree.Element:
    suite = ElementTree.SubElement(root, "testsuite", name=_text(f"greencli doctor: {report.name}"))
    properties = ElementTree.SubElement(suite, "properties")
    for key, value in (("instanceId", report.instance_id), ("apiUrl", report.api_url)):
        if value:
            ElementTree.SubElement(properties, "property", name=key, value=_text(value))
    checks = report.checks()  # an instance that could not be checked at all: one failure
    seconds = 0.0
    for check in checks:
        seconds += _testcase(suite, report.name, check)
    suite.set("tests", str(len(checks)))
    suite.set("failures", str(sum(1 for check in checks if check.status == Status.FAIL)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for check in checks if check.status == Status.SKIP)))
    suite.set("time", f"{seconds:.3f}")
    return suite


def _testcase(suite: ElementTree.Element, instance: str, check: CheckResult) -> float:
    seconds = (check.duration_ms or 0) / 1000
    case = ElementTree.SubElement(
        suite,
        "testcase",
        classname=_text(f"greencli.doctor.{instance}"),
        name=_text(f"{check.id}: {check.title or check.id}"),
        time=f"{seconds:.3f}",
    )
    message = _text(check.message)
    if check.status == Status.FAIL:
        failure = ElementTree.SubElement(case, "failure", message=message, type="fail")
        failure.text = _body(check)
    elif check.status == Status.SKIP:
        ElementTree.SubElement(case, "skipped", message=message)
    elif check.status == Status.WARN:
        out = ElementTree.SubElement(case, "system-out")
        out.text = "WARNING: " + _body(check)
    return seconds


def _body(check: CheckResult) -> str:
    lines = [check.message]
    if check.hint:
        lines.append(f"Fix: {check.hint}")
    lines.extend(check.details)
    return _text("\n".join(lines))


def _text(value: object) -> str:
    """`value` without the characters XML 1.0 cannot hold (they are dropped)."""
    return _NOT_XML.sub("", str(value))
