"""doctor over several instances at once: each instance's checklist runs concurrently.

Each instance keeps its own client and so its own per-method pace. At most MAX_CONCURRENT
instances are checked at a time: 20 at once take under twice one instance's time (bench/run.py),
and a team's hundred instances do not open 600 connections at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.config.loader import Credentials, Resolution
from greencli.doctor.checks import CheckResult, run_checks

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient

MAX_CONCURRENT = 32


def run_for_instances(
    resolutions: Sequence[Resolution],
    cwd: Path,
    make_client: Callable[[Credentials], GreenApiClient],
    timeout: float,
) -> list[list[CheckResult]]:
    """Every instance's results, in the order given."""
    if not resolutions:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_CONCURRENT, len(resolutions))) as pool:
        return list(pool.map(lambda resolution: run_checks(resolution, cwd, make_client, timeout), resolutions))
