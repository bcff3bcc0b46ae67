"""Every public method of Green API's official Python SDK (whatsapp-api-client-python 0.0.55,
partner methods and VoIP aside), called through the SDK against the sandbox in this process:
each answers 200 (prerequisites first: a sent message, a group)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greencli.sandbox.methods import BY_NAME
from greencli.sandbox.options import Options, guide_settings
from greencli.sandbox.server import RunningSandbox, start

sdk = pytest.importorskip("whatsapp_api_client_python.API")
pytestmark = pytest.mark.e2e
GROUPS = ("account", "contacts", "device", "groups", "journals", "marking", "queues", "receiving", "sending", "serviceMethods", "statuses")
LAST = ("setSettings", "reboot", "deleteMessage", "leaveGroup", "logout", "updateApiToken")  # they change what others need


@pytest.fixture
def running() -> Iterator[RunningSandbox]:
    sandbox = start(Options(state="authorized", settings=guide_settings(), plan="business"), rate_limits=False)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def sdk_methods(api: Any) -> list[tuple[str, Any]]:
    found = []
    for group in GROUPS:
        for name, method in inspect.getmembers(getattr(api, group), inspect.ismethod):
            if not name.startswith("_") and not name.endswith("Async"):
                found.append((name, method))
    return sorted(found, key=lambda item: (item[0] in LAST, LAST.index(item[0]) if item[0] in LAST else 0))


def test_every_sdk_method_is_answered(running: RunningSandbox, tmp_path: Path) -> None:
    logging.getLogger("whatsapp-api-client-python").disabled = True
    api = sdk.GreenApi(running.instance.instance_id, running.instance.token, host=running.url, media=running.url)
    picture = tmp_path / "p.jpg"
    picture.write_bytes(b"\xff\xd8\xff sandbox")
    sent = api.sending.sendMessage("79001112233@c.us", "hi").data["idMessage"]
    group = api.groups.createGroup("Group", ["79001112233@c.us"]).data["chatId"]
    values: dict[str, Any] = {
        "phoneNumber": 79001234567, "path": str(picture), "chatId": "79001112233@c.us", "groupId": group,
        "participantChatId": "79001112244@c.us", "groupName": "Renamed", "chatIds": ["79001112233@c.us"], "idMessage": sent,
        "receiptId": 1, "message": "m", "firstName": "Ann", "requestBody": {"incomingWebhook": "yes"}, "chatIdFrom": "79001112233@c.us",
        "messages": [sent], "buttons": [], "contact": {"phoneContact": 79001112233, "firstName": "Ann"}, "urlFile": "https://example.invalid/f.jpg",
        "fileName": "f.jpg", "body": "b", "urlLink": "https://example.invalid", "buttonText": "b", "sections": [], "latitude": 1.0,
        "longitude": 2.0, "options": [{"optionName": "a"}, {"optionName": "b"}], "templateButtons": [],
    }
    methods = sdk_methods(api)
    assert len(methods) == 73  # greenapi.md §11: 73 synchronous instance methods
    failures = []
    for name, method in methods:
        parameters = inspect.signature(method).parameters
        arguments = {p: values[p] for p, v in parameters.items() if v.default is inspect.Parameter.empty}
        if name == "checkWhatsapp":
            arguments["phoneNumber"] = 79001112233
        if name == "receiveNotification":
            running.instance.incoming_message("79001112233@c.us", "hello")  # something to receive at once
        if name == "downloadFile":
            arguments["idMessage"] = api.sending.sendFileByUrl("79001112233@c.us", values["urlFile"], "f.jpg").data["idMessage"]
        answer = method(**arguments)
        if answer.code != 200:
            failures.append((name, answer.code, answer.error))
        assert name.lower() in BY_NAME or name == "getStateInstanceHistory", f"{name} has no declaration"
    assert failures == []
