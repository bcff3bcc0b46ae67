"""Linking a phone at the terminal: the QR code drawn (full-screen and redrawn on a terminal,
printed elsewhere) until the phone is linked, or a pairing code to type on the phone.

The qr command is made of these; setup and `doctor --fix` link the phone with `link_phone`.
The waiting itself is greencli.flows.linking's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.cli.output import styled

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.cli.output import Output, Screen
    from greencli.flows.linking import Linked, QrCode
    from greencli.greenapi.client import GreenApiClient

ROTATION_SECONDS = 20
LINK_WAIT = 150.0  # seconds setup and doctor --fix wait for the phone to be linked
REBOOTED_WAIT = 60.0  # at least this long for a QR code after the reboot that ends `starting`


def link_phone(run: RunContext, wait: float = LINK_WAIT, show: bool = True) -> Linked:
    """Link the phone: the QR code until it is scanned (a pairing code instead when the window
    cannot show it and the user asks), or, with `show` off, wait for it to be linked elsewhere.
    NotFine when `wait` runs out."""
    from greencli.flows.linking import Linked, link_by_qr, remove_temporary_pngs

    client = run.client()
    try:
        if not show:
            outcome = link_by_qr(client, wait, lambda code: None)
        else:
            outcome = show_qr(client, run.output, once=False, save=None, invert=False, wait=wait, may_ask=run.may_prompt())
    except PairInstead as choice:
        code = request_pairing_code(client, choice.phone)
        if isinstance(code, Linked):
            return code
        show_pairing_code(run.output, choice.phone, code)
        return wait_for_pairing_code(client, run.output, wait)
    finally:
        remove_temporary_pngs()
    assert isinstance(outcome, Linked)  # not --once: a QrCode is returned only then
    return outcome


def check_writable(path: Path) -> None:
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


class LinkedMeanwhile(Exception):
    """The phone was linked another way while greencli asked for a phone number."""


class PairInstead(Exception):
    """The user chose a pairing code over a QR code the window could not show."""

    def __init__(self, phone: int) -> None:
        super().__init__(phone)
        self.phone = phone


def show_qr(
    client: GreenApiClient, out: Output, once: bool, save: Path | None, invert: bool, wait: float, may_ask: bool
) -> Linked | QrCode:
    """The QR code, shown until the phone is linked (or, with `once`, the first code); PairInstead
    when the window cannot show it and the user gives a phone number instead.

    When the instance drops to `starting` meanwhile (flows.linking.InstanceStarting), the reboot
    that recovers it is offered, and done only on a yes; without a question (`may_ask` off:
    --no-input, --json, no terminal) the error says what to run."""
    from greencli.flows.linking import InstanceStarting

    started = time.monotonic()
    try:
        return _show_qr(client, out, once, save, invert, wait, may_ask)
    except InstanceStarting as stuck:
        if not may_ask or not _reboot_agreed(out, stuck):
            raise
    from greencli.flows.account import change_account

    change_account(client, "reboot")
    left = max(wait - (time.monotonic() - started), REBOOTED_WAIT)
    out.progress(f"Rebooted. Asking for a QR code again once the instance is up (up to {left:.0f} s)…")
    return _show_qr(client, out, once, save, invert, left, may_ask)


def _reboot_agreed(out: Output, stuck: Exception) -> bool:
    from greencli.cli.prompts import confirm

    out.warn(str(stuck))
    return confirm(out, "Reboot the instance now? It restarts, and linking goes on", default=False)


def _show_qr(
    client: GreenApiClient, out: Output, once: bool, save: Path | None, invert: bool, wait: float, offer_pairing: bool
) -> Linked | QrCode:
    from greencli.flows.linking import link_by_qr

    if out.rich_out and not out.json_mode and not once:
        # A terminal: the code redrawn in place in the alternate screen, left before the result.
        try:
            with out.screen() as screen:
                presenter = _ScreenPresenter(out, screen, invert, offer_pairing, lambda: _authorized(client))
                outcome = link_by_qr(client, wait, presenter, save=save, on_trouble=out.progress)
        except LinkedMeanwhile:
            from greencli.flows.linking import Linked, linked_phone

            return Linked(linked_phone(client), already=False)
    else:
        with out.live() as redraw:

            def present(code: QrCode) -> None:
                if not code.new or out.json_mode:
                    return
                if once and out.rich_out and code.payload is not None:  # --once on a terminal
                    redraw(_fitted_once(out, code, invert))
                else:  # a pipe or a log: each new code once
                    redraw(_printed(_drawing(code.payload, invert), code.file, once))

            outcome = link_by_qr(client, wait, present, once=once, save=save, on_trouble=out.progress)
    return outcome


def _authorized(client: GreenApiClient) -> bool:
    """Whether the phone is linked now (a failed answer says nothing: not yet)."""
    from greencli.errors import ApiError

    try:
        return client.get_state_instance() == "authorized"
    except ApiError:
        return False


def _fitted_once(out: Output, code: QrCode, invert: bool) -> str:
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

    def __init__(self, out: Output, screen: Screen, invert: bool, offer_pairing: bool,
                 linked_meanwhile: Callable[[], bool] = lambda: False) -> None:
        self.out = out
        self.linked_meanwhile = linked_meanwhile
        self.screen = screen
        self.show = screen.show
        self.invert = invert
        self.offer_pairing = offer_pairing
        self.drawn: tuple[str | None, tuple[int, int]] | None = None
        self.png_for_small_window: Path | None = None

    def __call__(self, code: QrCode) -> None:
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
                raise PairInstead(phone)
            self.drawn = None  # draw again now, in whatever size the window has
            return
        from greencli.config.atomic_files import write_atomically
        from greencli.flows.linking import temporary_png

        self.png_for_small_window = self.png_for_small_window or temporary_png()

        write_atomically(self.png_for_small_window, code.png, mode=0o600)  # it links a phone: this user's only
        self.show(qr_screen.too_small_screen(columns, lines, needed, str(self.png_for_small_window)))

    def _ask_for_phone(self, columns: int, lines: int, needed: tuple[int, int]) -> int | None:
        """The pairing code offered at once: a phone number, or None to wait for a larger window."""
        from greencli.cli.prompts import ask_unless
        from greencli.errors import UsageError
        from greencli.greenapi.phone_numbers import parse_recipient

        self.out.line(f"This window is {columns}×{lines}; the QR code needs at least {needed[0]}×{needed[1]}.")
        self.out.line("Link with a pairing code instead (Green API recommends it): type the number of the phone "
                      "that has WhatsApp, with its country code. Or press Enter, enlarge the window, and the QR "
                      "code appears.")
        while True:
            # Meanwhile the phone may be linked another way (a QR code shown elsewhere, the console).
            answer = ask_unless(self.out, "Phone number", self.linked_meanwhile)
            if answer is None:
                raise LinkedMeanwhile
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


# -- pairing code ----------------------------------------------------------------------------


def request_pairing_code(client: GreenApiClient, phone: int) -> Linked | str:
    """A pairing code for `phone` (or Linked, when a phone already is)."""
    from greencli.flows.linking import pairing_code

    return pairing_code(client, phone)


def show_pairing_code(out: Output, phone: int, code: str) -> None:
    """The code, large on a terminal, and what to do with it on the phone."""
    pretty = f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
    out.line(f"Pairing code for +{phone}: ", styled(pretty, "bold"))  # one piece, to copy
    if out.rich_out:
        from greencli.cli import big_text

        if big_text.can_draw(pretty):
            out.blank()
            out.raw(big_text.draw(pretty) + "\n")  # large, to read off the screen
            out.blank()
    out.line("On the phone: WhatsApp → Linked devices → Link a device → Link with phone number instead, "
             "then type the code above. It is valid for about 2.5 minutes.")
    out.warn(
        "Do not ask for another code after a wrong one: that can leave the instance in `starting`.",
        "If the code was rejected, run `greencli logout`, then `greencli qr`.",
    )


def wait_for_pairing_code(client: GreenApiClient, out: Output, wait: float) -> Linked:
    from greencli.flows.linking import wait_for_pairing

    return wait_for_pairing(client, wait, spinner=out.spinner)
