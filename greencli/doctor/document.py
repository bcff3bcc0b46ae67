"""doctor's result as one JSON-ready document: what `doctor --json` prints for an instance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from greencli.config.loader import API_URL, INSTANCE_ID, Resolution
from greencli.doctor.checks import CheckResult

SCHEMA_VERSION = 1
STATUSES = ("pass", "warn", "fail", "skip")


def counts(results: Sequence[CheckResult]) -> dict[str, int]:
    return {status: sum(1 for result in results if result.status == status) for status in STATUSES}


def summary_words(summary: dict[str, int]) -> str:
    """A document's summary in words: "8 passed, 1 warning, 2 failed, 4 skipped" (no "0 skipped")."""
    warnings = summary.get("warnings", 0)
    words = f"{summary.get('passed', 0)} passed, {warnings} warning{'' if warnings == 1 else 's'}, {summary.get('failed', 0)} failed"
    return words + (f", {summary['skipped']} skipped" if summary.get("skipped") else "")


def document(resolution: Resolution, results: Sequence[CheckResult]) -> dict[str, Any]:
    tally = counts(results)
    return {
        "ok": tally["fail"] == 0,
        "schemaVersion": SCHEMA_VERSION,
        "instanceId": resolution.value(INSTANCE_ID),
        "apiUrl": resolution.value(API_URL),
        "summary": {"passed": tally["pass"], "warnings": tally["warn"], "failed": tally["fail"], "skipped": tally["skip"]},
        "checks": [result.to_json() for result in results],
    }
