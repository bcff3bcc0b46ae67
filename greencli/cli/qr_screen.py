"""What `greencli qr` shows on a terminal: the code at a size that fits the window, or, when no
size fits, what to do instead.

The code is drawn two module rows per text line (see qr_drawing). Its margin (quiet zone) is 4
modules when there is room; phones read a code on a screen with a margin of 1 module, so the
margin shrinks before the window counts as too small, and the instructions under the code
shrink to one line first of all. A code is never drawn cut: a phone cannot read part of one.
"""

from __future__ import annotations

from typing import NamedTuple

from greencli.cli.qr_drawing import QUIET_ZONE

SMALLEST_QUIET_ZONE = 1
STEPS = [
    "Scan it with the phone that has WhatsApp:",
    "  Android: WhatsApp → ⋮ → Linked devices → Link a device",
    "  iPhone:  WhatsApp → Settings → Linked devices → Link a device",
]
ONE_LINE = "Scan in WhatsApp → Linked devices → Link a device. Ctrl-C stops."


class Fit(NamedTuple):
    quiet_zone: int
    columns: int  # the drawing's width
    lines: int  # the drawing's height


def drawing_size(modules: int, quiet_zone: int) -> tuple[int, int]:
    side = modules + 2 * quiet_zone
    return side, (side + 1) // 2


def fit(modules: int, columns: int, lines: int) -> Fit | None:
    """The widest margin that leaves room for the code and one line of text; else the code
    alone with the smallest margin, filling the window; else None."""
    for quiet in range(QUIET_ZONE, SMALLEST_QUIET_ZONE - 1, -1):
        width, height = drawing_size(modules, quiet)
        if width <= columns and height + 1 <= lines:
            return Fit(quiet, width, height)
    width, height = drawing_size(modules, SMALLEST_QUIET_ZONE)
    if width <= columns and height <= lines:  # a code that can be scanned beats its caption
        return Fit(SMALLEST_QUIET_ZONE, width, height)
    return None


def room_needed(modules: int) -> tuple[int, int]:
    """The smallest window (columns, lines) that shows the whole code."""
    return drawing_size(modules, SMALLEST_QUIET_ZONE)


def code_screen(drawing: str, lines: int, footer: str, one_line: str = ONE_LINE) -> str:
    """The drawing, then as much of the instructions as the window has room for."""
    rows = drawing.rstrip("\n").split("\n")
    room = lines - len(rows)
    below = [*STEPS, footer] if room >= len(STEPS) + 1 else [one_line]
    return "\n".join(rows + below[:room])


def too_small_screen(columns: int, lines: int, needed: tuple[int, int], png: str | None) -> str:
    """What to do when the window cannot show the code (it is drawn as soon as it can)."""
    text = [
        f"This window is {columns}×{lines}; the QR code needs at least {needed[0]}×{needed[1]}.",
        "Enlarge the window (or make the font smaller):",
        "the code appears here as soon as it fits.",
        "",
        "Or link with a pairing code (Green API recommends it):",
        "press Ctrl-C, then run: greencli qr --phone YOUR_NUMBER",
    ]
    if png:
        text += ["", "The code is also saved as a picture to open and scan:", png]
    return "\n".join(text)
