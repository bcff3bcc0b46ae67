"""Sending a message or a file that proves the chain works, and following it until delivered.

sendMessage queues a message for 24 hours even when no phone is linked, so the state is
checked first (https://green-api.com/en/docs/api/sending/SendMessage/). The number is checked
with checkWhatsapp, which counts against the free plan's monthly quota
(https://green-api.com/en/docs/api/service/CheckWhatsapp/). A send whose answer was lost is
never repeated: it may have gone out. Files go to the media host with sendFileByUpload
(https://green-api.com/en/docs/api/sending/SendFileByUpload/), after the same checks.

Following a message reads the journal with getMessage, which the free plan allows 1,000 times
a month (https://green-api.com/en/docs/about-tariffs/): a wait spends at most FOLLOW_BUDGET
calls, further and further apart. Statuses after `sent` need the outgoingWebhook setting on,
and a message to the instance's own number never gets past `sent`
(https://green-api.com/en/docs/api/sending/SendMessage/): the wait stops there and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from greencli.errors import ApiError, NotFine, QuotaExceeded
from greencli.flows import weather
from greencli.flows.waiting import Spinner, no_spinner
from greencli.greenapi.notification_settings import STATUS_TYPE, is_on
from greencli.greenapi.states import describe_state

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.media_files import MediaFile
    from greencli.greenapi.phone_numbers import Recipient

DONE_STATUSES = ("delivered", "read")
FAILED_STATUSES = ("failed", "noAccount", "notInGroup", "yellowCard")
_T = TypeVar("_T")
FOLLOW_BUDGET = 10  # getMessage calls per wait, of the free plan's 1,000 a month
FIRST_PAUSE = 3.0  # seconds before the second look; each pause after is FACTOR times longer
FACTOR = 1.6


class Sent(NamedTuple):
    id_message: str
    # How the number was checked: passed, skipped (--no-check), notAPhoneNumber (a group or
    # LID chat), or quotaExceeded (the plan's monthly checks are used up; sent unchecked).
    whatsapp_check: str


class SentFile(NamedTuple):
    id_message: str
    whatsapp_check: str
    url_file: str | None  # Green API's link to the uploaded file, valid 15 days


TEST_TEXT_START = "greencli test message: this WhatsApp instance ("


def test_message_text(instance_id: str) -> str:
    """The text of a test message, saying what it is, from which instance and when."""
    import time

    return f"{TEST_TEXT_START}{instance_id}) can send. Sent at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}."


def send_checked(
    client: GreenApiClient,
    recipient: Recipient,
    text: str,
    check_number: bool = True,
    on_check_quota_used_up: Callable[[], None] = lambda: None,
) -> Sent:
    """Check the state and the number, then send once."""
    check = check_before_sending(client, recipient, check_number, on_check_quota_used_up)
    return Sent(_once("sendMessage", lambda: client.send_message(recipient.chat_id, text)), check)


def send_file_checked(
    client: GreenApiClient,
    recipient: Recipient,
    media_file: MediaFile,
    caption: str | None,
    check_number: bool = True,
    on_check_quota_used_up: Callable[[], None] = lambda: None,
) -> SentFile:
    """Open the file, check the state and the number, then upload it once to the media host
    with sendFileByUpload (https://green-api.com/en/docs/api/sending/SendFileByUpload/), read
    from disk as it is sent."""
    with media_file.open() as opened:  # before any request: a file that cannot be read costs none
        check = check_before_sending(client, recipient, check_number, on_check_quota_used_up)
        sent = _once("sendFileByUpload", lambda: client.send_file_by_upload(recipient.chat_id, opened, caption))
    return SentFile(sent.id_message, check, sent.url_file)


def check_before_sending(
    client: GreenApiClient,
    recipient: Recipient,
    check_number: bool = True,
    on_check_quota_used_up: Callable[[], None] = lambda: None,
) -> str:
    """The state must be authorized, and the number on WhatsApp (unless not checked); how the
    number was checked (see `Sent.whatsapp_check`)."""
    state = client.get_state_instance()
    if state != "authorized":
        info = describe_state(state)
        raise NotFine(
            f"The instance is not authorized (state: {info.label}), so the message would only wait in the queue.",
            info.action or "Link the phone: `greencli qr`.",
            code="not_authorized",
        )

    check = "skipped" if not check_number else ("notAPhoneNumber" if recipient.phone is None else "passed")
    if check == "passed" and recipient.phone is not None:
        try:
            if not client.check_whatsapp(recipient.phone):
                raise NotFine(
                    f"This number has no WhatsApp: {recipient.display}.",
                    "Check the number (full international form, with the country code), or send to another one.",
                    code="no_whatsapp",
                )
        except QuotaExceeded as quota:
            if quota.kind == "chats":
                raise
            check = "quotaExceeded"
            on_check_quota_used_up()
    return check


def _once(method: str, send: Callable[[], _T]) -> _T:
    """Run one send; an answer that was lost after the request reached Green API becomes
    `possibly_sent`, and the send is not repeated."""
    try:
        return send()
    except ApiError as error:
        if error.may_have_been_processed:
            raise ApiError(
                f"{error.message} The message may have been sent: the request reached Green API "
                "but its answer was lost or unreadable. greencli does not send it again, to avoid "
                "a duplicate.",
                "Look at the chat on the phone, or at the instance's outgoing journal in the "
                "console (entries can take up to 2 minutes to appear), before sending again.",
                code="possibly_sent",
                status=error.status,
                method=method,
                may_have_been_processed=True,
            ) from error
        raise


class Followed(NamedTuple):
    status: str | None  # the last status seen (None: not in the journal, as far as it was read)
    calls: int  # getMessage calls spent
    # Why it stopped before delivered or read: "ownNumber" (it never goes further),
    # "statusesOff" (outgoingWebhook is off), "otherChat" (the journal's entry for this ID is not
    # a message sent to this chat), "budget" (FOLLOW_BUDGET calls spent), "deadline"; None when
    # it reached a final status.
    stopped: str | None


class _Seen(NamedTuple):
    """One read of the journal: the status, or that the entry is not this message at all."""

    status: str | None
    this_message: bool = True


def follow_delivery(
    client: GreenApiClient,
    chat_id: str,
    id_message: str,
    wait: float,
    spinner: Spinner = no_spinner,
) -> Followed:
    """Follow the message in the journal until delivered, failed, or no further status can come,
    spending at most FOLLOW_BUDGET getMessage calls within `wait` seconds."""
    own_chat_id, statuses_on = _own_chat_and_statuses(client)
    to_own_number = own_chat_id is not None and own_chat_id == chat_id

    def final(seen: _Seen) -> bool:
        status = seen.status
        if not seen.this_message or status in DONE_STATUSES or status in FAILED_STATUSES:
            return True
        return status == "sent" and (to_own_number or statuses_on is False)

    def fetch() -> _Seen:
        try:
            entry = client.get_message(chat_id, id_message)
        except ApiError as error:
            if error.code in ("bad_request", "not_found"):
                return _Seen(None)  # not in the journal yet: entries can lag up to 2 minutes
            raise
        if not _sent_to(entry, chat_id, id_message):
            return _Seen(None, this_message=False)
        status = entry.get("statusMessage")
        return _Seen(status if isinstance(status, str) else None)

    with spinner("Following the message: waiting for it to appear in the journal…") as update:
        seen, _, calls = weather.poll_through(
            fetch,
            final,
            timeout=wait,
            intervals=weather.backoff(FIRST_PAUSE, FACTOR),
            max_calls=FOLLOW_BUDGET,
            on_value=lambda value, left: update(
                f"Following the message: {value.status or 'not in the journal yet (it can lag 2 minutes)'}", left
            ),
            on_hiccup=lambda error, left: update(f"{error.message} Trying again…", left),
        )
    status = seen.status
    if not seen.this_message:
        stopped = "otherChat"
    elif status in DONE_STATUSES or status in FAILED_STATUSES:
        stopped = None
    elif status == "sent" and to_own_number:
        stopped = "ownNumber"
    elif status == "sent" and statuses_on is False:
        stopped = "statusesOff"
    elif calls >= FOLLOW_BUDGET:
        stopped = "budget"
    else:
        stopped = "deadline"
    return Followed(status, calls, stopped)


def _sent_to(entry: dict[str, object], chat_id: str, id_message: str) -> bool:
    """Whether a journal entry is the message `id_message` this instance sent to `chat_id`:
    getMessage looks the ID up in the given chat (https://green-api.com/en/docs/api/journals/GetMessage/),
    and an entry naming another message, another chat or an incoming message is none of it.
    A chat written as an @lid ID may stand for the same person (journals may show them: Green API
    issue 982), so it is not taken as another chat."""
    if entry.get("idMessage") not in (None, id_message) or entry.get("type") == "incoming":
        return False
    chat = entry.get("chatId")
    return not isinstance(chat, str) or chat == chat_id or chat.endswith("@lid")


def _own_chat_and_statuses(client: GreenApiClient) -> tuple[str | None, bool | None]:
    """The instance's own chat ID and whether delivery statuses are on, from one getSettings (no
    monthly quota); (None, None) when it cannot be read: the wait then just goes on."""
    try:
        settings = client.get_settings()
    except ApiError:
        return None, None
    wid = settings.get("wid")
    return (wid if isinstance(wid, str) and wid else None), is_on(settings, STATUS_TYPE)
