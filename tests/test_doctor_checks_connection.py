"""doctor's connection checks: the API host answers; Green API accepts the instance ID and token
(a 403 asks the documented universal host, never an invented one)."""

from __future__ import annotations

import json

import pytest

from greencli.doctor.checks.connection import check_credentials, why_stopped
from greencli.doctor.runner import _ask_other_host
from greencli.greenapi.probes import probe_host
from tests.doctor_inputs import ID, api_error, facts, fetched
from tests.mocked_api import mocked


def test_a_rejected_token_names_the_token(token: str) -> None:
    result = check_credentials(fetched(error=api_error("unauthorized", 401)), facts(token, "https://7103.api.greenapi.com"), lambda url: None)
    assert result.status == "fail" and "token" in result.message and "apiTokenInstance" in result.hint


def test_403_on_the_universal_host_invents_no_host_and_sends_to_the_console(token: str) -> None:
    # Hosts cannot be derived from the ID (1101... → 1101.api.green-api.com, pools share hosts):
    # https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/
    def probe(url: str) -> int:
        raise AssertionError(f"no documented host to ask: probed {url}")

    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "https://api.green-api.com"), probe)
    assert result.status == "fail"
    assert "7103.api" not in result.hint and "apiUrl" in result.hint and "mediaUrl" in result.hint


def test_403_on_an_own_host_asks_only_the_documented_universal_host(token: str) -> None:
    probed = []

    def probe(url: str) -> int:
        probed.append(url)
        return 200

    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "https://7103.api.greenapi.com"), probe)
    assert probed == ["https://api.greenapi.com"]  # documented, in the same domain spelling
    assert "not served by 7103.api.greenapi.com" in result.message
    assert "apiUrl" in result.hint and "GREEN_API_URL=" not in result.hint


def test_403_everywhere_means_the_instance_id_is_wrong(token: str) -> None:
    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "https://7103.api.greenapi.com"), lambda url: 403)
    assert "GREEN_API_INSTANCE_ID" in result.hint and "Neither" in result.message


@pytest.mark.parametrize("status", [500, 502, 429])
def test_an_error_answer_during_the_credentials_check_is_not_a_rejection(token: str, status: int) -> None:
    result = check_credentials(fetched(error=api_error("server_error", status)), facts(token, "https://7103.api.greenapi.com"), lambda url: None)
    assert f"answered {status}" in result.message and "could not be checked" in result.message
    assert "not accepted" not in result.message and "rejected" not in result.message
    assert why_stopped(api_error("server_error", status)) == f"Green API answered {status}"
    assert why_stopped(api_error("unauthorized", 401)) == "the credentials were not accepted"


def test_no_answer_from_an_own_host_while_the_universal_host_answers_means_the_instance_is_up(token: str) -> None:
    # Resets and timeouts, not only 403 (https://github.com/t0mer/green-api-custom-notifier/issues/16).
    probed = []
    result = check_credentials(fetched(error=api_error("timeout")), facts(token, "https://7103.api.greenapi.com"),
                                 lambda url: probed.append(url) or 200)
    assert probed == ["https://api.greenapi.com"]
    assert "it is up" in result.message and "down or blocked" in result.message


def test_no_answer_from_either_host_means_the_instance_is_down(token: str) -> None:
    result = check_credentials(fetched(error=api_error("connection_failed")), facts(token, "https://7103.api.greenapi.com"), lambda url: None)
    assert "instance itself seems down" in result.message and "greencli reboot" in result.hint


def test_no_answer_from_the_universal_host_names_both_causes(token: str) -> None:
    def probe(url: str) -> int:
        raise AssertionError("nothing documented to compare with")

    result = check_credentials(fetched(error=api_error("timeout")), facts(token, "https://api.green-api.com"), probe)
    assert "temporary bridge" in result.message and "instance is down" in result.message
    assert "apiUrl" in result.hint


def test_probe_host_tells_refused_from_reset() -> None:
    import socket
    import threading

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert probe_host(f"http://127.0.0.1:{port}", 1.0, None).failure == "refused"

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def reset_each() -> None:
        connection, _ = server.accept()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        connection.close()  # RST instead of FIN

    thread = threading.Thread(target=reset_each, daemon=True)
    thread.start()
    probe = probe_host(f"https://127.0.0.1:{server.getsockname()[1]}", 1.0, None)
    thread.join(2)
    server.close()
    assert probe.failure == "reset", probe


def test_403_on_a_host_that_is_not_green_apis_is_never_probed(token: str) -> None:
    def probe(url: str) -> int:
        raise AssertionError("must not send the token to another host")

    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "http://127.0.0.1:9"), probe)
    assert result.status == "fail" and "instance ID or the host" in result.message


def test_the_403_probe_asks_the_factory_for_its_client_with_short_limits(token) -> None:
    """doctor builds no client of its own: the probe of the universal host goes through the
    run's factory too (greencli.cli.context.RunContext.new_client)."""

    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.credentials import universal_api_url

    made: list[tuple[str, float | None, float | None]] = []

    def make_client(credentials, *, timeout=None, backoff=None):
        made.append((credentials.api_url, timeout, backoff))
        return GreenApiClient(credentials, timeout=timeout or 10.0, backoff=0 if backoff is None else backoff)

    own = "https://7103.api.greenapi.com"
    universal = universal_api_url(own)
    own_facts = facts(token, own)
    with mocked() as api:
        api.get(f"{universal}/waInstance{ID}/getStateInstance/{token}", json={"stateInstance": "authorized"})
        result = check_credentials(
            fetched(error=api_error("forbidden", 403)), own_facts, lambda url: _ask_other_host(url, own_facts, 8.0, make_client)
        )
    assert made == [(universal, 5.0, 0)]
    assert result.status == "fail"


@pytest.mark.parametrize(
    ("kind", "code", "words", "stopped"),
    [
        ("expired", "instance_expired", "has expired", "the instance has expired"),
        ("deleted", "instance_deleted", "has been deleted", "the instance has been deleted"),
    ],
)
def test_an_expired_or_deleted_instance_is_named_as_such(run_cli, kind: str, code: str, words: str, stopped: str) -> None:
    """The documented 400s of https://green-api.com/en/docs/api/common-errors/ ("Instance
    account is expired. Renew your instance from personal area", "Instance is deleted"); new
    instances can read expired for a while (https://github.com/green-api/issues/issues/197,
    https://github.com/green-api/issues/issues/997). Not "the credentials could not be checked"."""
    from greencli.sandbox.faults import parse_fault
    from greencli.sandbox.instance import Options, guide_settings
    from greencli.sandbox.server import start

    running = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    running.sandbox.faults.add(parse_fault({"kind": kind}))  # the documented 400 and its text
    try:
        env = {"GREEN_API_URL": running.url, "GREEN_API_INSTANCE_ID": running.instance.instance_id,
               "GREEN_API_TOKEN": running.instance.token}
        result = run_cli(["doctor", "--json"], env=env)
        state = run_cli(["check-state", "--json"], env=env)
    finally:
        running.stop()
    assert result.exit_code == 1  # the instance's fault, not an outage
    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    credentials = checks["credentials"]
    assert credentials["status"] == "fail" and words in credentials["message"]
    assert "could not be checked" not in credentials["message"]
    assert "console.green-api.com" in credentials["hint"]
    if kind == "expired":
        assert "197" in credentials["hint"] and "997" in credentials["hint"]
    assert checks["state"]["message"] == f"skipped: {stopped}"
    assert json.loads(state.stdout)["error"]["code"] == code  # every command names it with its own code
