"""Whether the program reading greencli's stdout is still there, and has taken what it got.

`greencli webhooks listen --count 5 | head -2` may delete only what head took. A write into a
pipe succeeds as soon as the bytes are in the pipe's buffer, before the reader takes them, or
even if it never will; so after a notification is written, listen waits until the pipe is
empty again (the reader took it) or the reader has closed its end (it never will). While
listen waits for the next notification, the reader closing its end ends the wait at once
(`| head -1` returns without waiting for another notification), without any extra API call.

Only pipes and sockets are watched: a file or a terminal has taken whatever was written.
Where poll() is missing (Windows), nothing is watched and a write that succeeded counts.
"""

from __future__ import annotations

import os
import select
import stat
import struct
import threading
from collections.abc import Callable
from typing import IO, Any, TypeVar

from greencli.errors import ReaderGone
from greencli.redaction import in_this_run

T = TypeVar("T")

_LEFT = getattr(select, "POLLERR", 0) | getattr(select, "POLLHUP", 0)  # the reading end is closed
_LONGEST_PAUSE = 0.05  # between looks at a pipe whose reader has not emptied it yet


class StdoutReader:
    def __init__(self, stream: IO[Any]) -> None:
        self._fd: int | None = None
        self._pipe = False
        try:
            fd = stream.fileno()
            mode = os.fstat(fd).st_mode
        except (OSError, ValueError, AttributeError):  # not a real file (a test's buffer)
            return
        if hasattr(select, "poll") and (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            self._fd = fd
            self._pipe = stat.S_ISFIFO(mode)

    @property
    def watched(self) -> bool:
        return self._fd is not None

    def gone(self) -> bool:
        """Whether the reader has closed its end (nothing written from now on reaches it)."""
        return self._fd is not None and bool(self._poll(0) & _LEFT)

    def took_everything(self) -> bool:
        """After a flushed write: True once the reader has taken every byte from the pipe,
        False when it closed its end first. Waits for a reader that is merely slow."""
        if self._fd is None:
            return True
        if not self._pipe:
            return not self.gone()  # a socket's peer may still be reading what it was sent
        pause = 0.001
        while self._unread() > 0:
            if self._poll(pause) & _LEFT:
                return self._unread() == 0
            pause = min(pause * 2, _LONGEST_PAUSE)
        return True

    def run(self, call: Callable[[], T]) -> T:
        """`call()`, or ReaderGone as soon as the reader leaves while it runs.

        The call runs in a helper thread, which is abandoned if the reader leaves: a receive
        or a forward then ends with the process, and what it was about is not deleted.
        """
        if self._fd is None:
            return call()
        if self.gone():
            raise ReaderGone
        in_the_run = in_this_run(call)  # the thread keeps the run's secrets out of its messages
        outcome: list[tuple[bool, Any]] = []
        done_reader, done_writer = os.pipe()

        def work() -> None:
            try:
                outcome.append((True, in_the_run()))
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                outcome.append((False, error))
            finally:
                try:
                    os.write(done_writer, b"!")
                except OSError:
                    pass  # abandoned: nobody waits any more

        thread = threading.Thread(target=work, name="greencli-listen", daemon=True)
        thread.start()
        poller = select.poll()
        poller.register(self._fd, 0)  # ERR and HUP are always reported
        poller.register(done_reader, select.POLLIN)
        try:
            while not outcome:
                events = dict(poller.poll())
                if done_reader in events:
                    break
                if events.get(self._fd, 0) & _LEFT:
                    raise ReaderGone
        finally:
            os.close(done_reader)
        thread.join()
        os.close(done_writer)
        finished, value = outcome[0]
        if finished:
            return value  # type: ignore[no-any-return]
        raise value

    def _poll(self, seconds: float) -> int:
        assert self._fd is not None
        poller = select.poll()
        poller.register(self._fd, 0)
        return sum(events for _, events in poller.poll(int(seconds * 1000)))

    def _unread(self) -> int:
        """Bytes still in the pipe (FIONREAD); 0 where the system cannot tell."""
        assert self._fd is not None
        try:
            import fcntl
            import termios

            answer = fcntl.ioctl(self._fd, termios.FIONREAD, b"\0\0\0\0")
        except (ImportError, OSError):
            return 0
        return int(struct.unpack("i", answer)[0])
