"""How many connections and sequential network phases doctor and check-state use — counted by
the server, not timed. From a cold start the floor is one phase of connections (TCP and TLS,
all at once) and one phase of requests (all at once, one per connection): every extra phase is
a round trip more for the user (issue: performance on a real network)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from greencli.cli.run_settings import RunSettings
from greencli.cli.warm_start import CONNECTIONS, command_line
from greencli.config.loader import RootOptions, resolve
from greencli.doctor.checks import BY_ID, ORDER
from greencli.doctor.result import CheckResult
from greencli.doctor.runner import reads_of, run_checks
from greencli.errors import UsageError
from greencli.greenapi import connections
from greencli.greenapi.client import GreenApiClient
from greencli.greenapi.credentials import Credentials
from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import RunningSandbox, start
from greencli.sandbox.tls import Certificates


class Counter:
    """Counts connections, and groups API requests into phases: each request is held until
    `batch` requests have arrived, so requests made at once are answered together, and a
    request that waits for another's answer starts a phase of its own (after `patience`)."""

    def __init__(self, batch: int, patience: float = 3.0) -> None:
        self.batch = batch
        self.patience = patience
        self.connections = 0
        self.phases: list[list[str]] = []
        self._waiting: list[str] = []
        self._condition = threading.Condition()

    def connected(self) -> None:
        with self._condition:
            self.connections += 1

    def arrived(self, path: str) -> None:
        method = path.split("/")[2] if path.count("/") >= 3 else path
        with self._condition:
            self._waiting.append(method)
            phase = self._waiting
            if len(phase) >= self.batch:
                self.phases.append(phase)
                self._waiting = []
                self._condition.notify_all()
                return
            self._condition.wait_for(lambda: self._waiting is not phase, timeout=self.patience)
            if self._waiting is phase:  # nobody else came: this phase is complete as it is
                self.phases.append(phase)
                self._waiting = []
                self._condition.notify_all()


def counted(running: RunningSandbox, counter: Counter) -> None:
    bound = running.server.RequestHandlerClass

    class Counting(bound):  # type: ignore[misc, valid-type]
        def setup(self) -> None:  # once per connection
            counter.connected()
            super().setup()

        def parse_request(self) -> bool:  # once per request
            ok = super().parse_request()
            if ok and self.path.startswith("/waInstance"):
                counter.arrived(self.path)
            return ok

    running.server.RequestHandlerClass = Counting


@pytest.fixture
def https_sandbox(monkeypatch: pytest.MonkeyPatch) -> Any:
    certificates = Certificates()
    running = start(Options(state="authorized", settings=guide_settings()), rate_limits=False, certificates=certificates)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        yield running
    finally:
        connections.discard()
        running.stop()


# The API answers a plain `greencli doctor` reads, each asked once.
DOCTOR_READS = reads_of(BY_ID[check_id] for check_id in ORDER)


def credentials_of(running: RunningSandbox) -> Credentials:
    return Credentials(running.instance.instance_id, running.instance.token, running.url)


def run_doctor(running: RunningSandbox, tmp_path: Path, token: str | None = None) -> list[CheckResult]:
    environ = {"GREEN_API_URL": running.url, "GREEN_API_INSTANCE_ID": running.instance.instance_id,
               "GREEN_API_TOKEN": token or running.instance.token}
    resolution = resolve(RootOptions(), environ, tmp_path, read_env_file=False)
    return run_checks(resolution, tmp_path, lambda c: GreenApiClient(c, timeout=5), 5.0).results


def test_doctor_uses_one_connection_per_call_and_one_phase_of_requests(https_sandbox: RunningSandbox, tmp_path: Path) -> None:
    calls = len(DOCTOR_READS)
    counter = Counter(batch=calls)
    counted(https_sandbox, counter)
    results = run_doctor(https_sandbox, tmp_path)
    assert [r.status for r in results if r.id not in ("hygiene",)] == ["pass"] * (len(results) - 1)
    assert counter.connections == calls  # the reachability check times one of them: none extra
    assert len(counter.phases) == 1 and sorted(counter.phases[0]) == sorted(
        ["getStateInstance", "getStatusInstance", "getWaSettings", "getSettings", "getMessagesCount", "getWebhooksCount",
         "GetStateInstanceHistory"]
    )


def test_doctor_with_refused_credentials_still_makes_one_phase_and_skips_the_rest(https_sandbox: RunningSandbox, tmp_path: Path) -> None:
    counter = Counter(batch=len(DOCTOR_READS))
    counted(https_sandbox, counter)
    results = {r.id: r for r in run_doctor(https_sandbox, tmp_path, token="0" * 50)}
    assert results["credentials"].status == "fail" and "401" in results["credentials"].message
    assert all(results[i].status == "skip" and "credentials were not accepted" in results[i].message
               for i in ("state", "socket", "phone", "notifications", "queue", "incoming"))
    assert len(counter.phases) == 1


def test_check_state_asks_state_and_phone_at_once(https_sandbox: RunningSandbox, run_cli: Any) -> None:
    counter = Counter(batch=2)
    counted(https_sandbox, counter)
    environ = {"GREEN_API_URL": https_sandbox.url, "GREEN_API_INSTANCE_ID": https_sandbox.instance.instance_id,
               "GREEN_API_TOKEN": https_sandbox.instance.token}
    result = run_cli(["check-state"], env=environ)
    assert result.exit_code == 0, result.stderr
    assert counter.connections == 2
    assert [sorted(p) for p in counter.phases] == [["getStateInstance", "getWaSettings"]]


def test_connections_opened_ahead_are_the_ones_the_requests_use(https_sandbox: RunningSandbox) -> None:
    counter = Counter(batch=1)
    counted(https_sandbox, counter)
    first = connections.warm(https_sandbox.url, 2, timeout=5)
    assert first is not None and first.result(timeout=10).tls_version is not None
    client = GreenApiClient(credentials_of(https_sandbox), timeout=5)
    assert client.get_state_instance() == "authorized"
    assert client.get_settings()["incomingWebhook"] == "yes"
    client.close()
    assert counter.connections == 2  # the two warmed; a keep-alive connection served both calls
    assert len(counter.phases) == 2


@pytest.mark.parametrize(
    ("args", "command", "settings"),
    [
        (["doctor"], "doctor", RunSettings()),
        (["--api-url", "https://x.example", "--timeout=3", "check-state", "--json"], "check-state",
         RunSettings(api_url="https://x.example", timeout=3.0, json=True)),
        (["--env-file", "a.env", "webhooks", "listen"], "webhooks", RunSettings(env_files=(Path("a.env"),))),
        (["doctor", "--json", "--env-file", "b.env", "--api-url=https://y.example"], "doctor",
         RunSettings(env_files=(Path("b.env"),), api_url="https://y.example", json=True)),
        (["-q", "--env-file=a.env", "doctor", "--env-file", "b.env", "--", "--token", "x"], "doctor",
         RunSettings(env_files=(Path("a.env"), Path("b.env")), quiet=True)),
        (["--sandbox", "doctor"], None, RunSettings(sandbox=True)),
        (["doctor", "--sandbox"], None, RunSettings(sandbox=True)),
        (["doctor", "--help"], None, RunSettings()),
        (["--version"], None, RunSettings()),
        ([], None, RunSettings()),
    ],
)
def test_the_entry_point_reads_which_command_will_call_the_api(args: list[str], command: str | None, settings: RunSettings) -> None:
    assert command_line(args) == (command, settings)


def test_the_entry_point_settles_the_timeout_as_the_command_will() -> None:
    # A --timeout that is not a number is refused by resolve_timeout, as the command refuses it.
    from greencli.config.loader import resolve_timeout

    _, settings = command_line(["--timeout", "soon", "doctor"])
    with pytest.raises(UsageError):
        resolve_timeout(RootOptions(timeout=settings.timeout), {})


def test_doctor_warms_as_many_connections_as_it_makes_calls() -> None:
    assert CONNECTIONS["doctor"] == len(DOCTOR_READS)
    assert "init" not in CONNECTIONS and "sandbox" not in CONNECTIONS


def test_nothing_is_opened_ahead_for_a_local_plain_http_sandbox(https_sandbox: RunningSandbox) -> None:
    from greencli.cli import warm_start

    local = "http://127.0.0.1:9"  # nothing listens: an attempt would be a failed connection
    warm_start._warm(RunSettings(), {"GREEN_API_URL": local, "GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": "a" * 50}, 2)
    assert connections.claim(local, None) is None
    warm_start._warm(RunSettings(), {"GREEN_API_URL": https_sandbox.url, "GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": "a" * 50}, 1)
    opened = connections.claim(https_sandbox.url, str(https_sandbox.certificates.ca_file))
    assert opened is not None and opened.tls_version is not None
    opened.sock.close()


def test_a_connection_closed_or_left_too_long_is_not_used(https_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    ca = str(https_sandbox.certificates.ca_file)
    first = connections.warm(https_sandbox.url, 1, timeout=5)
    assert first is not None
    first.result(timeout=10).sock.close()  # as if the server had hung up
    assert connections.claim(https_sandbox.url, ca) is None
    connections.warm(https_sandbox.url, 1, timeout=5).result(timeout=10)
    monkeypatch.setattr(connections, "MAX_IDLE", -1.0)  # every connection is now too old
    assert connections.claim(https_sandbox.url, ca) is None
    # The client then connects by itself, and the call still works.
    client = GreenApiClient(credentials_of(https_sandbox), timeout=5)
    assert client.get_state_instance() == "authorized"
    client.close()
