"""flows.linking: the QR loop (codes, rotation, files, state checks) and the pairing code."""

from __future__ import annotations

import base64

import pytest
import responses

from greencli.errors import ApiError, NotFine
from greencli.flows.linking import (
    InstanceStarting,
    Linked,
    QrCode,
    link_by_qr,
    pairing_code,
    png_bytes,
    remove_temporary_pngs,
    wait_for_pairing,
)
from greencli.sandbox.qr_image import png_for
from tests.conftest import FakeClock
from tests.mocked_api import methods, url

UNREADABLE_PNG = b"\x89PNG\r\n\x1a\n not really a picture"


def qr_answer(api, token: str, png: bytes) -> None:
    api.get(url("qr", token), json={"type": "qrCode", "message": base64.b64encode(png).decode()})


def test_once_gives_the_first_code_with_its_payload(api, client, token) -> None:
    shown: list[QrCode] = []
    qr_answer(api, token, png_for("1@payload-one"))
    code = link_by_qr(client, wait=150, on_code=shown.append, once=True)
    assert isinstance(code, QrCode) and code.payload == "1@payload-one" and code.new
    assert code.file is None and shown == [code]
    assert methods(api) == ["qr"]


def test_codes_are_shown_until_the_phone_is_linked(api, client, token) -> None:
    clock = FakeClock()
    shown: list[QrCode] = []
    qr_answer(api, token, png_for("1@first"))
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    qr_answer(api, token, png_for("1@first"))
    qr_answer(api, token, png_for("1@second"))
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    outcome = link_by_qr(client, wait=150, on_code=shown.append, sleep=clock.sleep, clock=clock.clock)
    assert outcome == Linked("+79001234567", already=False)
    assert [(code.payload, code.new) for code in shown] == [("1@first", True), ("1@first", False), ("1@second", True)]
    # one qr a second; the state every other second
    assert methods(api) == ["qr", "getStateInstance", "qr", "qr", "getStateInstance", "getWaSettings"]


def test_an_already_linked_instance_needs_no_code(api, client, token) -> None:
    api.get(url("qr", token), json={"type": "alreadyLogged", "message": "instance account already authorized"})
    api.get(url("getWaSettings", token), status=500)  # the phone is a nicety: its failure is not fatal
    assert link_by_qr(client, wait=150, on_code=lambda code: None) == Linked(None, already=True)


def test_an_unreadable_picture_is_kept_in_the_save_file(api, client, token, tmp_path) -> None:
    qr_answer(api, token, UNREADABLE_PNG)
    code = link_by_qr(client, wait=150, on_code=lambda code: None, once=True, save=tmp_path / "code.png")
    assert code.payload is None and code.file == tmp_path / "code.png"
    assert (tmp_path / "code.png").read_bytes() == UNREADABLE_PNG


def test_an_unreadable_picture_without_save_goes_to_a_temporary_file_until_the_command_ends(api, client, token) -> None:
    clock = FakeClock()
    shown: list[QrCode] = []
    qr_answer(api, token, UNREADABLE_PNG)
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    link_by_qr(client, wait=150, on_code=shown.append, sleep=clock.sleep, clock=clock.clock)
    kept = shown[0].file
    assert kept is not None and kept.name.startswith("greencli-qr-") and kept.read_bytes() == UNREADABLE_PNG
    remove_temporary_pngs()
    assert not kept.exists()


def test_with_once_an_unreadable_picture_is_kept_only_with_save(api, client, token) -> None:
    qr_answer(api, token, UNREADABLE_PNG)
    code = link_by_qr(client, wait=150, on_code=lambda code: None, once=True)
    assert code.payload is None and code.file is None


def test_giving_up_after_the_wait(api, client, token) -> None:
    clock = FakeClock()
    qr_answer(api, token, png_for("1@same"))
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    with pytest.raises(NotFine) as caught:
        link_by_qr(client, wait=5, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock)
    assert caught.value.code == "qr_timeout"
    assert methods(api).count("qr") == 6  # at 0..5 s


def test_an_error_answer_names_the_logout_fix(api, client, token) -> None:
    api.get(url("qr", token), json={"type": "error", "message": "Instance has auth. You need to make log out"})
    with pytest.raises(NotFine) as caught:
        link_by_qr(client, wait=150, on_code=lambda code: None)
    assert caught.value.code == "qr_error" and "greencli logout" in (caught.value.hint or "")


@pytest.mark.parametrize("message", ["bm90IGEgcGljdHVyZQ==", "%%%", "data:image/png;base64,AAAA"])
def test_an_answer_that_is_not_a_png_is_a_bad_response(message: str) -> None:
    with pytest.raises(ApiError) as caught:
        png_bytes(message)
    assert caught.value.code == "bad_response"


def test_a_data_url_is_read_like_plain_base64() -> None:
    png = png_for("1@x")
    assert png_bytes("data:image/png;base64," + base64.b64encode(png).decode()) == png


def test_a_pairing_code_is_asked_for_only_when_no_phone_is_linked(api, client, token) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    api.post(url("getAuthorizationCode", token), json={"status": True, "code": "ABCD1234"})
    assert pairing_code(client, 79001234567) == "ABCD1234"
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    assert pairing_code(client, 79001234567) == Linked("+79001234567", already=True)
    assert methods(api).count("getAuthorizationCode") == 1


def test_a_refused_pairing_code_fails(api, client, token) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    api.post(url("getAuthorizationCode", token), json={"status": False})
    with pytest.raises(NotFine) as caught:
        pairing_code(client, 79001234567)
    assert caught.value.code == "pairing_failed"


def test_waiting_for_the_pairing_code_ends_linked_or_in_time(api, client, token, instant_polls) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    with pytest.raises(NotFine) as caught:
        wait_for_pairing(client, wait=3)
    assert caught.value.code == "pairing_timeout"
    api.replace(responses.GET, url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    assert wait_for_pairing(client, wait=3) == Linked("+79001234567", already=False)



# Waiting survives the weather: a QR code "can take up to 10 minutes"
# (https://green-api.com/en/docs/api/account/QR/), and may not come for a while after a logout
# (https://github.com/green-api/issues/issues/1029); only "Instance has auth" means logging out.
def test_a_5xx_a_timeout_and_an_error_answer_are_waited_out_and_shown(api, client, token) -> None:
    clock = FakeClock()
    trouble: list[str] = []
    for _ in range(4):  # the first try and the client's own three retries of a GET
        api.get(url("qr", token), status=502, body="Bad Gateway")
    api.get(url("qr", token), json={"type": "error", "message": "QR code is not ready yet"})
    qr_answer(api, token, png_for("1@late"))
    code = link_by_qr(client, wait=150, on_code=lambda code: None, once=True, sleep=clock.sleep, clock=clock.clock,
                      on_trouble=trouble.append)
    assert isinstance(code, QrCode) and code.payload == "1@late"
    assert len(trouble) == 2 and "502" in trouble[0] and "10 minutes" in trouble[1]
    assert methods(api).count("qr") == 6


def test_error_answers_until_the_deadline_end_with_the_ten_minute_hint(api, client, token) -> None:
    clock = FakeClock()
    api.get(url("qr", token), json={"type": "error", "message": "QR code is not ready yet"})
    with pytest.raises(NotFine) as caught:
        link_by_qr(client, wait=10, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock)
    assert caught.value.code == "qr_error" and "10 minutes" in (caught.value.hint or "")
    assert "greencli logout" not in (caught.value.hint or "")  # only "Instance has auth" means that


def test_a_failing_state_check_does_not_end_the_qr_loop(api, client, token) -> None:
    clock = FakeClock()
    qr_answer(api, token, png_for("1@first"))
    api.get(url("getStateInstance", token), status=503)
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    outcome = link_by_qr(client, wait=150, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock)
    assert outcome == Linked("+79001234567", already=False)


def test_a_4xx_still_ends_the_qr_loop_at_once(api, client, token) -> None:
    api.get(url("qr", token), status=401)
    with pytest.raises(ApiError) as caught:
        link_by_qr(client, wait=150, on_code=lambda code: None)
    assert caught.value.code == "unauthorized" and methods(api) == ["qr"]


def test_waiting_for_the_pairing_code_survives_a_5xx(api, client, token, instant_polls) -> None:
    api.get(url("getStateInstance", token), status=500)
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    assert wait_for_pairing(client, wait=30) == Linked("+79001234567", already=False)


# After about five minutes of QR requests an instance can drop to `starting` and stay there until
# it is rebooted (Green API forum, topic 142: https://green-api.com/en/forum/post/142).
def test_an_instance_that_drops_to_starting_while_codes_are_shown_is_named(api, client, token) -> None:
    clock = FakeClock()
    qr_answer(api, token, png_for("1@first"))
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})
    with pytest.raises(InstanceStarting) as caught:
        link_by_qr(client, wait=600, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock)
    assert caught.value.code == "instance_starting" and caught.value.exit_code == 1
    assert "greencli reboot" in (caught.value.hint or "")
    assert methods(api) == ["qr", "getStateInstance", "qr", "qr", "getStateInstance"]  # two looks in a row
    assert "reboot" not in methods(api)  # the flow never reboots on its own


def test_starting_while_qr_answers_errors_is_noticed_too(api, client, token) -> None:
    clock = FakeClock()
    qr_answer(api, token, png_for("1@first"))
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})
    api.get(url("qr", token), json={"type": "error", "message": "instance is starting"})
    with pytest.raises(InstanceStarting):
        link_by_qr(client, wait=600, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock)
    assert methods(api).count("getStateInstance") == 2


def test_one_look_at_starting_is_no_alarm(api, client, token) -> None:
    clock = FakeClock()
    qr_answer(api, token, png_for("1@first"))
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    assert link_by_qr(client, wait=600, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock) == Linked("+79001234567", already=False)


def test_starting_before_any_code_is_a_booting_instance_waited_for(api, client, token) -> None:
    clock = FakeClock()
    for _ in range(4):
        api.get(url("qr", token), json={"type": "error", "message": "instance is starting"})
    qr_answer(api, token, png_for("1@first"))
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    assert link_by_qr(client, wait=600, on_code=lambda code: None, sleep=clock.sleep, clock=clock.clock).phone == "+79001234567"
    assert methods(api)[:5] == ["qr"] * 5  # the state is not looked at before a code was shown
