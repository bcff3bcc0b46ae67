"""`greencli qr` when the picture cannot be redrawn: the PNG is kept and another way offered."""

from __future__ import annotations

import base64
import json

import pytest
import responses

from greencli.sandbox.qr_image import png_for
from tests.conftest import FakeClock
from tests.mocked_api import ID, methods, mocked, url


def test_an_unreadable_qr_picture_is_saved_and_the_pairing_code_suggested(run_cli, token, assert_no_token, tmp_path) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a picture").decode()
    with mocked() as api:
        api.add(responses.GET, url("qr", token), json={"type": "qrCode", "message": png})
        result = run_cli(["qr", "--once", "--save", "code.png"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token})
    assert result.exit_code == 0
    assert "saved at code.png" in result.stdout and "--phone" in result.stdout
    assert (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG")
    assert_no_token(result, token)


def test_qr_error_answer_exits_1_with_the_logout_fix(run_cli, token, assert_no_token) -> None:
    with mocked() as api:
        api.add(
            responses.GET,
            url("qr", token),
            json={"type": "error", "message": "Instance has auth. You need to make log out"},
        )
        result = run_cli(["qr", "--json"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token})
    assert result.exit_code == 1
    assert "greencli logout" in result.stdout  # the JSON error's hint
    assert_no_token(result, token)


def test_qr_save_to_a_missing_directory_is_refused_before_any_request(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["qr", "--once", "--save", "no/such/dir/code.png"], env=env)
    assert result.exit_code == 2 and "does not exist" in result.stderr
    directory = run_cli(["qr", "--once", "--save", "."], env=env)
    assert directory.exit_code == 2 and "is a directory" in directory.stderr


# After about five minutes of QR requests an instance can drop to `starting` (Green API forum,
# topic 142: https://green-api.com/en/forum/post/142): qr says so and offers the reboot.
@pytest.fixture
def instant_linking(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The QR loop on a fake clock: its once-a-second rhythm takes no time."""
    import time
    import types

    from greencli.flows import linking

    clock = FakeClock()
    monkeypatch.setattr(linking, "time", types.SimpleNamespace(sleep=clock.sleep, monotonic=clock.clock, time=time.time))
    return clock


def stuck_in_starting(api, token: str) -> None:
    api.get(url("qr", token), json={"type": "qrCode", "message": base64.b64encode(png_for("1@code")).decode()})
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})


def test_starting_while_linking_without_a_terminal_says_what_to_run(run_cli, api, token, instant_linking) -> None:
    stuck_in_starting(api, token)
    result = run_cli(["qr", "--json"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token})
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "instance_starting" and "topic 142" in error["message"]
    assert "greencli reboot" in error["hint"]
    assert "reboot" not in methods(api)  # never without a yes


@pytest.mark.parametrize("answer", ["n\n", "\n"], ids=["no", "enter"])
def test_starting_while_linking_reboots_only_on_a_yes(run_cli, api, token, instant_linking, monkeypatch, answer: str) -> None:
    from greencli.cli import context

    monkeypatch.setattr(context, "can_prompt", lambda: True)
    stuck_in_starting(api, token)
    result = run_cli(["qr"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}, input=answer)
    assert result.exit_code == 1
    assert "Reboot the instance now?" in result.stderr and "greencli reboot" in result.stderr
    assert "reboot" not in methods(api)


def test_a_yes_reboots_once_and_linking_goes_on(run_cli, api, token, instant_linking, monkeypatch) -> None:
    from greencli.cli import context

    monkeypatch.setattr(context, "can_prompt", lambda: True)
    stuck_in_starting(api, token)
    api.get(url("reboot", token), json={"isReboot": True})
    api.get(url("qr", token), json={"type": "qrCode", "message": base64.b64encode(png_for("1@after")).decode()})
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    result = run_cli(["qr"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}, input="y\n")
    assert result.exit_code == 0, result.stderr
    assert "Linked as +79001234567" in result.stdout
    assert methods(api).count("reboot") == 1
    assert methods(api).index("reboot") < len(methods(api)) - 3  # linking went on after it
