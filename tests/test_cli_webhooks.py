"""`greencli webhooks enable|disable|show|listen` through greencli.cli.app.main, API mocked."""

from __future__ import annotations

import json

import pytest

from tests.mocked_api import ID, url

GUIDE = ("incomingWebhook", "outgoingMessageWebhook", "outgoingAPIMessageWebhook", "stateWebhook")



@pytest.fixture
def env(token: str) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}



def test_enable_changes_only_what_is_off_and_says_so(api, run_cli, env, token, assert_no_token, instant_polls) -> None:
    before = dict.fromkeys(GUIDE, "yes") | {"stateWebhook": "no", "webhookUrl": ""}
    api.get(url("getSettings", token), json=before)
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), json=before | {"stateWebhook": "yes"})
    result = run_cli(["webhooks", "enable"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "Changed 1 setting:" in result.stdout and "stateWebhook -> yes" in result.stdout
    assert json.loads(api.calls[1].request.body) == {"stateWebhook": "yes"}
    assert_no_token(result, token)


def test_enable_with_nothing_to_change_sends_nothing(api, run_cli, env, token, instant_polls) -> None:
    api.get(url("getSettings", token), json=dict.fromkeys(GUIDE, "yes"))
    result = run_cli(["webhooks", "enable", "--json"], env=env)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"ok": True, "changed": {}, "unchanged": sorted(GUIDE), "notApplied": []}
    assert len(api.calls) == 1


def test_settings_that_never_apply_fail_with_exit_1_and_the_details(api, run_cli, env, token, instant_polls) -> None:
    api.get(url("getSettings", token), json=dict.fromkeys(GUIDE, "yes"))  # never changes
    api.post(url("setSettings", token), json={"saveSettings": True})
    result = run_cli(["webhooks", "disable", "--json", "--verify-wait", "4"], env=env)
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "settings_not_applied"
    assert error["details"]["notApplied"] == sorted(GUIDE)
    assert sum(1 for call in api.calls if "/setSettings/" in call.request.url) == 1  # never written twice
    assert "again later" in error["hint"]


def test_enable_all_leaves_out_the_out_of_service_device_webhook(api, run_cli, env, token, instant_polls) -> None:
    # deviceWebhook is "temporarily out of service" (https://green-api.com/en/docs/api/account/SetSettings/).
    from greencli.greenapi.notification_settings import ENABLE_ALL_TYPES

    api.get(url("getSettings", token), json={})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), json=dict.fromkeys(ENABLE_ALL_TYPES, "yes"))
    result = run_cli(["webhooks", "enable", "--all", "--json"], env=env)
    assert result.exit_code == 0, result.stdout
    sent = [json.loads(call.request.body) for call in api.calls if "/setSettings/" in call.request.url]
    assert len(sent) == 1 and "deviceWebhook" not in sent[0] and sent[0]["incomingCallWebhook"] == "yes"


def test_url_and_polling_together_are_a_usage_error_before_any_request(api, run_cli, env) -> None:
    result = run_cli(["webhooks", "enable", "--url", "https://bot.example.com/x", "--polling"], env=env)
    assert result.exit_code == 2
    assert "contradict" in result.stderr
    assert len(api.calls) == 0


def test_show_lists_every_switch_and_what_the_guide_needs(api, run_cli, env, token) -> None:
    api.get(url("getSettings", token), json={"incomingWebhook": "yes", "webhookUrl": "", "webhookUrlToken": "x"})
    result = run_cli(["webhooks", "show"], env=env)
    assert result.exit_code == 0
    assert "polling (receiveNotification; no webhook URL)" in result.stdout
    assert "URL token: set" in result.stdout
    assert "(the guide needs it)" in result.stdout and "greencli webhooks enable" in result.stdout


def test_listen_prints_one_json_line_per_notification_then_deletes_it(api, run_cli, env, token) -> None:
    api.get(url("getSettings", token), json={"incomingWebhook": "yes", "webhookUrl": ""})
    api.get(url("receiveNotification", token), json={"receiptId": 5, "body": {"typeWebhook": "stateInstanceChanged"}})
    api.delete(url("deleteNotification", token) + "/5", json={"result": True})
    result = run_cli(["webhooks", "listen", "--count", "1", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"receiptId": 5, "body": {"typeWebhook": "stateInstanceChanged"}}
    ]


def test_listen_refuses_when_notifications_are_pushed_to_a_url(api, run_cli, env, token) -> None:
    api.get(url("getSettings", token), json={"webhookUrl": "https://bot.example.com/hook"})
    result = run_cli(["webhooks", "listen", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "polling_impossible"
