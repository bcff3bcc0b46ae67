"""Running the installed greencli against a hostile server, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ID = "1101000001"
TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef01"


def greencli_command() -> list[str]:
    script = shutil.which("greencli", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "greencli"]


@dataclass
class Finished:
    exit_code: int
    stdout: str
    stderr: str
    peak_mib: float  # the child's peak resident memory


def run_greencli(args: list[str], api_url: str, cwd: Path, limit: float = 30.0, env: dict[str, str] | None = None) -> Finished:
    """Run greencli to its end; `limit` only guards the test run (a hang fails, by timeout)."""
    environment = {
        **os.environ,
        "GREEN_API_URL": api_url,
        "GREEN_API_INSTANCE_ID": ID,
        "GREEN_API_TOKEN": TOKEN,
        "NO_COLOR": "1",
        **(env or {}),
    }
    process = subprocess.Popen(
        greencli_command() + args, env=environment, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"greencli {' '.join(args)} did not end within {limit} s") from None
    peak = _peak_mib(process.pid)
    return Finished(process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"), peak)


def _peak_mib(pid: int) -> float:
    # communicate() reaped the child with waitpid; RUSAGE_CHILDREN now includes it. Each test
    # runs one greencli at a time per worker process, so the maximum is this child's (or an
    # earlier, smaller one's: the assertion is an upper bound either way).
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
