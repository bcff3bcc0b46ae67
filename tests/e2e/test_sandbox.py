"""The sandbox answers like Green API: shapes, status codes and behaviour from its documentation."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import time

import pytest
import requests

from tests.e2e.conftest import Sandbox, greencli_command

# Documented examples (Green API docs), reduced to their keys and value types.
DOCUMENTED = {
    "getStateInstance": {"stateInstance": str},
    "getStatusInstance": {"statusInstance": str},
    "getWaSettings": {"avatar": str, "phone": str, "stateInstance": str, "deviceId": str},
    "setSettings": {"saveSettings": bool},
    "sendMessage": {"idMessage": str},
    "checkWhatsapp": {"existsWhatsapp": bool},
    "getAuthorizationCode": {"status": bool, "code": str},
    "reboot": {"isReboot": bool},
    "logout": {"isLogout": bool},
    "deleteNotification": {"result": bool},
    "qr": {"type": str, "message": str},
}


def call(
    sandbox: Sandbox,
    verb: str,
    method: str,
    body=None,
    params=None,
    extra: str | None = None,
    token: str | None = None,
):
    url = f"{sandbox.url}/waInstance{sandbox.instance_id}/{method}/{token or sandbox.token}"
    if extra is not None:
        url += f"/{extra}"
    return requests.request(verb, url, json=body, params=params, timeout=70)


def assert_shape(data, shape):
    assert isinstance(data, dict)
    for key, kind in shape.items():
        assert key in data, key
        assert isinstance(data[key], kind), (key, data[key])


@pytest.mark.parametrize(
    ("verb", "method", "body"),
    [
        ("GET", "getStateInstance", None),
        ("GET", "getStatusInstance", None),
        ("GET", "getWaSettings", None),
        ("POST", "setSettings", {"incomingWebhook": "yes"}),
        ("POST", "sendMessage", {"chatId": "79001234567@c.us", "message": "hi"}),
        ("POST", "checkWhatsapp", {"phoneNumber": 79001234567}),
        ("GET", "reboot", None),
        ("GET", "qr", None),
    ],
)
def test_answers_have_the_documented_shape(sandbox: Sandbox, verb, method, body):
    response = call(sandbox, verb, method, body)
    assert response.status_code == 200
    assert_shape(response.json(), DOCUMENTED[method])


def test_get_settings_has_every_documented_field_as_yes_or_no(sandbox: Sandbox):
    settings = call(sandbox, "GET", "getSettings").json()
    for key in (
        "wid",
        "webhookUrl",
        "webhookUrlToken",
        "delaySendMessagesMilliseconds",
        "incomingWebhook",
        "outgoingWebhook",
        "outgoingMessageWebhook",
        "outgoingAPIMessageWebhook",
        "stateWebhook",
    ):
        assert key in settings
    assert settings["incomingWebhook"] in ("yes", "no")
    assert settings["wid"] == "79001234567@c.us"


def test_wrong_token_is_401_wrong_instance_is_403_unknown_method_is_404(sandbox: Sandbox):
    assert call(sandbox, "GET", "getStateInstance", token="0" * 50).status_code == 401
    wrong_id = requests.get(f"{sandbox.url}/waInstance9999999999/getStateInstance/{sandbox.token}", timeout=5)
    assert wrong_id.status_code == 403
    assert call(sandbox, "GET", "noSuchMethod").status_code == 404
    assert call(sandbox, "POST", "getStateInstance").status_code == 404  # wrong verb


def test_rate_limit_answers_429_with_retry_after(sandbox: Sandbox):
    assert call(sandbox, "GET", "getStatusInstance").status_code == 200
    second = call(sandbox, "GET", "getStatusInstance")
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "1"
    time.sleep(1.0)
    assert call(sandbox, "GET", "getStatusInstance").status_code == 200


def test_new_instance_answers_null_then_not_authorized(fresh_sandbox: Sandbox):
    fresh_sandbox.control("POST", "/state", {"state": "new"})
    fresh_sandbox.instance.options.creation_seconds = 0.5
    assert call(fresh_sandbox, "GET", "getStateInstance").text == "null"
    time.sleep(1.1)
    assert call(fresh_sandbox, "GET", "getStateInstance").json() == {"stateInstance": "notAuthorized"}


def test_qr_is_a_real_png_that_rotates_and_a_scan_authorizes(fresh_sandbox: Sandbox):
    import zxingcpp
    from PIL import Image

    fresh_sandbox.instance.options.qr_rotate_seconds = 1.0
    answer = call(fresh_sandbox, "GET", "qr").json()
    assert answer["type"] == "qrCode"
    image = Image.open(io.BytesIO(base64.b64decode(answer["message"])))
    assert image.size == (256, 256)
    first = zxingcpp.read_barcodes(image)[0].text
    assert first.startswith("2@") and first == fresh_sandbox.control("GET", "")["qrPayload"]
    time.sleep(1.1)
    second = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(base64.b64decode(call(fresh_sandbox, "GET", "qr").json()["message"])))
    )[0].text
    assert second != first
    fresh_sandbox.control("POST", "/scan")
    assert call(fresh_sandbox, "GET", "qr").json() == {
        "type": "alreadyLogged",
        "message": "instance account already authorized",
    }


def test_qr_error_answer_and_pairing_code(fresh_sandbox: Sandbox):
    code = call(fresh_sandbox, "POST", "getAuthorizationCode", {"phoneNumber": 79001234567}).json()
    assert code["status"] is True and re.fullmatch(r"[0-9A-F]{8}", code["code"])
    time.sleep(1.0)  # one call a second per method
    assert (
        call(fresh_sandbox, "POST", "getAuthorizationCode", {"phoneNumber": "79001234567"}).status_code == 400
    )
    fresh_sandbox.control("POST", "/qr-error", {"message": "Instance has auth. You need to make log out"})
    time.sleep(0.4)
    assert call(fresh_sandbox, "GET", "qr").json()["type"] == "error"


def test_set_settings_needs_a_key_and_restarts_the_instance(sandbox: Sandbox):
    assert call(sandbox, "POST", "setSettings", {}).status_code == 400
    time.sleep(1.0)
    assert call(sandbox, "POST", "setSettings", {"outgoingWebhook": "yes"}).json() == {"saveSettings": True}
    assert call(sandbox, "GET", "getStateInstance").json() == {"stateInstance": "starting"}
    time.sleep(1.0)
    assert call(sandbox, "GET", "getStateInstance").json() == {"stateInstance": "authorized"}
    assert call(sandbox, "GET", "getSettings").json()["outgoingWebhook"] == "yes"


def test_send_message_limits_and_the_free_plan_chat_quota(sandbox: Sandbox):
    too_long = call(sandbox, "POST", "sendMessage", {"chatId": "79001234567@c.us", "message": "x" * 20001})
    assert too_long.status_code == 400 and "20000" in too_long.text
    for number in ("79001234561", "79001234562", "79001234563"):
        assert (
            call(sandbox, "POST", "sendMessage", {"chatId": f"{number}@c.us", "message": "hi"}).status_code
            == 200
        )
    fourth = call(sandbox, "POST", "sendMessage", {"chatId": "79001234564@c.us", "message": "hi"})
    assert fourth.status_code == 466
    quota = fourth.json()["correspondentsStatus"]
    assert quota["status"] == "CORRESPONDENTS_QUOTE_EXCEEDED"
    assert "79001234561@c.us" in quota["description"]


def test_check_whatsapp_wants_an_integer_and_an_authorized_instance(sandbox: Sandbox, fresh_sandbox: Sandbox):
    assert call(sandbox, "POST", "checkWhatsapp", {"phoneNumber": 123}).status_code == 400
    assert call(sandbox, "POST", "checkWhatsapp", {"phoneNumber": 79001230000}).json() == {
        "existsWhatsapp": False
    }
    assert call(fresh_sandbox, "POST", "checkWhatsapp", {"phoneNumber": 79001234567}).status_code == 400


def test_messages_move_sent_delivered_read_and_queue_while_not_authorized(
    sandbox: Sandbox, fresh_sandbox: Sandbox
):
    # Not the instance's own number 79001234567: that one stays `sent` (sending/SendMessage);
    # statuses past `sent` need outgoingWebhook (journals/GetMessage).
    sandbox.control("POST", "/settings", {"outgoingWebhook": "yes"})
    sent = call(sandbox, "POST", "sendMessage", {"chatId": "79001112233@c.us", "message": "hi"}).json()
    time.sleep(0.9)
    entry = call(
        sandbox, "POST", "getMessage", {"chatId": "79001112233@c.us", "idMessage": sent["idMessage"]}
    ).json()
    assert entry["statusMessage"] == "read"
    call(fresh_sandbox, "POST", "sendMessage", {"chatId": "79001234567@c.us", "message": "waits"})
    # showMessagesQueue leaves out the first queued message (green-api.com/en/forum/topic/213)
    assert call(fresh_sandbox, "GET", "showMessagesQueue").json() == []
    assert call(fresh_sandbox, "GET", "getMessagesCount").json() == {"count": 1}
    time.sleep(1.0)  # showMessagesQueue allows one call a second
    call(fresh_sandbox, "POST", "sendMessage", {"chatId": "79001234567@c.us", "message": "waits too"})
    queue = call(fresh_sandbox, "GET", "showMessagesQueue").json()
    assert len(queue) == 1 and queue[0]["type"] == "sendMessage" and queue[0]["body"]["message"] == "waits too"


def test_notifications_are_fifo_null_when_empty_and_deleted_by_receipt(sandbox: Sandbox):
    sandbox.control("POST", "/incoming", {"text": "one"})
    sandbox.control("POST", "/incoming", {"text": "two"})
    first = call(sandbox, "GET", "receiveNotification", params={"receiveTimeout": 5}).json()
    again = call(sandbox, "GET", "receiveNotification", params={"receiveTimeout": 5}).json()
    assert first == again  # not deleted: the same one comes back
    assert call(sandbox, "DELETE", "deleteNotification", extra=str(first["receiptId"])).json() == {
        "result": True
    }
    assert call(sandbox, "DELETE", "deleteNotification", extra=str(first["receiptId"])).json() == {
        "result": False
    }
    assert call(sandbox, "DELETE", "deleteNotification", extra="abc").status_code == 400
    second = call(sandbox, "GET", "receiveNotification", params={"receiveTimeout": 5}).json()
    assert second["body"]["messageData"]["textMessageData"]["textMessage"] == "two"
    call(sandbox, "DELETE", "deleteNotification", extra=str(second["receiptId"]))
    started = time.monotonic()
    assert call(sandbox, "GET", "receiveNotification", params={"receiveTimeout": 5}).text == "null"
    assert time.monotonic() - started >= 4.5  # a real long poll


def test_polling_gets_nothing_while_a_webhook_url_is_set(sandbox: Sandbox):
    sandbox.control("POST", "/settings", {"webhookUrl": "https://example.invalid/hook"})
    sandbox.control("POST", "/incoming", {"text": "hello"})
    assert call(sandbox, "GET", "receiveNotification", params={"receiveTimeout": 5}).text == "null"


def test_faults_from_the_control_endpoint(sandbox: Sandbox):
    sandbox.fault("status", "getStatusInstance", status=503, times=1)
    assert call(sandbox, "GET", "getStatusInstance").status_code == 503
    time.sleep(1.0)
    sandbox.fault("html", "getStatusInstance", times=1)
    assert call(sandbox, "GET", "getStatusInstance").text.startswith("<!DOCTYPE html>")
    time.sleep(1.0)
    sandbox.fault("drop", "getStatusInstance", times=1)
    with pytest.raises(requests.ConnectionError):
        call(sandbox, "GET", "getStatusInstance")
    assert sandbox.requests_for("getStatusInstance")[-1]["fault"] == "drop"


def test_greencli_sandbox_process_prints_three_lines_another_process_can_use(tmp_path):
    process = subprocess.Popen(
        [*greencli_command(), "sandbox", "--state", "new", "--auto-scan", "0.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        lines = [process.stdout.readline().strip() for _ in range(3)]
        values = dict(line.split("=", 1) for line in lines)
        assert set(values) == {"GREEN_API_URL", "GREEN_API_INSTANCE_ID", "GREEN_API_TOKEN"}
        assert values["GREEN_API_URL"].startswith("http://127.0.0.1:")
        env = {"PATH": "", **values, "NO_PROXY": "127.0.0.1"}
        first = subprocess.run(
            [*greencli_command(), "check-state", "--json"],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=30,
        )
        assert first.returncode == 1
        assert '"stateInstance": null' in first.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
