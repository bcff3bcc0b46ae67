"""Units behind the hostile-input defences: strict JSON, QR size checks, the listener lock,
summaries that never fail."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from greencli.config.listener_lock import ListenerLock, ListenerRunning, lock_path
from greencli.greenapi import qr_image
from greencli.greenapi.notification_summary import one_line
from greencli.greenapi.strict_json import MAX_DEPTH, UnusableJson, parse_json


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', "[-Infinity]", "1e999", '{"t": -1e400}'])
def test_non_finite_numbers_are_refused(text: str) -> None:
    with pytest.raises(UnusableJson):
        parse_json(text)


def test_non_finite_numbers_become_null_when_lenient() -> None:
    assert parse_json('{"a": NaN, "b": 1e999, "c": 1.5, "d": [Infinity]}', lenient_numbers=True) == {
        "a": None, "b": None, "c": 1.5, "d": [None]
    }


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(UnusableJson, match="nested"):
        parse_json("[" * depth + "]" * depth)
    with pytest.raises(ValueError):
        parse_json("[" * depth)


def test_ordinary_json_passes() -> None:
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(nested) is not None
    assert parse_json('{"stateInstance": "authorized", "n": 1}') == {"stateInstance": "authorized", "n": 1}


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


def test_a_second_listener_lock_is_refused_and_names_the_pid(tmp_path, monkeypatch) -> None:
    import os

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = lock_path("https://api.green-api.com", "1101000001")
    assert path.parent == tmp_path / "greencli"
    first = ListenerLock(path).acquire()
    with pytest.raises(ListenerRunning) as running:
        ListenerLock(path).acquire()
    assert running.value.pid == os.getpid()
    first.release()
    ListenerLock(path).acquire().release()  # free again once released
    # Another host or instance is another lock.
    assert lock_path("http://127.0.0.1:8080", "1101000001") != path


@pytest.mark.parametrize(
    "body",
    [
        {"typeWebhook": "incomingMessageReceived", "timestamp": 1e300},
        {"typeWebhook": "incomingMessageReceived", "timestamp": None, "senderData": 5},
        {"typeWebhook": {"nested": True}, "messageData": []},
        ["not", "an", "object"],
        "text",
        None,
    ],
)
def test_one_line_never_fails(body: object) -> None:
    line = one_line(body)  # type: ignore[arg-type]
    assert isinstance(line, str) and line


def test_one_line_shows_an_unsummarisable_notification_raw() -> None:
    assert one_line(["x", 1]) == "(a notification greencli cannot summarise) " + json.dumps(["x", 1], separators=(",", ":"))


class _Odd(BaseException):
    """Neither an Exception nor KeyboardInterrupt: still only one check's failure."""


@pytest.mark.parametrize("raised", [RecursionError("deep"), _Odd("odd"), SystemExit(3), ValueError("v")])
def test_a_broken_doctor_check_or_call_fails_alone(raised: BaseException) -> None:
    from greencli.doctor.answers import fetch
    from greencli.doctor.runner import guarded

    def broken():  # noqa: ANN202
        raise raised

    result = guarded(broken)
    assert result.status == "fail" and type(raised).__name__ in result.message
    fetched = fetch(broken)
    assert fetched.error is not None and fetched.error.code == "internal_error"


def test_ctrl_c_still_stops_doctor() -> None:
    from greencli.doctor.answers import fetch
    from greencli.doctor.runner import guarded

    def interrupted():  # noqa: ANN202
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        guarded(interrupted)
    with pytest.raises(KeyboardInterrupt):
        fetch(interrupted)
