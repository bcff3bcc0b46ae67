"""greenapi.qr_image refuses a QR picture too large to be one, from its header or its size,
before decoding it."""

from __future__ import annotations

import struct
import zlib

import pytest

from greencli.greenapi import qr_image


def _png_header(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return b"\x89PNG\r\n\x1a\n" + chunk


@pytest.mark.parametrize(("width", "height"), [(12_000, 12_000), (30_000, 30_000), (100, qr_image.MAX_SIDE + 1)])
def test_qr_pictures_too_large_are_refused_from_their_header(width: int, height: int) -> None:
    with pytest.raises(qr_image.QrPictureTooLarge, match=f"{width}×{height}"):
        qr_image.decode_png(_png_header(width, height))


def test_qr_pictures_too_many_bytes_are_refused() -> None:
    with pytest.raises(qr_image.QrPictureTooLarge, match="KB"):
        qr_image.check_size(b"\x89PNG\r\n\x1a\n" + b"\0" * qr_image.MAX_PNG_BYTES)
