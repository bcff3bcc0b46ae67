"""`greencli check-state` through greencli.cli.app.main, with the API mocked by `responses`."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
import requests
import responses

from tests.conftest import FakeClock
from tests.mocked_api import API, ID, mocked, url

BASE = f"{API}/waInstance{ID}"

NOT_AUTHORIZED_STATES = [
    "notAuthorized",
    "starting",
    "blocked",
    "yellowCard",
    "sleepMode",
    None,
    "weirdNewState",
]


@pytest.fixture
def api():
    """Strict about requests no mock answers (tests.mocked_api); a mock may go unused."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def env(token: str) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}


def state_url(token: str) -> str:
    return url("getStateInstance", token)


def settings_url(token: str) -> str:
    return url("getWaSettings", token)


def test_check_state_says_which_instance_host_and_where_each_value_came_from(api, run_cli, token, tmp_path) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_TOKEN={token}\n")
    (tmp_path / ".env").chmod(0o600)
    api.get(f"{BASE}/getStateInstance/{token}", json={"stateInstance": "authorized"})
    api.get(f"{BASE}/getWaSettings/{token}", json={"phone": "79001234567"})
    result = run_cli(["check-state", "--instance-id", ID])
    assert result.exit_code == 0
    assert f"Instance: {ID}  (from --instance-id)" in result.stdout
    assert "Host:     https://api.green-api.com  (from built-in default)" in result.stdout
    assert f"Token:    {token[:4]}...{token[-4:]}  (from .env line 1)" in result.stdout
    assert "Phone:    +79001234567" in result.stdout
    assert token not in result.stdout
    document = json.loads(run_cli(["check-state", "--instance-id", ID, "--json"]).stdout)
    assert document["sources"] == {"instanceId": "--instance-id", "apiUrl": "built-in default", "token": ".env line 1"}


def phone_answered(api, token: str, base: str = BASE) -> None:
    """check-state asks for the linked phone (getWaSettings) at the same time as the state."""
    api.get(f"{base}/getWaSettings/{token}", json={"phone": "79001234567"})


def mock_state(api, token: str, state: str | None, phone: str = "79001234567") -> None:
    if state is None:
        api.get(state_url(token), body="null", content_type="application/json")
    else:
        api.get(state_url(token), json={"stateInstance": state})
    api.get(settings_url(token), json={"phone": phone, "stateInstance": state})


def calls_to(api, method: str) -> int:
    return sum(1 for call in api.calls if f"/{method}/" in call.request.url)


def one_json_document(stdout: str) -> dict:
    """stdout must be exactly one JSON document (json.loads rejects trailing text)."""
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


# -- states ----------------------------------------------------------------------------------------


def test_authorized_exit_0_with_phone(api, run_cli, assert_no_token, token, env) -> None:
    mock_state(api, token, "authorized")
    result = run_cli(["check-state"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0
    assert "authorized" in result.stdout
    assert "+79001234567" in result.stdout
    assert result.stderr == ""
    assert calls_to(api, "getStateInstance") == 1
    assert calls_to(api, "getWaSettings") == 1


def test_authorized_json(api, run_cli, assert_no_token, token, env) -> None:
    mock_state(api, token, "authorized", phone="79001234567@c.us")
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0
    data = one_json_document(result.stdout)
    assert data["ok"] is True
    assert data["stateInstance"] == "authorized"
    assert data["phone"] == "+79001234567"
    assert data["instanceId"] == ID
    assert result.stderr == ""


@pytest.mark.parametrize("state", NOT_AUTHORIZED_STATES)
def test_not_authorized_states_exit_1_with_hint(api, run_cli, assert_no_token, token, env, state) -> None:
    mock_state(api, token, state)
    result = run_cli(["check-state"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 1
    assert "-> " in result.stdout  # the line saying what to do (plain output spells the arrow)
    if state is not None:
        assert state in result.stdout
    else:
        assert "being created" in result.stdout
    assert "+79001234567" not in result.stdout
    # Asked at the same time as the state (no round trip more), but not shown.
    assert calls_to(api, "getWaSettings") == 1


@pytest.mark.parametrize("state", NOT_AUTHORIZED_STATES)
def test_not_authorized_states_json(api, run_cli, assert_no_token, token, env, state) -> None:
    mock_state(api, token, state)
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 1
    data = one_json_document(result.stdout)
    assert data["ok"] is False
    assert "stateInstance" in data
    assert data["stateInstance"] == state
    assert data["hint"]
    assert data["phone"] is None


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("notAuthorized", "greencli qr"),
        ("starting", "--wait"),
        ("blocked", "WhatsApp"),
        ("yellowCard", "reboot"),
        ("sleepMode", "phone"),
        (None, "notAuthorized means it is ready"),
    ],
)
def test_hints_say_what_to_do(api, run_cli, assert_no_token, token, env, state, words) -> None:
    mock_state(api, token, state)
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    assert words in one_json_document(result.stdout)["hint"]


def test_phone_lookup_failure_is_only_a_warning(api, run_cli, assert_no_token, token, env) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    api.get(settings_url(token), status=500, body="oops")
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0
    data = one_json_document(result.stdout)
    assert data["ok"] is True and data["phone"] is None
    assert "warning" in result.stderr


# -- errors --------------------------------------------------------------------------------------


def test_401_exit_3_json_envelope(api, run_cli, assert_no_token, token, env) -> None:
    api.get(state_url(token), status=401, body="Unauthorized")
    phone_answered(api, token)
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 3
    data = one_json_document(result.stdout)
    assert data["ok"] is False
    assert data["error"]["code"] == "unauthorized"
    assert data["error"]["message"]
    assert data["error"]["hint"]
    assert set(data["error"]) >= {"code", "message", "hint"}


def test_401_exit_3_human(api, run_cli, assert_no_token, token, env) -> None:
    api.get(state_url(token), status=401)
    phone_answered(api, token)
    result = run_cli(["check-state"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "error:" in result.stderr and "401" in result.stderr
    assert "hint:" in result.stderr


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"status": 403}, "forbidden"),
        (
            {"status": 466, "json": {"invokeStatus": {"method": "getStateInstance", "used": 1, "total": 1}}},
            "quota_exceeded",
        ),
        ({"status": 503}, "server_error"),
        ({"status": 429}, "rate_limited"),
        ({"body": "<html><body>proxy login</body></html>"}, "bad_response"),
        ({"body": requests.exceptions.ConnectionError("reset")}, "connection_failed"),
    ],
)
def test_api_failures_exit_3(api, run_cli, assert_no_token, token, env, kwargs, code) -> None:
    api.get(state_url(token), **kwargs)
    phone_answered(api, token)
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 3
    assert one_json_document(result.stdout)["error"]["code"] == code


def test_missing_credentials_exit_2_before_any_request(api, run_cli, assert_no_token, token) -> None:
    result = run_cli(["check-state"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert "GREEN_API_INSTANCE_ID" in result.stderr and "GREEN_API_TOKEN" in result.stderr
    assert "greencli init" in result.stderr
    assert result.stdout == ""
    assert len(api.calls) == 0


def test_missing_credentials_json(api, run_cli, assert_no_token, token) -> None:
    result = run_cli(["check-state", "--json"], env={"GREEN_API_INSTANCE_ID": ID})
    assert_no_token(result, token)
    assert result.exit_code == 2
    error = one_json_document(result.stdout)["error"]
    assert error["code"] == "missing_credentials"
    assert "GREEN_API_TOKEN" in error["message"]
    assert len(api.calls) == 0


def test_invalid_instance_id_exit_2(api, run_cli, assert_no_token, token) -> None:
    result = run_cli(["--instance-id", "11010-00001", "--token", token, "check-state", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert one_json_document(result.stdout)["error"]["code"] == "invalid_instance_id"
    assert len(api.calls) == 0


def test_token_with_space_exit_2_and_not_echoed(api, run_cli, assert_no_token, token) -> None:
    bad = token[:25] + " " + token[25:]
    result = run_cli(["check-state"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": bad})
    assert_no_token(result, token)
    assert bad not in result.stderr
    assert result.exit_code == 2
    assert len(api.calls) == 0


def test_bad_timeout_env_exit_2(api, run_cli, assert_no_token, token, env) -> None:
    result = run_cli(["check-state", "--json"], env={**env, "GREENCLI_TIMEOUT": "soon"})
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert one_json_document(result.stdout)["error"]["code"] == "invalid_timeout"
    assert len(api.calls) == 0


def test_unreadable_env_file_exit_2(api, run_cli, assert_no_token, token, tmp_path) -> None:
    (tmp_path / ".env").mkdir()
    result = run_cli(["check-state", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert one_json_document(result.stdout)["error"]["code"] == "env_file_error"


def test_bad_option_exit_2(api, run_cli, assert_no_token, token, env) -> None:
    result = run_cli(["check-state", "--bogus"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert "--bogus" in result.stderr
    result = run_cli(["check-state", "--json", "--wait", "0"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert one_json_document(result.stdout)["error"]["code"] == "usage_error"
    assert len(api.calls) == 0


# -- credentials from each source ---------------------------------------------------------------


def test_credentials_from_dot_env(api, run_cli, assert_no_token, token, tmp_path) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN='{token}'\n")
    mock_state(api, token, "authorized")
    result = run_cli(["check-state"])
    assert_no_token(result, token)
    assert result.exit_code == 0


def test_credentials_from_options_and_api_url(api, run_cli, assert_no_token, token) -> None:
    dedicated = "https://1101.api.greenapi.com"
    api.get(f"{dedicated}/waInstance{ID}/getStateInstance/{token}", json={"stateInstance": "notAuthorized"})
    phone_answered(api, token, f"{dedicated}/waInstance{ID}")
    result = run_cli(["--instance-id", ID, "--token", token, "--api-url", dedicated + "/", "check-state"])
    assert_no_token(result, token)
    assert result.exit_code == 1
    assert [call.request.url.split("/")[4] for call in api.calls].count("getStateInstance") == 1
    assert all(call.request.url.startswith(dedicated + "/waInstance") for call in api.calls)


def test_shadowed_and_odd_token_warnings_go_to_stderr(api, run_cli, assert_no_token, token) -> None:
    odd = "Odd_Token_" + token[:30]
    tmp_env = {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token[::-1]}
    api.get(f"{BASE}/getStateInstance/{odd}", json={"stateInstance": "notAuthorized"})
    phone_answered(api, odd)
    result = run_cli(["--token", odd, "check-state", "--json"], env=tmp_env)
    for secret in (odd, token, token[::-1]):
        assert_no_token(result, secret)
    assert result.exit_code == 1
    one_json_document(result.stdout)  # warnings never pollute the JSON on stdout
    assert "overrides" in result.stderr
    assert "does not look like an apiTokenInstance" in result.stderr


def test_debug_traceback_is_redacted(api, run_cli, assert_no_token, token, env) -> None:
    failing = state_url(token)
    api.get(failing, body=requests.exceptions.ConnectionError(f"Max retries exceeded with url: {failing}"))
    phone_answered(api, token)
    result = run_cli(["--debug", "check-state"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert "Max retries exceeded with url" in result.stderr  # the URL is there, its token is not


# -- --wait --------------------------------------------------------------------------------------


@pytest.fixture
def fake_clock(instant_polls: FakeClock) -> FakeClock:
    """check-state's poll() on a fake clock (conftest's instant_polls)."""
    return instant_polls


def scripted_states(api, token: str, clock: FakeClock, states: list[str]) -> list[float]:
    """Answer getStateInstance with `states` in turn (the last repeats); return call times."""
    times: list[float] = []

    def answer(request):
        times.append(clock.now)
        assert len(times) < 1000, "check-state kept polling without the clock moving on"
        state = states[min(len(times) - 1, len(states) - 1)]
        return 200, {}, json.dumps({"stateInstance": state})

    api.add_callback(responses.GET, state_url(token), callback=answer, content_type="application/json")
    api.get(settings_url(token), json={"phone": "79001234567"})
    return times


def test_wait_until_authorized(api, run_cli, assert_no_token, token, env, fake_clock) -> None:
    times = scripted_states(api, token, fake_clock, ["notAuthorized", "notAuthorized", "authorized"])
    result = run_cli(["check-state", "--wait", "5", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0
    data = one_json_document(result.stdout)
    assert data["stateInstance"] == "authorized"
    assert data["phone"] == "+79001234567"
    assert len(times) == 3
    assert fake_clock.now - 1000.0 <= 5.0


def test_wait_gives_up_with_exit_1(api, run_cli, assert_no_token, token, env, fake_clock) -> None:
    times = scripted_states(api, token, fake_clock, ["starting"])
    result = run_cli(["check-state", "--wait", "3"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 1
    assert "starting" in result.stdout
    assert times[-1] - times[0] <= 3.0
    assert fake_clock.now - 1000.0 <= 3.0 + 1e-9


def test_wait_keeps_to_one_state_request_a_second(
    api, run_cli, assert_no_token, token, env, fake_clock
) -> None:
    # Contract: "--wait polls once a second, the method's rate limit" -- the request check-state
    # makes before it starts waiting counts too.
    times = scripted_states(api, token, fake_clock, ["notAuthorized", "notAuthorized", "authorized"])
    result = run_cli(["check-state", "--wait", "5"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0
    for earlier, later in pairwise(times):
        assert later - earlier >= 1.0 - 1e-9, f"getStateInstance calls at {times}"


def test_wait_not_used_when_already_authorized(api, run_cli, assert_no_token, token, env, fake_clock) -> None:
    times = scripted_states(api, token, fake_clock, ["authorized"])
    result = run_cli(["check-state", "--wait", "300"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0
    assert len(times) == 1
    assert fake_clock.now == 1000.0


# -- terminal styling ------------------------------------------------------------------------------


def test_force_color_uses_rich_and_still_redacts(api, run_cli, assert_no_token, token, env) -> None:
    api.get(
        state_url(token), status=500, json={"message": f"failed /waInstance{ID}/getStateInstance/{token}"}
    )
    phone_answered(api, token)
    result = run_cli(["check-state"], env={**env, "FORCE_COLOR": "1"})
    assert_no_token(result, token)
    assert result.exit_code == 3
    assert "\x1b[" in result.stderr  # rich styling was used
    assert "failed /waInstance" in result.stderr


def test_no_color_wins_over_force_color(api, run_cli, assert_no_token, token, env) -> None:
    mock_state(api, token, "authorized")
    result = run_cli(["check-state"], env={**env, "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert_no_token(result, token)
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert "+79001234567" in result.stdout


def test_blocked_names_both_a_linked_device_lock_and_a_ban(api, run_cli, assert_no_token, token, env) -> None:
    # blocked is a linked-device lock or a ban (https://green-api.com/en/docs/faq/if-your-instance-is-blocked/)
    mock_state(api, token, "blocked")
    result = run_cli(["check-state", "--json"], env=env)
    assert_no_token(result, token)
    data = one_json_document(result.stdout)
    assert "linked device" in data["meaning"] and "ban" in data["meaning"]
    assert "greencli reboot" in data["hint"] and "greencli logout" in data["hint"] and "banned" in data["hint"]
    assert result.exit_code == 1


def test_wait_survives_a_5xx_and_shows_it(api, run_cli, assert_no_token, token, env, fake_clock) -> None:
    # One 5xx must not end the wait: Green API asks to repeat such calls
    # (https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/).
    calls: list[float] = []

    def answer(request):
        calls.append(fake_clock.now)
        if len(calls) <= 4:  # the first try and the client's three retries
            return 500, {}, json.dumps({"message": "internal"})
        return 200, {}, json.dumps({"stateInstance": "authorized"})

    api.add_callback(responses.GET, state_url(token), callback=answer, content_type="application/json")
    api.get(settings_url(token), json={"phone": "79001234567"})
    result = run_cli(["check-state", "--wait", "30", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert one_json_document(result.stdout)["stateInstance"] == "authorized"
    assert len(calls) == 5


def test_wait_ends_at_once_on_a_401(api, run_cli, assert_no_token, token, env, fake_clock) -> None:
    api.get(state_url(token), status=401)
    result = run_cli(["check-state", "--wait", "30", "--json"], env=env)
    assert result.exit_code == 3
    assert one_json_document(result.stdout)["error"]["code"] == "unauthorized"
    assert len(api.calls) == 1 and fake_clock.now == 1000.0
