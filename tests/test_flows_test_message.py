"""flows.test_message: setup's test message goes to a chat once; a journal that cannot be read
tells nothing, and the message is sent."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from greencli.flows.test_message import SentBefore, send_test_once
from greencli.greenapi.phone_numbers import parse_recipient
from tests.mocked_api import methods, url

PHONE = parse_recipient("79001234567")
TEST_TEXT = "greencli test message: this WhatsApp instance (1101000001) can send. Sent at 2026-01-01 10:00:00 UTC."


def ready_to_send(api, token: str, journal: object, journal_status: int = 200) -> None:
    api.get(url("lastOutgoingMessages", token), json=journal, status=journal_status)
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(url("checkWhatsapp", token), json={"existsWhatsapp": True})
    api.post(url("sendMessage", token), json={"idMessage": "NEW1"})


def test_the_first_message_is_sent_and_recorded_privately(api, client, token) -> None:
    ready_to_send(api, token, [])
    assert send_test_once(client, PHONE) == ("NEW1", "passed")
    record = Path(os.environ["XDG_STATE_HOME"], "greencli", "test-messages.json")
    assert "NEW1" in record.read_text() and token not in record.read_text()
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert stat.S_IMODE(record.parent.stat().st_mode) == 0o700
    # The second time the record answers: not one request.
    api.calls.reset()
    assert send_test_once(client, PHONE) == SentBefore("NEW1", "greencli's record")
    assert methods(api) == []


def test_the_journal_names_an_earlier_test_message_to_the_same_chat(api, client, token) -> None:
    journal = [
        {"type": "outgoing", "idMessage": "OTHER", "chatId": "79001112233@c.us", "textMessage": TEST_TEXT},
        {"type": "outgoing", "idMessage": "MINE", "chatId": "79001234567@c.us", "textMessage": "hello"},
        {"type": "outgoing", "idMessage": "OLD1", "chatId": "79001234567@c.us", "textMessage": TEST_TEXT},
    ]
    api.get(url("lastOutgoingMessages", token), json=journal)
    assert send_test_once(client, PHONE) == SentBefore("OLD1", "the outgoing journal")
    assert methods(api) == ["lastOutgoingMessages"]
    assert "minutes=1440" in api.calls[0].request.url  # the journal's 24 hours


def test_a_journal_that_cannot_be_read_tells_nothing(api, client, token) -> None:
    # 466: the developer plan's 1,000 journal reads a month are used up
    # (https://green-api.com/en/docs/about-tariffs/).
    ready_to_send(api, token, {"correspondentsStatus": {"description": "quota"}}, journal_status=466)
    assert send_test_once(client, PHONE) == ("NEW1", "passed")
    assert methods(api)[-1] == "sendMessage"
