"""StdoutReader tells whether the program reading a pipe took what was written, or left."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from greencli.cli.stdout_reader import StdoutReader
from greencli.errors import ReaderGone


class Pipe:
    def __init__(self) -> None:
        self.reader, self.writer = os.pipe()
        self.stream = os.fdopen(self.writer, "w")

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def close_reader(self) -> None:
        os.close(self.reader)
        self.reader = -1


@pytest.fixture
def pipe() -> Iterator[Pipe]:
    made = Pipe()
    yield made
    if made.reader >= 0:
        os.close(made.reader)
    made.stream.close()


def test_a_line_the_reader_took_was_delivered(pipe: Pipe) -> None:
    watch = StdoutReader(pipe.stream)
    assert watch.watched
    pipe.write("one\n")
    taker = threading.Thread(target=os.read, args=(pipe.reader, 100))
    taker.start()
    assert watch.took_everything()
    taker.join()
    assert not watch.gone()


def test_a_line_left_in_the_pipe_by_a_reader_that_closed_was_not(pipe: Pipe) -> None:
    watch = StdoutReader(pipe.stream)
    pipe.write("one\n")
    pipe.close_reader()
    assert watch.gone()
    assert not watch.took_everything()


def test_a_reader_that_took_the_line_then_left_got_it(pipe: Pipe) -> None:
    watch = StdoutReader(pipe.stream)
    pipe.write("one\n")
    os.read(pipe.reader, 100)
    pipe.close_reader()
    assert watch.took_everything()


def test_run_gives_the_calls_outcome(pipe: Pipe) -> None:
    watch = StdoutReader(pipe.stream)
    assert watch.run(lambda: 42) == 42

    def fails() -> None:
        raise ValueError("its own error")

    with pytest.raises(ValueError, match="its own error"):
        watch.run(fails)


def test_run_keeps_the_runs_secrets_out_of_what_its_thread_says(pipe: Pipe) -> None:
    from greencli.redaction import redact, register

    secret = "s3cret-token-of-this-run"
    register(secret)
    said = StdoutReader(pipe.stream).run(lambda: redact(f"GET /waInstance1/receiveNotification/x failed: {secret}"))
    assert secret not in said


def test_run_ends_as_soon_as_the_reader_leaves(pipe: Pipe) -> None:
    watch = StdoutReader(pipe.stream)
    release = threading.Event()
    started = threading.Event()

    def long_poll() -> str:
        started.set()
        release.wait()  # a receive that would wait for the next notification
        return "a notification nobody would read"

    closer = threading.Thread(target=lambda: (started.wait(), pipe.close_reader()))
    closer.start()
    try:
        with pytest.raises(ReaderGone):
            watch.run(long_poll)
    finally:
        release.set()
        closer.join()


def test_run_starts_nothing_once_the_reader_has_left(pipe: Pipe) -> None:
    watch = StdoutReader(pipe.stream)
    pipe.close_reader()
    calls: list[str] = []
    with pytest.raises(ReaderGone):
        watch.run(lambda: calls.append("forwarded"))
    assert calls == []


def test_files_and_buffers_are_not_watched(tmp_path) -> None:
    import io

    with open(tmp_path / "out.txt", "w") as file:
        watch = StdoutReader(file)
        assert not watch.watched and watch.took_everything() and not watch.gone()
        assert watch.run(lambda: "direct") == "direct"
    assert not StdoutReader(io.StringIO()).watched
