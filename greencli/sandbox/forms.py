"""Reading a multipart/form-data body (sendFileByUpload), with the standard library's MIME parser."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import NamedTuple


class Upload(NamedTuple):
    filename: str
    content: bytes


class Form(NamedTuple):
    fields: dict[str, str]
    files: dict[str, Upload]


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith("multipart/form-data")


def parse_form(content_type: str, body: bytes) -> Form | None:
    """The fields and files of a multipart/form-data body; None when it cannot be read."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1") + body
    )
    if not message.is_multipart():
        return None
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        if not isinstance(payload, bytes):
            continue
        filename = part.get_filename()
        if filename is not None:
            files[name] = Upload(filename, payload)
        else:
            fields[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return Form(fields, files)
