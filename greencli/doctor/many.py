"""doctor over several instances at once: each instance's checklist runs concurrently.

Each instance keeps its own client and so its own per-method pace. At most MAX_CONCURRENT
instances are checked at a time: 20 at once take under twice one instance's time (bench/run.py),
and a team's hundred instances do not open 600 connections at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from greencli.config.loader import Resolution
from greencli.doctor.runner import Checkup, MakeClient, run_checks
from greencli.redaction import in_this_run

MAX_CONCURRENT = 32


def run_for_instances(
    resolutions: Sequence[Resolution],
    cwd: Path,
    make_client: MakeClient,
    timeout: float,
) -> list[Checkup]:
    """Every instance's checkup, in the order given."""
    if not resolutions:
        return []

    def one(resolution: Resolution) -> Checkup:
        return run_checks(resolution, cwd, make_client, timeout)

    with ThreadPoolExecutor(max_workers=min(MAX_CONCURRENT, len(resolutions))) as pool:
        return list(pool.map(in_this_run(one), resolutions))
