"""Doctor's results for CI systems: a JUnit XML file and GitHub Actions workflow commands.

Each report reads the typed results of one or more instances (greencli.doctor.result), named
so a reader can tell the instances apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from greencli.doctor.result import CheckResult, Status, Tally


class Unusable(NamedTuple):
    """Why an instance could not be checked at all, and the fix."""

    message: str
    hint: str | None = None


class InstanceReport(NamedTuple):
    name: str  # what a reader calls the instance: its env file's name, or its ID
    results: Sequence[CheckResult]
    instance_id: str | None = None
    api_url: str | None = None
    unusable: Unusable | None = None

    @property
    def ok(self) -> bool:
        return self.unusable is None and all(result.status != Status.FAIL for result in self.results)

    @property
    def tally(self) -> Tally:
        return Tally.of(self.results)

    def checks(self) -> list[CheckResult]:
        """The results, or for an instance that could not be checked, one failed Configuration."""
        if not self.results and self.unusable is not None:
            return [CheckResult("config", "Configuration", Status.FAIL, self.unusable.message, self.unusable.hint)]
        return list(self.results)
