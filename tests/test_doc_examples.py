"""The client decodes every response example from Green API's documentation pages.

tests/fixtures/greenapi/<method>.json holds, per method greencli calls, the examples its page
shows (each with the page's URL in "source"). Each example is served (mocked with `responses`)
and the typed client method must decode it to what the example says, or raise the documented
error for the error examples.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from greencli.errors import ApiError, QuotaExceeded
from greencli.greenapi.client import FileSent, GreenApiClient, Notification, QrAnswer, StateChange
from greencli.greenapi.credentials import Credentials
from greencli.greenapi.media_files import check_media_file
from tests.mocked_api import API, CHAT, ID, MEDIA, mocked, url

FIXTURES = Path(__file__).parent / "fixtures" / "greenapi"


def _count(body: dict[str, Any]) -> int:
    return body.get("count", body.get("\u0441ount"))


def _upload(client: GreenApiClient) -> FileSent:
    Path("a.jpg").write_bytes(b"x")  # in the test's own working directory
    with check_media_file("a.jpg").open() as opened:
        return client.send_file_by_upload(CHAT, opened)


# method -> (HTTP verb, the call, what the call must return for a 200 example body)
DECODERS: dict[str, tuple[str, Callable[[GreenApiClient], Any], Callable[[Any], Any]]] = {
    "getStateInstance": ("GET", lambda c: c.get_state_instance(), lambda b: None if b is None else b["stateInstance"]),
    "getStatusInstance": ("GET", lambda c: c.get_status_instance(), lambda b: b["statusInstance"]),
    "getWaSettings": ("GET", lambda c: c.get_wa_settings(), lambda b: b),
    "getSettings": ("GET", lambda c: c.get_settings(), lambda b: b),
    "setSettings": ("POST", lambda c: c.set_settings({"incomingWebhook": "yes"}), lambda b: b["saveSettings"]),
    "qr": ("GET", lambda c: c.qr(), lambda b: QrAnswer(b["type"], b["message"])),
    "getAuthorizationCode": ("POST", lambda c: c.get_authorization_code(79001234567), lambda b: (b["status"], b["code"])),
    "reboot": ("GET", lambda c: c.reboot(), lambda b: b["isReboot"]),
    "logout": ("GET", lambda c: c.logout(), lambda b: b["isLogout"]),
    "GetStateInstanceHistory": (
        "GET",
        lambda c: c.get_state_instance_history(),
        lambda b: [StateChange(r["stateInstance"], r["timestamp"], r["phoneNumber"]) for r in b],
    ),
    "updateApiToken": ("GET", lambda c: c.update_api_token(), lambda b: b["apiTokenInstance"]),
    "sendMessage": ("POST", lambda c: c.send_message(CHAT, "hello"), lambda b: b["idMessage"]),
    "sendFileByUpload": ("POST", _upload, lambda b: FileSent(b["idMessage"], b["urlFile"])),
    "checkWhatsapp": ("POST", lambda c: c.check_whatsapp(79001234567), lambda b: b["existsWhatsapp"]),
    "getMessage": ("POST", lambda c: c.get_message(CHAT, "BAE5F4886F8F6A4F"), lambda b: b),
    "lastOutgoingMessages": ("GET", lambda c: c.last_outgoing_messages(), lambda b: b),
    "showMessagesQueue": ("GET", lambda c: c.show_messages_queue(), lambda b: b),
    "getMessagesCount": ("GET", lambda c: c.get_messages_count(), _count),
    "getWebhooksCount": ("GET", lambda c: c.get_webhooks_count(), _count),
    "receiveNotification": (
        "GET",
        lambda c: c.receive_notification(5),
        lambda b: None if b is None else Notification(b["receiptId"], b["body"], json.dumps(b["body"]).encode()),
    ),
    "deleteNotification": ("DELETE", lambda c: c.delete_notification(1234567), lambda b: b["result"]),
}


def load() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for example in document["examples"]:
            cases.append(pytest.param(document, example, id=f"{document['method']}: {example['name']}"))
    return cases


def test_every_method_greencli_calls_has_documented_examples() -> None:
    import re

    client_source = (Path(__file__).parent.parent / "greencli" / "greenapi" / "client.py").read_text(encoding="utf-8")
    called = set(re.findall(r'self\.request\(\s*"[A-Z]+",\s*"(\w+)"', client_source))
    files = {path.stem for path in FIXTURES.glob("*.json")}
    assert called <= files, f"no documented example for {sorted(called - files)}"
    assert files == set(DECODERS)
    for path in FIXTURES.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["method"] == path.stem
        assert document["source"].startswith("https://green-api.com/")
        assert document["examples"]


@pytest.mark.parametrize(("document", "example"), load())
def test_the_client_decodes_the_documented_example(document: dict[str, Any], example: dict[str, Any], token: str) -> None:
    method = document["method"]
    verb, call, expected = DECODERS[method]
    # Uploads go to the media host (sending/SendFileByUpload): the universal one for API's host.
    address = url(method, token, MEDIA if method == "sendFileByUpload" else API)
    if method == "deleteNotification":
        address += "/1234567"
    with mocked() as api, GreenApiClient(Credentials(ID, token, API), timeout=2, backoff=0) as client:
        api.add(verb, address, body=json.dumps(example["body"]), status=example["status"], content_type="application/json")
        body = example["body"]
        if example["status"] == 466:
            with pytest.raises(QuotaExceeded) as caught:
                call(client)
            quota = body.get("correspondentsStatus") if "correspondentsStatus" in body else body["invokeStatus"]
            assert (caught.value.details["used"], caught.value.details["total"]) == (quota["used"], quota["total"])
            if "correspondentsStatus" in body:
                assert caught.value.allowed_chats == ["12345678901@c.us", "12345678910@c.us", "12345678911@c.us"]
        elif isinstance(body, dict) and "code" in body and method == "updateApiToken":
            with pytest.raises(ApiError) as failed:  # the beta method's failure is HTTP 200
                call(client)
            assert failed.value.code == "unauthorized" and failed.value.status == 200
        else:
            assert call(client) == expected(body)
