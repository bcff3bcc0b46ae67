"""Hostile answers and notifications never take over the terminal (issue 14, findings 1-2).

Every server-controlled field greencli prints carries terminal controls (an OSC title, a
screen clear, an OSC 52 clipboard write, an OSC 8 link, a C1 CSI), bidi overrides and rich
markup. In plain, rich (forced) and --json output none of them reaches stdout or stderr as
such: each is shown as a visible escape, and the JSON decodes back to exactly what was sent.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from tests.e2e.conftest import greencli_command
from tests.hostile.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.e2e

TOKEN = "0123456789abcdef" * 3 + "ab"  # 50 hex characters, the real shape
INSTANCE = "1101000001"

# An OSC title and ESC \ terminator, a screen clear, a clipboard write, a hyperlink, a C1 CSI
# (U+009B), a bell, bidi override and isolate, and rich markup (a closing tag with no opening
# one is a MarkupError; a link tag would be clickable).
PAYLOAD = (
    "A\x1b]0;PWNED\x1b\\\x1b[2J\x1b]52;c;aGk=\x07\x1b]8;;http://evil.example/\x1b\\L"
    "\u009b31m\u202eDESREVER\u2066\u200b[link=https://evil.example/]click[/link][/x]Z"
)
FORBIDDEN = ("\x1b]", "\x1b[2J", "\x07", "\u009b", "\u202e", "\u2066", "\u200b", "\x9d")


def assert_inert(*texts: str) -> None:
    for text in texts:
        for sequence in FORBIDDEN:
            assert sequence not in text, f"{sequence!r} reached the output: {text!r}"
        assert not any(0x80 <= ord(c) <= 0x9F for c in text), text


def run(server: ScriptedServer, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "GREEN_API_URL": server.url,
        "GREEN_API_INSTANCE_ID": INSTANCE,
        "GREEN_API_TOKEN": TOKEN,
        "NO_PROXY": "127.0.0.1,localhost",
        "GREENCLI_TIMEOUT": "5",
    }
    if mode == "rich":
        env["FORCE_COLOR"] = "1"  # rich drawing although stdout and stderr are pipes
    command = [*greencli_command(), *args, *(["--json"] if mode == "json" else [])]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert_inert(completed.stdout, completed.stderr)
    assert "Traceback" not in completed.stderr
    assert "unexpected error" not in completed.stdout + completed.stderr
    return completed


def shown(completed: subprocess.CompletedProcess[str], mode: str) -> Any:
    """In human modes the escapes are visible; with --json the document decodes."""
    if mode == "json":
        return json.loads(completed.stdout)
    text = completed.stdout + completed.stderr
    assert "\\x1b]0;PWNED" in text and "\\u202e" in text, text
    assert "[link=https://evil.example/]click[/link]" in text  # shown literally, not a link
    return None


def strings(document: Any) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        document = list(document.values())
    if isinstance(document, list):
        return [text for item in document for text in strings(item)]
    return []


MODES = ["plain", "rich", "json"]
AUTHORIZED = Reply({"stateInstance": "authorized"})


def notification(**body: Any) -> Reply:
    return Reply({"receiptId": 7, "body": {"timestamp": 1700000000, **body}})


# Each case: the command, the scripted answers, the exit code expected.
CASES: dict[str, tuple[list[str], dict[str, Reply | list[Reply]], int]] = {
    "stateInstance": (["check-state"], {"getStateInstance": Reply({"stateInstance": PAYLOAD})}, 1),
    "phone": (["check-state"], {"getStateInstance": AUTHORIZED, "getWaSettings": Reply({"phone": PAYLOAD, "stateInstance": "authorized"})}, 0),
    "qr error message": (["qr", "--once", "--wait", "5"], {"getStateInstance": Reply({"stateInstance": "notAuthorized"}), "qr": Reply({"type": "error", "message": PAYLOAD})}, 1),
    "webhookUrl": (["webhooks", "show"], {"getSettings": Reply({"webhookUrl": PAYLOAD, "incomingWebhook": "yes"})}, 0),
    "idMessage": (["send-test", "79001234567", "--no-check"], {"getStateInstance": AUTHORIZED, "sendMessage": Reply({"idMessage": PAYLOAD})}, 0),
    "error body summary": (["check-state"], {"getStateInstance": Reply(PAYLOAD.encode(), status=500, headers={"Content-Type": "text/plain; charset=utf-8"})}, 3),
    "466 method": (["check-state"], {"getStateInstance": Reply({"invokeStatus": {"method": PAYLOAD, "used": 1, "total": 1}}, status=466)}, 3),
    # A header is Latin-1 on the wire; requests reads a Location as UTF-8 ("\xc2\x9b" is U+009B).
    "redirect Location": (["check-state"], {"getStateInstance": Reply(b"", status=302, headers={"Location": "http://evil\x1bPPWNED\x07\xc2\x9b2J.example/"})}, 3),
    "malformed Location": (["check-state"], {"getStateInstance": Reply(b"", status=302, headers={"Location": "http://[\x1b[2J/"})}, 3),
    "statusInstance": (["doctor"], {"getStateInstance": Reply({"stateInstance": "notAuthorized"}), "getStatusInstance": Reply({"statusInstance": PAYLOAD})}, 1),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(CASES))
def test_server_fields_are_shown_never_interpreted(case: str, mode: str) -> None:
    args, replies, exit_code = CASES[case]
    with ScriptedServer(replies) as server:
        completed = run(server, mode, *args)
    assert completed.returncode == exit_code, completed.stdout + completed.stderr
    if case.endswith("Location"):  # a header: Latin-1, so no bidi; the host is named
        if case == "redirect Location" and mode == "json":
            message = json.loads(completed.stdout)["error"]["message"]  # the host is named, raw or escaped
            assert "evil\x1bPPWNED\x07" in message or "evil\\x1bPPWNED\\x07" in message
        elif case == "redirect Location":
            assert "evil\\x1bPPWNED\\x07" in completed.stderr
        return
    if case == "statusInstance":
        return  # doctor may stop before asking; the streams were checked above
    document = shown(completed, mode)
    if document is not None:  # the JSON carries exactly what the server sent
        assert any(PAYLOAD in text for text in strings(document)), document


@pytest.mark.parametrize("mode", MODES)
def test_a_hostile_notification_is_shown_escaped(mode: str) -> None:
    sender = {"chatId": PAYLOAD + "@c.us", "senderName": PAYLOAD, "sender": PAYLOAD}
    replies = {
        "getSettings": Reply({"webhookUrl": "", "incomingWebhook": "yes"}),
        "receiveNotification": [
            notification(typeWebhook="incomingMessageReceived", senderData=sender, messageData={"typeMessage": "textMessage", "textMessageData": {"textMessage": PAYLOAD}}),
            notification(typeWebhook=PAYLOAD, senderData=sender),
        ],
        "deleteNotification": Reply({"result": True}),
    }
    with ScriptedServer(replies) as server:
        completed = run(server, mode, "webhooks", "listen", "--count", "2")
        assert server.calls.count("deleteNotification") == 2
    assert completed.returncode == 0, completed.stderr
    if mode == "json":
        records = [json.loads(line) for line in completed.stdout.splitlines()]
        assert records[0]["body"]["messageData"]["textMessageData"]["textMessage"] == PAYLOAD
        assert records[1]["body"]["typeWebhook"] == PAYLOAD
        assert records[0]["body"]["senderData"]["senderName"] == PAYLOAD
    else:
        shown(completed, mode)
        assert completed.stdout.count("PWNED") >= 3  # text, type, chat or sender all shown


@pytest.mark.parametrize("state", ["[/x]", "[link=https://evil.example/]click me[/link]", "[bold red]x"])
def test_spinner_text_is_not_markup(state: str) -> None:
    """check-state --wait puts the state in the spinner: rich must not parse it."""
    with ScriptedServer({"getStateInstance": [Reply({"stateInstance": state}), AUTHORIZED], "getWaSettings": Reply({"phone": "79001234567"})}) as server:
        completed = run(server, "rich", "check-state", "--wait", "5")
    assert completed.returncode == 0, completed.stderr
    assert "\x1b]8;" not in completed.stderr  # no hyperlink
