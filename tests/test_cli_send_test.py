"""send-test against Green API mocked with `responses`: quotas, statuses and interruptions."""

from __future__ import annotations

import json

import pytest
import responses

from tests.mocked_api import methods
from tests.mocked_api import url as api_url

ID = "1101000001"
API = "https://api.green-api.com"


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def env(token: str) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token, "GREEN_API_URL": API}


def url(token: str, method: str) -> str:
    return f"{API}/waInstance{ID}/{method}/{token}"


def test_a_number_check_whatsapp_would_refuse_spends_no_request(api, run_cli, env, assert_no_token, token) -> None:
    # checkWhatsapp: 400 "bad phone number, valid from 11 to 16 digits"
    # (https://green-api.com/en/docs/api/service/CheckWhatsapp/)
    result = run_cli(["send-test", "+354 555 1234", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "invalid_phone" and "11 to 16" in error["message"] and "--no-check" in error["hint"]
    assert len(api.calls) == 0


# -- through the whole command, against a sandbox in this process --------------------------------


def test_a_sent_message_reports_its_id_and_how_the_number_was_checked(run_cli, local_sandbox, assert_no_token) -> None:
    env, running = local_sandbox(state="authorized")
    result = run_cli(["send-test", "+7 (900) 123-45-67", "--json"], env=env)
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["chatId"] == "79001234567@c.us" and document["whatsappCheck"] == "passed"
    assert document["idMessage"] and document["status"] is None
    assert_no_token(result, running.instance.token)


def test_the_human_rendering_names_the_next_step(run_cli, local_sandbox) -> None:
    env, _ = local_sandbox(state="authorized")
    result = run_cli(["send-test", "79001234567", "--no-check", "-m", "hi"], env=env)
    assert result.exit_code == 0
    assert result.stdout.startswith("ok   Test message sent to +79001234567")
    assert "Follow its delivery with --wait" in result.stdout


def test_an_unlinked_instance_sends_nothing_and_exits_1(run_cli, local_sandbox) -> None:
    env, running = local_sandbox(state="notAuthorized")
    result = run_cli(["send-test", "79001234567", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "not_authorized"


def test_an_empty_message_is_a_usage_error(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["send-test", "79001234567", "-m", "  "], env=env)
    assert result.exit_code == 2 and "--message is empty" in result.stderr


def test_wait_follows_the_message_and_a_failed_delivery_exits_1(run_cli, api, token, instant_polls) -> None:
    env = {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}
    api.get(api_url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(api_url("sendMessage", token), json={"idMessage": "ABC"})
    api.post(api_url("getMessage", token), json={"statusMessage": "sent"})
    api.post(api_url("getMessage", token), json={"statusMessage": "noAccount"})
    result = run_cli(["send-test", "79001234567", "--no-check", "--wait", "10"], env=env)
    assert result.exit_code == 1
    assert "Test message not delivered to +79001234567" in result.stdout
    assert "The recipient has no WhatsApp account" in result.stdout
    assert methods(api) == ["getStateInstance", "sendMessage", "getMessage", "getMessage"]


def test_a_token_typed_as_a_phone_number_is_masked_before_it_is_cut_short(run_cli, token, assert_no_token) -> None:
    result = run_cli(["send-test", token], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token})
    assert result.exit_code == 2
    assert_no_token(result, token)
    glued = run_cli(["send-test", f"79001234567@{token}"], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token})
    assert glued.exit_code == 2
    assert_no_token(glued, token)
