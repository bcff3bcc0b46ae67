"""flows.sending: the state and number checks before a send, the one send, and following it."""

from __future__ import annotations

import json

import pytest

from greencli.errors import ApiError, NotFine, QuotaExceeded
from greencli.flows.sending import Followed, follow_delivery, send_checked
from greencli.greenapi.phone_numbers import parse_recipient
from tests.mocked_api import methods, url

PHONE = parse_recipient("79001234567")






def authorized(api, token: str) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})


def test_a_checked_number_is_sent_to_once(api, client, token) -> None:
    authorized(api, token)
    api.post(url("checkWhatsapp", token), json={"existsWhatsapp": True})
    api.post(url("sendMessage", token), json={"idMessage": "ABC"})
    sent = send_checked(client, PHONE, "hello")
    assert sent == ("ABC", "passed")
    assert methods(api) == ["getStateInstance", "checkWhatsapp", "sendMessage"]
    assert json.loads(api.calls[2].request.body) == {"chatId": "79001234567@c.us", "message": "hello"}


def test_nothing_is_sent_while_the_instance_is_not_authorized(api, client, token) -> None:
    """sendMessage would queue it for 24 hours: "sent" would be a lie."""
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    with pytest.raises(NotFine) as caught:
        send_checked(client, PHONE, "hello")
    assert caught.value.code == "not_authorized" and "greencli qr" in (caught.value.hint or "")
    assert methods(api) == ["getStateInstance"]


def test_a_number_without_whatsapp_is_not_sent_to(api, client, token) -> None:
    authorized(api, token)
    api.post(url("checkWhatsapp", token), json={"existsWhatsapp": False})
    with pytest.raises(NotFine) as caught:
        send_checked(client, PHONE, "hello")
    assert caught.value.code == "no_whatsapp"
    assert "sendMessage" not in methods(api)


def test_used_up_checks_send_unchecked_and_say_so(api, client, token) -> None:
    heard: list[str] = []
    authorized(api, token)
    api.post(url("checkWhatsapp", token), status=466, json={"invokeStatus": {"method": "checkWhatsapp", "used": 100, "total": 100}})
    api.post(url("sendMessage", token), json={"idMessage": "ABC"})
    sent = send_checked(client, PHONE, "hello", on_check_quota_used_up=lambda: heard.append("quota"))
    assert sent.whatsapp_check == "quotaExceeded" and heard == ["quota"]


def test_used_up_chats_stop_the_send(api, client, token) -> None:
    authorized(api, token)
    api.post(
        url("checkWhatsapp", token),
        status=466,
        json={"correspondentsStatus": {"status": "CORRESPONDENTS_QUOTE_EXCEEDED", "description": "", "used": 3, "total": 3}},
    )
    with pytest.raises(QuotaExceeded):
        send_checked(client, PHONE, "hello")
    assert "sendMessage" not in methods(api)


def test_without_the_check_or_for_a_group_no_check_is_spent(api, client, token) -> None:
    authorized(api, token)
    api.post(url("sendMessage", token), json={"idMessage": "A"})
    assert send_checked(client, PHONE, "hi", check_number=False).whatsapp_check == "skipped"
    authorized(api, token)
    api.post(url("sendMessage", token), json={"idMessage": "B"})
    group = parse_recipient("120363043968066561@g.us")
    assert send_checked(client, group, "hi").whatsapp_check == "notAPhoneNumber"
    assert "checkWhatsapp" not in methods(api)


def test_a_send_whose_answer_was_lost_is_possibly_sent_and_not_repeated(api, client, token) -> None:
    authorized(api, token)
    api.post(url("checkWhatsapp", token), json={"existsWhatsapp": True})
    api.post(url("sendMessage", token), status=500, json={"message": "oops"})
    with pytest.raises(ApiError) as caught:
        send_checked(client, PHONE, "hello")
    assert caught.value.code == "possibly_sent" and caught.value.may_have_been_processed
    assert methods(api).count("sendMessage") == 1


def settings(api, token: str, outgoing: str = "yes", wid: str = "79990000000@c.us") -> None:
    api.get(url("getSettings", token), json={"wid": wid, "outgoingWebhook": outgoing})


def test_delivery_is_followed_until_a_final_status(api, client, token, instant_polls) -> None:
    settings(api, token)
    get_message = url("getMessage", token)
    api.post(get_message, status=400, json={"message": "not found"})  # not in the journal yet
    api.post(get_message, json={"statusMessage": "sent"})
    api.post(get_message, json={"statusMessage": "delivered"})
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=60) == Followed("delivered", 3, None)
    assert methods(api).count("getMessage") == 3
    assert instant_polls.sleeps == pytest.approx([3.0, 4.8])  # further and further apart


# getMessage: 1,000 calls a month on the free plan (https://green-api.com/en/docs/about-tariffs/).
def test_following_spends_at_most_ten_journal_reads_however_long_the_wait(api, client, token, instant_polls) -> None:
    settings(api, token)
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    followed = follow_delivery(client, PHONE.chat_id, "ABC", wait=100_000)
    assert followed == Followed("sent", 10, "budget")
    assert methods(api).count("getMessage") == 10


def test_a_two_minute_wait_spends_fewer_reads_still(api, client, token, instant_polls) -> None:
    settings(api, token)
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    followed = follow_delivery(client, PHONE.chat_id, "ABC", wait=120)
    assert followed.stopped == "deadline" and followed.calls == methods(api).count("getMessage") <= 8
    assert instant_polls.now - 1000.0 <= 120


# A message to the instance's own number stays `sent` (https://green-api.com/en/docs/api/sending/SendMessage/).
def test_a_message_to_the_own_number_stops_at_sent(api, client, token, instant_polls) -> None:
    settings(api, token, wid=PHONE.chat_id)
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=120) == Followed("sent", 1, "ownNumber")


# Statuses after sent need outgoingWebhook: the journals show delivered and read only with it on
# (https://green-api.com/en/docs/api/journals/GetMessage/; the outgoingMessageStatus notification
# asks for it too: https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessageStatus/).
def test_with_statuses_off_following_stops_at_sent_and_says_why(api, client, token, instant_polls) -> None:
    settings(api, token, outgoing="no")
    api.post(url("getMessage", token), status=400, json={"message": "not found"})
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=120) == Followed("sent", 2, "statusesOff")


def test_following_survives_a_5xx(api, client, token, instant_polls) -> None:
    settings(api, token)
    api.post(url("getMessage", token), status=500, json={"message": "internal"})
    api.post(url("getMessage", token), json={"statusMessage": "read"})
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=120) == Followed("read", 2, None)


def test_unreadable_settings_do_not_stop_following(api, client, token, instant_polls) -> None:
    api.get(url("getSettings", token), status=500)
    api.post(url("getMessage", token), json={"statusMessage": "failed"})
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=120) == Followed("failed", 1, None)


# getMessage looks the ID up in the chat it is given (https://green-api.com/en/docs/api/journals/GetMessage/):
# an entry that names another message, another chat or an incoming message is not this message.
@pytest.mark.parametrize(
    "entry",
    [
        {"idMessage": "ABC", "chatId": "79112223344@c.us", "type": "outgoing", "statusMessage": "read"},
        {"idMessage": "ABC", "chatId": PHONE.chat_id, "type": "incoming"},
        {"idMessage": "XYZ", "chatId": PHONE.chat_id, "type": "outgoing", "statusMessage": "read"},
    ],
    ids=["another-chat", "incoming", "another-id"],
)
def test_an_entry_that_is_not_this_message_stops_following_at_once(api, client, token, instant_polls, entry) -> None:
    settings(api, token)
    api.post(url("getMessage", token), json=entry)
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=120) == Followed(None, 1, "otherChat")


def test_an_lid_chat_in_the_journal_is_still_this_chat(api, client, token, instant_polls) -> None:
    # Journals may show @lid chat IDs (https://github.com/green-api/issues/issues/982).
    settings(api, token)
    api.post(url("getMessage", token), json={"idMessage": "ABC", "chatId": "123456789012345@lid", "type": "outgoing", "statusMessage": "read"})
    assert follow_delivery(client, PHONE.chat_id, "ABC", wait=120) == Followed("read", 1, None)
