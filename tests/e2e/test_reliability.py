"""Nothing lost, nothing half-done: a flaky bot behind `listen`, kills, restarts and Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from greencli.sandbox.server import SandboxHTTPServer
from tests.e2e.conftest import Sandbox, assert_no_token, greencli_command


class FlakyBot:
    """A local bot that fails one call in three, hangs once, and remembers what it accepted."""

    def __init__(self, hang_on_call: int | None = 5, fail_every: int = 3) -> None:
        self.calls = 0
        self.accepted: dict[str, float] = {}  # text -> first time it was answered 200
        self.authorization: set[str | None] = set()
        self.lock = threading.Lock()
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with bot.lock:
                    bot.calls += 1
                    call = bot.calls
                    bot.authorization.add(self.headers.get("Authorization"))
                if hang_on_call is not None and call == hang_on_call:
                    time.sleep(2.5)  # longer than greencli waits: it must retry
                elif call % fail_every == 0:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                text = body.get("messageData", {}).get("textMessageData", {}).get("textMessage")
                with bot.lock:
                    bot.accepted.setdefault(text, time.time())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = SandboxHTTPServer(("127.0.0.1", 0), Handler)  # it stops without a poll's wait
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"

    def stop(self) -> None:
        self.server.stop()


def start_greencli(sandbox: Sandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*greencli_command(), *args],
        cwd=sandbox.workdir,
        env=sandbox.env(GREENCLI_TIMEOUT="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_listen_forwards_every_notification_through_failures_hangs_and_a_kill(sandbox: Sandbox) -> None:
    sandbox.control("POST", "/settings", {"webhookUrlToken": "bot-secret"})
    receipts = {}
    for index in range(12):
        text = f"message {index}"
        receipts[sandbox.control("POST", "/incoming", {"text": text})["receiptId"]] = text
    bot = FlakyBot()
    try:
        first = start_greencli(sandbox, "webhooks", "listen", "--forward-to", bot.url, "--receive-timeout", "5")
        wait_for(lambda: len(bot.accepted) >= 4)
        first.kill()  # no goodbye: whatever was in flight stays in the queue
        first.wait(timeout=10)
        left = sandbox.control("GET", "")["notifications"]
        assert left > 0
        second = start_greencli(sandbox, "webhooks", "listen", "--forward-to", bot.url, "--count", str(left), "--receive-timeout", "5")
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert_no_token(sandbox.token, out, err)
        assert "Forwarding failed" in err and "retrying" in err
    finally:
        bot.stop()
    assert set(receipts.values()) <= set(bot.accepted)  # every one delivered at least once
    assert sandbox.control("GET", "")["notifications"] == 0  # and the queue is empty
    assert bot.authorization == {"Bearer bot-secret"}  # webhookUrlToken as Green API sends it (greenapi/webhook_push.py)
    deletes = sandbox.requests_for("deleteNotification")
    assert {int(entry["extra"]) for entry in deletes if entry["status"] == 200} >= set(receipts)
    for entry in deletes:
        text = receipts.get(int(entry["extra"]))
        assert text is not None
        assert bot.accepted[text] <= entry["time"], f"{text} was deleted before the bot accepted it"


def interrupt_once_waiting(sandbox: Sandbox, process: subprocess.Popen[str], method: str) -> tuple[str, str]:
    """Ctrl-C once greencli waits: the sandbox has answered `method`, or, for the long poll
    receiveNotification, holds it."""
    wait_for(lambda: any(entry.get("status") or method == "receiveNotification" for entry in sandbox.requests_for(method)))
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=20)


@pytest.mark.parametrize(
    ("args", "waits_on"),
    [
        (("check-state", "--wait", "60"), "getStateInstance"),
        (("qr", "--save", "code.png"), "qr"),
        (("webhooks", "listen"), "receiveNotification"),
        (("send-test", "79001234567", "--wait", "60"), "getMessage"),  # the delivery follow-up
    ],
    ids=["check-state", "qr", "listen", "send-test"],
)
def test_ctrl_c_in_waiting_commands_exits_130_cleanly(fresh_sandbox: Sandbox, args: tuple[str, ...], waits_on: str) -> None:
    sandbox = fresh_sandbox
    if args[0] in ("webhooks", "send-test"):
        sandbox.control("POST", "/scan")  # these need a linked phone
        sandbox.control("POST", "/settings", {"incomingWebhook": "yes"})
        sandbox.instance.options.status_step_seconds = 60  # the message stays pending
    process = start_greencli(sandbox, *args)
    out, err = interrupt_once_waiting(sandbox, process, waits_on)
    assert process.returncode == 130, err
    assert "Traceback" not in err and ("Interrupted" in err or "Stopped following" in err)
    assert_no_token(sandbox.token, out, err)
    saved = Path(sandbox.workdir, "code.png")
    if saved.exists():  # never half a picture
        from greencli.greenapi.qr_image import decode_png

        assert decode_png(saved.read_bytes()).startswith("2@")
    assert not list(sandbox.workdir.glob(".*.tmp"))
    if args[0] == "send-test":
        assert len(sandbox.requests_for("sendMessage")) == 1
        # The message is out: Ctrl-C names it and how to follow it, never "run it again".
        assert "was sent" in err and "--follow" in err and "Run the command again" not in err


def test_ctrl_c_while_forwarding_leaves_the_notification_in_the_queue(sandbox: Sandbox) -> None:
    sandbox.control("POST", "/incoming", {"text": "in flight"})
    bot = FlakyBot(hang_on_call=None, fail_every=1)  # the bot always fails
    try:
        process = start_greencli(sandbox, "webhooks", "listen", "--forward-to", bot.url)
        wait_for(lambda: bot.calls >= 2)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    finally:
        bot.stop()
    assert process.returncode == 130 and "Traceback" not in err
    assert sandbox.control("GET", "")["notifications"] == 1
    assert sandbox.requests_for("deleteNotification") == []


def test_ctrl_c_with_json_still_prints_one_json_document(fresh_sandbox: Sandbox) -> None:
    process = start_greencli(fresh_sandbox, "check-state", "--wait", "60", "--json")
    out, err = interrupt_once_waiting(fresh_sandbox, process, "getStateInstance")
    assert process.returncode == 130
    assert json.loads(out)["error"]["code"] == "interrupted"
