"""doctor's exit code, for one instance and for several.

2 when the configuration itself is unusable (nothing could be asked), 3 when Green API could
not be reached or did not answer (an outage: not the instance's fault), 1 when a
check failed, 0 otherwise (warnings allowed). Several instances: the most serious of theirs,
in that order (2, then 3, then 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from greencli.doctor.checks import REGISTRY
from greencli.doctor.declaration import Gate
from greencli.doctor.result import CheckResult, Status
from greencli.errors import ExitCode

# The checks whose failure means the configuration is unusable.
_CONFIGURATION = frozenset(check.id for check in REGISTRY if check.opens == Gate.CONFIGURED)
_SERIOUSNESS = (ExitCode.USAGE, ExitCode.API, ExitCode.NOT_FINE)


def exit_code(results: Sequence[CheckResult]) -> ExitCode:
    failed = [result for result in results if result.status == Status.FAIL]
    if any(result.id in _CONFIGURATION for result in failed):
        return ExitCode.USAGE
    if any(result.outage for result in failed):
        return ExitCode.API
    return ExitCode.NOT_FINE if failed else ExitCode.OK


def combined(codes: Iterable[int]) -> ExitCode:
    present = set(codes)
    for code in _SERIOUSNESS:
        if code in present:
            return code
    return ExitCode.OK
