"""End-to-end fixtures: the installed `greencli` process against the sandbox on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from greencli.sandbox.instance import Options, default_settings, guide_settings
from greencli.sandbox.server import RunningSandbox, start

pytestmark = pytest.mark.e2e


def greencli_command() -> list[str]:
    """The console script installed next to this Python, as a user would run it."""
    script = shutil.which("greencli", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "greencli"]


@pytest.fixture(autouse=True)
def retry_pauses() -> Iterator[None]:
    """Real pauses between the client's attempts here (tests/conftest.py skips them in unit
    tests): what a user's run does, and a sandbox's rate limit needs them."""
    yield None


@dataclass
class Run:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def assert_no_token(token: str, *texts: str) -> None:
    """The token, or any 20-character piece of it, appears in none of the texts."""
    pieces = {token[i : i + 20] for i in range(0, len(token) - 19)}
    for text in texts:
        assert token not in text
        for piece in pieces:
            assert piece not in text, f"a 20-character piece of the token leaked: {text!r}"


def files_written_contain_no_token(directory: Path, token: str) -> None:
    for path in directory.rglob("*"):
        if path.is_file() and path.name != ".env" and ".git" not in path.parts:
            assert_no_token(token, path.read_bytes().decode("utf-8", "replace"))


class Sandbox:
    """A running sandbox plus helpers to run greencli against it and to steer it."""

    def __init__(self, running: RunningSandbox, workdir: Path) -> None:
        self.running = running
        self.workdir = workdir
        self.token = running.instance.token
        self.instance_id = running.instance.instance_id
        self.url = running.url
        # The HTTP server reports a failed connection (a client that timed out and hung up)
        # as a traceback on sys.stderr; during an in-process run that is greencli's captured
        # stderr, so keep the reports here instead.
        self.server_errors: list[str] = []
        running.server.handle_error = lambda _request, _address: self.server_errors.append(traceback.format_exc())

    # -- steering -----------------------------------------------------------------------------

    def control(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        # The control endpoint takes only JSON for a change (a web page cannot send it).
        payload = body if body is not None or verb == "GET" else {}
        response = requests.request(verb, f"{self.url}/sandbox{path}", json=payload, timeout=5)
        response.raise_for_status()
        return response.json()

    def fault(self, kind: str, method: str = "*", **extra: Any) -> None:
        self.control("POST", "/faults", {"kind": kind, "method": method, **extra})

    def requests_for(self, method: str) -> list[dict[str, Any]]:
        return [r for r in self.control("GET", "/requests")["requests"] if r.get("method") == method]

    @property
    def instance(self):  # type: ignore[no-untyped-def]
        return self.running.instance

    # -- running greencli ---------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "GREEN_API_URL": self.url,
            "GREEN_API_INSTANCE_ID": self.instance_id,
            "GREEN_API_TOKEN": self.token,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        env.update(extra)
        return env

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 60,
        input: str | None = None,
        check_token: bool = True,
    ) -> Run:
        completed = subprocess.run(
            [*greencli_command(), *args],
            cwd=self.workdir,
            env=env if env is not None else self.env(),
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )
        return self._checked(Run(list(args), completed.returncode, completed.stdout, completed.stderr), check_token)

    def run_in_process(self, *args: str, env: dict[str, str] | None = None, check_token: bool = True) -> Run:
        """Like `run`, but `greencli.cli.app.main(args)` in this process: no interpreter start-up.

        The process environment is exactly `env` for the run (what the subprocess would see),
        the working directory is the sandbox's, and the loggers --debug sets up are put back.
        """
        from greencli.cli.app import main

        env = env if env is not None else self.env()
        overrides: dict[str, str | None] = {name: None for name in os.environ if name not in env}
        overrides.update(env)
        with _loggers_restored(), _working_directory(self.workdir):
            with CliRunner().isolation(env=overrides) as (out, err, _mixed):
                code = main(list(args))
                sys.stdout.flush()
                sys.stderr.flush()
                stdout = out.getvalue().decode("utf-8", "replace")
                stderr = err.getvalue().decode("utf-8", "replace")
        return self._checked(Run(list(args), code, stdout, stderr), check_token)

    def _checked(self, run: Run, check_token: bool) -> Run:
        if check_token:
            assert_no_token(self.token, run.stdout, run.stderr)
            files_written_contain_no_token(self.workdir, self.token)
        assert "Traceback" not in run.stderr or "--debug" in run.args, run.stderr
        return run


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def _loggers_restored() -> Iterator[None]:
    """--debug adds a handler on the captured stderr and lowers levels: undo it after the run."""
    loggers = [logging.getLogger(name) for name in ("urllib3", "greencli")]
    saved = [(logger, list(logger.handlers), logger.level) for logger in loggers]
    try:
        yield
    finally:
        for logger, handlers, level in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)


def _sandbox(tmp_path: Path, rate_limits: bool = True, **options: Any) -> Any:
    running = start(Options(**options), rate_limits=rate_limits)
    try:
        yield Sandbox(running, tmp_path)
    finally:
        running.stop()


@pytest.fixture
def sandbox(tmp_path: Path) -> Any:
    """Authorized, set up as the guide says: what `greencli --sandbox` starts."""
    yield from _sandbox(
        tmp_path, state="authorized", settings=guide_settings(), restart_seconds=0.3, status_step_seconds=0.2
    )


@pytest.fixture
def fresh_sandbox(tmp_path: Path) -> Any:
    """A new instance: no phone linked, every notification off."""
    yield from _sandbox(
        tmp_path,
        state="notAuthorized",
        settings=default_settings(),
        restart_seconds=0.3,
        status_step_seconds=0.2,
    )


@pytest.fixture
def quiet_sandbox(tmp_path: Path) -> Any:
    """Like `sandbox`, without rate limits: only the injected faults decide the answers."""
    yield from _sandbox(tmp_path, rate_limits=False, state="authorized", settings=guide_settings(), restart_seconds=0.3, status_step_seconds=0.2)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
