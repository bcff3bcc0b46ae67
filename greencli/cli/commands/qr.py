"""`greencli qr`: link the phone from the terminal, by QR code or by pairing code."""

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.output import Output
    from greencli.flows.linking import Linked, QrCode
    from greencli.greenapi.client import GreenApiClient


def qr(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Show one code and exit (no refresh).")] = False,
    save: Annotated[
        Path | None, typer.Option("--save", metavar="FILE.png", help="Also write the QR code's original PNG here.")
    ] = None,
    invert: Annotated[bool, typer.Option("--invert", help="Draw for light terminal themes.")] = False,
    phone: Annotated[
        str | None,
        typer.Option("--phone", metavar="NUMBER", help="Ask for a pairing code for this phone number instead of a QR code."),
    ] = None,
    wait: Annotated[
        float,
        typer.Option("--wait", metavar="SECONDS", min=5, callback=finite_seconds, help="Keep refreshing until linked, for at most SECONDS (default 150)."),
    ] = 150,
    json_output: JsonOption = False,
) -> Result | None:
    """Link the phone by QR code (drawn here) or pairing code.

    The code is refreshed until the phone is linked, then the linked number is shown. With
    --json nothing is drawn: --once prints the current code's payload (and PNG) at once;
    without it, one document when the phone is linked (--save keeps the PNG current meanwhile).

    Example: greencli qr   (or: greencli qr --phone 79001234567)
    """
    from greencli.cli.linking import PairInstead, check_writable, show_qr
    from greencli.flows.linking import Linked, remove_temporary_pngs

    run = use(ctx, json_output)
    out = run.output
    if save is not None:
        check_writable(save)
    if phone is not None:
        from greencli.greenapi.phone_numbers import parse_recipient

        recipient = parse_recipient(phone, allow_chat_id=False)
        return _pair_by_phone(run.client(), out, recipient.phone or 0, wait, once)
    client = run.client()
    try:
        outcome = show_qr(client, out, once=once, save=save, invert=invert, wait=wait, may_ask=run.may_prompt())
    except PairInstead as choice:
        return _pair_by_phone(client, out, choice.phone, wait, once)
    finally:
        remove_temporary_pngs()
    return _linked(out, outcome) if isinstance(outcome, Linked) else _code(out, outcome)




def _code(out: "Output", code: "QrCode") -> Result:
    """--once: the code's payload (and, with --json, its PNG); where the PNG was saved."""
    data = {
        "ok": True,
        "type": "qrCode",
        "payload": code.payload,
        "saved": str(code.file) if code.file else None,
        "png": base64.b64encode(code.png).decode("ascii"),
    }
    return Result(data, lambda: out.progress(f"PNG saved to {code.file}") if code.file is not None else None)


def _linked(out: "Output", linked: "Linked") -> Result:
    phone, first = linked
    data = {"ok": True, "type": "alreadyLogged" if first else "linked", "linked": True, "phone": phone}

    def render() -> None:
        who = f" as {phone}" if phone else ""
        if first:
            out.status_line("pass", f"Already linked{who}: no QR code is needed.",
                            hint="To link another phone: `greencli logout`, then `greencli qr`.")
        else:
            # One line, so that it is the last thing on screen after the code disappears.
            out.status_line("pass", styled(f"Linked{who}", "bold"), " (next: greencli webhooks enable).")

    return Result(data, render)


# -- pairing code ----------------------------------------------------------------------------


def _pair_by_phone(client: "GreenApiClient", out: "Output", phone: int, wait: float, once: bool) -> Result | None:
    from greencli.cli.linking import request_pairing_code, show_pairing_code, wait_for_pairing_code
    from greencli.flows.linking import PAIRING_SECONDS, Linked

    code = request_pairing_code(client, phone)
    if isinstance(code, Linked):
        return _linked(out, code)
    if out.json_mode:
        return Result({"ok": True, "type": "pairingCode", "code": code, "phone": f"+{phone}", "validSeconds": PAIRING_SECONDS}, lambda: None)
    show_pairing_code(out, phone, code)
    if once:
        return None
    return _linked(out, wait_for_pairing_code(client, out, wait))
