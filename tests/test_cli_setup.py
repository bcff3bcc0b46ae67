"""`greencli setup`: from nothing to a passing doctor in one command, and a no-op the second time."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from greencli.sandbox.instance import Options
from greencli.sandbox.server import RunningSandbox, start


@pytest.fixture
def new_instance() -> Iterator[RunningSandbox]:
    """An unlinked instance with nothing switched on; its phone 'scans' the first QR shown."""
    sandbox = start(Options(state="notAuthorized", auto_scan=0.5, restart_seconds=0.5), rate_limits=False)
    yield sandbox
    sandbox.stop()


def env_for(sandbox: RunningSandbox) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}


def calls(sandbox: RunningSandbox, method: str) -> int:
    return sum(1 for request in sandbox.sandbox.requests if request.get("method") == method)


def test_a_new_instance_reaches_a_passing_doctor_and_a_second_run_changes_nothing(run_cli, new_instance: RunningSandbox) -> None:
    first = run_cli(["setup", "--yes", "--json"], env=env_for(new_instance))
    assert first.exit_code == 0, first.stdout + first.stderr
    document = json.loads(first.stdout)  # one document: the QR step's own output is not in it
    outcomes = {step["name"]: step["outcome"] for step in document["steps"]}
    assert outcomes == {"Credentials": "skipped", "Link": "done", "Notifications": "done", "Apply": "done", "Test message": "skipped"}
    assert document["ok"] is True and document["doctor"]["failed"] == 0
    assert calls(new_instance, "setSettings") == 1

    second = run_cli(["setup", "--yes", "--json"], env=env_for(new_instance))
    assert second.exit_code == 0
    assert {step["outcome"] for step in json.loads(second.stdout)["steps"]} == {"skipped"}
    assert calls(new_instance, "setSettings") == 1  # no second restart
    assert calls(new_instance, "sendMessage") == 0


def test_the_human_report_says_each_step_and_ends_with_doctor(run_cli, new_instance: RunningSandbox) -> None:
    result = run_cli(["setup", "--yes", "--send-test", "79001234567"], env=env_for(new_instance))
    assert result.exit_code == 0, result.stdout + result.stderr
    for line in ("Credentials", "Link", "Notifications", "Apply", "Test message"):
        assert line in result.stdout
    assert "done: sent to 79001234567" in result.stdout
    assert "doctor: " in result.stdout and "0 failed" in result.stdout
    assert calls(new_instance, "sendMessage") == 1


def test_push_mode_sets_the_url_in_the_same_single_write(run_cli, new_instance: RunningSandbox) -> None:
    result = run_cli(["setup", "--yes", "--url", "http://127.0.0.1:9/green", "--json"], env=env_for(new_instance))
    steps = {step["name"]: step for step in json.loads(result.stdout)["steps"]}
    assert "webhookUrl set to http://127.0.0.1:9/green" in steps["Notifications"]["message"]
    assert calls(new_instance, "setSettings") == 1
    assert new_instance.instance.settings["webhookUrl"] == "http://127.0.0.1:9/green"


def test_without_credentials_or_a_terminal_it_says_what_to_set(run_cli) -> None:
    result = run_cli(["setup"])
    assert result.exit_code == 2
    assert "greencli init" in result.stderr


def test_url_and_polling_contradict(run_cli, new_instance: RunningSandbox) -> None:
    result = run_cli(["setup", "--url", "https://bot.example.com/x", "--polling"], env=env_for(new_instance))
    assert result.exit_code == 2
    assert calls(new_instance, "getStateInstance") == 0


def test_without_yes_or_a_terminal_the_settings_are_not_changed(run_cli, new_instance: RunningSandbox) -> None:
    result = run_cli(["setup", "--json"], env=env_for(new_instance))
    assert result.exit_code == 1
    steps = {step["name"]: step for step in json.loads(result.stdout)["steps"]}
    assert steps["Notifications"]["outcome"] == "failed" and "--yes" in steps["Notifications"]["hint"]
    assert calls(new_instance, "setSettings") == 0


def test_a_link_that_fails_keeps_the_steps_in_the_document(run_cli) -> None:
    import requests

    sandbox = start(Options(state="notAuthorized"), rate_limits=False)
    # Green API cannot give a QR code: the link step fails at once.
    requests.post(f"{sandbox.url}/sandbox/faults", json={"kind": "status", "status": 400, "method": "qr"}, timeout=5).raise_for_status()
    try:
        result = run_cli(["setup", "--yes", "--json"], env=env_for(sandbox))
    finally:
        sandbox.stop()
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [step["name"] for step in document["steps"]] == ["Credentials", "Link"]
    assert document["steps"][1]["outcome"] == "failed"
    assert "Waiting up to 150 s" in result.stderr


def test_a_second_run_sends_no_second_test_message(run_cli, new_instance: RunningSandbox) -> None:
    # Each test message is a real WhatsApp message and takes one of the free plan's three chats
    # (https://green-api.com/en/docs/about-tariffs/): setup sends it once.
    first = run_cli(["setup", "--yes", "--send-test", "79001234567", "--json"], env=env_for(new_instance))
    assert first.exit_code == 0, first.stdout + first.stderr
    sent = {step["name"]: step for step in json.loads(first.stdout)["steps"]}["Test message"]
    assert sent["outcome"] == "done"
    second = run_cli(["setup", "--yes", "--send-test", "+7 900 123-45-67", "--json"], env=env_for(new_instance))
    assert second.exit_code == 0
    again = {step["name"]: step for step in json.loads(second.stdout)["steps"]}["Test message"]
    assert again["outcome"] == "skipped" and "already sent" in again["message"] and "greencli's record" in again["message"]
    assert calls(new_instance, "sendMessage") == 1
    assert calls(new_instance, "lastOutgoingMessages") == 1  # the first run looked; the second had the record


def test_without_greencli_s_record_the_journal_tells_of_the_earlier_message(run_cli, new_instance: RunningSandbox, tmp_path, monkeypatch) -> None:
    # Another machine (or a cleared state directory): the instance's outgoing journal of the last
    # 24 hours (https://green-api.com/en/docs/api/journals/LastOutgoingMessages/) shows greencli's
    # test text to that chat.
    first = run_cli(["setup", "--yes", "--send-test", "79001234567", "--json"], env=env_for(new_instance))
    assert first.exit_code == 0, first.stdout + first.stderr
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-machine"))
    second = run_cli(["setup", "--yes", "--send-test", "79001234567", "--json"], env=env_for(new_instance))
    again = {step["name"]: step for step in json.loads(second.stdout)["steps"]}["Test message"]
    assert again["outcome"] == "skipped" and "the outgoing journal" in again["message"]
    assert calls(new_instance, "sendMessage") == 1
    # Another chat is another chat: it gets its own test message.
    third = run_cli(["setup", "--yes", "--send-test", "79001112233", "--json"], env=env_for(new_instance))
    assert {step["name"]: step for step in json.loads(third.stdout)["steps"]}["Test message"]["outcome"] == "done"
    assert calls(new_instance, "sendMessage") == 2


def test_setup_refuses_a_test_number_before_doing_anything(run_cli, new_instance: RunningSandbox) -> None:
    result = run_cli(["setup", "--yes", "--send-test", "12"], env=env_for(new_instance))
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert not new_instance.sandbox.requests  # not one request
