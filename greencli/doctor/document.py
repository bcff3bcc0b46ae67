"""doctor's results as JSON-ready documents: what `doctor --json` prints for one instance and
for several."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from greencli.config.loader import API_URL, INSTANCE_ID, Resolution
from greencli.doctor.result import CheckResult, Tally

# The version of both documents: a reader checks it before reading the rest.
SCHEMA_VERSION = 1


def summary_words(summary: dict[str, int]) -> str:
    """A document's summary in words: "8 passed, 1 warning, 2 failed, 4 skipped" (no "0 skipped")."""
    return Tally(summary.get("passed", 0), summary.get("warnings", 0), summary.get("failed", 0), summary.get("skipped", 0)).words()


def document(resolution: Resolution, results: Sequence[CheckResult]) -> dict[str, Any]:
    tally = Tally.of(results)
    return {
        "ok": tally.failed == 0,
        "schemaVersion": SCHEMA_VERSION,
        "instanceId": resolution.value(INSTANCE_ID),
        "apiUrl": resolution.value(API_URL),
        "summary": tally.to_json(),
        "checks": [result.to_json() for result in results],
    }


def several(ok: bool, instances: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several instances at once: each instance's document, named, with its own exit code."""
    return {"ok": ok, "schemaVersion": SCHEMA_VERSION, "instances": list(instances)}
