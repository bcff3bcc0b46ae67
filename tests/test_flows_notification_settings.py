"""flows.notification_settings.apply_settings: read, send what differs, read back, retry once."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from greencli.errors import ApiError
from greencli.flows.notification_settings import apply_settings
from tests.mocked_api import methods, url


def sent_bodies(api: responses.RequestsMock) -> list[dict]:
    return [json.loads(call.request.body) for call in api.calls if "/setSettings/" in call.request.url]


def test_nothing_is_sent_when_every_setting_is_already_as_asked(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"incomingWebhook": "yes", "webhookUrl": ""})
    change = apply_settings(client, {"incomingWebhook": "yes", "webhookUrl": ""}, verify_wait=20)
    assert change.changes == {} and change.not_applied == []
    assert change.unchanged == ["incomingWebhook", "webhookUrl"]
    assert sent_bodies(api) == []


def test_only_what_differs_is_sent_and_read_back(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"incomingWebhook": "yes", "stateWebhook": "no"})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), json={"incomingWebhook": "yes", "stateWebhook": "yes"})
    change = apply_settings(client, {"incomingWebhook": "yes", "stateWebhook": "yes"}, verify_wait=20)
    assert sent_bodies(api) == [{"stateWebhook": "yes"}]
    assert change.changes == {"stateWebhook": "yes"} and change.unchanged == ["incomingWebhook"]
    assert change.not_applied == []


# Every setSettings reboots the instance (https://green-api.com/en/docs/api/account/SetSettings/):
# one write per run, whatever the read-back says.
def test_what_did_not_stick_is_reported_and_never_written_again(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"stateWebhook": "no", "incomingWebhook": "no"})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), json={"stateWebhook": "no", "incomingWebhook": "yes"})  # repeats
    change = apply_settings(client, {"stateWebhook": "yes", "incomingWebhook": "yes"}, verify_wait=6)
    assert sent_bodies(api) == [{"stateWebhook": "yes", "incomingWebhook": "yes"}]
    assert change.not_applied == ["stateWebhook"]


@pytest.mark.parametrize("failure", [{"status": 502}, {"status": 500}, {"body": requests.exceptions.ReadTimeout("slow")}])
def test_an_unanswered_write_is_read_back_not_sent_again(api, client, token, instant_polls, failure) -> None:
    heard: list[str] = []
    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.post(url("setSettings", token), **failure)
    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.get(url("getSettings", token), json={"stateWebhook": "yes"})  # it was saved after all
    change = apply_settings(client, {"stateWebhook": "yes"}, verify_wait=20, on_unanswered=lambda e: heard.append(e.code))
    assert len(sent_bodies(api)) == 1 and change.not_applied == []
    assert len(heard) == 1


def test_a_refused_write_is_an_error_and_nothing_is_read_back(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.post(url("setSettings", token), status=400, body="bad request data")
    with pytest.raises(ApiError):
        apply_settings(client, {"stateWebhook": "yes"}, verify_wait=20)
    assert methods(api) == ["getSettings", "setSettings"]


def test_reading_back_survives_a_5xx(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), status=500)
    api.get(url("getSettings", token), json={"stateWebhook": "yes"})
    assert apply_settings(client, {"stateWebhook": "yes"}, verify_wait=20).not_applied == []


def test_the_url_token_is_sent_but_never_waited_for(api, client, token, instant_polls) -> None:
    """getSettings may hide webhookUrlToken, so it cannot be read back."""
    api.get(url("getSettings", token), json={"webhookUrlToken": ""})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), json={"webhookUrlToken": ""})
    change = apply_settings(client, {"webhookUrlToken": "secret-value"}, verify_wait=20)
    assert sent_bodies(api) == [{"webhookUrlToken": "secret-value"}]
    assert change.not_applied == []


def test_the_spinner_hears_what_is_still_missing(api, client, token, instant_polls) -> None:
    from contextlib import contextmanager

    shown: list[str] = []

    @contextmanager
    def spinner(message: str):
        shown.append(message)
        yield lambda text, left=None: shown.append(text)

    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.get(url("getSettings", token), json={"stateWebhook": "yes"})
    change = apply_settings(client, {"stateWebhook": "yes"}, verify_wait=20, spinner=spinner)
    assert change.not_applied == []
    assert shown[0] == "Reading the settings back…"
    assert shown[1] == "Waiting for Green API to apply stateWebhook…"  # the spinner counts the seconds down itself


def test_an_unanswered_write_that_did_not_take_keeps_green_apis_error(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"stateWebhook": "no"})
    api.post(url("setSettings", token), status=500, body="internal")
    with pytest.raises(ApiError) as caught:
        apply_settings(client, {"stateWebhook": "yes"}, verify_wait=6)
    assert caught.value.status == 500 and caught.value.details["notApplied"] == ["stateWebhook"]
    assert "again in a few minutes" in (caught.value.hint or "")
    assert len(sent_bodies(api)) == 1
