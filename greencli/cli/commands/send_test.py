"""`greencli send-test PHONE`: a test message that proves the chain works, or says why not."""

import time
from typing import Annotated, Any

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

MAX_MESSAGE = 20_000
DEFAULT_WAIT = 120


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
) -> Result:
    """Send a test message and report what happened to it.

    Example: greencli send-test +79001234567 --wait 120
    """
    from greencli.errors import ExitCode, UsageError
    from greencli.flows.sending import DONE_STATUSES, FAILED_STATUSES, follow_delivery, send_checked
    from greencli.greenapi.phone_numbers import check_refusal, parse_recipient

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

    sent = send_checked(
        client,
        recipient,
        text,
        check_number=not no_check,
        on_check_quota_used_up=lambda: out.warn(
            "The plan's monthly quota of number checks is used up (the free plan allows 100); "
            "sending without the check.",
            "Use --no-check to skip the check; the quota resets on the 1st of the month.",
        ),
    )
    id_message = sent.id_message

    data: dict[str, Any] = {
        "ok": True,
        "chatId": recipient.chat_id,
        "idMessage": id_message,
        "whatsappCheck": sent.whatsapp_check,
        "status": None,
    }
    failed = False
    if wait is not None:
        status = follow_delivery(client, recipient.chat_id, id_message, wait, spinner=out.spinner)
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

    return Result(data, render, ExitCode.NOT_FINE if failed else ExitCode.OK)
