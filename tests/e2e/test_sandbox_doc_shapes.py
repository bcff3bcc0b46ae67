"""The sandbox answers in the shapes of the examples on Green API's documentation pages
(tests/fixtures/greenapi/<method>.json): the same keys, with values of the same JSON types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import start
from tests.e2e.conftest import Sandbox

FIXTURES = Path(__file__).parent.parent / "fixtures" / "greenapi"


def example(method: str, index: int = 0) -> Any:
    return json.loads((FIXTURES / f"{method}.json").read_text(encoding="utf-8"))["examples"][index]["body"]


def kind(value: Any) -> str:
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def same_shape(answer: Any, documented: Any, optional: frozenset[str] = frozenset()) -> None:
    assert isinstance(answer, dict) and isinstance(documented, dict), (answer, documented)
    assert set(documented) - optional <= set(answer), f"missing {set(documented) - set(answer)}"
    assert set(answer) <= set(documented) | optional, f"not documented: {set(answer) - set(documented)}"
    for key in set(answer) & set(documented):
        assert kind(answer[key]) == kind(documented[key]), (key, answer[key], documented[key])


@pytest.fixture
def shaped(tmp_path):  # type: ignore[no-untyped-def]
    running = start(Options(state="authorized", settings=guide_settings(), status_step_seconds=0.05), rate_limits=False)
    try:
        yield Sandbox(running, tmp_path)
    finally:
        running.stop()


def api(sandbox: Sandbox, verb: str, method: str, body: Any = None, extra: str = "", params: Any = None) -> Any:
    url = f"{sandbox.url}/waInstance{sandbox.instance_id}/{method}/{sandbox.token}{extra}"
    answer = requests.request(verb, url, json=body, params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("verb", "method", "body"),
    [
        ("GET", "getStateInstance", None),
        ("GET", "getStatusInstance", None),
        ("GET", "getWaSettings", None),
        ("POST", "setSettings", {"incomingWebhook": "yes"}),
        ("POST", "getAuthorizationCode", None),
        ("GET", "reboot", None),
        ("GET", "logout", None),
        ("POST", "sendMessage", {"chatId": "79001112233@c.us", "message": "hi"}),
        ("POST", "checkWhatsapp", {"phoneNumber": 79001112233}),
        ("GET", "getMessagesCount", None),
        ("GET", "getWebhooksCount", None),
        ("GET", "updateApiToken", None),
    ],
)
def test_simple_answers_have_the_documented_shape(shaped: Sandbox, verb: str, method: str, body: Any) -> None:
    if method == "getAuthorizationCode":
        shaped.control("POST", "/state", {"state": "notAuthorized"})
        body = {"phoneNumber": 79001234567}
    documented = example(method, 1 if method == "getMessagesCount" else 0)  # the Latin-spelled count
    same_shape(api(shaped, verb, method, body), documented)


def test_settings_are_documented_fields(shaped: Sandbox) -> None:
    settings = api(shaped, "GET", "getSettings")
    documented = example("getSettings")
    assert set(settings) == set(documented)
    for key, value in settings.items():
        assert kind(value) == kind(documented[key]), key


def test_qr_and_history_and_journals_have_the_documented_shape(shaped: Sandbox) -> None:
    sent = api(shaped, "POST", "sendMessage", {"chatId": "79001112233@c.us", "message": "hi"})
    same_shape(api(shaped, "GET", "qr"), example("qr", 1))  # alreadyLogged while authorized
    for record in api(shaped, "GET", "GetStateInstanceHistory"):
        same_shape(record, example("GetStateInstanceHistory")[0])
    entry = api(shaped, "POST", "getMessage", {"chatId": "79001112233@c.us", "idMessage": sent["idMessage"]})
    same_shape(entry, example("getMessage"))
    for item in api(shaped, "GET", "lastOutgoingMessages"):
        same_shape(item, example("lastOutgoingMessages")[0])
    shaped.control("POST", "/incoming", {"chatId": "79001112233@c.us", "text": "hello"})
    note = api(shaped, "GET", "receiveNotification", params={"receiveTimeout": 5})
    same_shape(note, example("receiveNotification"))
    same_shape(note["body"], example("receiveNotification")["body"])
    same_shape(api(shaped, "DELETE", "deleteNotification", extra=f"/{note['receiptId']}"), example("deleteNotification"))


def test_queue_and_upload_have_the_documented_shape(tmp_path) -> None:  # type: ignore[no-untyped-def]
    running = start(Options(state="notAuthorized", settings=guide_settings()), rate_limits=False)
    sandbox = Sandbox(running, tmp_path)
    try:
        for text in ("waits", "waits too"):  # the first queued message is not listed (forum topic 213)
            api(sandbox, "POST", "sendMessage", {"chatId": "79001112233@c.us", "message": text})
        queue = api(sandbox, "GET", "showMessagesQueue")
        assert len(queue) == 1
        for item in queue:
            same_shape(item, example("showMessagesQueue")[0])
            same_shape(item["body"], example("showMessagesQueue")[0]["body"])
        url = f"{sandbox.url}/waInstance{sandbox.instance_id}/sendFileByUpload/{sandbox.token}"
        upload = requests.post(url, data={"chatId": "79001112233@c.us"}, files={"file": ("a.jpg", b"x")}, timeout=10)
        same_shape(upload.json(), example("sendFileByUpload"))
    finally:
        running.stop()
