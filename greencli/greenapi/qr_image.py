"""Reading the text inside the QR picture Green API's `qr` method sends.

The API sends a PNG, not the text inside it; zxing-cpp reads the payload out of the picture.
A PNG is a compressed picture: a few hundred KB can declare 12000×12000 pixels and inflate to
gigabytes. So the size is checked twice before anything is decoded: the bytes, then the
dimensions the header declares (a real code is a few hundred pixels wide).
"""

from __future__ import annotations

import io
import struct
import warnings

MAX_PNG_BYTES = 256 * 1024  # Green API's codes are a few KB; far below the client's body cap
MAX_SIDE = 2048  # pixels; a 2048×2048 picture decodes to at most 16 MB (RGBA)
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class QrDecodeError(Exception):
    """The PNG could not be read as a QR code."""


class QrPictureTooLarge(QrDecodeError):
    """The PNG is larger than any QR code: it is not decoded at all."""


def check_size(png: bytes) -> None:
    """Raise QrPictureTooLarge for a picture too large, by bytes or declared dimensions."""
    if len(png) > MAX_PNG_BYTES:
        raise QrPictureTooLarge(f"the QR picture is {len(png) // 1024} KB, more than the {MAX_PNG_BYTES // 1024} KB any QR code needs")
    # The first chunk of a PNG is IHDR: width and height, 4 bytes each, right after its type.
    if png.startswith(_SIGNATURE) and png[12:16] == b"IHDR" and len(png) >= 24:
        width, height = struct.unpack(">II", png[16:24])
        _check_dimensions(width, height)


def _check_dimensions(width: int, height: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE:
        raise QrPictureTooLarge(f"the QR picture is {width}×{height} pixels, more than the {MAX_SIDE}×{MAX_SIDE} any QR code needs")


def decode_png(png: bytes) -> str:
    """The text inside a QR code picture."""
    try:
        import zxingcpp
        from PIL import Image, UnidentifiedImageError
    except ImportError as error:  # pragma: no cover - both are dependencies
        raise QrDecodeError(f"a QR reader is missing ({error.name})") from None
    check_size(png)
    with warnings.catch_warnings():
        # Pillow warns (on stderr) about large pictures; the sizes are checked here instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(png))
            _check_dimensions(*image.size)  # whatever the format turned out to be
            image.load()
        except Image.DecompressionBombError as error:
            raise QrPictureTooLarge("the QR picture declares more pixels than any QR code needs") from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise QrDecodeError("the answer is not a readable PNG image") from error
    # One format where the stubs ask for a set: zxing-cpp takes either, since 2.x.
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)  # type: ignore[arg-type]
    if not results:
        raise QrDecodeError("no QR code found in the image")
    return results[0].text
