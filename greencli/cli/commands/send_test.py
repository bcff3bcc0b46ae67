"""`greencli send-test PHONE`: a test message that proves the chain works, or says why not."""

import re
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.cli.output import Output
    from greencli.flows.sending import Followed
    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.media_files import MediaFile
    from greencli.greenapi.phone_numbers import Recipient

MAX_MESSAGE = 20_000  # sendMessage's message and sendFileByUpload's caption alike
DEFAULT_WAIT = 120
# The developer plan's monthly sendFileByUpload calls (https://green-api.com/en/docs/about-tariffs/).
SEND_FILE_QUOTA = 1000


def send_test(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(metavar="PHONE", help="International number (+7 900 123-45-67) or chat ID.")],
    message: Annotated[
        str | None, typer.Option("--message", "-m", metavar="TEXT", help="Text to send, or the caption of --file (default: a clearly marked test).")
    ] = None,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Skip the WhatsApp check of the number (it uses the plan's monthly quota).")
    ] = False,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=1,
            callback=finite_seconds,
            help=f"Follow the message until delivered, for at most SECONDS (e.g. {DEFAULT_WAIT}); "
            "at most 10 journal reads (the free plan allows 1,000 a month).",
        ),
    ] = None,
    follow: Annotated[
        str | None,
        typer.Option(
            "--follow",
            metavar="ID",
            help=f"Send nothing: follow the message with this ID (sent to PHONE before) for --wait SECONDS (default {DEFAULT_WAIT}).",
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            metavar="PATH",
            help="Send this file instead of a text, through the media host (sendFileByUpload): up to 100 MB, "
            "its name with an extension; --message becomes its caption. Each counts against the developer "
            "plan's 1,000 file sends a month.",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> Result:
    """Send a test message or file and report what happened to it.

    A file goes through the media host with sendFileByUpload, which the developer (free) plan
    counts: 1,000 a month.

    Example: greencli send-test +79001234567 --wait 120   (or: --file photo.jpg -m "It works")
    """
    from greencli.errors import ExitCode, UsageError
    from greencli.flows.sending import FAILED_STATUSES, send_checked, test_message_text
    from greencli.greenapi.media_files import check_media_file
    from greencli.greenapi.phone_numbers import check_refusal, parse_recipient

    run = use(ctx, json_output)
    out = run.output
    recipient = parse_recipient(phone)
    if follow is not None:
        follow = follow.strip()
        if not _MESSAGE_ID.fullmatch(follow):
            raise UsageError(f"--follow {follow[:40]!r} is not a message ID.",
                             "Give the idMessage that send-test printed, e.g. --follow 3EB0C767D097B7C7C030.",
                             code="invalid_message_id")
        if message is not None or file is not None:
            raise UsageError("--follow sends nothing, so --message and --file have no use.",
                             "Leave them out, or leave --follow out to send a new message.")
        return _follow_only(run, recipient, follow, wait or DEFAULT_WAIT)
    refusal = None if no_check else check_refusal(recipient)
    if refusal is not None:
        raise refusal  # checkWhatsapp would refuse it with a 400: spend no request on it
    if message is not None and not message.strip():
        raise UsageError("--message is empty.", "Give the text to send, or leave --message out.", code="invalid_message")
    if message is not None and len(message) > MAX_MESSAGE:
        raise UsageError(
            f"--message has {len(message)} characters; Green API sends at most {MAX_MESSAGE}.",
            "Shorten the text.",
            code="invalid_message",
        )
    media_file = check_media_file(file) if file is not None else None
    client = run.client()
    if media_file is not None:
        return _send_file(run, client, recipient, media_file, message, no_check, wait)
    text = message or test_message_text(client.credentials.instance_id)

    sent = send_checked(
        client,
        recipient,
        text,
        check_number=not no_check,
        on_check_quota_used_up=lambda: _checks_used_up(out),
    )
    id_message = sent.id_message

    data: dict[str, Any] = {
        "ok": True,
        "chatId": recipient.chat_id,
        "idMessage": id_message,
        "whatsappCheck": sent.whatsapp_check,
        "status": None,
    }
    followed = _follow(run, recipient, id_message, wait, data) if wait is not None else None
    failed = data["status"] in FAILED_STATUSES

    def render() -> None:
        out.status_line("fail" if failed else "pass", f"Test message {'sent' if not failed else 'not delivered'} to {recipient.display}")
        rows: list[tuple[str, Any]] = [(f"{out.indent}Chat ID", recipient.chat_id), (f"{out.indent}Message ID", id_message)]
        if followed is not None:
            rows.append((f"{out.indent}Status", data["status"] or "not in the journal yet"))
        out.fields(rows)
        _next_step(out, followed, failed, recipient, id_message)

    return Result(data, render, ExitCode.NOT_FINE if failed else ExitCode.OK)


def _send_file(
    run: "RunContext",
    client: "GreenApiClient",
    recipient: "Recipient",
    media_file: "MediaFile",
    message: str | None,
    no_check: bool,
    wait: float | None,
) -> Result:
    """The file route: sendFileByUpload on the media host, after the same checks as a text."""
    from urllib.parse import urlsplit

    from greencli.errors import ExitCode
    from greencli.flows.sending import FAILED_STATUSES, send_file_checked
    from greencli.greenapi.credentials import media_url_for
    from greencli.greenapi.media_files import describe_size

    out = run.output
    if message is not None and not media_file.shows_caption:
        out.warn(
            f"Green API adds a caption only under images and video; {media_file.name} goes as {_a(media_file.kind)}, "
            "so the recipient may not see --message.",
            "Send an image or a video to see the caption, or send the text on its own.",
        )
    caption = message or (
        f"greencli test file: this WhatsApp instance ({client.credentials.instance_id}) can send files. "
        f"Sent at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}."
        if media_file.shows_caption
        else None
    )
    media_url, origin = media_url_for(client.credentials)
    media_host = urlsplit(media_url).netloc
    out.progress(f"Uploading {media_file.name} ({describe_size(media_file.size)}) to the media host {media_host}…")
    sent = send_file_checked(
        client,
        recipient,
        media_file,
        caption,
        check_number=not no_check,
        on_check_quota_used_up=lambda: _checks_used_up(out),
    )
    data: dict[str, Any] = {
        "ok": True,
        "chatId": recipient.chat_id,
        "idMessage": sent.id_message,
        "whatsappCheck": sent.whatsapp_check,
        "status": None,
        "file": {
            "name": media_file.name,
            "size": media_file.size,
            "mimeType": media_file.mime_type,
            "sentAs": media_file.kind,
            "urlFile": sent.url_file,
        },
        "mediaHost": {"host": media_host, "from": origin},
        "monthlyQuota": {"method": "sendFileByUpload", "developerPlan": SEND_FILE_QUOTA},
    }
    followed = _follow(run, recipient, sent.id_message, wait, data) if wait is not None else None
    failed = data["status"] in FAILED_STATUSES

    def render() -> None:
        out.status_line("fail" if failed else "pass", f"Test file {'sent' if not failed else 'not delivered'} to {recipient.display}")
        rows: list[tuple[str, Any]] = [
            (f"{out.indent}Chat ID", recipient.chat_id),
            (f"{out.indent}Message ID", sent.id_message),
            (f"{out.indent}File", f"{media_file.name} ({describe_size(media_file.size)}, sent as {_a(media_file.kind)})"),
            (f"{out.indent}Media host", f"{media_host}, {origin}"),
        ]
        if followed is not None:
            rows.append((f"{out.indent}Status", data["status"] or "not in the journal yet"))
        out.fields(rows)
        out.line(
            styled(
                f"{out.indent}Note: sendFileByUpload counts against the developer (free) plan's "
                f"{SEND_FILE_QUOTA:,} a month.",
                "dim",
            )
        )
        _next_step(out, followed, failed, recipient, sent.id_message)

    return Result(data, render, ExitCode.NOT_FINE if failed else ExitCode.OK)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _checks_used_up(out: "Output") -> None:
    out.warn(
        "The plan's monthly quota of number checks is used up (the free plan allows 100); "
        "sending without the check.",
        "Use --no-check to skip the check; the quota resets on the 1st of the month.",
    )


# Message IDs are hex in every example (https://green-api.com/en/docs/api/message-id/); allow
# any plain token of a sane length.
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{6,100}")

# Why following stopped short of delivered or read, and what to do.
_STOPPED = {
    "ownNumber": "A message to the instance's own number stays at `sent`: WhatsApp never reports "
                 "it delivered (so greencli stopped there).",
    "statusesOff": "Statuses after `sent` need delivery statuses on (outgoingWebhook): "
                   "`greencli webhooks enable --status` (so greencli stopped there).",
    "budget": "Stopped after {calls} journal reads, to spare the free plan's 1,000 a month; "
              "follow it later: greencli send-test {phone} --follow {id}",
    "deadline": "Not confirmed yet (journal entries can lag up to 2 minutes); look at the phone, or "
                "follow it later: greencli send-test {phone} --follow {id}",
    "otherChat": "The journal's entry for ID {id} is not a message sent to {phone}; look at the phone.",
}


def _follow(run: "RunContext", recipient: "Recipient", id_message: str, wait: float, data: dict[str, Any],
            sent_now: bool = True) -> "Followed":
    """Follow the message into `data`; Ctrl-C names the message that is out (never "run it again",
    which would send it twice)."""
    from greencli.errors import Interrupted
    from greencli.flows.sending import FAILED_STATUSES, follow_delivery

    try:
        followed = follow_delivery(run.client(), recipient.chat_id, id_message, wait, spinner=run.output.spinner)
    except KeyboardInterrupt:
        raise Interrupted(
            f"Stopped following message {id_message}; the message {'was sent' if sent_now else 'had been sent'} "
            f"to {recipient.display} (ID {id_message}).",
            f"Follow it without sending again: greencli send-test {recipient.chat_id} --follow {id_message}",
            details={"chatId": recipient.chat_id, "idMessage": id_message, "sent": True},
        ) from None
    data.update(ok=followed.status not in FAILED_STATUSES, status=followed.status,
                stoppedBecause=followed.stopped, journalReads=followed.calls)
    return followed


def _follow_only(run: "RunContext", recipient: "Recipient", id_message: str, wait: float) -> Result:
    from greencli.errors import ExitCode
    from greencli.flows.sending import FAILED_STATUSES

    out = run.output
    data: dict[str, Any] = {"ok": True, "chatId": recipient.chat_id, "idMessage": id_message, "status": None}
    followed = _follow(run, recipient, id_message, wait, data, sent_now=False)
    if followed.status is None:
        _not_found(recipient, id_message, wait, followed)
    failed = followed.status in FAILED_STATUSES

    def render() -> None:
        out.status_line("fail" if failed else "pass", f"Message {'not delivered' if failed else 'followed'} to {recipient.display}")
        out.fields([(f"{out.indent}Chat ID", recipient.chat_id), (f"{out.indent}Message ID", id_message),
                    (f"{out.indent}Status", followed.status or "not in the journal yet")])
        _next_step(out, followed, failed, recipient, id_message)

    return Result(data, render, ExitCode.NOT_FINE if failed else ExitCode.OK)


def _not_found(recipient: "Recipient", id_message: str, wait: float, followed: "Followed") -> None:
    """--follow ID for a message the chat's journal does not hold is not a success: exit 1, as
    for any check that ran and found something wrong (the ID is well formed, so it is no usage
    error; Green API answered, so it is no API error), so a script learns it was not followed."""
    from greencli.errors import NotFine

    details = {"chatId": recipient.chat_id, "idMessage": id_message, "journalReads": followed.calls}
    if followed.stopped == "otherChat":
        raise NotFine(
            f"Message {id_message} is not one this instance sent to {recipient.display}: the journal holds it "
            "for another chat, or as an incoming message.",
            f"Give the number it was sent to: greencli send-test NUMBER --follow {id_message}",
            code="message_not_found",
            details=details,
        )
    raise NotFine(
        f"Message {id_message} is not in the journal of {recipient.display} ({followed.calls} reads "
        f"over {wait:g} s).",
        "Check the ID and the number it was sent to. A message sent in the last 2 minutes may not be "
        "in the journal yet: follow it again in a minute.",
        code="message_not_found",
        details=details,
    )


def _next_step(out: "Output", followed: "Followed | None", failed: bool, recipient: "Recipient", id_message: str) -> None:
    if followed is None:
        next_step = "Follow its delivery with --wait; `greencli webhooks listen` shows replies."
    elif followed.status == "noAccount":
        next_step = "The recipient has no WhatsApp account: check the number."
    elif failed:
        next_step = "WhatsApp did not deliver it; `greencli check-state` and `greencli doctor` look for why."
    elif followed.stopped is not None:
        next_step = _STOPPED[followed.stopped].format(calls=followed.calls, phone=recipient.chat_id, id=id_message)
    else:
        return
    out.next_step(next_step)
