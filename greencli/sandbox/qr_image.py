"""QR codes as Green API serves them: a 256x256 PNG, black modules on white."""

from __future__ import annotations

import io

SIZE = 256


def png_for(payload: str) -> bytes:
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4, box_size=4)
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    image = image.resize((SIZE, SIZE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
