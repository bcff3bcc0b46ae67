"""check-state shows where each credential came from; reboot/logout ask naming the instance and
phone, and a "no" is exit 1 with nothing changed; reboot --wait follows the restart."""

from __future__ import annotations

import json

import pytest
import responses

from tests.mocked_api import API, ID, mocked

BASE = f"{API}/waInstance{ID}"


@pytest.fixture
def api():
    """Strict about requests no mock answers (tests.mocked_api); a mock may go unused."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import greencli.cli.context

    monkeypatch.setattr(greencli.cli.context, "can_prompt", lambda: True)


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


@pytest.mark.parametrize("command", ["reboot", "logout"])
def test_the_question_names_instance_and_phone_and_no_changes_nothing(api, run_cli, token, terminal, command) -> None:
    api.get(f"{BASE}/getWaSettings/{token}", json={"phone": "79001234567"})
    result = run_cli([command], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}, input="n\n")
    assert result.exit_code == 1
    assert ID in result.stderr and "+79001234567" in result.stderr
    assert "nothing was changed" in result.stderr
    assert not any(f"/{command}/" in call.request.url for call in api.calls)


def test_reboot_wait_follows_the_restart_until_authorized(api, run_cli, token, monkeypatch) -> None:
    from greencli.flows import waiting

    real_poll = waiting.poll
    monkeypatch.setattr(waiting, "poll", lambda *args, **kwargs: real_poll(*args, **{**kwargs, "sleep": lambda seconds: None}))
    api.get(f"{BASE}/reboot/{token}", json={"isReboot": True})
    states = iter(["authorized", "starting", "starting", "authorized"])  # stale, restarting, back
    api.add_callback(
        responses.GET,
        f"{BASE}/getStateInstance/{token}",
        callback=lambda request: (200, {}, json.dumps({"stateInstance": next(states)})),
    )
    result = run_cli(["reboot", "--yes", "--wait", "60", "--json"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["stateInstance"] == "authorized"
    assert sum("/getStateInstance/" in call.request.url for call in api.calls) == 4  # not done at the stale one
