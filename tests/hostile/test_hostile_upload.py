"""`send-test --file` as a user runs it, against a Green API on 127.0.0.1: the upload is read
from disk while it is sent (memory stays flat), and a file that changes size meanwhile is
refused with exit 2 before its upload completes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.hostile import server as hostile
from tests.hostile.runner import run_greencli

pytestmark = pytest.mark.e2e

UPLOAD_RSS_LIMIT_MIB = 100
SIZE = 95 * hostile.MIB


@pytest.fixture
def green_api(api: hostile.HostileServer) -> hostile.HostileServer:
    """An authorized instance that takes uploads (a host not Green API's is its own media host)."""
    api.route("getStateInstance", hostile.json_reply({"stateInstance": "authorized"}))
    api.route("sendFileByUpload", hostile.json_reply({"idMessage": "3EB0C767D097B7C7C030", "urlFile": None}))
    return api


def big_file(path: Path) -> None:
    """SIZE random bytes, written a MiB at a time (this process stays small)."""
    with path.open("wb") as handle:
        for _ in range(SIZE // hostile.MIB):
            handle.write(os.urandom(hostile.MIB))


def upload(api: hostile.HostileServer, path: Path):  # noqa: ANN201
    return run_greencli(["--timeout", "60", "send-test", "79001234567", "--no-check", "--file", str(path)], api.url, limit=120)


def test_a_95_mb_upload_is_streamed(green_api: hostile.HostileServer, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    big_file(path)
    run = upload(green_api, path)
    assert run.exit_code == 0, run.stderr
    # wait4's peak covers this test process too (counted at the spawn): an upper bound.
    assert run.peak_mib < UPLOAD_RSS_LIMIT_MIB, f"peak RSS {run.peak_mib:.0f} MiB"
    ((_, length, received),) = green_api.large_bodies
    ((_, _, head),) = green_api.calls("sendFileByUpload")
    # The form as sent: its framing up to the file, the file unaltered, the closing boundary.
    framing = head[: head.index(b'filename="big.bin"\r\n\r\n') + len(b'filename="big.bin"\r\n\r\n')]
    boundary = head.split(b"\r\n", 1)[0]
    expected = hashlib.sha256(framing)
    with path.open("rb") as handle:
        while piece := handle.read(hostile.MIB):
            expected.update(piece)
    closing = b"\r\n" + boundary + b"--\r\n"
    expected.update(closing)
    assert (length, received) == (len(framing) + SIZE + len(closing), expected.hexdigest())


@pytest.mark.parametrize("change", ["grows", "shrinks"])
def test_a_file_that_changes_size_during_the_upload_is_refused(green_api: hostile.HostileServer, tmp_path: Path, change: str) -> None:
    path = tmp_path / "big.bin"
    big_file(path)

    def change_the_file(handler: hostile.Handler) -> None:
        # The headers are in; greencli has read a few MB at most (socket buffers) of 95.
        if change == "grows":
            with path.open("ab") as handle:
                handle.write(b"appended")
        else:
            os.truncate(path, SIZE // 2)

    green_api.before_body["sendFileByUpload"] = change_the_file
    run = upload(green_api, path)
    assert run.exit_code == 2, run.stderr
    assert "changed size while it was being sent" in run.stderr
    assert "Traceback" not in run.stderr
    ((_, length, _),) = green_api.large_bodies
    assert length < SIZE  # cut short: never a complete upload
