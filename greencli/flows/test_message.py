"""setup's test message, sent at most once to a chat: a second `greencli setup --send-test PHONE`
sends nothing.

Why: setup promises that a second run changes nothing, and a test message is a real WhatsApp
message. It lands in someone's phone and takes one of the developer plan's three chats
(https://green-api.com/en/docs/about-tariffs/). Green API has no way to mark a message as a
test, so a run learns of an earlier one from two sources, the surer and cheaper first:

1. greencli's own record of the test messages setup sent (greencli.config.sent_tests): exact
   and free, but it knows only this user on this machine;
2. else the instance's journal of the last 24 hours of outgoing messages (lastOutgoingMessages,
   https://green-api.com/en/docs/api/journals/LastOutgoingMessages/; one call of the developer
   plan's 1,000 a month), for greencli's test text to that chat. Journal entries can show up to
   2 minutes late, which is why the record comes first; a journal that cannot be read (its
   quota used up, the notifications it needs switched off) tells nothing, and the message is
   sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from greencli.config import sent_tests
from greencli.errors import ApiError
from greencli.flows.sending import TEST_TEXT_START, Sent, send_checked, test_message_text

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.phone_numbers import Recipient

JOURNAL_MINUTES = 24 * 60  # lastOutgoingMessages' own default window


class SentBefore(NamedTuple):
    id_message: str
    where: str  # how it is known: "greencli's record" or "the outgoing journal"


def sent_before(client: GreenApiClient, recipient: Recipient) -> SentBefore | None:
    """The test message sent to this chat before, if one is known of."""
    credentials = client.credentials
    previous = sent_tests.recorded(credentials.api_url, credentials.instance_id, recipient.chat_id)
    if previous is not None:
        return SentBefore(previous.id_message, "greencli's record")
    try:
        journal = client.last_outgoing_messages(minutes=JOURNAL_MINUTES)
    except ApiError:
        return None
    for entry in journal:
        text = entry.get("textMessage")
        if entry.get("chatId") == recipient.chat_id and isinstance(text, str) and text.startswith(TEST_TEXT_START):
            return SentBefore(str(entry.get("idMessage") or "?"), "the outgoing journal")
    return None


def send_test_once(client: GreenApiClient, recipient: Recipient) -> Sent | SentBefore:
    """setup's test message to `recipient`, unless one was sent before (then what is known of it)."""
    before = sent_before(client, recipient)
    if before is not None:
        return before
    sent = send_checked(client, recipient, test_message_text(client.credentials.instance_id))
    sent_tests.record(client.credentials.api_url, client.credentials.instance_id, recipient.chat_id, sent.id_message)
    return sent
