"""Green API's QR PNG redrawn as text a phone can scan from a terminal.

The API sends a picture, not the text inside it. zxing-cpp reads the payload out of the PNG;
qrcode encodes it again into a module matrix, which is drawn two rows per line with half-block
characters and a 4-module quiet zone. By default the *light* modules are drawn filled, which
shows dark-on-light on the usual dark terminal theme; `invert` draws dark modules filled, for
light themes.
"""

from __future__ import annotations

import io

QUIET_ZONE = 4
# (top is filled, bottom is filled) -> character
_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


class QrDecodeError(Exception):
    """The PNG could not be read as a QR code."""


def decode_png(png: bytes) -> str:
    """The text inside a QR code picture."""
    try:
        import zxingcpp
        from PIL import Image, UnidentifiedImageError
    except ImportError as error:  # pragma: no cover - both are dependencies
        raise QrDecodeError(f"a QR reader is missing ({error.name})") from None
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise QrDecodeError("the answer is not a readable PNG image") from error
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    if not results:
        raise QrDecodeError("no QR code found in the image")
    return results[0].text


def matrix_for(payload: str) -> list[list[bool]]:
    """The module matrix (True = dark) of a QR code holding `payload`, without a quiet zone."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def draw(matrix: list[list[bool]], invert: bool = False) -> str:
    """Half-block text of `matrix` with its quiet zone; one line per two module rows."""
    size = len(matrix)
    full = size + 2 * QUIET_ZONE

    def dark(row: int, column: int) -> bool:
        inside = QUIET_ZONE <= row < QUIET_ZONE + size and QUIET_ZONE <= column < QUIET_ZONE + size
        return inside and matrix[row - QUIET_ZONE][column - QUIET_ZONE]

    lines = []
    for row in range(0, full, 2):
        chars = []
        for column in range(full):
            top = dark(row, column)
            bottom = dark(row + 1, column) if row + 1 < full else False
            # Draw light modules filled unless inverted; the row below the code is light.
            top_filled = top if invert else not top
            bottom_filled = (bottom if invert else not bottom) if row + 1 < full else False
            chars.append(_BLOCKS[(top_filled, bottom_filled)])
        lines.append("".join(chars))
    return "\n".join(lines) + "\n"


def width_of(matrix: list[list[bool]]) -> int:
    return len(matrix) + 2 * QUIET_ZONE
