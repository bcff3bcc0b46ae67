"""The streamed multipart form of sendFileByUpload: the same bytes requests would build with
`files=`, produced piece by piece (https://green-api.com/en/docs/api/sending/SendFileByUpload/)."""

from __future__ import annotations

from pathlib import Path

import requests

from greencli.greenapi.media_files import check_media_file
from greencli.greenapi.upload_form import StreamedForm
from tests.mocked_api import CHAT


def test_the_streamed_form_is_the_form_requests_would_build(tmp_path: Path) -> None:
    content = bytes(range(256)) * 1000
    (tmp_path / "fenêtre \"1\".jpg").write_bytes(content)
    fields = {"chatId": CHAT, "fileName": "fenêtre \"1\".jpg", "caption": "une fenêtre\nsur deux lignes"}
    with check_media_file(str(tmp_path / "fenêtre \"1\".jpg")).open() as opened:
        form = StreamedForm(fields, "file", opened).restart()
        pieces = []
        while piece := form.read(1000):
            assert len(piece) <= 1000
            pieces.append(piece)
    streamed = b"".join(pieces)
    built = requests.Request("POST", "http://127.0.0.1/", data=fields, files={"file": ('fenêtre "1".jpg', content)}).prepare()
    boundary = built.headers["Content-Type"].split("boundary=")[1]
    assert isinstance(built.body, bytes)
    assert streamed == built.body.replace(boundary.encode(), form.boundary.encode())
    assert len(form) == len(streamed)
    assert form.content_type == f"multipart/form-data; boundary={form.boundary}"


def test_a_restarted_form_is_read_from_its_start(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"hello")
    with check_media_file(str(tmp_path / "a.txt")).open() as opened:
        form = StreamedForm({"chatId": CHAT}, "file", opened)
        first = b"".join(form.restart())
        assert form.read() == b""
        assert b"".join(form.restart()) == first and b"hello" in first
