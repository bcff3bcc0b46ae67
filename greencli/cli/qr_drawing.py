"""A QR code payload drawn as text a phone can scan from a terminal.

The payload (read out of Green API's PNG by `greenapi.qr_image`) is encoded again by qrcode
into a module matrix, which is drawn two rows per line with half-block characters and a
4-module quiet zone. By default the *light* modules are drawn filled, which
shows dark-on-light on the usual dark terminal theme; `invert` draws dark modules filled, for
light themes.
"""

from __future__ import annotations

QUIET_ZONE = 4
# (top is filled, bottom is filled) -> character
_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def matrix_for(payload: str) -> list[list[bool]]:
    """The module matrix (True = dark) of a QR code holding `payload`, without a quiet zone."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def draw(matrix: list[list[bool]], invert: bool = False, quiet_zone: int = QUIET_ZONE) -> str:
    """Half-block text of `matrix` with its quiet zone; one line per two module rows."""
    size = len(matrix)
    full = size + 2 * quiet_zone

    def dark(row: int, column: int) -> bool:
        inside = quiet_zone <= row < quiet_zone + size and quiet_zone <= column < quiet_zone + size
        return inside and matrix[row - quiet_zone][column - quiet_zone]

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

