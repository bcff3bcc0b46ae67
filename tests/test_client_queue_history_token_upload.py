"""GreenApiClient: getMessagesCount, GetStateInstanceHistory, updateApiToken, sendFileByUpload
(HTTP mocked with `responses`); shapes from Green API's documentation pages cited below."""

from __future__ import annotations

import json
import secrets

import pytest
import requests

from greencli.errors import ApiError
from greencli.greenapi.client import FileSent, GreenApiClient, StateChange
from greencli.greenapi.credentials import Credentials
from greencli.greenapi.media_files import OpenedFile, check_media_file
from greencli.redaction import redact
from tests.mocked_api import API, CHAT, ID, mocked, url

MEDIA = "https://7103.media.greenapi.com"


@pytest.fixture
def creds(token: str) -> Credentials:
    return Credentials(instance_id=ID, token=token, api_url=API)


@pytest.fixture
def client(creds: Credentials):
    with GreenApiClient(creds, timeout=2, backoff=0) as c:
        yield c


@pytest.fixture
def api():
    """Strict about requests no mock answers; a test may offer an answer never asked for."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def upload(tmp_path):
    """A file written and opened for an upload, as send-test --file opens it."""
    opened: list[OpenedFile] = []

    def make(name: str, content: bytes) -> OpenedFile:
        (tmp_path / name).write_bytes(content)
        opened.append(check_media_file(str(tmp_path / name)).open())
        return opened[-1]

    yield make
    for file in opened:
        file.close()


# -- getMessagesCount: https://green-api.com/en/docs/api/queues/GetMessagesCount/ ----------------


def test_get_messages_count_reads_count(api, client, token: str) -> None:
    api.get(url("getMessagesCount", token), json={"count": 2})
    assert client.get_messages_count() == 2
    assert api.calls[0].request.method == "GET"


def test_get_messages_count_accepts_the_docs_cyrillic_key(api, client, token: str) -> None:
    # The English page's example prints "сount" with a Cyrillic с (U+0441).
    api.get(url("getMessagesCount", token), json={"\u0441ount": 0})
    assert client.get_messages_count() == 0


@pytest.mark.parametrize("body", [{}, {"count": "3"}, {"count": -1}, {"count": True}, [1]])
def test_get_messages_count_rejects_other_shapes(api, client, token: str, body) -> None:
    api.get(url("getMessagesCount", token), json=body)
    with pytest.raises(ApiError) as caught:
        client.get_messages_count()
    assert caught.value.code == "bad_response"


# -- GetStateInstanceHistory: https://green-api.com/en/docs/api/account/GetStateInstanceHistory/ --


def test_state_history_sends_count_and_decodes_records(api, client, token: str) -> None:
    api.get(
        url("GetStateInstanceHistory", token),
        json=[
            {"stateInstance": "authorized", "timestamp": 1778132812, "phoneNumber": "79001234567@c.us"},
            {"stateInstance": "notAuthorized", "timestamp": 1778132743, "phoneNumber": 79001234567},
            {"stateInstance": "blocked", "timestamp": 1778132700},
        ],
    )
    history = client.get_state_instance_history(count=3)
    assert history == [
        StateChange("authorized", 1778132812, "79001234567@c.us"),
        StateChange("notAuthorized", 1778132743, "79001234567"),
        StateChange("blocked", 1778132700, None),
    ]
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.url == url("GetStateInstanceHistory", token)  # the docs' capitalised name
    assert json.loads(request.body) == {"count": 3}


def test_state_history_without_count_sends_no_body(api, client, token: str) -> None:
    api.get(url("GetStateInstanceHistory", token), json=[])
    assert client.get_state_instance_history() == []
    assert api.calls[0].request.body is None


@pytest.mark.parametrize("body", [{"stateInstance": "authorized"}, [{"timestamp": 1}], [{"stateInstance": "x", "timestamp": "1"}]])
def test_state_history_rejects_other_shapes(api, client, token: str, body) -> None:
    api.get(url("GetStateInstanceHistory", token), json=body)
    with pytest.raises(ApiError) as caught:
        client.get_state_instance_history()
    assert caught.value.code == "bad_response"


# -- updateApiToken (beta): https://green-api.com/en/docs/api/account/UpdateApiToken ---------------


def test_update_api_token_switches_the_client_to_the_new_token(api, client, token: str) -> None:
    new = secrets.token_hex(25)
    api.get(url("updateApiToken", token), json={"apiTokenInstance": new})
    api.get(url("getStateInstance", new), json={"stateInstance": "authorized"})
    assert client.update_api_token() == new
    assert client.get_state_instance() == "authorized"
    assert api.calls[1].request.url == url("getStateInstance", new)
    assert new not in redact(f"the new token {new}")  # registered as a secret at once


def test_update_api_token_failure_is_http_200_with_code_401(api, client, token: str) -> None:
    api.get(url("updateApiToken", token), json={"code": 401, "description": "Unauthorized"})
    with pytest.raises(ApiError) as caught:
        client.update_api_token()
    assert caught.value.code == "unauthorized"
    assert caught.value.status == 200
    assert client.credentials.token == token  # unchanged


def test_update_api_token_is_never_retried(api, creds) -> None:
    # A retry after a lost answer would use the token the first call just killed.
    api.get(url("updateApiToken", creds.token), status=502, body="Bad Gateway")
    with GreenApiClient(creds, timeout=2, backoff=0) as c, pytest.raises(ApiError):
        c.update_api_token()
    assert len(api.calls) == 1


def test_update_api_token_read_timeout_is_not_retried(api, creds) -> None:
    api.get(url("updateApiToken", creds.token), body=requests.exceptions.ReadTimeout("slow"))
    with GreenApiClient(creds, timeout=2, backoff=0) as c, pytest.raises(ApiError) as caught:
        c.update_api_token()
    assert len(api.calls) == 1
    assert caught.value.may_have_been_processed


# -- sendFileByUpload: https://green-api.com/en/docs/api/sending/SendFileByUpload/ -----------------


def test_send_file_by_upload_posts_multipart_to_the_media_host(api, token: str, upload) -> None:
    dedicated = Credentials("7103000001", token, "https://7103.api.greenapi.com", MEDIA)
    api.post(
        url("sendFileByUpload", token, MEDIA, "7103000001"),
        json={"idMessage": "3EB0C767D097B7C7C030", "urlFile": "https://example.invalid/file.jpg"},
    )
    with GreenApiClient(dedicated, timeout=2, backoff=0) as c:
        sent = c.send_file_by_upload(CHAT, upload("window.png", b"\x89PNG-bytes"), caption="a window")
    assert sent == FileSent("3EB0C767D097B7C7C030", "https://example.invalid/file.jpg")
    request = api.calls[0].request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = request.body
    for part in (b'name="chatId"', CHAT.encode(), b'name="fileName"', b"window.png", b'name="caption"', b"a window", b'name="file"; filename="window.png"', b"\x89PNG-bytes"):
        assert part in body


def test_send_file_by_upload_without_media_url_uses_the_universal_media_host(api, client, token: str, upload) -> None:
    # SendFileByUpload page: "we recommend to use the media.green-api.com host"
    api.post(url("sendFileByUpload", token, "https://media.green-api.com"), json={"idMessage": "ABC"})
    assert client.send_file_by_upload(CHAT, upload("a.txt", b"x")) == FileSent("ABC", None)
    assert b'name="caption"' not in api.calls[0].request.body


def test_send_file_by_upload_to_a_host_not_green_apis_uses_api_url(api, token: str, upload) -> None:
    local = Credentials(ID, token, "http://127.0.0.1:7000")  # a sandbox is its own media host
    api.post(url("sendFileByUpload", token, "http://127.0.0.1:7000"), json={"idMessage": "ABC"})
    with GreenApiClient(local, timeout=2, backoff=0) as c:
        assert c.send_file_by_upload(CHAT, upload("a.txt", b"x")) == FileSent("ABC", None)


def test_send_file_by_upload_is_not_retried_after_a_5xx(api, client, token: str, upload) -> None:
    api.post(url("sendFileByUpload", token, "https://media.green-api.com"), status=502, body="Bad Gateway")
    with pytest.raises(ApiError) as caught:
        client.send_file_by_upload(CHAT, upload("a.txt", b"x"))
    assert len(api.calls) == 1
    assert caught.value.may_have_been_processed


def test_an_upload_gets_time_for_its_size_on_top_of_the_timeout(api, client, token: str, monkeypatch, upload) -> None:
    # A 100 MB upload cannot fit the default 10 s: without the allowance it would end as
    # "possibly sent". The deadline each call gets is recorded, not timed.
    import greencli.greenapi.client as module
    import greencli.greenapi.transport as transport

    deadlines: list[float] = []
    real = transport.Deadline

    def recording(seconds: float):  # type: ignore[no-untyped-def]
        deadlines.append(seconds)
        return real(seconds)

    monkeypatch.setattr(transport, "Deadline", recording)
    api.post(url("sendFileByUpload", token, "https://media.green-api.com"), json={"idMessage": "ABC"})
    client.send_file_by_upload(CHAT, upload("a.bin", b"x" * (5 * 1024 * 1024)))
    assert deadlines == [client.timeout + 5 * module.UPLOAD_SECONDS_PER_MB]
    assert module.upload_allowance(100 * 1024 * 1024) == 200.0


def test_an_upload_refused_with_429_is_sent_again_whole(api, client, token: str, upload) -> None:
    # 429: not processed, so sent again; the form is read from the file's start once more.
    target = url("sendFileByUpload", token, "https://media.green-api.com")
    api.post(target, status=429, json={})
    api.post(target, json={"idMessage": "ABC"})
    assert client.send_file_by_upload(CHAT, upload("a.bin", b"0123456789" * 10_000)).id_message == "ABC"
    first, second = (call.request.body for call in api.calls)
    assert first == second and b"0123456789" * 10_000 in first


def test_send_file_by_upload_quota_466(api, client, token: str, upload) -> None:
    api.post(
        url("sendFileByUpload", token, "https://media.green-api.com"),
        status=466,
        json={"invokeStatus": {"method": "sendfilebyupload", "used": 1000, "total": 1000, "status": "QUOTE_EXCEEDED"}},
    )
    with pytest.raises(ApiError) as caught:
        client.send_file_by_upload(CHAT, upload("a.txt", b"x"))
    assert caught.value.code == "quota_exceeded"


def test_new_methods_keep_the_token_out_of_errors(api, client, token: str) -> None:
    api.get(url("getMessagesCount", token), body="<html><body>proxy</body></html>")
    with pytest.raises(ApiError) as caught:
        client.get_messages_count()
    assert token not in str(caught.value) and token not in json.dumps(caught.value.to_json())
