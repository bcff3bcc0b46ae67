"""The sandbox's control endpoint cannot be driven by a web page (issue 14, finding 10).

A page can reach 127.0.0.1 by DNS rebinding (its own host name, resolving to 127.0.0.1: the
Host header gives it away) or by a cross-site form or no-cors fetch (text/plain or no
Content-Type); both are refused. The request log masks the secrets it holds.
"""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from greencli.sandbox.server import RunningSandbox, start

pytestmark = pytest.mark.e2e


@pytest.fixture
def running() -> Any:
    sandbox: RunningSandbox = start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def ask(sandbox: RunningSandbox, verb: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    port = int(sandbox.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(verb, path, skip_host=True)
        for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        connection.close()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1", "127.0.0.1:1", "localhost.evil.example:{port}", ""])
def test_a_foreign_host_is_refused(running: RunningSandbox, host: str) -> None:
    port = running.url.rsplit(":", 1)[1]
    state = running.instance.state
    status, answer = ask(running, "POST", "/sandbox/state", b'{"state": "blocked"}', {**JSON, "Host": host.format(port=port)})
    assert status == 403 and "Host" in answer["error"]
    assert running.instance.state == state  # nothing changed
    assert ask(running, "GET", "/sandbox/requests", headers={"Host": host.format(port=port)})[0] == 403


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"])
def test_a_change_without_json_is_refused(running: RunningSandbox, content_type: str | None) -> None:
    state = running.instance.state
    headers = {"Content-Type": content_type} if content_type else {}
    status, _ = ask(running, "POST", "/sandbox/state", b'{"state": "blocked"}', headers)
    assert status == 415
    assert ask(running, "POST", "/sandbox/scan", None, headers)[0] == 415
    assert ask(running, "DELETE", "/sandbox/requests", None, headers)[0] == 415
    assert running.instance.state == state


def test_its_own_host_and_json_are_accepted(running: RunningSandbox) -> None:
    port = running.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, answer = ask(running, "POST", "/sandbox/state", b'{"state": "blocked"}', {"Content-Type": "application/json; charset=utf-8", "Host": host})
        assert (status, answer["stateInstance"]) == (200, "blocked")
    assert ask(running, "GET", "/sandbox")[0] == 200


def test_the_request_log_masks_the_webhook_token_and_the_instance_token(running: RunningSandbox) -> None:
    token = running.instance.token
    secret = "bot-secret-0123456789-abcdef"
    port = int(running.url.rsplit(":", 1)[1])
    path = f"/waInstance{running.instance.instance_id}/setSettings/{token}"
    body = json.dumps({"webhookUrl": "https://bot.example/hook", "webhookUrlToken": secret, "note": f"echo {token}"}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body, JSON)
    assert connection.getresponse().status == 200
    connection.close()
    status, log = ask(running, "GET", "/sandbox/requests")
    assert status == 200
    text = json.dumps(log, ensure_ascii=False)
    assert secret not in text and token not in text
    entry = [r for r in log["requests"] if r.get("method") == "setSettings"][-1]
    assert entry["body"]["webhookUrlToken"] == f"{secret[:4]}…{secret[-4:]}"
    assert entry["body"]["note"] == f"echo {token[:4]}…{token[-4:]}"
    assert token not in json.dumps(ask(running, "GET", "/sandbox")[1], ensure_ascii=False)
