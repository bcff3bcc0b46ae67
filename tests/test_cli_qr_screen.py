"""The QR code's size on a terminal: the widest margin that fits, or none; the pairing code large."""

from __future__ import annotations

import pytest

from greencli.cli import big_text, qr_drawing, qr_screen
from tests.qr_reading import payload_from_drawing

PAYLOAD = "2@" + "a" * 80 + "," + "b" * 44 + "," + "c" * 44 + "," + "d" * 44 + ",1"  # WhatsApp-sized


def test_the_margin_shrinks_before_the_window_counts_as_too_small() -> None:
    modules = len(qr_drawing.matrix_for(PAYLOAD))
    assert modules == 53
    assert qr_screen.fit(modules, 200, 60) == qr_screen.Fit(4, 61, 31)
    assert qr_screen.fit(modules, 100, 30) == qr_screen.Fit(2, 57, 29)
    assert qr_screen.fit(modules, 80, 24) is None
    assert qr_screen.room_needed(modules) == (55, 28)
    assert qr_screen.fit(modules, 80, 28) == qr_screen.Fit(1, 55, 28)  # the code alone, filling the window
    assert qr_screen.fit(modules, 80, 27) is None and qr_screen.fit(modules, 54, 60) is None


@pytest.mark.parametrize("quiet_zone", [1, 2, 4])
def test_a_code_with_any_margin_greencli_draws_still_reads(quiet_zone) -> None:
    drawing = qr_drawing.draw(qr_drawing.matrix_for(PAYLOAD), quiet_zone=quiet_zone)
    assert payload_from_drawing(drawing) == PAYLOAD


@pytest.mark.parametrize(("lines", "instructions"), [(29, 0), (30, 1), (60, 4)])
def test_the_screen_never_has_more_lines_than_the_window(lines, instructions) -> None:
    matrix = qr_drawing.matrix_for(PAYLOAD)
    fit = qr_screen.fit(len(matrix), 100, max(lines, 30))
    drawing = qr_drawing.draw(matrix, quiet_zone=fit.quiet_zone)
    screen = qr_screen.code_screen(drawing, lines, "footer")
    assert len(screen.splitlines()) == min(lines, fit.lines + instructions)
    assert payload_from_drawing(screen) == PAYLOAD


def test_the_too_small_message_fits_80_columns() -> None:
    text = qr_screen.too_small_screen(80, 24, (55, 28), "/tmp/greencli-qr-x.png")
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "greencli qr --phone" in text and "55×28" in text


def test_the_pairing_code_is_drawn_large_in_three_lines() -> None:
    drawing = big_text.draw("878F-1D04").splitlines()
    assert len(drawing) == 3
    assert max(len(line) for line in drawing) == 9 * 3 + 8 * 2
    assert big_text.can_draw("GAPI2015") and not big_text.can_draw("a b")
    glyphs = {char: big_text.draw(char) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    assert len(set(glyphs.values())) == len(glyphs)  # no two characters look the same
