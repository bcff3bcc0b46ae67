"""`greencli send-test PHONE`: a test message that proves the chain works, or says why not."""

import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.output import Output
    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.phone_numbers import Recipient

MAX_MESSAGE = 20_000
DEFAULT_WAIT = 120
DONE_STATUSES = ("delivered", "read")
FAILED_STATUSES = ("failed", "noAccount", "notInGroup", "yellowCard")


def send_test(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(metavar="PHONE", help="International number (+7 900 123-45-67) or chat ID.")],
    message: Annotated[
        str | None, typer.Option("--message", "-m", metavar="TEXT", help="Text to send (default: a clearly marked test).")
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
            help=f"Follow the message until delivered, for at most SECONDS (e.g. {DEFAULT_WAIT}).",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Send a test message and report what happened to it.

    Example: greencli send-test +79001234567 --wait 120
    """
    from greencli.errors import ApiError, NotFine, QuotaExceeded, UsageError
    from greencli.greenapi.phone_numbers import check_refusal, parse_recipient
    from greencli.greenapi.states import describe_state

    app = use(ctx, json_output)
    out = app.output
    recipient = parse_recipient(phone)
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
    client = app.client()
    text = message or (
        f"greencli test message: this WhatsApp instance ({client.credentials.instance_id}) can send. "
        f"Sent at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}."
    )

    # sendMessage queues for 24 h even when no phone is linked: check first, or "sent" lies.
    state = client.get_state_instance()
    if state != "authorized":
        info = describe_state(state)
        raise NotFine(
            f"The instance is not authorized (state: {info.label}), so the message would only wait in the queue.",
            info.action or "Link the phone: `greencli qr`.",
            code="not_authorized",
        )

    # How the number was checked: passed, skipped (--no-check), notAPhoneNumber (a group or
    # LID chat), or quotaExceeded (the plan's monthly checks are used up; sent unchecked).
    check = "skipped" if no_check else ("notAPhoneNumber" if recipient.phone is None else "passed")
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
            out.warn(
                "The plan's monthly quota of number checks is used up (the free plan allows 100); "
                "sending without the check.",
                "Use --no-check to skip the check; the quota resets on the 1st of the month.",
            )

    try:
        id_message = client.send_message(recipient.chat_id, text)
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
                method="sendMessage",
                may_have_been_processed=True,
            ) from error
        raise

    data: dict[str, Any] = {
        "ok": True,
        "chatId": recipient.chat_id,
        "idMessage": id_message,
        "whatsappCheck": check,
        "status": None,
    }
    failed = False
    if wait is not None:
        status = _follow(client, out, recipient, id_message, wait)
        data["status"] = status
        failed = status in FAILED_STATUSES
        data["ok"] = not failed

    def render() -> None:
        out.status_line("fail" if failed else "pass", f"Test message {'sent' if not failed else 'not delivered'} to {recipient.display}")
        rows: list[tuple[str, Any]] = [(f"{out.indent}Chat ID", recipient.chat_id), (f"{out.indent}Message ID", id_message)]
        if data["status"]:
            rows.append((f"{out.indent}Status", data["status"]))
        out.fields(rows)
        if wait is None:
            next_step = "Follow its delivery with --wait; `greencli webhooks listen` shows replies."
        elif data["status"] == "noAccount":
            next_step = "The recipient has no WhatsApp account: check the number."
        elif failed:
            next_step = "WhatsApp did not deliver it; `greencli check-state` and `greencli doctor` look for why."
        elif data["status"] not in DONE_STATUSES:
            next_step = "Not confirmed yet: journal entries can lag up to 2 minutes; look at the phone."
        else:
            return
        out.next_step(next_step)

    out.result(data, render)
    if failed:
        raise typer.Exit(1)


def _follow(client: "GreenApiClient", out: "Output", recipient: "Recipient", id_message: str, wait: float) -> str | None:
    """Follow the message in the journal until delivered, failed, or `wait` runs out."""
    from greencli.errors import ApiError
    from greencli.flows.waiting import poll

    def fetch() -> str | None:
        try:
            entry = client.get_message(recipient.chat_id, id_message)
        except ApiError as error:
            if error.code in ("bad_request", "not_found"):
                return None  # not in the journal yet: entries can lag up to 2 minutes
            raise
        status = entry.get("statusMessage")
        return status if isinstance(status, str) else None

    with out.spinner("Following the message: waiting for it to appear in the journal…") as update:
        status, _ = poll(
            fetch,
            lambda value: value in DONE_STATUSES or value in FAILED_STATUSES,
            timeout=wait,
            interval=2.0,  # getMessage counts against the free plan's monthly quota
            on_value=lambda value, left: update(
                f"Following the message: {value or 'not in the journal yet (it can lag 2 minutes)'} ({left:.0f} s left)"
            ),
        )
    return status
