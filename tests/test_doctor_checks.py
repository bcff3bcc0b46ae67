"""doctor's checks as plain functions of what was fetched: each problem named, with its fix."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from greencli.config.loader import Credentials, RootOptions, resolve
from greencli.doctor import checks as d
from greencli.errors import ApiError

ID = "7103000001"


def fetched(value=None, error: ApiError | None = None) -> d.Fetched:
    return d.Fetched(value, error)


def api_error(code: str, status: int | None = None) -> ApiError:
    return ApiError(f"{code} happened", "do something", code=code, status=status)


@pytest.mark.parametrize(
    ("state", "status", "hint_words"),
    [
        ("authorized", "pass", None),
        ("notAuthorized", "fail", "greencli qr"),
        ("starting", "fail", "greencli reboot"),
        ("blocked", "fail", "support"),
        ("yellowCard", "fail", "greencli reboot"),
        ("sleepMode", "fail", "phone on"),
        (None, "fail", "notAuthorized means it is ready"),
        ("somethingNew", "fail", "console"),
    ],
)
def test_every_state_has_its_status_and_fix(state, status, hint_words) -> None:
    result = d.check_state(fetched(state))
    assert result.status == status
    if hint_words:
        assert hint_words in result.hint


def test_a_rejected_token_names_the_token(token: str) -> None:
    result = d.check_credentials(fetched(error=api_error("unauthorized", 401)), Credentials(ID, token, "https://7103.api.greenapi.com"), lambda url: None)
    assert result.status == "fail" and "token" in result.message and "apiTokenInstance" in result.hint


def test_403_on_the_universal_host_finds_the_dedicated_one(token: str) -> None:
    probed = []

    def probe(url: str) -> int:
        probed.append(url)
        return 200

    result = d.check_credentials(fetched(error=api_error("forbidden", 403)), Credentials(ID, token, "https://api.green-api.com"), probe)
    assert probed == ["https://7103.api.greenapi.com"]
    assert "GREEN_API_URL=https://7103.api.greenapi.com" in result.hint


def test_403_everywhere_means_the_instance_id_is_wrong(token: str) -> None:
    result = d.check_credentials(fetched(error=api_error("forbidden", 403)), Credentials(ID, token, "https://7103.api.greenapi.com"), lambda url: 403)
    assert "GREEN_API_INSTANCE_ID" in result.hint and "No Green API host" in result.message


def test_403_on_a_host_that_is_not_green_apis_is_never_probed(token: str) -> None:
    def probe(url: str) -> int:
        raise AssertionError("must not send the token to another host")

    result = d.check_credentials(fetched(error=api_error("forbidden", 403)), Credentials(ID, token, "http://127.0.0.1:9"), probe)
    assert result.status == "fail" and "instance ID or the host" in result.message


@pytest.mark.parametrize(
    ("settings", "status", "words"),
    [
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": ""}, "pass", "polling"),
        ({"incomingWebhook": "no", "webhookUrl": ""}, "fail", "nothing will ever arrive"),
        ({"incomingWebhook": "yes", "webhookUrl": ""}, "warn", "not all on"),
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": "https://localhost/x"}, "fail", "cannot reach"),
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": "http://93.184.215.14/x"}, "warn", "plain http"),
    ],
)
def test_notifications(settings, status, words) -> None:
    result = d.check_notifications(fetched(settings), resolve_urls=False)
    assert result.status == status and words in result.message


def test_messages_waiting_while_not_authorized_are_stuck() -> None:
    queue = fetched([{"messageID": "A", "type": "sendMessage", "body": {}}] * 2)
    assert d.check_queue(queue, authorized=False).status == "fail"
    assert "stuck" in d.check_queue(queue, authorized=False).message
    assert d.check_queue(queue, authorized=True).status == "pass"


def test_incoming_count_accepts_the_cyrillic_spelling_and_skips_unknown_methods() -> None:
    polling = fetched({"webhookUrl": ""})
    assert d.check_incoming(fetched({"сount": 80}), polling).status == "warn"
    assert d.check_incoming(fetched({"count": 0}), polling).status == "pass"
    assert d.check_incoming(fetched(error=api_error("not_found", 404)), polling).status == "skip"


def test_socket_status_is_advisory_only() -> None:
    assert d.check_socket(fetched("offline"), "authorized").status == "warn"
    assert d.check_socket(fetched("online"), "authorized").status == "pass"
    assert "the instance is starting" in d.check_socket(fetched("offline"), "starting").message


def test_a_phone_linked_to_a_restricted_instance_is_still_named() -> None:
    result = d.check_phone(fetched({"phone": "79001234567"}), "yellowCard")
    assert result.status == "pass" and "+79001234567" in result.message and "yellowCard" in result.message
    assert "no phone is linked" in d.check_phone(fetched({"phone": ""}), "notAuthorized").message


def test_hygiene_fails_for_a_committed_env_and_a_token_in_code(tmp_path: Path, token: str) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    env = tmp_path / ".env"
    env.write_text(f"GREEN_API_TOKEN={token}\n")
    env.chmod(0o644)
    assert d.check_hygiene(env, token, tmp_path).status == "warn"  # not ignored, readable by others
    (tmp_path / "bot.py").write_text(f"token = '{token}'\n")
    subprocess.run(["git", "add", "bot.py", ".env"], cwd=tmp_path, check=True)
    result = d.check_hygiene(env, token, tmp_path)
    assert result.status == "fail" and "tracked by git" in result.message
    assert any("bot.py" in detail for detail in result.details)
    assert token not in result.message + (result.hint or "") + " ".join(result.details)


def test_config_reports_sources_and_shadowing(tmp_path: Path, token: str) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    (tmp_path / ".env").chmod(0o600)
    resolution = resolve(RootOptions(), {"GREEN_API_INSTANCE_ID": "7103999999"}, tmp_path)
    result = d.check_config(resolution)
    assert result.status == "warn" and "overrides" in result.message
    assert "GREEN_API_TOKEN: from .env line 2" in result.details


def test_missing_credentials_skip_everything_after_configuration(tmp_path: Path) -> None:
    results = d.run_checks(resolve(RootOptions(), {}, tmp_path), tmp_path, lambda c: pytest.fail("no client"), 1.0)
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == list(d.ORDER)
    assert by_id["config"].status == "fail"
    assert all(by_id[i].status == "skip" for i in ("reachability", "credentials", "state", "notifications", "queue"))
