"""`greencli qr`: link the phone from the terminal, by QR code or by pairing code."""

import base64
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled

if TYPE_CHECKING:
    from greencli.cli.output import Output
    from greencli.greenapi.client import GreenApiClient

PHONE_STEPS = [
    "Android: WhatsApp → ⋮ → Linked devices → Link a device",
    "iPhone:  WhatsApp → Settings → Linked devices → Link a device",
]
ROTATION_SECONDS = 20
LINK_FIX = "Run `greencli logout`, then `greencli qr` again."


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
        typer.Option("--wait", metavar="SECONDS", min=5, help="Keep refreshing until linked, for at most SECONDS (default 150)."),
    ] = 150,
    json_output: JsonOption = False,
) -> None:
    """Link the phone by QR code (drawn here) or pairing code.

    The code is refreshed until the phone is linked, then the linked number is shown. With
    --json nothing is drawn: --once prints the current code's payload (and PNG) at once;
    without it, one document when the phone is linked (--save keeps the PNG current meanwhile).

    Example: greencli qr   (or: greencli qr --phone 79001234567)
    """
    app = use(ctx, json_output)
    out = app.output
    if save is not None:
        _check_writable(save)
    if phone is not None:
        from greencli.greenapi.phone_numbers import parse_recipient

        recipient = parse_recipient(phone, allow_chat_id=False)
        _pair_by_phone(app.client(), out, recipient.phone or 0, wait, json_output, once)
        return
    _show_qr(app.client(), out, once=once, save=save, invert=invert, wait=wait)


def _check_writable(path: Path) -> None:
    """--save must name a file greencli can write, checked before anything is asked of the API."""
    import os

    from greencli.errors import UsageError

    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"--save {path} is a directory.", "Give a file name, e.g. --save qr.png", code="invalid_path")
    if not directory.is_dir():
        raise UsageError(f"--save {path}: the directory {directory} does not exist.", "Create it first, or choose another path.", code="invalid_path")
    if not os.access(directory, os.W_OK):
        raise UsageError(f"--save {path}: the directory {directory} is not writable.", "Choose a directory you can write to.", code="invalid_path")


# -- QR code ---------------------------------------------------------------------------------


def _show_qr(client: "GreenApiClient", out: "Output", once: bool, save: Path | None, invert: bool, wait: float) -> None:
    from greencli.config.atomic_files import write_atomically
    from greencli.errors import NotFine

    deadline = time.monotonic() + wait
    shown_payload: str | None = None
    changed_at = time.monotonic()
    codes_shown = 0
    fallback_file: Path | None = None
    last_state_check = 0.0

    with out.live() as redraw:
        while True:
            started = time.monotonic()
            answer = client.qr()
            if answer.type == "alreadyLogged":
                _linked(client, out, first=codes_shown == 0)
                return
            if answer.type == "error":
                raise NotFine(
                    f"Green API could not give a QR code: {answer.message}",
                    LINK_FIX if "auth" in answer.message.lower() or "log out" in answer.message.lower()
                    else "Wait a minute and try again (a QR code can take a while after a logout); "
                    "`greencli check-state` shows the state.",
                    code="qr_error",
                )
            if answer.type != "qrCode":
                raise NotFine(f"Green API answered qr with an unknown type {answer.type!r}.", "Try again.", code="qr_error")

            png = _png_bytes(answer.message)
            if save is not None:
                write_atomically(save, png)
            payload, drawing = _render(png, invert)
            if payload is None:
                fallback_file = save or fallback_file or _temporary_png()
                write_atomically(fallback_file, png)
            key = payload or answer.message
            if key != shown_payload:
                shown_payload = key
                changed_at = time.monotonic()
                codes_shown += 1
                if not out.json_mode:
                    redraw(_screen(drawing, fallback_file, changed_at, deadline, out, once))
            elif out.rich_out and not out.json_mode:
                redraw(_screen(drawing, fallback_file, changed_at, deadline, out, once))

            if once:
                _emit_code(out, payload, png, save or fallback_file, once=True)
                return
            if time.monotonic() >= deadline:
                raise NotFine(
                    f"The phone was not linked within {wait:g} s.",
                    "Run `greencli qr` again when the phone is at hand, or use a pairing code: "
                    "`greencli qr --phone NUMBER`. Long QR sessions can leave the instance in "
                    "`starting`: `greencli check-state` tells.",
                    code="qr_timeout",
                )
            # The state method has its own rate limit: look at it every other second too.
            if time.monotonic() - last_state_check >= 2:
                last_state_check = time.monotonic()
                if client.get_state_instance() == "authorized":
                    _linked(client, out, first=False)
                    return
            time.sleep(max(0.0, started + 1.0 - time.monotonic()))


def _png_bytes(message: str) -> bytes:
    from greencli.errors import ApiError

    text = message.split(",", 1)[1] if message.startswith("data:") else message
    try:
        png = base64.b64decode(text, validate=False)
    except ValueError:
        png = b""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ApiError(
            "Green API's QR answer is not a PNG picture.",
            "Try again; `greencli qr --phone NUMBER` links by pairing code instead.",
            code="bad_response",
            method="qr",
        )
    return png


def _render(png: bytes, invert: bool) -> tuple[str | None, str | None]:
    from greencli.cli import qr_drawing
    from greencli.greenapi import qr_image

    try:
        payload = qr_image.decode_png(png)
    except qr_image.QrDecodeError:
        return None, None
    return payload, qr_drawing.draw(qr_drawing.matrix_for(payload), invert=invert)


def _temporary_png() -> Path:
    handle = tempfile.NamedTemporaryFile(prefix="greencli-qr-", suffix=".png", delete=False)
    handle.close()
    return Path(handle.name)


def _screen(drawing: str | None, fallback_file: Path | None, changed_at: float, deadline: float, out: "Output", once: bool) -> str:
    lines: list[str] = []
    if drawing is not None:
        width, height = len(drawing.splitlines()[0]), len(drawing.splitlines())
        terminal = shutil.get_terminal_size((80, 24))
        if width > terminal.columns or (out.rich_out and height + 6 > terminal.lines):
            lines.append(f"(The code needs {width} columns and {height + 6} lines; enlarge the terminal, or use --save / --phone.)")
        lines.append(drawing.rstrip("\n"))
    else:
        lines.append(f"The QR picture could not be redrawn here; it is saved at {fallback_file}")
        lines.append("Open it and scan it, or link by pairing code: greencli qr --phone NUMBER")
    lines.append("Scan it with the phone that has WhatsApp:")
    lines.extend(f"  {step}" for step in PHONE_STEPS)
    if once:
        lines.append(f"This code expires in about {ROTATION_SECONDS} s: scan it now, or run `greencli qr` to keep it refreshed.")
    elif out.rich_out:
        next_in = max(0, ROTATION_SECONDS - int(time.monotonic() - changed_at))
        left = max(0, int(deadline - time.monotonic()))
        lines.append(f"The code changes about every {ROTATION_SECONDS} s (next in ~{next_in} s); giving up in {left} s. Ctrl-C stops.")
    else:
        lines.append(f"The code changes about every {ROTATION_SECONDS} s; a new one is printed when it does.")
    return "\n".join(lines)


def _emit_code(out: "Output", payload: str | None, png: bytes, file: Path | None, once: bool) -> None:
    data: dict[str, Any] = {"ok": True, "type": "qrCode", "payload": payload, "saved": str(file) if file else None}
    if out.json_mode:
        data["png"] = base64.b64encode(png).decode("ascii")
        out.json_document(data)
    elif file is not None:
        out.progress(f"PNG saved to {file}")


def _linked(client: "GreenApiClient", out: "Output", first: bool) -> None:
    from greencli.errors import ApiError
    from greencli.greenapi.states import format_phone

    try:
        phone = format_phone(client.get_wa_settings().get("phone"))
    except ApiError:
        phone = None
    data = {"ok": True, "type": "alreadyLogged" if first else "linked", "linked": True, "phone": phone}

    def render() -> None:
        who = f" as {phone}" if phone else ""
        if first:
            out.status_line("pass", f"Already linked{who}: no QR code is needed.",
                            hint="To link another phone: `greencli logout`, then `greencli qr`.")
        else:
            out.status_line("pass", styled(f"Linked{who}.", "bold"), hint="Next: `greencli webhooks enable`, then `greencli doctor`.")

    out.result(data, render)


# -- pairing code ----------------------------------------------------------------------------


def _pair_by_phone(client: "GreenApiClient", out: "Output", phone: int, wait: float, json_output: bool, once: bool) -> None:
    from greencli.errors import NotFine
    from greencli.flows.waiting import poll

    if client.get_state_instance() == "authorized":
        _linked(client, out, first=True)
        return
    status, code = client.get_authorization_code(phone)
    if not status or not code:
        raise NotFine(
            "Green API could not create a pairing code.",
            "Wait a minute and try again. If a wrong code was entered before, run "
            "`greencli logout` first, or link by QR code: `greencli qr`.",
            code="pairing_failed",
        )
    pretty = f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
    if json_output:
        out.json_document({"ok": True, "type": "pairingCode", "code": code, "phone": f"+{phone}", "validSeconds": 150})
        return
    spaced = "  ".join(pretty)
    border = "─" * (len(spaced) + 6)
    out.line(f"Pairing code for +{phone}:")
    out.line(f"┌{border}┐")
    out.line("│   ", styled(spaced, "bold"), "   │")
    out.line(f"└{border}┘")
    out.line("On the phone: WhatsApp → Linked devices → Link a device → Link with phone number instead,")
    out.line("then type the code above. It is valid for about 2.5 minutes.")
    out.warn(
        "Do not ask for another code after a wrong one: that can leave the instance in `starting`.",
        "If the code was rejected, run `greencli logout`, then `greencli qr`.",
    )
    if once:
        return
    with out.spinner("Waiting for the phone to enter the code…") as update:
        state, linked = poll(
            client.get_state_instance,
            lambda value: value == "authorized",
            timeout=min(wait, 150),
            first_delay=1.0,  # getStateInstance was called a moment ago: 1 call a second
            on_value=lambda value, left: update(f"Waiting for the phone to enter the code… ({left:.0f} s left)"),
        )
    if not linked:
        raise NotFine(
            "The phone did not enter the pairing code in time.",
            "Run `greencli logout`, then `greencli qr` (or `greencli qr --phone NUMBER` once).",
            code="pairing_timeout",
        )
    _linked(client, out, first=False)
