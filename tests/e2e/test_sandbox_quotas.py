"""The sandbox keeps the Developer plan's documented quotas and the journal's documented quirks,
and serves getMessagesCount, GetStateInstanceHistory, updateApiToken and sendFileByUpload.

Sources (green-api.com/en/docs/…): about-tariffs (monthly quotas, 3 chats written to and heard
from), api/466-error-example-body, api/receiving/notifications-format/QuotaExceeded/,
api/sending/SendMessage/ (own number stays `sent`), api/account/GetSettings/ (no
outgoingAPIMessageReceived without WhatsApp), api/journals/GetMessage/ (entries lag),
github.com/green-api/issues/issues/613 (failed messages not journaled),
api/account/GetStateInstanceHistory/, api/account/UpdateApiToken, api/sending/SendFileByUpload/.
"""

from __future__ import annotations

import time

import pytest
import requests

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.quotas import Quotas
from greencli.sandbox.server import start
from tests.e2e.conftest import Sandbox
from tests.e2e.test_sandbox import call

OWN = "79001234567@c.us"


@pytest.fixture
def limited(tmp_path):  # type: ignore[no-untyped-def]
    """Authorized, guide settings, low monthly limits and quick statuses."""
    running = start(
        Options(
            state="authorized",
            settings={**guide_settings(), "outgoingWebhook": "yes"},
            restart_seconds=0.3,
            status_step_seconds=0.05,
            quota_limits={"getMessage": 2, "lastIncomingMessages": 1, "lastOutgoingMessages": 1, "checkWhatsapp": 100},
        ),
        rate_limits=False,
    )
    try:
        yield Sandbox(running, tmp_path)
    finally:
        running.stop()


def send(sandbox: Sandbox, chat_id: str, text: str = "hi") -> requests.Response:
    return call(sandbox, "POST", "sendMessage", {"chatId": chat_id, "message": text})


def drain(sandbox: Sandbox) -> list[dict]:
    """Every queued notification body, emptying the queue."""
    bodies = sandbox.instance.pending_notifications()
    sandbox.instance.clear_notifications()
    return bodies


def wait_for(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


# -- monthly method quotas ------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "verb", "limit"), [("getMessage", "POST", 2), ("lastIncomingMessages", "GET", 1), ("lastOutgoingMessages", "GET", 1)])
def test_journal_methods_answer_466_once_the_month_is_used_up(limited: Sandbox, method: str, verb: str, limit: int) -> None:
    body = {"chatId": OWN, "idMessage": "NOPE"} if verb == "POST" else None
    for _ in range(limit):
        assert call(limited, verb, method, body).status_code != 466
    answer = call(limited, verb, method, body)
    assert answer.status_code == 466
    assert answer.json() == {
        "invokeStatus": {
            "method": method.lower(),
            "used": limit,
            "total": limit,
            "status": "QUOTE_EXCEEDED",
            "description": "Monthly quota has been exceeded. Please go to your personal account and change the tariff to business https://console.green-api.com",
        }
    }
    assert limited.control("GET", "")["quotas"]["methods"][method] == {"used": limit, "total": limit}


def test_greencli_reports_the_466_of_a_used_up_journal(limited: Sandbox) -> None:
    limited.instance.quotas.use_up("lastOutgoingMessages")
    assert call(limited, "GET", "lastOutgoingMessages").status_code == 466


def test_the_developer_plan_table_is_the_documented_one() -> None:
    running = start(Options())
    try:
        limits = running.instance.quotas.describe()["methods"]
    finally:
        running.stop()
    assert {name: v["total"] for name, v in limits.items()} == {
        "checkWhatsapp": 100,
        "getMessage": 1000,
        "lastIncomingMessages": 1000,
        "lastOutgoingMessages": 1000,
        "sendFileByUpload": 1000,
    }


def test_quotas_start_again_on_the_first_of_the_month() -> None:
    now = [time.mktime((2026, 11, 30, 23, 0, 0, 0, 0, 0)) - time.timezone]
    quotas = Quotas({"getMessage": 1}, chats=3, clock=lambda: now[0])
    assert quotas.spend("getMessage") is None
    assert quotas.spend("getMessage") is not None
    assert quotas.allow_chat("1@c.us") and quotas.allow_chat("2@c.us") and quotas.allow_chat("3@c.us")
    assert not quotas.allow_chat("4@c.us")
    now[0] += 2 * 3600  # 1 December
    assert quotas.spend("getMessage") is None
    assert quotas.allow_chat("4@c.us")


# -- three chats, written to and heard from ---------------------------------------------------------


def test_a_fourth_chat_writing_in_produces_quota_exceeded_not_the_message(limited: Sandbox) -> None:
    for chat_id in ("79001110005@c.us", "79001110006@c.us"):
        assert send(limited, chat_id).status_code == 200
    limited.control("POST", "/incoming", {"chatId": "79001112233@c.us", "text": "third chat"})
    drain(limited)
    limited.control("POST", "/incoming", {"chatId": "79005556677@c.us", "text": "fourth chat"})
    # (Statuses of the two sends may still trickle in: only what the incoming message produced counts.)
    bodies = [b for b in drain(limited) if b["typeWebhook"] in ("quotaExceeded", "incomingMessageReceived")]
    assert [b["typeWebhook"] for b in bodies] == ["quotaExceeded"]
    data = bodies[0]["quotaData"]
    assert data["method"] == "correspondents" and data["used"] == 3 and data["total"] == 3
    assert data["status"] == "CORRESPONDENTS_QUOTA_EXCEEDED"  # QUOTA in the notification, QUOTE in 466 bodies
    assert "79001112233@c.us" in data["description"]
    assert all(m["textMessage"] != "fourth chat" for m in call(limited, "GET", "lastIncomingMessages").json())
    answer = send(limited, "79005556677@c.us")  # and it cannot be written to either
    assert answer.status_code == 466
    assert answer.json()["correspondentsStatus"]["status"] == "CORRESPONDENTS_QUOTE_EXCEEDED"


# -- statuses and the journal -----------------------------------------------------------------------


def test_a_message_to_the_own_number_stays_sent(limited: Sandbox) -> None:
    own = send(limited, OWN).json()["idMessage"]
    other = send(limited, "79001112233@c.us").json()["idMessage"]
    wait_for(lambda: limited.instance.journal.find("79001112233@c.us", other)["statusMessage"] == "read")
    statuses = [b["status"] for b in drain(limited) if b["typeWebhook"] == "outgoingMessageStatus" and b["idMessage"] == own]
    assert statuses == ["sent"]
    assert call(limited, "POST", "getMessage", {"chatId": OWN, "idMessage": own}).json()["statusMessage"] == "sent"


def test_no_outgoing_api_notification_for_a_number_without_whatsapp(limited: Sandbox) -> None:
    nobody = send(limited, "79001230000@c.us").json()["idMessage"]
    wait_for(lambda: limited.instance.journal.find("79001230000@c.us", nobody)["statusMessage"] == "noAccount")
    kinds = [(b["typeWebhook"], b.get("status")) for b in drain(limited) if b.get("idMessage") == nobody]
    assert kinds == [("outgoingMessageStatus", "noAccount")]


def test_a_failed_message_is_not_in_the_journal_but_its_status_is_notified(limited: Sandbox) -> None:
    failed = send(limited, "79001230001@c.us").json()["idMessage"]
    wait_for(lambda: any(b.get("status") == "failed" for b in limited.instance.pending_notifications()))
    assert call(limited, "POST", "getMessage", {"chatId": "79001230001@c.us", "idMessage": failed}).status_code == 400
    assert all(m["idMessage"] != failed for m in call(limited, "GET", "lastOutgoingMessages").json())
    assert all(m["idMessage"] != failed for m in limited.control("GET", "")["sent"])


def test_the_journal_can_lag(tmp_path) -> None:  # type: ignore[no-untyped-def]
    running = start(Options(state="authorized", settings=guide_settings(), journal_lag_seconds=0.5), rate_limits=False)
    sandbox = Sandbox(running, tmp_path)
    try:
        sent = send(sandbox, "79001112233@c.us").json()["idMessage"]
        assert call(sandbox, "POST", "getMessage", {"chatId": "79001112233@c.us", "idMessage": sent}).status_code == 400
        assert call(sandbox, "GET", "lastOutgoingMessages").json() == []
        wait_for(lambda: call(sandbox, "POST", "getMessage", {"chatId": "79001112233@c.us", "idMessage": sent}).status_code == 200)
    finally:
        running.stop()


def test_incoming_messages_are_journaled(limited: Sandbox) -> None:
    limited.control("POST", "/incoming", {"chatId": "79001112233@c.us", "text": "hello there"})
    entries = call(limited, "GET", "lastIncomingMessages", params={"minutes": 5}).json()
    assert len(entries) == 1
    entry = entries[0]
    assert entry["type"] == "incoming" and entry["chatId"] == entry["senderId"] == "79001112233@c.us"
    assert entry["textMessage"] == "hello there" and entry["typeMessage"] == "textMessage"
    found = call(limited, "POST", "getMessage", {"chatId": "79001112233@c.us", "idMessage": entry["idMessage"]})
    assert found.json() == entry


# -- new methods ---------------------------------------------------------------------------------


def test_get_messages_count_counts_the_whole_queue(fresh_sandbox: Sandbox) -> None:
    for text in ("one", "two"):
        assert send(fresh_sandbox, "79001112233@c.us", text).status_code == 200
    assert call(fresh_sandbox, "GET", "getMessagesCount").json() == {"count": 2}


def test_state_history_records_drops_newest_first(limited: Sandbox) -> None:
    sandbox = limited
    sandbox.control("POST", "/state", {"state": "notAuthorized"})
    sandbox.control("POST", "/state", {"state": "authorized"})
    sandbox.control("POST", "/state", {"state": "blocked"})
    history = call(sandbox, "GET", "GetStateInstanceHistory").json()
    assert [h["stateInstance"] for h in history] == ["blocked", "authorized", "notAuthorized", "authorized"]
    assert all(isinstance(h["timestamp"], int) and h["phoneNumber"] == OWN for h in history)
    assert history[0]["timestamp"] >= history[-1]["timestamp"]
    two = call(sandbox, "GET", "GetStateInstanceHistory", body={"count": 2}).json()
    assert two == history[:2]
    assert call(sandbox, "GET", "GetStateInstanceHistory", body={"count": 0}).status_code == 400
    assert call(sandbox, "GET", "GetStateInstanceHistory", params={"count": 1}).json() == history[:1]  # as the SDK sends it
    assert call(sandbox, "GET", "getStateInstanceHistory").status_code == 200  # method names ignore case


def test_update_api_token_retires_the_old_token(sandbox: Sandbox) -> None:
    old = sandbox.token
    answer = call(sandbox, "GET", "updateApiToken")
    assert answer.status_code == 200
    new = answer.json()["apiTokenInstance"]
    assert new != old and len(new) == 50
    assert call(sandbox, "GET", "getStateInstance", token=old).status_code == 401
    assert call(sandbox, "GET", "getStateInstance", token=new).json() == {"stateInstance": "authorized"}
    # Beta quirk: a failure is HTTP 200 with the code in the body.
    failed = call(sandbox, "GET", "updateApiToken", token=old)
    assert failed.status_code == 200 and failed.json() == {"code": 401, "description": "Unauthorized"}


def test_send_file_by_upload_takes_a_multipart_form(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/waInstance{sandbox.instance_id}/sendFileByUpload/{sandbox.token}"
    answer = requests.post(
        url,
        data={"chatId": "79001112233@c.us", "caption": "a window"},
        files={"file": ("window.jpg", b"\xff\xd8\xff fake jpeg")},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert set(data) == {"idMessage", "urlFile"} and data["urlFile"].endswith("/window.jpg")
    logged = sandbox.requests_for("sendFileByUpload")[-1]["body"]
    assert logged["chatId"] == "79001112233@c.us" and logged["file"] == {"filename": "window.jpg", "size": 13}
    sent = sandbox.control("GET", "")["sent"][-1]
    assert sent["typeMessage"] == "imageMessage" and sent["caption"] == "a window" and sent["fileName"] == "window.jpg"
    assert requests.post(url, json={"chatId": "79001112233@c.us"}, timeout=10).status_code == 400
    assert requests.post(url, data={"chatId": "79001112233@c.us"}, files={"nofile": ("a.txt", b"x")}, timeout=10).status_code == 400


def test_greencli_sandbox_quota_and_journal_lag_options(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import subprocess

    from tests.e2e.conftest import greencli_command

    bad = subprocess.run([*greencli_command(), "sandbox", "--quota", "getMessage"], capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert bad.returncode == 2 and "METHOD=N" in bad.stderr
    process = subprocess.Popen(
        [*greencli_command(), "sandbox", "--state", "authorized", "--quota", "getMessage=1", "--journal-lag", "30", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        values = json.loads(process.stdout.readline())
        base = f"{values['GREEN_API_URL']}/waInstance{values['GREEN_API_INSTANCE_ID']}"
        token = values["GREEN_API_TOKEN"]
        sent = requests.post(f"{base}/sendMessage/{token}", json={"chatId": "79001112233@c.us", "message": "x"}, timeout=5).json()
        body = {"chatId": "79001112233@c.us", "idMessage": sent["idMessage"]}
        assert requests.post(f"{base}/getMessage/{token}", json=body, timeout=5).status_code == 400  # not journaled yet
        assert requests.post(f"{base}/getMessage/{token}", json=body, timeout=5).status_code == 466
        assert requests.get(values["controlUrl"], timeout=5).json()["quotas"]["methods"]["checkWhatsapp"]["total"] == 100
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_newer_466_shape_names_the_allowed_chats_in_invoke_status() -> None:
    # Two versions of https://green-api.com/en/docs/api/466-error-example-body: the newer one
    # puts the allowed chats in invokeStatus.description (tests/fixtures/greenapi/sendMessage.json).
    quotas = Quotas({}, 1, chat_body="newer")
    assert quotas.allow_chat("79001112233@c.us") and not quotas.allow_chat("79001112244@c.us")
    body = quotas.chat_quota_body("sendMessage", 67)
    assert set(body) == {"invokeStatus"} and body["invokeStatus"]["status"] == "QUOTE_ALLOWED"
    assert "79001112233@c.us" in body["invokeStatus"]["description"]
    older = Quotas({}, 1).chat_quota_body("sendMessage", 67)
    assert "79001112233@c.us" not in older["invokeStatus"].get("description", "") and "correspondentsStatus" in older
