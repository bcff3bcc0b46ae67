"""GreenApiClient: URL shape, retries, decoding and typed errors (HTTP mocked with `responses`)."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from greencli import __version__
from greencli.errors import ApiError, ExitCode, QuotaExceeded
from greencli.greenapi.client import GreenApiClient, Notification, QrAnswer
from greencli.greenapi.credentials import Credentials
from greencli.greenapi.transport import MAX_RETRY_AFTER, retry_after
from tests.conftest import token_leaks
from tests.mocked_api import API, CHAT, ID, mocked, url


@pytest.fixture
def creds(token: str) -> Credentials:
    return Credentials(instance_id=ID, token=token, api_url=API)


@pytest.fixture
def api():
    """Strict about requests no mock answers; not about mocks left unused: a test may offer a
    second answer to show it is never asked for."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def client(creds: Credentials):
    with GreenApiClient(creds, timeout=2, backoff=0) as c:
        yield c


def assert_clean(error: ApiError, token: str) -> None:
    """The token (or any 20-character slice of it) is in no part of the error."""
    texts = {
        "str": str(error),
        "message": error.message,
        "hint": error.hint or "",
        "json": json.dumps(error.to_json()),
        "repr": repr(error),
    }
    for name, text in texts.items():
        assert not token_leaks(text, token), f"token in error {name}: {text}"


def expect_error(call, token: str, code: str, exc: type[ApiError] = ApiError) -> ApiError:
    with pytest.raises(exc) as caught:
        call()
    error = caught.value
    assert error.code == code, (error.code, error.message)
    assert error.exit_code == ExitCode.API
    assert error.message
    assert error.hint
    assert_clean(error, token)
    return error


# -- URL shape and request details ---------------------------------------------------------------


def test_url_shape_and_headers(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    assert client.get_state_instance() == "authorized"
    assert len(api.calls) == 1
    request = api.calls[0].request
    assert request.url == f"https://api.green-api.com/waInstance{ID}/getStateInstance/{token}"
    assert request.method == "GET"
    assert request.headers["User-Agent"] == f"greencli/{__version__}"
    assert request.req_kwargs["timeout"] == (2, 2)


def test_url_shape_on_dedicated_host(api, token: str) -> None:
    creds = Credentials("7103000001", token, "https://7103.api.greenapi.com")
    api.get(url("getSettings", token, "https://7103.api.greenapi.com", "7103000001"), json={"webhookUrl": ""})
    with GreenApiClient(creds, timeout=2, backoff=0) as c:
        assert c.get_settings() == {"webhookUrl": ""}
        assert c.host == "7103.api.greenapi.com"
    assert (
        api.calls[0].request.url == f"https://7103.api.greenapi.com/waInstance7103000001/getSettings/{token}"
    )


def test_post_sends_json_body(api, client, token: str) -> None:
    api.post(url("sendMessage", token), json={"idMessage": "BAE5F4886F8F6A4F"})
    assert client.send_message(CHAT, "hello") == "BAE5F4886F8F6A4F"
    request = api.calls[0].request
    assert request.method == "POST"
    assert json.loads(request.body) == {"chatId": CHAT, "message": "hello"}


def test_query_params_and_extra_path(api, client, token: str) -> None:
    api.get(url("lastOutgoingMessages", token), json=[{"idMessage": "A"}])
    api.delete(f"{url('deleteNotification', token)}/12345", json={"result": True})
    assert client.last_outgoing_messages(30) == [{"idMessage": "A"}]
    assert client.delete_notification(12345) is True
    assert api.calls[0].request.url == f"{url('lastOutgoingMessages', token)}?minutes=30"
    assert api.calls[1].request.url == f"{url('deleteNotification', token)}/12345"
    assert api.calls[1].request.method == "DELETE"


def test_long_poll_adds_wait_to_read_timeout(api, client, token: str) -> None:
    api.get(url("receiveNotification", token), json={"receiptId": 7, "body": {"typeWebhook": "x"}})
    assert client.receive_notification(20) == Notification(7, {"typeWebhook": "x"}, b'{"typeWebhook": "x"}')
    request = api.calls[0].request
    assert request.url.endswith("?receiveTimeout=20")
    assert request.req_kwargs["timeout"] == (2, 22)


def test_receive_notification_null_means_nothing(api, client, token: str) -> None:
    api.get(url("receiveNotification", token), body="null", content_type="application/json")
    assert client.receive_notification(5) is None


def test_typed_methods_decode(api, client, token: str) -> None:
    api.get(url("getStatusInstance", token), json={"statusInstance": "online"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567", "stateInstance": "authorized"})
    api.post(url("setSettings", token), json={"saveSettings": True})
    api.get(url("qr", token), json={"type": "qrCode", "message": "base64data"})
    api.post(url("checkWhatsapp", token), json={"existsWhatsapp": False})
    api.post(url("getAuthorizationCode", token), json={"status": True, "code": "ABCD1234"})
    assert client.get_status_instance() == "online"
    assert client.get_wa_settings()["phone"] == "79001234567"
    assert client.set_settings({"incomingWebhook": "yes"}) is True
    assert client.qr() == QrAnswer("qrCode", "base64data")
    assert client.check_whatsapp(79001234567) is False
    assert client.get_authorization_code(79001234567) == (True, "ABCD1234")
    assert json.loads(api.calls[2].request.body) == {"incomingWebhook": "yes"}


# -- decoding ------------------------------------------------------------------------------------


def test_json_null_state_is_none_not_an_error(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), body="null", content_type="application/json")
    assert client.get_state_instance() is None


def test_null_state_field_is_none(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": None})
    assert client.get_state_instance() is None


@pytest.mark.parametrize(
    "body",
    [
        '{"foo": 1}',
        '{"stateInstance": 5}',
        '{"stateInstance": true}',
        '["authorized"]',
        '"authorized"',
        "42",
    ],
)
def test_wrong_shape_is_bad_response(api, client, token: str, body: str) -> None:
    api.get(url("getStateInstance", token), body=body, content_type="application/json")
    error = expect_error(client.get_state_instance, token, "bad_response")
    assert error.status == 200
    assert error.method == "getStateInstance"
    assert "getStateInstance" in error.message


def test_html_body_is_bad_response(api, client, token: str) -> None:
    page = f"<!DOCTYPE html><html><head><title>Login</title></head><body>{token}</body></html>"
    api.get(url("getStateInstance", token), body=page, content_type="text/html")
    error = expect_error(client.get_state_instance, token, "bad_response")
    assert "HTML" in error.message
    assert "api.green-api.com" in error.message


@pytest.mark.parametrize("body", ["", "   \n"])
def test_empty_body_is_bad_response(api, client, token: str, body: str) -> None:
    api.get(url("getStateInstance", token), body=body)
    error = expect_error(client.get_state_instance, token, "bad_response")
    assert "empty" in error.message


@pytest.mark.parametrize("body", ['{"stateInstance": "autho', "{", '{"stateInstance": }', "not json at all"])
def test_truncated_or_garbled_json_is_bad_response(api, client, token: str, body: str) -> None:
    api.get(url("getStateInstance", token), body=body, content_type="application/json")
    error = expect_error(client.get_state_instance, token, "bad_response")
    assert "not valid JSON" in error.message


def test_notification_of_wrong_shape_is_bad_response(api, client, token: str) -> None:
    api.get(url("receiveNotification", token), json={"receiptId": True, "body": {}})
    expect_error(lambda: client.receive_notification(5), token, "bad_response")


# -- HTTP errors -----------------------------------------------------------------------------------


def test_401_unauthorized(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), status=401, body="Unauthorized")
    error = expect_error(client.get_state_instance, token, "unauthorized")
    assert error.status == 401
    assert "GREEN_API_TOKEN" in error.hint
    assert len(api.calls) == 1  # never retried


def test_403_forbidden_sends_to_the_console_not_to_an_invented_host(api, client, token: str) -> None:
    # Hosts cannot be derived from the ID: 1101... instances use 1101.api.green-api.com, and
    # 1101.api.greenapi.com does not exist (https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/).
    api.get(url("getStateInstance", token), status=403, body="")
    error = expect_error(client.get_state_instance, token, "forbidden")
    assert error.status == 403
    assert ".api.greenapi.com" not in error.hint and "1101.api" not in error.hint
    assert "apiUrl" in error.hint and "mediaUrl" in error.hint and "console" in error.hint
    assert ID in error.message
    assert len(api.calls) == 1


def test_403_on_a_dedicated_host_names_no_other_host(api, token: str) -> None:
    dedicated = "https://7103.api.greenapi.com"
    creds = Credentials("7103000001", token, dedicated)
    api.get(url("getStateInstance", token, dedicated, "7103000001"), status=403)
    with GreenApiClient(creds, timeout=2, backoff=0) as c:
        error = expect_error(c.get_state_instance, token, "forbidden")
    assert "https://" not in error.hint
    assert "GREEN_API_INSTANCE_ID" in error.hint


def test_404_not_found(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), status=404, body="<html><body>Not Found</body></html>")
    error = expect_error(client.get_state_instance, token, "not_found")
    assert error.status == 404
    assert "getStateInstance" in error.message
    assert len(api.calls) == 1


def test_429_retried_then_success(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), status=429, json={})
    api.get(url("getStateInstance", token), status=429, json={})
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    assert client.get_state_instance() == "authorized"
    assert len(api.calls) == 3


def test_429_retried_for_send_message_too(api, client, token: str) -> None:
    # 429 means the request was refused, not processed: every call may repeat it.
    api.post(url("sendMessage", token), status=429, json={})
    api.post(url("sendMessage", token), json={"idMessage": "X1"})
    assert client.send_message(CHAT, "hi") == "X1"
    assert len(api.calls) == 2


def test_429_persisting_is_rate_limited(api, creds: Credentials, token: str) -> None:
    api.get(url("getStateInstance", token), status=429, json={"message": "too many"})
    with GreenApiClient(creds, timeout=5) as client:  # room for three one-second pauses
        error = expect_error(client.get_state_instance, token, "rate_limited")
    assert error.status == 429
    assert len(api.calls) == 4  # the first try and at most 3 retries


def test_466_chats_quota(api, client, token: str) -> None:
    body = {
        "invokeStatus": {"method": "sendmessage", "used": 67, "total": 0, "status": "QUOTE_ALLOWED"},
        "correspondentsStatus": {
            "method": "correspondents",
            "used": 3,
            "total": 3,
            "status": "CORRESPONDENTS_QUOTE_EXCEEDED",
            "description": "Monthly quota has been exceeded. You can only send or receive messages "
            "from these numbers: 79001111111@c.us,79002222222@c.us,120363000000000001@g.us. "
            "Please change the tariff to business https://console.green-api.com",
        },
    }
    api.post(url("sendMessage", token), status=466, json=body)
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "quota_exceeded", QuotaExceeded)
    assert isinstance(error, QuotaExceeded)
    assert error.kind == "chats"
    assert error.status == 466
    assert error.allowed_chats == ["79001111111@c.us", "79002222222@c.us", "120363000000000001@g.us"]
    assert error.details["kind"] == "chats"
    assert error.details["allowedChats"] == error.allowed_chats
    assert (error.details["used"], error.details["total"]) == (3, 3)
    for chat in error.allowed_chats:
        assert chat in error.hint
    assert "3 of 3" in error.message
    assert len(api.calls) == 1


def test_466_chats_quota_with_string_counts_and_no_chats(api, client, token: str) -> None:
    body = {
        "correspondentsStatus": {"used": "3", "total": "3", "status": "QUOTA_EXCEEDED", "description": ""}
    }
    api.post(url("sendMessage", token), status=466, json=body)
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "quota_exceeded", QuotaExceeded)
    assert error.kind == "chats"
    assert error.allowed_chats == []
    assert (error.details["used"], error.details["total"]) == (3, 3)


def test_466_method_quota(api, client, token: str) -> None:
    body = {
        "invokeStatus": {
            "method": "checkwhatsapp",
            "used": 100,
            "total": 100,
            "status": "QUOTE_EXCEEDED",
            "description": "Monthly quota has been exceeded.",
        }
    }
    api.post(url("checkWhatsapp", token), status=466, json=body)
    error = expect_error(lambda: client.check_whatsapp(79001234567), token, "quota_exceeded", QuotaExceeded)
    assert error.kind == "method"
    assert error.quota_method == "checkwhatsapp"
    assert error.details == {"kind": "method", "method": "checkwhatsapp", "used": 100, "total": 100}
    assert "checkwhatsapp" in error.message
    assert error.allowed_chats == []


@pytest.mark.parametrize("body", ["", "quota", "[1, 2]", '{"something": "else"}'])
def test_466_unknown_body(api, client, token: str, body: str) -> None:
    api.get(url("getStateInstance", token), status=466, body=body)
    error = expect_error(client.get_state_instance, token, "quota_exceeded", QuotaExceeded)
    assert error.kind == "unknown"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_5xx_on_get_retried_then_success(api, client, token: str, status: int) -> None:
    api.get(url("getStateInstance", token), status=status, body="bad gateway")
    api.get(url("getStateInstance", token), status=status, body="bad gateway")
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})
    assert client.get_state_instance() == "starting"
    assert len(api.calls) == 3


def test_500_on_get_is_not_retried(api, client, token: str) -> None:
    # The contract retries 502/503/504 for idempotent calls; a 500 is an answer, not a hiccup.
    api.get(url("getStateInstance", token), status=500, json={"message": "internal"})
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    error = expect_error(client.get_state_instance, token, "server_error")
    assert error.status == 500
    assert "internal" in error.message
    assert len(api.calls) == 1


def test_503_persisting_is_server_error(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), status=503, body="Service Unavailable")
    error = expect_error(client.get_state_instance, token, "server_error")
    assert error.status == 503
    assert error.may_have_been_processed is False  # a GET changes nothing
    assert "503" in error.message
    assert len(api.calls) == 4


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_set_settings_is_never_retried_because_each_call_reboots_the_instance(api, client, token: str, status: int) -> None:
    # https://green-api.com/en/docs/api/account/SetSettings/: every call reboots the instance.
    api.post(url("setSettings", token), status=status)
    api.post(url("setSettings", token), json={"saveSettings": True})
    error = expect_error(lambda: client.set_settings({"stateWebhook": "yes"}), token, "server_error")
    assert error.may_have_been_processed is True  # the caller reads the settings back
    assert len(api.calls) == 1


def test_set_settings_read_timeout_is_not_retried(api, client, token: str) -> None:
    api.post(url("setSettings", token), body=requests.exceptions.ReadTimeout("slow"))
    api.post(url("setSettings", token), json={"saveSettings": True})
    error = expect_error(lambda: client.set_settings({"stateWebhook": "yes"}), token, "timeout")
    assert error.may_have_been_processed is True
    assert len(api.calls) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_send_message_5xx_not_retried(api, client, token: str, status: int) -> None:
    api.post(url("sendMessage", token), status=status, body="")
    api.post(url("sendMessage", token), json={"idMessage": "SECOND"})
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "server_error")
    assert error.may_have_been_processed is True
    assert error.status == status
    assert len(api.calls) == 1


@pytest.mark.parametrize("status", [503, 413])
def test_send_message_not_retried_even_with_retry_after(api, client, token: str, status: int) -> None:
    # urllib3 retries 413/503 answers that carry Retry-After for any allowed method unless told
    # otherwise; for sendMessage that would send the message twice.
    api.post(url("sendMessage", token), status=status, headers={"Retry-After": "0"}, body="")
    api.post(url("sendMessage", token), json={"idMessage": "SECOND"})
    with pytest.raises(ApiError) as caught:
        client.send_message(CHAT, "hi")
    assert_clean(caught.value, token)
    assert len(api.calls) == 1


def test_redirect_is_not_followed(api, client, token: str) -> None:
    api.get(
        url("getStateInstance", token),
        status=302,
        headers={"Location": f"https://evil.example/waInstance{ID}/getStateInstance/{token}"},
    )
    error = expect_error(client.get_state_instance, token, "redirected")
    assert "evil.example" in error.message
    assert len(api.calls) == 1


def test_400_with_hint(api, client, token: str) -> None:
    api.post(url("sendMessage", token), status=400, json={"message": "Instance not authorized"})
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "bad_request")
    assert "greencli qr" in error.hint
    assert "Instance not authorized" in error.message


# The 400 error ids of https://green-api.com/en/docs/api/common-errors/ (plus checkWhatsapp's
# https://green-api.com/en/docs/api/service/CheckWhatsapp/ and receiveNotification's pages).
# An expired or deleted instance has an error code of its own: scripts and doctor name it.
@pytest.mark.parametrize(
    ("body", "expected", "code"),
    [
        ("instance in starting process try later", "wait a few seconds", "bad_request"),
        ("instance account not authorized", "greencli qr", "bad_request"),
        ("instance is starting or not authorized", "check-state", "bad_request"),
        ("Instance account is expired. Renew your instance from personal area", "Renew", "instance_expired"),
        ("Instance is deleted", "create a new one", "instance_deleted"),
        ("bad phone number, valid from 11 to 16 digits", "11 to 16 digits", "bad_request"),
        ("Message cannot be received because custom webhook url is set", "--polling", "bad_request"),
        ("Unexpected token _ in JSON at position 12", "request body", "bad_request"),
        ("Validation failed. Details: 'value' must have at least 1 key", "invalid", "bad_request"),
    ],
)
def test_400_hints_follow_the_common_errors_page(api, client, token: str, body: str, expected: str, code: str) -> None:
    api.get(url("getStateInstance", token), status=400, body=body)
    error = expect_error(client.get_state_instance, token, code)
    assert expected in error.hint, error.hint


def test_404_hint_names_the_url_and_the_method(api, client, token: str) -> None:
    # 404 is a wrong method name or verb (https://green-api.com/en/docs/api/common-errors/).
    api.get(url("getMessagesCount", token), status=404, body="Not Found")
    error = expect_error(client.get_messages_count, token, "not_found")
    assert "getMessagesCount" in error.message
    assert "apiUrl" in error.hint and "lack this method" in error.hint


def test_other_status_is_http_error(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), status=418, body="teapot")
    error = expect_error(client.get_state_instance, token, "http_error")
    assert error.status == 418


def test_error_body_echoing_the_url_is_redacted(api, client, token: str) -> None:
    echoed = f"upstream failed for /waInstance{ID}/sendMessage/{token} at {API}"
    api.post(url("sendMessage", token), status=500, json={"message": echoed})
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "server_error")
    assert "upstream failed" in error.message


def test_error_body_echoing_an_odd_shaped_token_is_redacted(api) -> None:
    # The client's promise ("every failure is an ApiError whose message carries ... no token")
    # must hold for any token, not only for the 50-hex shape the redactor recognises.
    odd = "Odd-Token-Shape-0123456789-abcdefghij"
    creds = Credentials(ID, odd, API)
    api.get(url("getStateInstance", odd), status=500, json={"message": f"bad token {odd}"})
    with GreenApiClient(creds, timeout=2, backoff=0) as c:
        with pytest.raises(ApiError) as caught:
            c.get_state_instance()
    assert_clean(caught.value, odd)


# -- transport errors ------------------------------------------------------------------------------


def test_connection_error_is_connection_failed(api, client, token: str) -> None:
    failing = url("getStateInstance", token)
    api.get(failing, body=requests.exceptions.ConnectionError(f"Connection reset for {failing}"))
    error = expect_error(client.get_state_instance, token, "connection_failed")
    assert error.status is None
    assert error.may_have_been_processed is False
    assert "api.green-api.com" in error.message


def test_refused_connection_before_sending_post_was_not_processed(api, client, token: str) -> None:
    failing = url("sendMessage", token)
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    api.post(failing, body=requests.exceptions.ConnectionError(MaxRetryError(None, failing, reason)))
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "connection_failed")
    assert "refused" in error.message
    assert error.may_have_been_processed is False


def test_broken_connection_during_send_may_have_been_processed(api, client, token: str) -> None:
    failing = url("sendMessage", token)
    reason = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    api.post(failing, body=requests.exceptions.ConnectionError(reason))
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "connection_failed")
    assert error.may_have_been_processed is True
    assert len(api.calls) == 1


def test_dns_failure(api, client, token: str) -> None:
    failing = url("getStateInstance", token)
    reason = NameResolutionError("api.green-api.com", None, socket.gaierror(-2, "Name or service not known"))
    api.get(failing, body=requests.exceptions.ConnectionError(MaxRetryError(None, failing, reason)))
    error = expect_error(client.get_state_instance, token, "dns_failed")
    assert "api.green-api.com" in error.message


def test_connect_timeout(api, client, token: str) -> None:
    failing = url("getStateInstance", token)
    api.get(failing, body=requests.exceptions.ConnectTimeout(f"timed out connecting to {failing}"))
    error = expect_error(client.get_state_instance, token, "timeout")
    assert error.may_have_been_processed is False
    assert "2 s" in error.message


def test_read_timeout_on_send_message(api, client, token: str) -> None:
    failing = url("sendMessage", token)
    api.post(failing, body=requests.exceptions.ReadTimeout(f"Read timed out. (url: {failing})"))
    api.post(failing, json={"idMessage": "SECOND"})
    error = expect_error(lambda: client.send_message(CHAT, "hi"), token, "timeout")
    assert error.may_have_been_processed is True
    assert error.method == "sendMessage"
    assert len(api.calls) == 1


def test_read_timeout_on_get_was_not_processed(api, client, token: str) -> None:
    failing = url("getStateInstance", token)
    api.get(failing, body=requests.exceptions.ReadTimeout(f"Read timed out. (url: {failing})"))
    error = expect_error(client.get_state_instance, token, "timeout")
    assert error.may_have_been_processed is False


def test_tls_and_proxy_errors(api, client, token: str) -> None:
    failing = url("getStateInstance", token)
    api.get(failing, body=requests.exceptions.SSLError(f"certificate verify failed for {failing}"))
    api.get(failing, body=requests.exceptions.ProxyError(f"proxy refused {failing}"))
    expect_error(client.get_state_instance, token, "tls_error")
    expect_error(client.get_state_instance, token, "proxy_error")


def test_unknown_request_exception(api, client, token: str) -> None:
    failing = url("getStateInstance", token)
    api.get(failing, body=requests.exceptions.InvalidURL(f"bad url {failing}"))
    error = expect_error(client.get_state_instance, token, "connection_failed")
    assert "InvalidURL" in error.message


# -- retry policy --------------------------------------------------------------------------------


def test_retry_after_is_capped_and_read_leniently() -> None:
    assert retry_after("3600") == MAX_RETRY_AFTER
    assert retry_after("2") == 2
    assert retry_after("1.5") == 1.5
    assert retry_after("-5") == 0
    assert retry_after("soon") == 1.0
    assert retry_after("nan") == 1.0
    assert retry_after(None) is None


@pytest.mark.parametrize("charset", ["x-unknown", "base64", "idna", "rot13", "undefined"])
def test_an_answer_in_a_charset_python_cannot_decode_is_a_bad_response(api, client, token: str, charset: str) -> None:
    # Unknown names, codecs that are not text encodings, and codecs that refuse "replace" alike.
    api.get(url("getStateInstance", token), body=b'{"stateInstance": "authorized"}',
            content_type=f"application/json; charset={charset}")
    error = expect_error(client.get_state_instance, token, "bad_response")
    assert error.exit_code == ExitCode.API
    assert "character set" in error.message


def test_an_error_status_in_an_unknown_charset_keeps_its_meaning(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), status=401, body=b"Unauthorized", content_type="text/plain; charset=x-unknown")
    expect_error(client.get_state_instance, token, "unauthorized")


def test_a_known_charset_is_read_as_named(api, client, token: str) -> None:
    api.get(url("getStateInstance", token), body='{"stateInstance": "authorized"}'.encode("utf-16"),
            content_type="application/json; charset=utf-16")
    assert client.get_state_instance() == "authorized"
