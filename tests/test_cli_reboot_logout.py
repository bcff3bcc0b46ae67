"""`greencli reboot` and `greencli logout` through greencli.cli.app.main, API mocked: the question
names the instance and phone, and a "no" is exit 1 with nothing changed; --wait follows the
restart."""

from __future__ import annotations

import json

import pytest
import responses

from tests.mocked_api import API, ID, methods, mocked, url

BASE = f"{API}/waInstance{ID}"


@pytest.fixture
def env(token: str) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}


@pytest.fixture
def api():
    """Strict about requests no mock answers (tests.mocked_api); a mock may go unused."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import greencli.cli.context

    monkeypatch.setattr(greencli.cli.context, "can_prompt", lambda: True)


@pytest.mark.parametrize(("command", "field"), [("reboot", "isReboot"), ("logout", "isLogout")])
def test_yes_calls_the_method_once_and_names_the_next_step(run_cli, env, token, command, field) -> None:
    with mocked() as api:
        api.get(url(command, token), json={field: True})
        result = run_cli([command, "--yes", "--json"], env=env)
        assert len(api.calls) == 1
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["action"] == command and "greencli" in document["next"]


@pytest.mark.parametrize(("command", "field"), [("reboot", "isReboot"), ("logout", "isLogout")])
def test_an_answer_that_it_did_not_happen_exits_1(run_cli, env, token, command, field) -> None:
    with mocked() as api:
        api.get(url(command, token), json={field: False})
        result = run_cli([command, "--yes"], env=env)
    assert result.exit_code == 1
    assert f"the {command} did not happen" in result.stderr


def test_without_yes_and_without_a_terminal_nothing_is_changed(run_cli, env) -> None:
    with mocked():  # any request would fail the test
        result = run_cli(["logout", "--json"], env=env)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "confirmation_required"


def test_declining_the_prompt_changes_nothing_and_exits_1(run_cli, env, token, monkeypatch) -> None:
    from greencli.cli import context

    monkeypatch.setattr(context, "can_prompt", lambda: True)
    with mocked(all_fired=False) as api:
        # The phone the question names is looked up meanwhile (it may not be asked for in time).
        api.get(url("getWaSettings", token), json={"phone": "79001234567"})
        result = run_cli(["reboot"], env=env, input="n\n")
    assert result.exit_code == 1
    assert "Cancelled: nothing was changed." in result.stderr
    assert "reboot" not in methods(api)


def test_bad_credentials_are_reported_before_the_question(run_cli) -> None:
    result = run_cli(["reboot"], env={"GREEN_API_INSTANCE_ID": "12ab", "GREEN_API_TOKEN": "x" * 50})
    assert result.exit_code == 2 and "digits only" in result.stderr


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
