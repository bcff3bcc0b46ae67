"""Shared fixtures: a clean environment per test, a random token, and a CLI runner."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import settings as hypothesis_settings
from typer.testing import CliRunner

from greencli import redaction

_SCRUBBED_PREFIXES = ("GREEN_API_", "GREENCLI_")
_SCRUBBED_NAMES = ("NO_COLOR", "FORCE_COLOR", "CI")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path, tmp_path_factory):
    """No credentials or colour settings leak in from the developer's shell; cwd is empty; no
    secret registered by another test is known; greencli's per-user files (locks, files set
    aside) go to directories of the test's own, not the user's."""
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) or name in _SCRUBBED_NAMES:
            monkeypatch.delenv(name, raising=False)
    per_user = tmp_path_factory.mktemp("per-user")
    for name in ("XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        (per_user / name).mkdir(mode=0o700)
        monkeypatch.setenv(name, str(per_user / name))
    monkeypatch.chdir(tmp_path)
    with redaction.redacting_with(redaction.Redactor()):  # a test is a run of its own
        yield


@pytest.fixture
def token() -> str:
    """A fresh token of the real shape: 50 lowercase hex characters."""
    return secrets.token_hex(25)


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli() -> RunCli:
    """Run greencli.cli.app.main(args) with separate stdout/stderr, optional env and stdin."""
    from greencli.cli.app import main

    def run(
        args: Sequence[str],
        env: Mapping[str, str | None] | None = None,
        input: str | bytes | None = None,
    ) -> CliResult:
        runner = CliRunner()
        with runner.isolation(input=input, env=env) as (out, err, _mixed):
            code = main(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
            stdout = out.getvalue().decode("utf-8", "replace")
            stderr = err.getvalue().decode("utf-8", "replace")
        return CliResult(code, stdout, stderr)

    return run


def token_leaks(text: str, secret: str, window: int = 20) -> list[str]:
    """The pieces of `secret` (whole, or any `window`-character slice) found in `text`."""
    found = [secret] if secret in text else []
    found += [
        secret[i : i + window] for i in range(len(secret) - window + 1) if secret[i : i + window] in text
    ]
    return found


@pytest.fixture
def assert_no_token() -> Callable[[CliResult, str], None]:
    """Assert that neither stdout nor stderr carries the token or any 20-character slice of it."""

    def check(result: CliResult, secret: str) -> None:
        assert len(secret) >= 20, "the guard needs a token of at least 20 characters"
        for name in ("stdout", "stderr"):
            leaks = token_leaks(getattr(result, name), secret)
            assert not leaks, f"token material in {name}: {leaks[:3]}"

    return check


class FakeClock:
    """A clock that moves only when slept on: waits take no time and can be counted."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def instant_polls(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Every flows.waiting.poll and flows.weather.poll_through runs on a fake clock (flows call
    them through their modules)."""
    from greencli.flows import waiting, weather

    clock = FakeClock()

    def on_fake_clock(real):
        def polling(*args, **kwargs):
            kwargs.setdefault("sleep", clock.sleep)
            kwargs.setdefault("clock", clock.clock)
            return real(*args, **kwargs)

        return polling

    monkeypatch.setattr(waiting, "poll", on_fake_clock(waiting.poll))
    monkeypatch.setattr(weather, "poll_through", on_fake_clock(weather.poll_through))
    return clock


@pytest.fixture
def local_sandbox():
    """Start a sandbox in this process on 127.0.0.1; gives the environment that points at it."""
    from greencli.sandbox.instance import Options
    from greencli.sandbox.server import start

    started = []

    def begin(**options) -> tuple[dict[str, str], object]:
        running = start(Options(**options), rate_limits=False)
        started.append(running)
        env = {
            "GREEN_API_URL": running.url,
            "GREEN_API_INSTANCE_ID": running.instance.instance_id,
            "GREEN_API_TOKEN": running.instance.token,
        }
        return env, running

    yield begin
    for running in started:
        running.stop()


@pytest.fixture
def api():
    """Green API mocked with `responses` (tests.mocked_api): a request nobody answers fails the
    test, and so does a mock nobody called."""
    from tests.mocked_api import mocked

    with mocked() as mock:
        yield mock


@pytest.fixture
def client(token: str):
    """A client for tests.mocked_api's instance."""
    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.credentials import Credentials
    from tests.mocked_api import API, ID

    with GreenApiClient(Credentials(ID, token, API)) as made:
        yield made


class Pauses:
    """The pauses the API client took between attempts, recorded instead of waited."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.taken.append(seconds)


@pytest.fixture(autouse=True)
def retry_pauses():
    """Every client made in a unit test records its pauses between attempts instead of
    sleeping through them (tests/e2e and tests/hostile override this: they keep real pauses)."""
    from greencli.greenapi.transport import retry_pauses as pausing_with

    pauses = Pauses()
    with pausing_with(pauses.sleep):
        yield pauses


# Property tests count what they check, never how fast: no per-example deadline (these
# machines are shared and noisy, and a deadline turns load into failures).
hypothesis_settings.register_profile("greencli", deadline=None)
hypothesis_settings.load_profile("greencli")
