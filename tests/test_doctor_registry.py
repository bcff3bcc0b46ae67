"""doctor's checks as a registry: one declaration per check, a runner driven by it, the
instance's facts derived once and handed to the checks; a broken check fails alone."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from greencli.config.loader import RootOptions, resolve
from greencli.doctor import facts as facts_module
from greencli.doctor.checks import BY_ID, ORDER, REGISTRY, TITLES
from greencli.doctor.declaration import Gate, Stage
from greencli.doctor.explanations import sections
from greencli.doctor.result import CheckResult, Status, Tally
from greencli.doctor.runner import reads_of, run_checks
from greencli.greenapi.client import GreenApiClient
from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import start
from tests.doctor_inputs import ID
from tests.mocked_api import mocked

CHECKS_DIR = Path(__file__).resolve().parent.parent / "greencli" / "doctor" / "checks"


def test_each_check_is_declared_once_with_its_explanation() -> None:
    ids = [check.id for check in REGISTRY]
    assert len(ids) == len(set(ids)) and set(BY_ID) == set(ids)
    assert ORDER == tuple(check.id for check in REGISTRY if not check.opt_in)
    assert [check.id for check in REGISTRY if check.opt_in] == ["webhook"]
    shipped = sections()
    for check in REGISTRY:
        assert check.id in shipped, f"troubleshooting.md has no section for {check.id}"
        assert shipped[check.id].startswith(f"## {check.id} — {TITLES[check.id]}")


def test_checks_that_judge_answers_declare_what_they_read_and_wait_for_accepted_credentials() -> None:
    for check in REGISTRY:
        if check.stage == Stage.ANSWER:
            assert check.reads, check.id
            assert check.needs in (Gate.REACHABLE, Gate.ACCEPTED), check.id
        else:
            assert not check.reads, check.id
    # Seven answers, each asked once however many checks read it (settings: four).
    assert sorted(read.method for read in reads_of(REGISTRY)) == [
        "GetStateInstanceHistory", "getMessagesCount", "getSettings", "getStateInstance", "getStatusInstance",
        "getWaSettings", "getWebhooksCount",
    ]


def test_no_check_derives_host_facts_itself() -> None:
    """The hosts (universal or own, media host, proxy) are derived once (doctor/facts.py) and
    handed to the checks: no check module asks greenapi/credentials or the proxy settings."""
    derived_elsewhere = {"is_universal_host", "is_green_api_host", "media_url_for", "universal_api_url", "proxy_for", "getproxies"}
    for path in CHECKS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        assert not imported & derived_elsewhere, f"{path.name} imports {imported & derived_elsewhere}"


def test_one_run_derives_the_facts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    for name in ("is_universal_host", "media_url_for", "proxy_for"):
        real = getattr(facts_module, name)
        monkeypatch.setattr(facts_module, name, lambda *args, _real=real, _name=name: asked.append(_name) or _real(*args))
    running = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    try:
        environ = {"GREEN_API_URL": running.url, "GREEN_API_INSTANCE_ID": running.instance.instance_id,
                   "GREEN_API_TOKEN": running.instance.token}
        resolution = resolve(RootOptions(), environ, tmp_path, read_env_file=False)
        checkup = run_checks(resolution, tmp_path, lambda c, **kw: GreenApiClient(c, timeout=5), 5.0)
    finally:
        running.stop()
    assert sorted(asked) == ["is_universal_host", "media_url_for", "proxy_for", "proxy_for"]  # API and media host
    assert checkup.state_label == "authorized"
    assert [result.id for result in checkup.results] == list(ORDER)


def test_a_closed_gate_skips_what_waits_for_it_and_says_why(tmp_path: Path) -> None:
    environ = {"GREEN_API_URL": "http://127.0.0.1:9", "GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": "a" * 50}
    resolution = resolve(RootOptions(), environ, tmp_path, read_env_file=False)
    checkup = run_checks(resolution, tmp_path, lambda c, **kw: GreenApiClient(c, timeout=1, backoff=0), 1.0)
    by_id = {result.id: result for result in checkup.results}
    assert by_id["reachability"].status == Status.FAIL and by_id["reachability"].outage
    waiting = [check.id for check in REGISTRY if not check.opt_in and check.needs in (Gate.REACHABLE, Gate.ACCEPTED)]
    assert waiting and all(by_id[i].message == "skipped: the API host cannot be reached" for i in waiting)
    assert by_id["hygiene"].status != Status.SKIP  # it waits for nothing
    assert checkup.state_label is None


def test_results_are_typed_and_serialize_as_the_documented_words() -> None:
    result = CheckResult("state", "Instance state", Status.WARN, "starting: …", "greencli reboot")
    document = result.to_json()
    assert json.loads(json.dumps(document))["status"] == "warn"
    assert f"{Status.FAIL}" == "fail" and Status.WARN.is_problem and not Status.SKIP.is_problem
    assert Tally.of([result]).to_json() == {"passed": 0, "warnings": 1, "failed": 0, "skipped": 0}


class _Odd(BaseException):
    """Neither an Exception nor KeyboardInterrupt: still only one check's failure."""


@pytest.mark.parametrize("raised", [RecursionError("deep"), _Odd("odd"), SystemExit(3), ValueError("v")])
def test_a_broken_doctor_check_or_call_fails_alone(raised: BaseException) -> None:
    from greencli.doctor.answers import fetch
    from greencli.doctor.runner import guarded

    def broken():  # noqa: ANN202
        raise raised

    result = guarded(broken)
    assert result.status == "fail" and type(raised).__name__ in result.message
    fetched = fetch(broken)
    assert fetched.error is not None and fetched.error.code == "internal_error"


def test_ctrl_c_still_stops_doctor() -> None:
    from greencli.doctor.answers import fetch
    from greencli.doctor.runner import guarded

    def interrupted():  # noqa: ANN202
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        guarded(interrupted)
    with pytest.raises(KeyboardInterrupt):
        fetch(interrupted)


def test_missing_credentials_skip_everything_after_configuration(tmp_path: Path) -> None:
    results = run_checks(resolve(RootOptions(), {}, tmp_path), tmp_path, lambda c: pytest.fail("no client"), 1.0).results
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == list(ORDER)
    assert by_id["config"].status == "fail"
    assert all(by_id[i].status == "skip" for i in ("reachability", "credentials", "state", "notifications", "queue"))


def test_new_api_calls_join_the_concurrent_phase_and_the_queue_is_counted(token: str, tmp_path: Path) -> None:
    import socket

    from greencli.greenapi.client import GreenApiClient

    listener = socket.socket()  # the reachability probes connect here; `responses` answers the API
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    root = f"{base}/waInstance{ID}"
    settings = {"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes",
                "stateWebhook": "yes", "outgoingWebhook": "no", "webhookUrl": ""}
    with mocked() as api:
        api.get(f"{root}/getStateInstance/{token}", json={"stateInstance": "notAuthorized"})
        api.get(f"{root}/getStatusInstance/{token}", json={"statusInstance": "offline"})
        api.get(f"{root}/getWaSettings/{token}", json={"phone": ""})
        api.get(f"{root}/getSettings/{token}", json=settings)
        api.get(f"{root}/getMessagesCount/{token}", json={"count": 1})
        api.get(f"{root}/getWebhooksCount/{token}", json={"count": 0})
        api.get(f"{root}/GetStateInstanceHistory/{token}", json=[])
        resolution = resolve(RootOptions(instance_id=ID, token=token, api_url=base), {}, tmp_path)
        results = run_checks(resolution, tmp_path, lambda c: GreenApiClient(c, timeout=2, backoff=0), 2.0).results
        called = [call.request.url.split("/")[4] for call in api.calls]
    listener.close()
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == list(ORDER)
    assert "showMessagesQueue" not in called and called.count("getMessagesCount") == 1
    assert sorted(called) == sorted(["getStateInstance", "getStatusInstance", "getWaSettings", "getSettings",
                                     "getMessagesCount", "getWebhooksCount", "GetStateInstanceHistory"])
    assert by_id["queue"].status == "fail" and "1 message" in by_id["queue"].message
    assert by_id["statuses"].hint == "greencli webhooks enable --status"
    assert by_id["link"].status == "pass" and by_id["media"].status == "pass"
