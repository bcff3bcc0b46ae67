"""Reading the text inside the QR picture Green API's `qr` method sends.

The API sends a PNG, not the text inside it; zxing-cpp reads the payload out of the picture.
"""

from __future__ import annotations

import io


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
