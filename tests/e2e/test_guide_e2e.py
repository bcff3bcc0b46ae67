"""Every step of the setup guide as the installed greencli runs it against the sandbox."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import requests

from tests.e2e.conftest import Sandbox, greencli_command


def test_sandbox_flag_runs_doctor_with_no_account(tmp_path):
    completed = subprocess.run(
        [*greencli_command(), "--sandbox", "doctor"],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 failed" in completed.stdout


def requests_logged_when_linked(sandbox: Sandbox) -> list[int]:
    """Filled, when the sandbox's phone scans the code, with how many requests it had logged by
    then: what greencli asks after the link is counted, not timed. (A request logged just
    before may be answered just after, and see the link.)"""
    counts: list[int] = []
    instance = sandbox.instance
    authorize = instance.authorize

    def counted() -> None:
        counts.append(len(sandbox.running.sandbox.requests))
        authorize()

    instance.authorize = counted
    return counts


def test_check_state_authorized_shows_the_phone(sandbox: Sandbox):
    run = sandbox.run("check-state")
    assert run.exit_code == 0
    assert "authorized" in run.stdout and "+79001234567" in run.stdout


def test_check_state_json_for_a_new_instance(fresh_sandbox: Sandbox):
    fresh_sandbox.instance.options.creation_seconds = 3600  # still being created when greencli asks, however slow it starts
    fresh_sandbox.control("POST", "/state", {"state": "new"})
    run = fresh_sandbox.run("check-state", "--json")
    assert run.exit_code == 1
    data = run.json()
    assert data["stateInstance"] is None and data["ok"] is False and "created" in data["meaning"]


def test_check_state_wait_returns_once_the_phone_is_linked(fresh_sandbox: Sandbox):
    linked = requests_logged_when_linked(fresh_sandbox)
    fresh_sandbox.instance.options.auto_scan = 1.5
    fresh_sandbox.instance._schedule_auto_scan()
    run = fresh_sandbox.run("check-state", "--wait", "20")
    assert run.exit_code == 0, run.stderr
    assert "authorized" in run.stdout
    # It stops at the first look after the link. (Its pace, a call a second, is counted on a
    # fake clock in tests/test_flows_waiting.py.)
    looks_after_the_link = [r for r in fresh_sandbox.running.sandbox.requests[linked[0]:] if r["method"] == "getStateInstance"]
    assert len(looks_after_the_link) <= 1


def test_init_writes_a_private_env_that_other_commands_read(sandbox: Sandbox):
    subprocess.run(["git", "init", "-q"], cwd=sandbox.workdir, check=True)
    env = {k: v for k, v in sandbox.env().items() if not k.startswith("GREEN_API")}
    run = sandbox.run("--instance-id", sandbox.instance_id, "--token", sandbox.token, "--api-url", sandbox.url, "init", env=env)
    assert run.exit_code == 0, run.stderr
    dotenv = sandbox.workdir / ".env"
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    assert f"GREEN_API_TOKEN={sandbox.token}" in dotenv.read_text()
    assert ".env" in (sandbox.workdir / ".gitignore").read_text()
    assert sandbox.run("check-state", env=env).exit_code == 0
    again = sandbox.run("--instance-id", sandbox.instance_id, "--token", sandbox.token, "init", env=env)
    assert again.exit_code == 2 and "--force" in again.stderr


def test_init_with_a_wrong_token_writes_nothing(sandbox: Sandbox):
    env = {k: v for k, v in sandbox.env().items() if not k.startswith("GREEN_API")}
    wrong = "f" * 50
    run = sandbox.run("--instance-id", sandbox.instance_id, "--token", wrong, "--api-url", sandbox.url, "init", "--json", env=env)
    assert run.exit_code == 3
    assert run.json()["error"]["code"] == "unauthorized"
    assert wrong not in run.stdout + run.stderr
    assert not (sandbox.workdir / ".env").exists()


def test_qr_draws_codes_until_the_phone_is_linked(fresh_sandbox: Sandbox):
    from tests.qr_reading import payload_from_drawing

    linked = requests_logged_when_linked(fresh_sandbox)
    fresh_sandbox.instance.options.auto_scan = 2.5  # counted from the first code served
    run = fresh_sandbox.run("qr", "--save", "code.png")
    assert run.exit_code == 0, run.stderr
    assert "Linked as +79001234567" in run.stdout
    drawing = run.stdout.split("Scan it")[0]
    assert payload_from_drawing(drawing).startswith("2@")
    assert (fresh_sandbox.workdir / "code.png").read_bytes().startswith(b"\x89PNG")
    # Codes until the link, then it stops at the first look (a qr answered alreadyLogged or the
    # state authorized). Its pace (a qr a second, the state every other second) is counted on
    # a fake clock in tests/test_flows_linking.py.
    log = fresh_sandbox.running.sandbox.requests
    assert [r["method"] for r in log[: linked[0]]].count("qr") >= 1
    looks_after_the_link = [r for r in log[linked[0]:] if r["method"] in ("qr", "getStateInstance")]
    assert len(looks_after_the_link) <= 1


def test_qr_once_json_carries_the_payload_the_server_drew(fresh_sandbox: Sandbox):
    run = fresh_sandbox.run("qr", "--once", "--json")
    assert run.exit_code == 0
    data = run.json()
    assert data["type"] == "qrCode"
    assert data["payload"] == fresh_sandbox.control("GET", "")["qrPayload"]


def test_qr_when_already_linked_and_on_a_stale_auth_error(sandbox: Sandbox, fresh_sandbox: Sandbox):
    linked = sandbox.run("qr")
    assert linked.exit_code == 0 and "Already linked" in linked.stdout and "logout" in linked.stdout
    fresh_sandbox.control("POST", "/qr-error", {})
    error = fresh_sandbox.run("qr")
    assert error.exit_code == 1
    assert "greencli logout" in error.stderr


def test_qr_phone_shows_a_pairing_code(fresh_sandbox: Sandbox):
    fresh_sandbox.instance.options.auto_scan = 1.0
    run = fresh_sandbox.run("qr", "--phone", "+7 900 123-45-67")
    assert run.exit_code == 0, run.stderr
    assert "Pairing code for +79001234567" in run.stdout
    assert "Link with phone number" in run.stdout
    body = fresh_sandbox.requests_for("getAuthorizationCode")[0]["body"]
    assert body == {"phoneNumber": 79001234567}


def test_reboot_and_logout_need_yes_without_a_terminal(sandbox: Sandbox):
    refused = sandbox.run("logout")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert sandbox.requests_for("logout") == []
    done = sandbox.run("logout", "--yes")
    assert done.exit_code == 0 and "greencli qr" in done.stdout
    assert sandbox.instance.state == "notAuthorized"


def test_send_test_delivers_once_and_follows_the_status(sandbox: Sandbox):
    # Statuses past `sent` need outgoingWebhook (journals/GetMessage): `webhooks enable --status`.
    sandbox.control("POST", "/settings", {"outgoingWebhook": "yes"})
    # Another number than the instance's own (79001234567), whose messages stay `sent`.
    run = sandbox.run("send-test", "+7 (900) 111-22-33", "--wait", "30", "--json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["chatId"] == "79001112233@c.us" and data["status"] in ("delivered", "read")
    sends = sandbox.requests_for("sendMessage")
    assert len(sends) == 1 and sends[0]["body"]["chatId"] == "79001112233@c.us"
    assert sandbox.requests_for("checkWhatsapp")[0]["body"] == {"phoneNumber": 79001112233}


def test_send_test_with_statuses_off_stops_at_sent_and_says_why(sandbox: Sandbox):
    # The sandbox shows what Green API shows: with outgoingWebhook off the journal says `sent`
    # and no more (journals/GetMessage; notifications-format/outgoing-message/OutgoingMessageStatus).
    run = sandbox.run("--timeout", "5", "send-test", "79001112233", "--wait", "30", "--json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["status"] == "sent" and data["stoppedBecause"]
    text = sandbox.run("send-test", "79001112244", "--wait", "30")
    assert "status" in text.stdout + text.stderr and "webhooks enable --status" in text.stdout + text.stderr


def test_send_test_refuses_bad_numbers_before_any_request(sandbox: Sandbox):
    for bad in ("7900abc1234", "12345", "1234567890123456789"):
        run = sandbox.run("send-test", bad)
        assert run.exit_code == 2, bad
        assert "international" in run.stderr
    assert sandbox.control("GET", "/requests")["requests"] == []


def test_send_test_stops_when_not_authorized_or_no_whatsapp(sandbox: Sandbox, fresh_sandbox: Sandbox):
    unlinked = fresh_sandbox.run("send-test", "79001234567")
    assert unlinked.exit_code == 1 and "greencli qr" in unlinked.stderr
    assert fresh_sandbox.requests_for("sendMessage") == []
    nobody = sandbox.run("send-test", "79001230000", "--json")
    assert nobody.exit_code == 1 and nobody.json()["error"]["code"] == "no_whatsapp"
    assert sandbox.requests_for("sendMessage") == []


def test_send_test_quota_of_chats_exits_3_with_the_allowed_chats(sandbox: Sandbox):
    for number in ("79001234561", "79001234562", "79001234563"):
        assert sandbox.run("send-test", number, "--no-check").exit_code == 0
    run = sandbox.run("send-test", "79001234564", "--no-check", "--json")
    assert run.exit_code == 3
    error = run.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "79001234561@c.us" in error["hint"]


def test_send_test_goes_on_without_the_check_when_its_quota_is_used(sandbox: Sandbox):
    sandbox.control("POST", "/quota/checks")
    run = sandbox.run("send-test", "79001234567")
    assert run.exit_code == 0
    assert "100" in run.stderr and len(sandbox.requests_for("sendMessage")) == 1


def test_send_test_never_sends_twice_after_a_lost_answer(sandbox: Sandbox):
    sandbox.fault("drop", "sendMessage", times=1)
    run = sandbox.run("send-test", "79001234567", "--json")
    assert run.exit_code == 3
    assert run.json()["error"]["code"] == "possibly_sent"
    assert len(sandbox.requests_for("sendMessage")) == 1


def test_send_test_retries_a_429_which_was_not_processed(sandbox: Sandbox):
    sandbox.fault("rate-limit", "sendMessage", times=1, retryAfter=0.2)
    run = sandbox.run("send-test", "79001234567", "--no-check")
    assert run.exit_code == 0, run.stderr
    statuses = [r["status"] for r in sandbox.requests_for("sendMessage")]
    assert statuses == [429, 200]
    assert len(sandbox.control("GET", "")["sent"]) == 1


def test_webhooks_enable_sends_only_changes_and_nothing_the_second_time(fresh_sandbox: Sandbox):
    fresh_sandbox.control("POST", "/settings", {"delaySendMessagesMilliseconds": 3000, "pollMessageWebhook": "yes"})
    first = fresh_sandbox.run("webhooks", "enable", "--json")
    assert first.exit_code == 0, first.stderr
    sent = fresh_sandbox.requests_for("setSettings")
    assert len(sent) == 1
    assert sent[0]["body"] == dict.fromkeys(("incomingWebhook", "outgoingMessageWebhook", "outgoingAPIMessageWebhook", "stateWebhook"), "yes")
    settings = fresh_sandbox.control("GET", "")["settings"]
    assert settings["pollMessageWebhook"] == "yes" and settings["delaySendMessagesMilliseconds"] == 3000
    second = fresh_sandbox.run("webhooks", "enable")
    assert second.exit_code == 0 and "Nothing to change" in second.stdout
    assert len(fresh_sandbox.requests_for("setSettings")) == 1


def test_webhooks_enable_reports_settings_that_did_not_stick(fresh_sandbox: Sandbox):
    fresh_sandbox.fault("not-saved", "setSettings", times=2)
    run = fresh_sandbox.run("webhooks", "enable", "--status", "--verify-wait", "1")
    assert run.exit_code == 1
    assert "has not applied" in run.stderr and "5 minutes" in run.stderr
    # One write per run: every setSettings reboots the instance (https://green-api.com/en/docs/api/account/SetSettings/).
    assert len(fresh_sandbox.requests_for("setSettings")) == 1 and "again later" in run.stderr
    fresh_sandbox.fault("not-saved", "setSettings", times=2)
    document = fresh_sandbox.run("webhooks", "enable", "--verify-wait", "0", "--json")
    assert document.exit_code == 1
    error = document.json()["error"]
    assert error["code"] == "settings_not_applied" and "incomingWebhook" in error["details"]["notApplied"]


def test_webhooks_url_token_is_never_shown_and_bad_urls_are_refused(fresh_sandbox: Sandbox):
    secret = "bearer-secret-value-123456"
    run = fresh_sandbox.run("webhooks", "enable", "--url", "https://bot.example.com/hook", "--url-token", secret)
    assert run.exit_code == 0
    assert secret not in run.stdout + run.stderr
    assert fresh_sandbox.instance.settings["webhookUrlToken"] == secret
    show = fresh_sandbox.run("webhooks", "show", "--json").json()
    assert show["mode"] == "push" and show["webhookUrlTokenSet"] is True
    bad = fresh_sandbox.run("webhooks", "enable", "--url", "ftp://nope")
    assert bad.exit_code == 2


def test_listen_refuses_while_a_webhook_url_is_set(sandbox: Sandbox):
    sandbox.control("POST", "/settings", {"webhookUrl": "https://bot.example.com/hook"})
    run = sandbox.run("webhooks", "listen", "--count", "1")
    assert run.exit_code == 1
    assert "webhooks enable --polling" in run.stderr


def test_listen_prints_json_lines_and_empties_the_queue(sandbox: Sandbox):
    for text in ("one", "two", "three"):
        sandbox.control("POST", "/incoming", {"text": text})
    run = sandbox.run("webhooks", "listen", "--count", "3", "--json", "--receive-timeout", "5")
    assert run.exit_code == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["body"]["messageData"]["textMessageData"]["textMessage"] for line in lines] == ["one", "two", "three"]
    assert sandbox.control("GET", "")["notifications"] == 0
    calls = sandbox.requests_for("receiveNotification") + sandbox.requests_for("deleteNotification")
    assert len(calls) == 6  # exactly two API calls per notification


def test_doctor_finds_stuck_messages_and_missing_notifications(fresh_sandbox: Sandbox):
    fresh_sandbox.control("POST", "/settings", {"webhookUrl": "http://192.168.1.10/hook", "incomingWebhook": "yes"})
    url = f"{fresh_sandbox.url}/waInstance{fresh_sandbox.instance_id}/sendMessage/{fresh_sandbox.token}"
    assert requests.post(url, json={"chatId": "79001234567@c.us", "message": "waiting"}, timeout=10).status_code == 200
    run = fresh_sandbox.run("doctor", "--json")
    assert run.exit_code == 1
    checks = {c["id"]: c for c in run.json()["checks"]}
    assert checks["state"]["status"] == "fail" and "greencli qr" in checks["state"]["hint"]
    assert checks["queue"]["status"] == "fail" and "stuck" in checks["queue"]["message"]
    assert checks["notifications"]["status"] == "fail" and "private" in checks["notifications"]["message"]


def test_doctor_names_a_wrong_token_and_a_wrong_instance(sandbox: Sandbox):
    wrong_token = sandbox.run("doctor", "--json", env=sandbox.env(GREEN_API_TOKEN="a" * 50))
    checks = {c["id"]: c for c in wrong_token.json()["checks"]}
    assert wrong_token.exit_code == 1
    assert checks["credentials"]["status"] == "fail" and "token" in checks["credentials"]["message"]
    wrong_id = sandbox.run("doctor", "--json", env=sandbox.env(GREEN_API_INSTANCE_ID="1234567890"))
    checks = {c["id"]: c for c in wrong_id.json()["checks"]}
    assert "403" in checks["credentials"]["message"] and checks["state"]["status"] == "skip"


def test_doctor_fails_when_env_is_committed_and_never_prints_the_token(sandbox: Sandbox):
    work = sandbox.workdir
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    (work / ".env").write_text(f"GREEN_API_TOKEN={sandbox.token}\n")
    (work / "bot.py").write_text(f'TOKEN = "{sandbox.token}"\n')
    subprocess.run(["git", "add", ".env", "bot.py"], cwd=work, check=True)
    run = sandbox.run("doctor", check_token=False)
    from tests.e2e.conftest import assert_no_token

    assert_no_token(sandbox.token, run.stdout, run.stderr)
    assert run.exit_code == 1
    assert "tracked by git" in run.stdout and "git rm --cached .env" in run.stdout
    assert "bot.py" in run.stdout


def test_webhooks_disable_switches_the_same_types_off_and_leaves_the_url(sandbox: Sandbox):
    sandbox.control("POST", "/settings", {"webhookUrl": "https://bot.example.com/hook", "outgoingWebhook": "yes"})
    run = sandbox.run("webhooks", "disable")
    assert run.exit_code == 0, run.stderr
    settings = sandbox.control("GET", "")["settings"]
    assert [settings[name] for name in ("incomingWebhook", "outgoingMessageWebhook", "outgoingAPIMessageWebhook", "stateWebhook")] == ["no"] * 4
    assert settings["outgoingWebhook"] == "yes" and settings["webhookUrl"] == "https://bot.example.com/hook"


def test_listen_repeats_a_failed_receive_or_delete_and_keeps_json_lines(quiet_sandbox: Sandbox):
    quiet_sandbox.control("POST", "/incoming", {"text": "survives a 500"})
    quiet_sandbox.fault("status", "receiveNotification", status=500, times=1)
    quiet_sandbox.fault("status", "deleteNotification", status=500, times=1)
    run = quiet_sandbox.run("webhooks", "listen", "--count", "1", "--json", "--receive-timeout", "5")
    assert run.exit_code == 0, run.stderr
    assert "Trying again" in run.stderr
    assert quiet_sandbox.control("GET", "")["notifications"] == 0
    quiet_sandbox.control("POST", "/incoming", {"text": "then a 401"})
    quiet_sandbox.fault("status", "deleteNotification", status=401)
    failed = quiet_sandbox.run("webhooks", "listen", "--count", "1", "--json", "--receive-timeout", "5")
    assert failed.exit_code == 3
    lines = failed.stdout.splitlines()
    assert len(lines) == 2  # the notification, then the error: each one JSON object on one line
    assert json.loads(lines[0])["body"]["typeWebhook"] == "incomingMessageReceived"
    assert json.loads(lines[1])["error"]["code"] == "unauthorized"


def test_qr_answer_that_is_not_a_png_is_a_bad_response(fresh_sandbox: Sandbox):
    fresh_sandbox.fault("status", "qr", status=200, body='{"type": "qrCode", "message": "bm90IGEgcGljdHVyZQ=="}')
    run = fresh_sandbox.run("qr", "--once", "--json")
    assert run.exit_code == 3 and run.json()["error"]["code"] == "bad_response"


def test_webhooks_disable_that_did_not_stick_says_still_on(sandbox: Sandbox):
    sandbox.fault("not-saved", "setSettings", times=2)
    run = sandbox.run("webhooks", "disable", "--verify-wait", "0")
    assert run.exit_code == 1
    assert "again later if they are still on" in run.stderr and "still off" not in run.stderr
