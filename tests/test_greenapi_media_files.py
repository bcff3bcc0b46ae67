"""The checks on `send-test --file` before any request, against Green API's rules for
sendFileByUpload (https://green-api.com/en/docs/api/sending/SendFileByUpload/): up to 100 MB,
a file name with an extension, which decides how the file is shown."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from greencli.errors import ExitCode, UsageError
from greencli.greenapi.media_files import MAX_FILE_BYTES, check_media_file, describe_size


def refusal(path: Path | str) -> UsageError:
    with pytest.raises(UsageError) as caught:
        check_media_file(str(path))
    assert caught.value.code == "invalid_file"
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.hint
    return caught.value


@pytest.mark.parametrize(
    ("name", "kind", "captioned"),
    [("photo.jpg", "image", True), ("clip.mp4", "video", True), ("voice.ogg", "audio", False),
     ("report.pdf", "document", False), ("data.weird-ext", "document", False)],
)
def test_a_file_is_classified_by_its_extension(tmp_path: Path, name: str, kind: str, captioned: bool) -> None:
    path = tmp_path / name
    path.write_bytes(b"12345")
    checked = check_media_file(str(path))
    assert (checked.name, checked.size, checked.kind, checked.shows_caption) == (name, 5, kind, captioned)
    with checked.open() as opened:
        assert b"".join(opened.pieces(2)) == b"12345"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "does not exist" in refusal(tmp_path / "nope.jpg").message


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert "is a directory" in refusal(tmp_path).message


def test_a_socket_is_not_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert "not a regular file" in refusal(path).message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(b"x")
    path.chmod(0)
    try:
        assert "not readable" in refusal(path).message
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("name", ["README", "archive.", ".bashrc"])
def test_a_name_without_an_extension_is_refused(tmp_path: Path, name: str) -> None:
    # SendFileByUpload: "fileName ... Must contain file extension."
    path = tmp_path / name
    path.write_bytes(b"x")
    error = refusal(path)
    assert "no extension" in error.message
    assert "Rename" in (error.hint or "")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.touch()
    assert "is empty" in refusal(path).message


def test_a_file_over_100_mb_is_refused_without_reading_it(tmp_path: Path) -> None:
    # "The maximum size of outgoing files is 100 MB." A sparse file: nothing is written or read.
    path = tmp_path / "big.mp4"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    error = refusal(path)
    assert "100.0 MB" in error.message and "up to 100 MB" in error.message


def test_a_file_of_exactly_100_mb_passes(tmp_path: Path) -> None:
    path = tmp_path / "edge.mp4"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES)
    assert check_media_file(str(path)).size == MAX_FILE_BYTES


def test_a_file_that_grew_past_the_limit_after_the_check_is_refused_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "growing.mp4"
    path.write_bytes(b"x")
    checked = check_media_file(str(path))
    with path.open("r+b") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(UsageError) as caught:
        checked.open()
    assert caught.value.code == "invalid_file" and "changed since it was checked" in caught.value.message


def test_a_pipe_put_in_the_file_s_place_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "swapped.jpg"
    path.write_bytes(b"x")
    checked = check_media_file(str(path))
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(UsageError, match="changed since it was checked"):
        checked.open()  # a blocking open would wait here for a writer that never comes


@pytest.mark.parametrize("change", [b"more", None], ids=["grows", "shrinks"])
def test_a_file_that_changes_size_while_it_is_sent_is_refused_before_its_last_piece(tmp_path: Path, change: bytes | None) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(b"a" * 10)
    sent = []
    with check_media_file(str(path)).open() as opened, pytest.raises(UsageError) as caught:
        for piece in opened.pieces(4):
            sent.append(piece)
            if len(sent) == 1:
                if change is None:
                    os.truncate(path, 6)
                else:
                    with path.open("ab") as handle:
                        handle.write(change)
    assert "changed size while it was being sent" in caught.value.message
    assert caught.value.exit_code == ExitCode.USAGE
    assert len(b"".join(sent)) < 10  # the last piece never went out: the upload stays incomplete


def test_pieces_start_from_the_beginning_each_time(tmp_path: Path) -> None:
    path = tmp_path / "twice.txt"
    path.write_bytes(b"0123456789")
    with check_media_file(str(path)).open() as opened:
        assert b"".join(opened.pieces(3)) == b"".join(opened.pieces(4)) == b"0123456789"


def test_sizes_read_as_people_say_them() -> None:
    assert [describe_size(n) for n in (1, 5, 2048, 3 * 1024 * 1024)] == ["1 byte", "5 bytes", "2.0 KB", "3.0 MB"]
