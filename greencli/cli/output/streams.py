"""The streams: stdout and stderr that survive a reader going away or a full disk, on which no
text from outside forms a GitHub Actions workflow command (workflow_commands.py), and whether
each is drawn on with rich (a terminal) or written as plain text."""

from __future__ import annotations

import os
from typing import IO, Any


class GuardedStream:
    """A stream whose reader may go away (`greencli doctor | head -1`) or that may fail
    (`> /dev/full`).

    A reader that went away is the usual end of a pipeline, not an error: from then on the
    stream is written to the null device (Python's "Note on SIGPIPE"), so the command ends
    quietly with the exit code it would have had. Any other failure of stdout raises
    OutputFailed, which the boundary reports as one line on stderr (exit 74); a failing
    stderr is dropped, having nowhere to be reported.
    """

    def __init__(self, stream: IO[str], report: bool) -> None:
        from greencli.cli.workflow_commands import RunnerSafeLines

        self._stream = stream
        self._report = report
        self._gone = False
        self._lines = RunnerSafeLines()  # no text from outside forms a CI runner's command

    def write(self, text: str) -> int:
        self._write(self._lines.feed(text))
        return len(text)

    def write_json(self, text: str) -> None:
        """JSON text: a would-be workflow command is broken by an escape, so the data is unchanged."""
        self._write(self._lines.feed(text, json=True))

    def write_command(self, line: str) -> None:
        """One of greencli's own workflow commands, whole, on a line of its own."""
        self._write(self._lines.command_line(line))

    def _write(self, text: str) -> None:
        if not self._gone:
            try:
                self._stream.write(text)
            except OSError as error:
                self._failed(error)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except OSError as error:
                self._failed(error)

    @property
    def gone(self) -> bool:
        """Whether the reader went away (a write met EPIPE): nothing written since reached it."""
        return self._gone

    def _failed(self, error: OSError) -> None:
        import errno

        self._gone = True
        try:  # what is still buffered goes nowhere, also when Python flushes at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass
        if self._report and error.errno != errno.EPIPE:
            from greencli.errors import OutputFailed

            raise OutputFailed(f"could not write the output to stdout: {error.strerror or error} (exit 74).") from None

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno… of the real stream
        return getattr(self._stream, name)


def wants_rich(stream: IO[str]) -> bool:
    """Draw with rich (colour, symbols, spinners): a terminal, unless NO_COLOR or TERM=dumb say
    otherwise; FORCE_COLOR draws on anything."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False




def write_to_stdout(text: str) -> None:
    """Write our own text (the help, the version) to stdout, as every result is written: a
    reader that went away ends the run quietly, any other failure is OutputFailed (exit 74)."""
    import sys

    stream = GuardedStream(sys.stdout, report=True)
    stream.write(text)
    stream.flush()
