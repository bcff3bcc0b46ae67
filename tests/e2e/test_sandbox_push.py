"""The sandbox's push mode behaves as Green API documents webhook delivery, and a bot sees the
same request from it as from `webhooks listen --forward-to`.

Sources: green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/ (answer
200 within 180 s, else a pause of 60 s and the same notification again) and
green-api.com/en/docs/api/receiving/technology-webhook-endpoint/ (attempts at 1-minute
intervals); the Authorization header is greenapi.md §5.4.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import SandboxHTTPServer, start
from tests.e2e.conftest import Sandbox


class RecordingBot:
    """A local bot that records every POST (raw body and headers) and answers from a script."""

    def __init__(self, answers: Callable[[int], tuple[int, dict[str, str]]] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        answer = answers or (lambda _call: (200, {}))
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with bot.lock:
                    bot.received.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                    call = len(bot.received)
                status, headers = answer(call)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = SandboxHTTPServer(("127.0.0.1", 0), Handler)  # stops without a poll's wait
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def stop(self) -> None:
        self.server.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


@pytest.fixture
def push_sandbox(tmp_path):  # type: ignore[no-untyped-def]
    running = start(
        Options(state="authorized", settings=guide_settings(), restart_seconds=0.3, status_step_seconds=0.2, push_retry_seconds=0.1)
    )
    try:
        yield Sandbox(running, tmp_path)
    finally:
        running.stop()


def note(text: str) -> dict[str, Any]:
    """A fixed notification, so two routes to the bot can be compared byte for byte."""
    return {
        "typeWebhook": "incomingMessageReceived",
        "instanceData": {"idInstance": 1101000001, "wid": "79001234567@c.us", "typeInstance": "whatsapp"},
        "timestamp": 1588091580,
        "idMessage": "F7AEC1B7086ECDC7E6E45923F5EDB825",
        "senderData": {"chatId": "79001112233@c.us", "sender": "79001112233@c.us", "chatName": "Ана", "senderName": "Ана"},
        "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": text}},
    }


def test_listen_forward_to_and_push_mode_send_the_bot_identical_requests(push_sandbox: Sandbox) -> None:
    bot = RecordingBot()
    try:
        push_sandbox.control("POST", "/settings", {"webhookUrlToken": "bot-secret"})
        push_sandbox.instance.push(note("привет, \"bot\" 👋"))
        listened = push_sandbox.run("webhooks", "listen", "--forward-to", bot.url, "--count", "1", "--receive-timeout", "5")
        assert listened.exit_code == 0, listened.stderr
        assert bot.count() == 1

        push_sandbox.control("POST", "/settings", {"webhookUrl": bot.url})
        push_sandbox.instance.push(note("привет, \"bot\" 👋"))
        wait_until(lambda: bot.count() == 2)
    finally:
        bot.stop()
    forwarded, pushed = bot.received
    assert forwarded["body"] == pushed["body"]
    assert forwarded["headers"]["Authorization"] == pushed["headers"]["Authorization"] == "Bearer bot-secret"
    assert forwarded["headers"]["Content-Type"] == pushed["headers"]["Content-Type"] == "application/json"
    assert forwarded["path"] == pushed["path"] == "/webhook"


def test_push_retries_the_head_and_keeps_the_order(push_sandbox: Sandbox) -> None:
    # The first notification fails twice (500, then 204: only 200 counts); the others wait.
    bot = RecordingBot(lambda call: (500, {}) if call == 1 else (204, {}) if call == 2 else (200, {}))
    try:
        for index in range(3):
            push_sandbox.instance.push(note(f"message {index}"))
        push_sandbox.control("POST", "/settings", {"webhookUrl": bot.url})
        wait_until(lambda: push_sandbox.control("GET", "")["notifications"] == 0)
    finally:
        bot.stop()
    texts = [json.loads(r["body"])["messageData"]["textMessageData"]["textMessage"] for r in bot.received]
    assert texts == ["message 0", "message 0", "message 0", "message 1", "message 2"]
    assert all("Authorization" not in r["headers"] for r in bot.received)  # no token set: no header
    push = push_sandbox.control("GET", "")["push"]
    assert (push["delivered"], push["failed"]) == (3, 2)
    assert [a["status"] for a in push["attempts"]] == [500, 204, 200, 200, 200]


def test_push_never_follows_a_redirect(push_sandbox: Sandbox) -> None:
    elsewhere = RecordingBot()
    bot = RecordingBot(lambda call: (302, {"Location": elsewhere.url}) if call == 1 else (200, {}))
    try:
        push_sandbox.instance.push(note("one"))
        push_sandbox.control("POST", "/settings", {"webhookUrl": bot.url, "webhookUrlToken": "bot-secret"})
        wait_until(lambda: push_sandbox.control("GET", "")["notifications"] == 0)
    finally:
        bot.stop()
        elsewhere.stop()
    assert bot.count() == 2  # the 302 was a failed delivery, sent again to the same URL
    assert elsewhere.count() == 0


def test_no_polling_while_pushing_and_polling_again_once_the_url_is_cleared(push_sandbox: Sandbox) -> None:
    bot = RecordingBot(lambda call: (503, {}))  # a bot that is down: the notification stays queued
    try:
        push_sandbox.control("POST", "/settings", {"webhookUrl": bot.url})
        push_sandbox.instance.push(note("held"))
        wait_until(lambda: bot.count() >= 2)  # retried
        listened = push_sandbox.run("webhooks", "listen", "--count", "1", "--receive-timeout", "5")
        assert listened.exit_code == 1 and "polling" in listened.stderr
        push_sandbox.control("POST", "/settings", {"webhookUrl": ""})
    finally:
        bot.stop()
    listened = push_sandbox.run("webhooks", "listen", "--count", "1", "--json", "--receive-timeout", "5")
    assert listened.exit_code == 0, listened.stderr
    assert '"held"' in listened.stdout


def test_an_unreachable_webhook_url_is_retried_not_dropped(push_sandbox: Sandbox) -> None:
    push_sandbox.instance.push(note("kept"))
    push_sandbox.control("POST", "/settings", {"webhookUrl": "http://127.0.0.1:9/nothing-listens"})
    wait_until(lambda: push_sandbox.control("GET", "")["push"]["failed"] >= 2)
    state = push_sandbox.control("GET", "")
    assert state["notifications"] == 1
    assert state["push"]["attempts"][-1]["status"] is None and state["push"]["attempts"][-1]["error"]


def test_greencli_sandbox_push_retry_option(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from tests.e2e.conftest import greencli_command

    bot = RecordingBot(lambda call: (500, {}) if call == 1 else (200, {}))
    process = subprocess.Popen(
        [*greencli_command(), "sandbox", "--state", "authorized", "--guide-settings", "--push-retry", "0.2", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        import json

        import requests

        control = json.loads(process.stdout.readline())["controlUrl"]
        requests.post(f"{control}/settings", json={"webhookUrl": bot.url}, timeout=5).raise_for_status()
        requests.post(f"{control}/incoming", json={"text": "hello"}, timeout=5).raise_for_status()
        wait_until(lambda: bot.count() == 2)
        assert requests.get(control, timeout=5).json()["push"]["retrySeconds"] == 0.2
    finally:
        process.terminate()
        process.wait(timeout=10)
        bot.stop()
    assert bot.received[0]["body"] == bot.received[1]["body"]


def test_webhooks_enable_points_the_sandbox_at_a_local_bot(push_sandbox: Sandbox) -> None:
    bot = RecordingBot()
    try:
        enabled = push_sandbox.run("webhooks", "enable", "--url", bot.url, "--url-token", "bot-secret", "--json")
        assert enabled.exit_code == 0, enabled.stderr
        assert "cannot reach" in enabled.stderr  # true of Green API's servers, not of the sandbox
        push_sandbox.control("POST", "/incoming", {"chatId": "79001112233@c.us", "text": "pushed to my bot"})
        wait_until(lambda: any(b"pushed to my bot" in r["body"] for r in bot.received))
    finally:
        bot.stop()
    assert {r["headers"]["Authorization"] for r in bot.received} == {"Bearer bot-secret"}
