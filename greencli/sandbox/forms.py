"""Reading a multipart/form-data body (sendFileByUpload and the other uploads).

The body is cut at its boundaries by hand, each part's small header block is read with the
standard library's header parser, and a file's content stays a view into the body: a 95 MB
upload costs about 95 MB, not the ten copies a whole-message MIME parse makes.
"""

from __future__ import annotations

from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import HTTP
from typing import NamedTuple


class Upload(NamedTuple):
    filename: str
    content: bytes | memoryview
    content_type: str = "application/octet-stream"


class Form(NamedTuple):
    fields: dict[str, str]
    files: dict[str, Upload]


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith("multipart/form-data")


def parse_form(content_type: str, body: bytes) -> Form | None:
    """The fields and files of a multipart/form-data body; None when it cannot be read."""
    header = Message(policy=HTTP)
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        return None
    delimiter = b"--" + boundary.encode("latin-1")
    view = memoryview(body)
    start = body.find(delimiter)
    if start < 0:
        return None
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    position = start + len(delimiter)
    while True:
        if body[position : position + 2] == b"--":
            return Form(fields, files)  # the closing delimiter
        if body[position : position + 2] != b"\r\n":
            return None
        headers_end = body.find(b"\r\n\r\n", position + 2)
        end = body.find(b"\r\n" + delimiter, headers_end + 4 if headers_end >= 0 else position)
        if headers_end < 0 or end < 0:
            return None
        part = BytesHeaderParser(policy=HTTP).parsebytes(body[position + 2 : headers_end + 4])
        content = view[headers_end + 4 : end]
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            filename = part.get_filename()
            if filename is not None:
                files[name] = Upload(filename, content, part.get_content_type())
            else:
                fields[name] = bytes(content).decode(part.get_content_charset() or "utf-8", "replace")
        position = end + 2 + len(delimiter)
