"""`greencli qr`: link the phone from the terminal, by QR code or by pairing code."""

import base64
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.output import Output, Screen
    from greencli.flows.linking import Linked, QrCode
    from greencli.greenapi.client import GreenApiClient

ROTATION_SECONDS = 20


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
    run = use(ctx, json_output)
    out = run.output
    if save is not None:
        _check_writable(save)
    if phone is not None:
        from greencli.greenapi.phone_numbers import parse_recipient

        recipient = parse_recipient(phone, allow_chat_id=False)
        return _pair_by_phone(run.client(), out, recipient.phone or 0, wait, once)
    from greencli.flows.linking import remove_temporary_pngs

    client = run.client()
    try:
        return _show_qr(client, out, once=once, save=save, invert=invert, wait=wait, offer_pairing=run.may_prompt())
    except _PairInstead as choice:
        return _pair_by_phone(client, out, choice.phone, wait, once)
    finally:
        remove_temporary_pngs()


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


class _PairInstead(Exception):
    """The user chose a pairing code over a QR code the window could not show."""

    def __init__(self, phone: int) -> None:
        super().__init__(phone)
        self.phone = phone


def _show_qr(
    client: "GreenApiClient", out: "Output", once: bool, save: Path | None, invert: bool, wait: float, offer_pairing: bool
) -> Result:
    from greencli.flows.linking import Linked, link_by_qr

    if out.rich_out and not out.json_mode and not once:
        # A terminal: the code redrawn in place in the alternate screen, left before the result.
        with out.screen() as screen:
            outcome = link_by_qr(client, wait, _ScreenPresenter(out, screen, invert, offer_pairing), save=save,
                                 on_trouble=out.progress)
    else:
        with out.live() as redraw:

            def present(code: "QrCode") -> None:
                if not code.new or out.json_mode:
                    return
                if once and out.rich_out and code.payload is not None:  # --once on a terminal
                    redraw(_fitted_once(out, code, invert))
                else:  # a pipe or a log: each new code once
                    redraw(_printed(_drawing(code.payload, invert), code.file, once))

            outcome = link_by_qr(client, wait, present, once=once, save=save, on_trouble=out.progress)
    return _linked(out, outcome) if isinstance(outcome, Linked) else _code(out, outcome)


def _fitted_once(out: "Output", code: "QrCode", invert: bool) -> str:
    """--once on a terminal: the code at a size that fits the window whole, or what to do."""
    from greencli.cli import qr_drawing, qr_screen

    columns, lines = out.terminal_size()
    lines -= 1  # the shell's prompt comes back under it
    matrix = _matrix(code.payload or "")
    fit = qr_screen.fit(len(matrix), columns, lines)
    if fit is None:
        width, height = qr_screen.room_needed(len(matrix))
        saved = f"The picture is saved at {code.file}." if code.file else "`--save FILE.png` keeps the picture to open and scan."
        return (
            f"This window is {columns}×{lines + 1}; the QR code needs at least {width}×{height + 1}.\n"
            "Enlarge it and run the command again, or link by pairing code:\n"
            f"  greencli qr --phone NUMBER\n{saved}"
        )
    drawing = qr_drawing.draw(matrix, invert=invert, quiet_zone=fit.quiet_zone)
    footer = f"This code expires in about {ROTATION_SECONDS} s: scan it now, or run `greencli qr` to keep it refreshed."
    return qr_screen.code_screen(drawing, lines, footer, "Scan it now in WhatsApp → Linked devices → Link a device.")


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

    def __call__(self, code: "QrCode") -> None:
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
        from greencli.config.atomic_files import write_atomically
        from greencli.flows.linking import temporary_png

        self.png_for_small_window = self.png_for_small_window or temporary_png()

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


def _drawing(payload: str | None, invert: bool) -> str | None:
    from greencli.cli import qr_drawing

    return None if payload is None else qr_drawing.draw(qr_drawing.matrix_for(payload), invert=invert)


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
    from greencli.flows.linking import PAIRING_SECONDS, Linked, pairing_code, wait_for_pairing

    code = pairing_code(client, phone)
    if isinstance(code, Linked):
        return _linked(out, code)
    if out.json_mode:
        return Result({"ok": True, "type": "pairingCode", "code": code, "phone": f"+{phone}", "validSeconds": PAIRING_SECONDS}, lambda: None)
    pretty = f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
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
        return None
    return _linked(out, wait_for_pairing(client, wait, spinner=out.spinner))
