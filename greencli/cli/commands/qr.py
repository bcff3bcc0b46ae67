"""`greencli qr`: link the phone from the terminal, by QR code or by pairing code."""

import base64
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.output import Output, Screen
    from greencli.greenapi.client import GreenApiClient

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
        typer.Option("--wait", metavar="SECONDS", min=5, callback=finite_seconds, help="Keep refreshing until linked, for at most SECONDS (default 150)."),
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
    client = app.client()
    try:
        _show_qr(client, out, once=once, save=save, invert=invert, wait=wait, offer_pairing=app.may_prompt())
    except _PairInstead as choice:
        _pair_by_phone(client, out, choice.phone, wait, json_output, once)
    finally:
        _remove_temporary_pngs()


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


class _Code(NamedTuple):
    png: bytes
    payload: str | None  # what the picture encodes; None when it could not be read
    file: Path | None  # where the PNG is: --save, or a temporary file when it could not be read
    new: bool  # not shown before
    deadline: float


class _PairInstead(Exception):
    """The user chose a pairing code over a QR code the window could not show."""

    def __init__(self, phone: int) -> None:
        super().__init__(phone)
        self.phone = phone


def _show_qr(
    client: "GreenApiClient", out: "Output", once: bool, save: Path | None, invert: bool, wait: float, offer_pairing: bool
) -> None:
    if out.rich_out and not out.json_mode and not once:
        # A terminal: the code redrawn in place in the alternate screen, left before the result.
        with out.screen() as screen:
            linked = _link_by_qr(client, wait, _ScreenPresenter(out, screen, invert, offer_pairing), once=False, save=save)
        _linked(client, out, first=linked == "already")
        return
    with out.live() as redraw:

        def present(code: _Code) -> None:
            if code.new and not out.json_mode:  # a pipe or a log: each new code once
                redraw(_printed(_drawing(code.payload, invert), code.file, once))

        outcome = _link_by_qr(client, wait, present, once=once, save=save)
    if isinstance(outcome, _Code):
        _emit_code(out, outcome.payload, outcome.png, outcome.file, once=True)
    else:
        _linked(client, out, first=outcome == "already")


def _link_by_qr(
    client: "GreenApiClient", wait: float, present: Callable[[_Code], None], once: bool, save: Path | None
) -> "_Code | str":
    """Ask for the QR code once a second and present each until the phone is linked ("linked",
    or "already" when it was before any code was shown), or, with `once`, return the first code."""
    from greencli.config.atomic_files import write_atomically
    from greencli.errors import NotFine

    deadline = time.monotonic() + wait
    shown: str | None = None
    codes_shown = 0
    fallback_file: Path | None = None
    last_state_check = 0.0
    while True:
        started = time.monotonic()
        answer = client.qr()
        if answer.type == "alreadyLogged":
            return "already" if codes_shown == 0 else "linked"
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
        payload = _read(png)
        if payload is None and (save is not None or not once):
            # Kept in a file the user can open and scan (with --once it would be removed as
            # the command ends: --save keeps it).
            fallback_file = save or fallback_file or _temporary_png()
            write_atomically(fallback_file, png)
        key = payload or answer.message
        new = key != shown
        if new:
            shown = key
            codes_shown += 1
        code = _Code(png, payload, save or fallback_file, new, deadline)
        present(code)
        if once:
            return code
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
                return "linked"
        time.sleep(max(0.0, started + 1.0 - time.monotonic()))


class _ScreenPresenter:
    """Draws each code full-screen at the size the window allows; redraws only when the code or
    the window's size changed. When no size fits, says so and, once, offers a pairing code."""

    def __init__(self, out: "Output", screen: "Screen", invert: bool, offer_pairing: bool) -> None:
        self.out = out
        self.screen = screen
        self.show = screen.show
        self.invert = invert
        self.offer_pairing = offer_pairing
        self.drawn: tuple[str | None, tuple[int, int]] | None = None
        self.png_for_small_window: Path | None = None

    def __call__(self, code: _Code) -> None:
        from greencli.cli import qr_screen

        size = self.out.terminal_size()
        if self.drawn == (code.payload, size) and not code.new:
            return
        self.drawn = (code.payload, size)
        columns, lines = size
        if code.payload is None:
            self.show(_printed(None, code.file, once=False))
            return
        matrix = _matrix(code.payload)
        fit = qr_screen.fit(len(matrix), columns, lines)
        if fit is not None:
            from greencli.cli import qr_drawing

            drawing = qr_drawing.draw(matrix, invert=self.invert, quiet_zone=fit.quiet_zone)
            until = time.strftime("%H:%M:%S", time.localtime(time.time() + code.deadline - time.monotonic()))
            footer = f"The code changes about every {ROTATION_SECONDS} s. Ctrl-C stops; gives up at {until}."
            self.show(qr_screen.code_screen(drawing, lines, footer))
            return
        needed = qr_screen.room_needed(len(matrix))
        if self.offer_pairing:
            self.offer_pairing = False  # asked once; afterwards the window may still grow
            with self.screen.paused():
                phone = self._ask_for_phone(columns, lines, needed)
            if phone is not None:
                raise _PairInstead(phone)
            self.drawn = None  # draw again now, in whatever size the window has
            return
        self.png_for_small_window = self.png_for_small_window or _temporary_png()
        from greencli.config.atomic_files import write_atomically

        write_atomically(self.png_for_small_window, code.png)
        self.show(qr_screen.too_small_screen(columns, lines, needed, str(self.png_for_small_window)))

    def _ask_for_phone(self, columns: int, lines: int, needed: tuple[int, int]) -> int | None:
        """The pairing code offered at once: a phone number, or None to wait for a larger window."""
        import typer

        from greencli.errors import UsageError
        from greencli.greenapi.phone_numbers import parse_recipient

        self.out.line(f"This window is {columns}×{lines}; the QR code needs at least {needed[0]}×{needed[1]}.")
        self.out.line("Link with a pairing code instead (Green API recommends it): type the number")
        self.out.line("of the phone that has WhatsApp, with its country code. Or press Enter,")
        self.out.line("enlarge the window, and the QR code appears.")
        while True:
            answer = typer.prompt("Phone number", default="", show_default=False, err=False)
            if not answer.strip():
                return None
            try:
                return parse_recipient(answer, allow_chat_id=False).phone
            except UsageError as error:
                self.out.line(f"{error.message} Try again, or press Enter.")


def _matrix(payload: str) -> list[list[bool]]:
    from greencli.cli import qr_drawing

    return qr_drawing.matrix_for(payload)


def _read(png: bytes) -> str | None:
    from greencli.greenapi import qr_image

    try:
        return qr_image.decode_png(png)
    except qr_image.QrDecodeError:
        return None


def _png_bytes(message: str) -> bytes:
    from greencli.errors import ApiError
    from greencli.greenapi import qr_image

    text = message.split(",", 1)[1] if message.startswith("data:") else message
    try:
        # Base64 is 4 characters for 3 bytes: a text this long is too large a picture already.
        if len(text) > (qr_image.MAX_PNG_BYTES + 2) // 3 * 4 + 4:
            raise qr_image.QrPictureTooLarge(
                f"the QR picture is over {qr_image.MAX_PNG_BYTES // 1024} KB, more than any QR code needs"
            )
        try:
            png = base64.b64decode(text, validate=False)
        except ValueError:
            png = b""
        qr_image.check_size(png)
    except qr_image.QrPictureTooLarge as error:
        raise ApiError(
            f"Green API's QR answer was refused: {error}.",
            "Try again; `greencli qr --phone NUMBER` links by pairing code instead.",
            code="bad_response",
            method="qr",
        ) from None
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ApiError(
            "Green API's QR answer is not a PNG picture.",
            "Try again; `greencli qr --phone NUMBER` links by pairing code instead.",
            code="bad_response",
            method="qr",
        )
    return png


def _drawing(payload: str | None, invert: bool) -> str | None:
    from greencli.cli import qr_drawing

    return None if payload is None else qr_drawing.draw(qr_drawing.matrix_for(payload), invert=invert)


_temporary_pngs: list[Path] = []


def _temporary_png() -> Path:
    """A file for a picture that cannot be drawn; removed when the command ends."""
    handle = tempfile.NamedTemporaryFile(prefix="greencli-qr-", suffix=".png", delete=False)
    handle.close()
    _temporary_pngs.append(Path(handle.name))
    return Path(handle.name)


def _remove_temporary_pngs() -> None:
    while _temporary_pngs:
        _temporary_pngs.pop().unlink(missing_ok=True)


def _printed(drawing: str | None, fallback_file: Path | None, once: bool) -> str:
    """A code as printed where it cannot be redrawn in place (a pipe, a log, --once)."""
    from greencli.cli.qr_screen import STEPS

    lines: list[str] = []
    if drawing is not None:
        lines.append(drawing.rstrip("\n"))
    elif fallback_file is not None:
        lines.append(f"The QR picture could not be redrawn here; it is saved at {fallback_file}")
        lines.append("Open it and scan it, or link by pairing code: greencli qr --phone NUMBER")
    else:
        lines.append("The QR picture could not be redrawn here; keep it as a file: greencli qr --once --save FILE.png")
        lines.append("or link by pairing code: greencli qr --phone NUMBER")
    lines.extend(STEPS)
    if once:
        lines.append(f"This code expires in about {ROTATION_SECONDS} s: scan it now, or run `greencli qr` to keep it refreshed.")
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
            # One line, so that it is the last thing on screen after the code disappears.
            out.status_line("pass", styled(f"Linked{who}", "bold"), " (next: greencli webhooks enable).")

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
    out.line(f"Pairing code for +{phone}: ", styled(pretty, "bold"))  # one piece, to copy
    if out.rich_out:
        from greencli.cli import big_text

        if big_text.can_draw(pretty):
            out.blank()
            out.raw(big_text.draw(pretty) + "\n")  # large, to read off the screen
            out.blank()
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
