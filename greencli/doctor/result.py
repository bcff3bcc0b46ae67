"""What a doctor check concludes: a `Verdict` from its run function, a `CheckResult` once the
runner has named and timed it. Reports (the terminal, --json, JUnit, GitHub) read these typed
fields; nothing reads a state back out of a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from greencli.doctor.explanations import command_for


class Status(str, Enum):
    """A check's outcome. A str, so it compares and serializes as the word itself."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"

    def __str__(self) -> str:
        return self.value

    @property
    def is_problem(self) -> bool:
        """A warning or a failure: shown with its fix and where it is explained."""
        return self in (Status.WARN, Status.FAIL)


@dataclass(frozen=True)
class Verdict:
    """What a check's run function found: a status, one line, the fix, the details."""

    status: Status
    message: str
    hint: str | None = None
    details: tuple[str, ...] = ()
    # Failed because Green API could not be reached or did not answer (an outage, not the
    # instance's fault): doctor then exits 3, so CI can tell the two apart.
    outage: bool = False


def passed(message: str, hint: str | None = None, details: Iterable[str] = ()) -> Verdict:
    return Verdict(Status.PASS, message, hint, tuple(details))


def warned(message: str, hint: str | None = None, details: Iterable[str] = ()) -> Verdict:
    return Verdict(Status.WARN, message, hint, tuple(details))


def failed(message: str, hint: str | None = None, details: Iterable[str] = (), outage: bool = False) -> Verdict:
    return Verdict(Status.FAIL, message, hint, tuple(details), outage)


def skipped(why: str) -> Verdict:
    return Verdict(Status.SKIP, f"skipped: {why}")


@dataclass
class CheckResult:
    id: str
    title: str
    status: Status
    message: str
    hint: str | None = None
    details: list[str] = field(default_factory=list)
    duration_ms: int | None = None
    outage: bool = False  # see Verdict.outage

    @classmethod
    def of(cls, check_id: str, title: str, verdict: Verdict, duration_ms: int | None = None) -> CheckResult:
        return cls(check_id, title, verdict.status, verdict.message, verdict.hint, list(verdict.details), duration_ms, verdict.outage)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "message": self.message,
            "hint": self.hint,
            "docs": command_for(self.id),
        }
        if self.details:
            data["details"] = self.details
        if self.duration_ms is not None:
            data["durationMs"] = self.duration_ms
        return data


@dataclass(frozen=True)
class Tally:
    """How many checks ended in each status."""

    passed: int
    warnings: int
    failed: int
    skipped: int

    @classmethod
    def of(cls, results: Iterable[CheckResult]) -> Tally:
        statuses = [result.status for result in results]
        return cls(statuses.count(Status.PASS), statuses.count(Status.WARN), statuses.count(Status.FAIL), statuses.count(Status.SKIP))

    def to_json(self) -> dict[str, int]:
        return {"passed": self.passed, "warnings": self.warnings, "failed": self.failed, "skipped": self.skipped}

    def words(self) -> str:
        """"8 passed, 1 warning, 2 failed, 4 skipped" (no "0 skipped")."""
        words = f"{self.passed} passed, {self.warnings} warning{'' if self.warnings == 1 else 's'}, {self.failed} failed"
        return words + (f", {self.skipped} skipped" if self.skipped else "")
