"""The QR code drawn as text reads back as exactly the code of the payload."""

from __future__ import annotations

import base64
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greencli.cli import qr_drawing
from greencli.greenapi import qr_image
from greencli.sandbox.qr_image import png_for
from tests.qr_reading import dark_modules, payload_from_drawing, strip_quiet_zone

WHATSAPP_LIKE = "2@" + "A" * 58 + "," + "b" * 44 + "," + "c" * 44 + "," + "d" * 44 + ",1"


@pytest.mark.parametrize("invert", [False, True])
def test_drawing_round_trips_to_the_same_module_matrix(invert: bool) -> None:
    matrix = qr_drawing.matrix_for(WHATSAPP_LIKE)
    drawing = qr_drawing.draw(matrix, invert=invert)
    modules = dark_modules(drawing, invert=invert)
    assert len(modules[0]) == len(matrix) + 2 * qr_drawing.QUIET_ZONE
    quiet = modules[: qr_drawing.QUIET_ZONE]
    assert not any(any(row) for row in quiet)  # a proper quiet zone all round
    assert strip_quiet_zone(modules) == matrix


def test_drawing_fits_an_80_column_terminal_and_reads_back() -> None:
    drawing = qr_drawing.draw(qr_drawing.matrix_for(WHATSAPP_LIKE))
    assert max(len(line) for line in drawing.splitlines()) <= 80
    assert payload_from_drawing(drawing) == WHATSAPP_LIKE


@settings(max_examples=15, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=250))
def test_any_payload_survives_png_decode_and_redraw(payload: str) -> None:
    decoded = qr_image.decode_png(png_for(payload))
    assert decoded == payload
    assert payload_from_drawing(qr_drawing.draw(qr_drawing.matrix_for(decoded))) == payload


def test_decodes_a_256_pixel_png_drawn_another_way() -> None:
    import qrcode
    from PIL import Image

    image = qrcode.make(WHATSAPP_LIKE, border=2).get_image().convert("RGB").resize((256, 256), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert qr_image.decode_png(buffer.getvalue()) == WHATSAPP_LIKE


@pytest.mark.parametrize("garbage", [b"", b"not a png", base64.b64decode("iVBORw0KGgo=")])
def test_unreadable_pictures_raise_the_decode_error(garbage: bytes) -> None:
    with pytest.raises(qr_image.QrDecodeError):
        qr_image.decode_png(garbage)


def test_a_png_without_a_code_raises_the_decode_error() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (256, 256), 255).save(buffer, format="PNG")
    with pytest.raises(qr_image.QrDecodeError):
        qr_image.decode_png(buffer.getvalue())
