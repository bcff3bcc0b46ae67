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
from typing import Any

from greencli.cli.reports import InstanceReport

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
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _testsuite(root: ElementTree.Element, report: InstanceReport) -> ElementTree.Element:
    document = report.document
    checks: list[dict[str, Any]] = document.get("checks") or []
    suite = ElementTree.SubElement(root, "testsuite", name=_text(f"greencli doctor: {report.name}"))
    properties = ElementTree.SubElement(suite, "properties")
    for key in ("instanceId", "apiUrl"):
        if document.get(key):
            ElementTree.SubElement(properties, "property", name=key, value=_text(document[key]))
    if not checks and document.get("error"):  # the instance could not be checked at all
        checks = [_unusable(document["error"])]
    seconds = 0.0
    for check in checks:
        seconds += _testcase(suite, report.name, check)
    suite.set("tests", str(len(checks)))
    suite.set("failures", str(sum(1 for check in checks if check.get("status") == "fail")))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for check in checks if check.get("status") == "skip")))
    suite.set("time", f"{seconds:.3f}")
    return suite


def _testcase(suite: ElementTree.Element, instance: str, check: dict[str, Any]) -> float:
    seconds = (check.get("durationMs") or 0) / 1000
    case = ElementTree.SubElement(
        suite,
        "testcase",
        classname=_text(f"greencli.doctor.{instance}"),
        name=_text(f"{check.get('id')}: {check.get('title') or check.get('id')}"),
        time=f"{seconds:.3f}",
    )
    status = check.get("status")
    message = _text(check.get("message") or "")
    if status == "fail":
        failure = ElementTree.SubElement(case, "failure", message=message, type="fail")
        failure.text = _body(check)
    elif status == "skip":
        ElementTree.SubElement(case, "skipped", message=message)
    elif status == "warn":
        out = ElementTree.SubElement(case, "system-out")
        out.text = "WARNING: " + _body(check)
    return seconds


def _body(check: dict[str, Any]) -> str:
    lines = [check.get("message") or ""]
    if check.get("hint"):
        lines.append(f"Fix: {check['hint']}")
    lines.extend(check.get("details") or [])
    return _text("\n".join(lines))


def _unusable(error: dict[str, Any]) -> dict[str, Any]:
    return {"id": "config", "title": "Configuration", "status": "fail", "message": error.get("message"), "hint": error.get("hint")}


def _text(value: object) -> str:
    """`value` without the characters XML 1.0 cannot hold (they are dropped)."""
    return _NOT_XML.sub("", str(value))
