"""Every command × every fault, run as greencli against the sandbox.

Each cell checks the contract: the documented exit code, one clear message with a hint, no
traceback, and no token anywhere (the Sandbox.run guard), also with --debug. Transient faults
on idempotent calls must recover within the retry budget; sendMessage must reach the server
exactly once after an ambiguous failure.

The cells call greencli's `main()` in the test process (the sandbox still answers over real
HTTP) and skip the client's pauses between retries; the smoke row runs each fault once more as
the installed greencli in its own process, pauses included.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

import greencli.flows.linking
import greencli.greenapi.transport
from tests.e2e.conftest import Run, Sandbox, closed_port


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]
    target: str  # the API method the fault is put on
    idempotent: bool = True
    # setSettings reboots the instance on every call (https://green-api.com/en/docs/api/account/SetSettings/):
    # after an ambiguous failure it is never written again.
    single_write: bool = False
    setup: tuple[tuple[str, str, dict], ...] = field(default=())


COMMANDS = [
    Command("check-state", ("check-state",), "getStateInstance"),
    # --wait 5: qr waits out passing trouble until its deadline (150 s by default).
    Command("qr", ("qr", "--once", "--wait", "5"), "qr"),
    Command("send-test", ("send-test", "79001234567", "--no-check"), "sendMessage", idempotent=False),
    # The upload (sending/SendFileByUpload) on the sandbox, its own media host; prepare() writes the file.
    Command("send-file", ("send-test", "79001234567", "--no-check", "--file", "window.jpg"), "sendFileByUpload", idempotent=False),
    Command("webhooks-enable", ("webhooks", "enable", "--status", "--verify-wait", "2"), "setSettings", single_write=True),
    Command("webhooks-show", ("webhooks", "show"), "getSettings"),
    Command(
        "webhooks-listen",
        ("webhooks", "listen", "--count", "1", "--receive-timeout", "5"),
        "getSettings",
        setup=(("POST", "/incoming", {"text": "waiting"}),),
    ),
    Command("doctor", ("doctor",), "getStateInstance"),
    Command("reboot", ("reboot", "--yes"), "reboot"),
    Command("logout", ("logout", "--yes"), "logout"),
    Command("init", ("init",), "getStateInstance"),
]

CHATS_466 = json.dumps(
    {
        "correspondentsStatus": {
            "method": "correspondents",
            "used": 3,
            "total": 3,
            "status": "CORRESPONDENTS_QUOTE_EXCEEDED",
            "description": "Monthly quota has been exceeded. You can only send or receive messages from these numbers: 11111111111@c.us,22222222222@c.us,33333333333@c.us.",
        }
    }
)
METHOD_466 = json.dumps(
    {"invokeStatus": {"method": "checkwhatsapp", "used": 100, "total": 100, "status": "QUOTE_EXCEEDED", "description": "Monthly quota has been exceeded."}}
)

# fault name -> (sandbox fault, expected error code)
FAULTS: dict[str, tuple[dict | None, str]] = {
    "timeout": ({"kind": "slow", "delay": 1.5}, "timeout"),
    "refused": (None, "connection_failed"),
    "reset": ({"kind": "reset"}, "connection_failed"),
    "dropped": ({"kind": "drop"}, "connection_failed"),
    "401": ({"kind": "status", "status": 401}, "unauthorized"),
    "403": ({"kind": "status", "status": 403}, "forbidden"),
    "404": ({"kind": "status", "status": 404}, "not_found"),
    "429-retry-after": ({"kind": "rate-limit", "retryAfter": 0.1}, "rate_limited"),
    "429-no-retry-after": ({"kind": "rate-limit"}, "rate_limited"),
    "466-chats": ({"kind": "status", "status": 466, "body": CHATS_466}, "quota_exceeded"),
    "466-method": ({"kind": "status", "status": 466, "body": METHOD_466}, "quota_exceeded"),
    "500": ({"kind": "status", "status": 500}, "server_error"),
    "502": ({"kind": "status", "status": 502}, "server_error"),
    "503": ({"kind": "status", "status": 503}, "server_error"),
    "html": ({"kind": "html"}, "bad_response"),
    "empty": ({"kind": "empty"}, "bad_response"),
    "truncated": ({"kind": "truncated"}, "bad_response"),
    "wrong-shape": ({"kind": "wrong-shape"}, "bad_response"),
    "null": ({"kind": "null"}, "bad_response"),
}
SENDS = ("send-test", "send-file")
# Faults after which a sendMessage (or an upload) may have gone out: greencli must say so and not resend.
AMBIGUOUS_FOR_SEND = {"timeout", "reset", "dropped", "500", "502", "503", "html", "empty", "truncated", "wrong-shape", "null"}
OUTAGE = {"timeout", "refused", "reset", "dropped", "429-retry-after", "429-no-retry-after", "500", "502", "503"}
# (A read timeout is not among them: --timeout bounds the whole call, so it leaves no time for
# another attempt.)
TRANSIENT = {"reset", "dropped", "429-retry-after", "429-no-retry-after", "502", "503"}


# Faults the sandbox puts on the answer after it processed the request: a setSettings whose answer
# was lost was saved, and webhooks enable finds that by reading the settings back (exit 0).
PROCESSED_THEN_LOST = {"timeout", "reset", "dropped", "html", "empty", "truncated"}


def expected_exit(command: Command, fault: str) -> int:
    if command.single_write and fault in PROCESSED_THEN_LOST:
        return 0
    if fault == "null" and command.target == "getStateInstance":
        # JSON null is a real answer here: "the instance is being created".
        # check-state and doctor exit 1 (not authorized yet); init writes .env: exit 0.
        return {"check-state": 1, "doctor": 1, "init": 0}[command.name]
    if command.name == "doctor":
        # doctor reports API failures as failed checks: exit 3 when Green API could not be
        # reached or did not answer (an outage), 1 when it answered that something is wrong.
        return 3 if fault in OUTAGE else 1
    return 3


def expected_code(command: Command, fault: str) -> str:
    if command.name in SENDS and fault in AMBIGUOUS_FOR_SEND:
        return "possibly_sent"
    return FAULTS[fault][1]


def prepare(sandbox: Sandbox, command: Command, fault: str, times: int | None = None) -> tuple[dict[str, str], list[str]]:
    """The environment and arguments for one cell, with the fault in place."""
    for verb, path, body in command.setup:
        sandbox.control(verb, path, body)
    if command.name == "send-file":
        (sandbox.workdir / "window.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    spec, _ = FAULTS[fault]
    url = sandbox.url if spec is not None else f"http://127.0.0.1:{closed_port()}"
    if spec is not None:
        sandbox.fault(method=command.target, **spec, **({"times": times} if times else {}))
    # --timeout bounds a whole call, retries included: 1 s leaves room for them on a busy
    # machine while the "slow" fault (1.5 s) still times out.
    env = sandbox.env(GREENCLI_TIMEOUT="1", GREEN_API_URL=url)
    root: list[str] = []
    if command.name == "init":  # init takes its values from the root options
        env = {k: v for k, v in env.items() if not k.startswith("GREEN_API_")}
        root = ["--instance-id", sandbox.instance_id, "--token", sandbox.token, "--api-url", url]
    return env, root


def arguments(root: list[str], command: Command, *, debug_json: bool = False) -> list[str]:
    return [*root, *(["--debug"] if debug_json else []), *command.args, *(["--json"] if debug_json else [])]


@pytest.fixture(autouse=True)
def retry_pauses() -> Iterator[list[float]]:
    """The pauses between retries (0.5 s, 1 s, and at least 1 s after a 429 without
    Retry-After) are most of an in-process cell's time. The cells count attempts and check
    outcomes, never durations; the pauses are tested with the client, and the smoke row's
    separate processes still take them."""
    pauses: list[float] = []
    with greencli.greenapi.transport.retry_pauses(pauses.append):
        yield pauses


class TimeThatSkipsAhead:
    """The `time` module as the linking flow sees it: a pause moves its clock on at once, so
    qr waiting out a persistent fault reaches its deadline without waiting it."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def sleep(self, seconds: float) -> None:
        self.skipped += seconds

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.fixture(autouse=True)
def waiting_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(greencli.flows.linking, "time", TimeThatSkipsAhead())


def in_process(sandbox: Sandbox) -> Callable[..., Run]:
    return sandbox.run_in_process


def in_subprocess(sandbox: Sandbox) -> Callable[..., Run]:
    return sandbox.run


def check_persistent_fault(sandbox: Sandbox, command: Command, fault: str, runner: Callable[[Sandbox], Callable[..., Run]]) -> None:
    env, root = prepare(sandbox, command, fault)
    run = runner(sandbox)(*arguments(root, command), env=env)
    assert run.exit_code == expected_exit(command, fault), run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    if run.exit_code == 0:
        return
    if command.name == "doctor":
        assert "FAIL" in run.stdout and "->" in run.stdout  # a failed check with its fix (plain output)
    elif run.exit_code == 3:
        errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, run.stderr
        assert any(line.startswith("hint: ") for line in run.stderr.splitlines()), run.stderr
    if command.name == "init" and run.exit_code != 0:
        assert not (sandbox.workdir / ".env").exists()
    if command.name in SENDS:
        sends = sandbox.requests_for(command.target)
        if fault == "429-retry-after":
            assert len(sends) == 4  # 429 was not processed: the first try and three retries
        elif fault == "429-no-retry-after":
            # Without Retry-After each pause is a second: --timeout 1 allows one.
            assert len(sends) == 2
        elif fault != "refused":
            assert len(sends) == 1, f"{command.target} reached the server {len(sends)} times"


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_persistent_fault(quiet_sandbox: Sandbox, command: Command, fault: str) -> None:
    check_persistent_fault(quiet_sandbox, command, fault, in_process)


# The smoke row: each fault once as a separate process, the commands taken in turn.
SMOKE_ROW = [(COMMANDS[index % len(COMMANDS)], fault) for index, fault in enumerate(FAULTS)]


@pytest.mark.parametrize(("command", "fault"), SMOKE_ROW, ids=[f"{c.name}-{f}" for c, f in SMOKE_ROW])
def test_persistent_fault_in_a_subprocess(quiet_sandbox: Sandbox, command: Command, fault: str) -> None:
    check_persistent_fault(quiet_sandbox, command, fault, in_subprocess)


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "null"])
@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_persistent_fault_json_with_debug(quiet_sandbox: Sandbox, command: Command, fault: str) -> None:
    env, root = prepare(quiet_sandbox, command, fault)
    run = quiet_sandbox.run_in_process(*arguments(root, command, debug_json=True), env=env)
    assert run.exit_code == expected_exit(command, fault)
    document = json.loads(run.stdout)  # exactly one JSON document on stdout
    if command.name == "doctor":
        assert document["ok"] is False
        failed = [c for c in document["checks"] if c["status"] == "fail"]
        assert failed and failed[0]["hint"]
        return
    if run.exit_code == 0:  # a lost answer to a write that was saved: read back, all is well
        assert document["ok"] is True
        return
    error = document["error"]
    assert error["code"] == expected_code(command, fault), error
    assert error["message"] and error["hint"]
    if fault == "466-chats" and command.name in SENDS:
        assert error["details"]["allowedChats"] == ["11111111111@c.us", "22222222222@c.us", "33333333333@c.us"]


@pytest.mark.parametrize("fault", sorted(TRANSIENT))
@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_transient_fault_recovers_or_never_resends(quiet_sandbox: Sandbox, command: Command, fault: str) -> None:
    env, root = prepare(quiet_sandbox, command, fault, times=1)
    run = quiet_sandbox.run_in_process(*arguments(root, command), env=env)
    if command.single_write and not fault.startswith("429"):
        # Read back, never written twice (https://green-api.com/en/docs/api/account/SetSettings/).
        assert run.exit_code == expected_exit(command, fault), run.stdout + run.stderr
        assert len(quiet_sandbox.requests_for(command.target)) == 1
    elif command.idempotent or fault.startswith("429"):
        assert run.exit_code == 0, run.stdout + run.stderr
    else:
        assert run.exit_code == 3
        assert "may have been sent" in run.stderr
        assert len(quiet_sandbox.requests_for(command.target)) == 1
