"""Reading a QR code back from greencli's half-block drawing, as a phone camera would."""

from __future__ import annotations

TOP = {"█": True, "▀": True, "▄": False, " ": False}
BOTTOM = {"█": True, "▄": True, "▀": False, " ": False}


def filled_rows(drawing: str) -> list[list[bool]]:
    """The drawing as rows of filled / not filled cells (two rows per text line)."""
    lines = [line for line in drawing.splitlines() if line and set(line) <= set(TOP)]
    width = max(len(line) for line in lines)
    rows: list[list[bool]] = []
    for line in lines:
        line = line.ljust(width)
        rows.append([TOP[c] for c in line])
        rows.append([BOTTOM[c] for c in line])
    return rows[:width]  # a QR code is square: the last line's lower half is only padding


def dark_modules(drawing: str, invert: bool = False) -> list[list[bool]]:
    """Module matrix (True = dark) including the quiet zone; filled cells are light unless inverted."""
    rows = filled_rows(drawing)
    return [[cell if invert else not cell for cell in row] for row in rows]


def strip_quiet_zone(modules: list[list[bool]]) -> list[list[bool]]:
    dark_rows = [i for i, row in enumerate(modules) if any(row)]
    dark_cols = [j for j in range(len(modules[0])) if any(row[j] for row in modules)]
    return [row[dark_cols[0] : dark_cols[-1] + 1] for row in modules[dark_rows[0] : dark_rows[-1] + 1]]


def payload_from_drawing(drawing: str, invert: bool = False) -> str:
    """Render the drawing as a picture and let zxing-cpp read it."""
    import zxingcpp
    from PIL import Image

    modules = dark_modules(drawing, invert)
    scale = 6
    height, width = len(modules), len(modules[0])
    image = Image.new("L", (width * scale, height * scale), 255)
    pixels = image.load()
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[x * scale + dx, y * scale + dy] = 0
    results = zxingcpp.read_barcodes(image)
    assert results, "the drawing does not read as a QR code"
    return results[0].text
