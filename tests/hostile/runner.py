"""Running the installed greencli against a hostile server, as a user would, and measuring it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ID = "1101000001"
TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef01"
RSS_LIMIT_MIB = 150


def greencli_command() -> list[str]:
    script = shutil.which("greencli", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "greencli"]


@dataclass
class Finished:
    exit_code: int
    stdout: str
    stderr: str
    peak_mib: float  # the child's own peak resident memory (from wait4)


def environment(api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREEN_API_", "GREENCLI_"))}
    env.update({"GREEN_API_URL": api_url, "GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": TOKEN, "NO_COLOR": "1"})
    env.update(extra)
    return env


def start(args: list[str], api_url: str, cwd: Path, **extra_env: str) -> subprocess.Popen:
    """greencli running in the background, its output in files next to `cwd`."""
    out = open(cwd / "stdout.txt", "wb")  # noqa: SIM115 - closed by finish()
    err = open(cwd / "stderr.txt", "wb")  # noqa: SIM115
    return subprocess.Popen(greencli_command() + args, env=environment(api_url, **extra_env), cwd=cwd, stdout=out, stderr=err)


def finish(process: subprocess.Popen, cwd: Path, limit: float, kill_quietly: bool = False) -> Finished:
    """Wait for the end; `limit` only guards the test run (a hang fails the test, unless
    `kill_quietly`: then the exit code is -9)."""
    ended = time.monotonic() + limit
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > ended:
            process.send_signal(signal.SIGKILL)
            _, status, usage = os.wait4(process.pid, 0)
            if not kill_quietly:
                raise AssertionError(f"greencli {process.args[1:]} did not end within {limit} s")
            break
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()
    return Finished(
        process.returncode,
        (cwd / "stdout.txt").read_bytes().decode("utf-8", "replace"),
        (cwd / "stderr.txt").read_bytes().decode("utf-8", "replace"),
        usage.ru_maxrss / 1024,
    )


@dataclass
class Piped(Finished):
    read: str  # what the reading program wrote out


def pipe_into(reader: list[str], args: list[str], api_url: str, cwd: Path, limit: float = 30.0, **extra_env: str) -> Piped:
    """`greencli ARGS | READER`, as a shell runs it: greencli's stdout is the reader's stdin.
    Ends once both have ended; `limit` guards the run (a greencli that hangs fails the test)."""
    err = open(cwd / "stderr.txt", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        greencli_command() + args, env=environment(api_url, **extra_env), cwd=cwd, stdout=subprocess.PIPE, stderr=err
    )
    assert process.stdout is not None
    reading = subprocess.Popen(reader, stdin=process.stdout, stdout=subprocess.PIPE)
    process.stdout.close()  # now only the reader holds the pipe's reading end
    try:
        read = reading.communicate(timeout=limit)[0]
    finally:
        reading.kill()
    (cwd / "stdout.txt").write_bytes(b"")
    finished = finish(process, cwd, limit)
    err.close()
    return Piped(finished.exit_code, finished.stdout, finished.stderr, finished.peak_mib, read.decode())


def run_greencli(args: list[str], api_url: str, cwd: Path | None = None, limit: float = 30.0, **extra_env: str) -> Finished:
    if cwd is None:
        with tempfile.TemporaryDirectory() as directory:
            return run_greencli(args, api_url, Path(directory), limit, **extra_env)
    return finish(start(args, api_url, cwd, **extra_env), cwd, limit)


def run_in(
    args: list[str], cwd: Path, env: dict[str, str], limit: float = 30.0, preexec_fn: Callable[[], None] | None = None
) -> Finished:
    """greencli in `cwd` with exactly `env` (no credentials added), its output through pipes
    (a test may limit file writes with `preexec_fn`), measured like `finish`."""
    process = subprocess.Popen(
        greencli_command() + args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec_fn
    )
    streams: dict[str, bytes] = {}

    def drain(name: str, stream: IO[bytes]) -> None:
        streams[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(name, stream)) for name, stream in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    ended = time.monotonic() + limit
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > ended:
            process.send_signal(signal.SIGKILL)
            os.wait4(process.pid, 0)
            raise AssertionError(f"greencli {args} did not end within {limit} s")
        time.sleep(0.02)
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Finished(
        process.returncode,
        streams["out"].decode("utf-8", "replace"),
        streams["err"].decode("utf-8", "replace"),
        usage.ru_maxrss / 1024,
    )


def plain_environment(**extra: str) -> dict[str, str]:
    """The test's environment without any credentials or colour: they come from files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREEN_API_", "GREENCLI_"))}
    env.update({"NO_COLOR": "1"}, **extra)
    return env
