"""send-test against Green API mocked with `responses`: quotas, statuses and interruptions."""

from __future__ import annotations

import json

import pytest
import responses

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
