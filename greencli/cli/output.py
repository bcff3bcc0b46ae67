"""The one output layer.

Results go to stdout; progress, warnings and human-mode errors go to stderr. On a terminal the
text is drawn with rich (colour, symbols, spinners); otherwise, and when NO_COLOR is set or
TERM=dumb, it is plain text, and rich is not even imported. With --json, stdout carries exactly
one JSON document. Every string passes through `redact()` and then `visible()` on its way out:
text from the network or a notification can hold terminal controls, and it is shown, never
interpreted. Rich draws `Text` objects only, so no string is ever parsed as markup. Both streams
keep such text from forming a GitHub Actions workflow command on any line (workflow_commands.py);
only `workflow_command()` writes greencli's own.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, NamedTuple

from greencli.errors import GreenCliError
from greencli.redaction import redact

# Characters a terminal (or a reader) may act on instead of showing: C0 controls (ESC starts
# colour, title, clipboard and link sequences), DEL, C1 controls (U+009B is a one-byte CSI on
# some terminals), lone surrogates (unwritable), and invisible format characters that reorder
# or hide text: bidi embeddings, overrides and isolates, zero-width and other invisible
# characters, line and paragraph separators, tag characters. Joiners (U+200C, U+200D) and
# variation selectors stay: scripts and emoji need them, and they move nothing.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb"
    "\ud800-\udfff\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_UNSAFE_BUT_NEWLINE = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))
# json.dumps escapes C0 inside strings itself; the rest of _UNSAFE it leaves raw.
_JSON_RAW = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", ""))


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match.group(0)
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: object, keep_newlines: bool = False) -> str:
    """`text` with every control, C1, bidi or invisible format character written as a visible
    escape (`\\x1b`, `\\u202e`): what a server sends is shown, never acted on."""
    return (_UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE).sub(_escape, str(text))


def safe(text: object, keep_newlines: bool = False) -> str:
    """Redacted, then visible: the form of any text greencli writes to a terminal."""
    return visible(redact(text), keep_newlines)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells characters beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: Any, **options: Any) -> str:
    """A JSON document, redacted, with the characters json.dumps leaves raw under
    ensure_ascii=False (DEL, C1, bidi and other invisible ones) escaped as \\uXXXX. They can
    appear only inside strings, so the escaped text decodes to the same data."""
    return _JSON_RAW.sub(_json_escape, redact(json.dumps(data, ensure_ascii=False, **options)))


class _Guarded:
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


class Styled(NamedTuple):
    text: str
    style: str


def styled(text: str, style: str) -> Styled:
    return Styled(text, style)


Part = str | Styled

SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "skip": "–"}
WORDS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}  # plain output: no symbols
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "dim"}
# Plain output is plain ASCII punctuation: arrows, dashes and ellipses spelled out.
_PLAIN = str.maketrans({"→": "->", "—": "-", "–": "-", "…": "...", "⋮": "Menu"})


def _wants_rich(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Steps:
    """See Output.steps()."""

    def __init__(self, status: Any) -> None:
        self._status = status
        self._running = False

    @property
    def live(self) -> bool:
        """Whether steps are drawn on a spinner (a terminal), rather than not at all."""
        return self._status is not None

    def working(self, text: str) -> None:
        """Name the step under way ("" when none is)."""
        if self._status is None:
            return
        if text:
            from rich.text import Text

            self._status.update(Text(safe(text)))  # a Text: a str would be parsed as markup
            if not self._running:
                self._status.start()
                self._running = True
        elif self._running:
            self._status.stop()
            self._running = False

    def done(self, render: Callable[[], None]) -> None:
        """Print a finished step's result (the spinner steps aside meanwhile)."""
        running = self._running
        if running:
            self._status.stop()
        render()
        if running:
            self._status.start()


class Screen:
    """See Output.screen()."""

    def __init__(self, live: Any) -> None:
        self._live = live

    def show(self, block: str) -> None:
        from rich.text import Text

        self._live.update(Text(safe(block, keep_newlines=True), no_wrap=True, overflow="crop"), refresh=True)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Back on the normal screen meanwhile (to ask a question), then full-screen again."""
        self._live.stop()
        try:
            yield
        finally:
            self._live.start(refresh=True)


class Output:
    def __init__(
        self,
        json_mode: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        quiet: bool = False,
    ) -> None:
        self.json_mode = json_mode
        self.quiet = quiet  # --quiet: results, warnings and errors only; no progress, hints or next steps
        self.json_lines = False  # set by commands that print one JSON object per line
        self._guarded_stdout = _Guarded(stdout or sys.stdout, report=True)
        self.stdout: IO[str] = self._guarded_stdout  # type: ignore[assignment]
        self.stderr: IO[str] = _Guarded(stderr or sys.stderr, report=False)  # type: ignore[assignment]
        self.rich_out = _wants_rich(self.stdout)
        self.rich_err = _wants_rich(self.stderr)
        self._consoles: dict[bool, Any] = {}
        self._spinner_text: Callable[[str], None] | None = None  # the active spinner's, if any

    # -- plumbing ---------------------------------------------------------------------------

    def _console(self, err: bool) -> Any:
        console = self._consoles.get(err)
        if console is None:
            from rich.console import Console

            console = Console(
                file=self.stderr if err else self.stdout,
                highlight=False,
                soft_wrap=True,
                force_terminal=True,
            )
            self._consoles[err] = console
        return console

    def _is_rich(self, err: bool) -> bool:
        return self.rich_err if err else self.rich_out

    @property
    def indent(self) -> str:
        """The width of a status symbol and its space: lines under an outcome start here."""
        return " " * (len(self.symbol("pass")) + 1)

    def symbol(self, status: str) -> str:
        """✓ ! ✗ – on a terminal; ok / warn / FAIL / skip in plain output."""
        return SYMBOLS[status] if self.rich_out else WORDS[status]

    def line(self, *parts: Part, err: bool = False) -> None:
        """Write one line made of plain and styled parts."""
        if self._is_rich(err):
            from rich.text import Text

            text = Text()
            for part in parts:
                if isinstance(part, Styled):
                    text.append(safe(part.text), style=part.style)
                else:
                    text.append(safe(part))
            self._console(err).print(text)
        else:
            stream = self.stderr if err else self.stdout
            text = safe("".join(p.text if isinstance(p, Styled) else p for p in parts)).translate(_PLAIN)
            encoding = getattr(stream, "encoding", None) or "utf-8"
            try:
                text.encode(encoding)
            except (UnicodeEncodeError, LookupError):
                text = text.encode(encoding, "replace").decode(encoding, "replace")
            stream.write(text + "\n")
            stream.flush()

    def blank(self, err: bool = False) -> None:
        self.line("", err=err)

    def raw(self, text: str, err: bool = False) -> None:
        """Write text unredacted, line breaks included (drawings; the sandbox's export lines,
        whose token is meant to be shown), still with every control character visible."""
        stream = self.stderr if err else self.stdout
        stream.write(visible(text, keep_newlines=True))
        stream.flush()

    # -- results ----------------------------------------------------------------------------

    def result(self, data: dict[str, Any], render: Callable[[], None]) -> None:
        """Emit a command's result: the JSON document, or the human rendering."""
        if self.json_mode:
            self.json_document(data)
        else:
            render()

    def json_document(self, data: Any) -> None:
        self._guarded_stdout.write_json(json_text(data, indent=2) + "\n")
        self.stdout.flush()

    def json_line(self, data: Any) -> None:
        self._guarded_stdout.write_json(json_text(data, separators=(",", ":")) + "\n")
        self.stdout.flush()

    def workflow_command(self, line: str) -> None:
        """greencli's own GitHub Actions workflow command (`::error title=…::…`), built with
        its message escaped (greencli.cli.reports.github): written whole, on its own line."""
        self._guarded_stdout.write_command(visible(redact(line)))
        self.stdout.flush()

    def fields(self, rows: Sequence[tuple[str, Part]], err: bool = False) -> None:
        """A two-column list of labels and values."""
        width = max((len(label) for label, _ in rows), default=0)
        for label, value in rows:
            self.line(styled(f"{label + ':':<{width + 1}} ", "dim"), value, err=err)

    def table(self, rows: Sequence[Sequence[str]]) -> None:
        """Columns aligned two spaces apart; the first row is the header, in bold."""
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for index, row in enumerate(rows):
            text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            self.line(styled(text, "bold") if index == 0 else text)

    def status_line(self, status: str, *parts: Part, hint: str | None = None, err: bool = False) -> None:
        """An outcome: its symbol, the message, and under it what to do next."""
        prefix = f"{self.symbol(status)} "
        self.line(styled(prefix, STATUS_STYLE[status]), *parts, err=err)
        if hint and not self.quiet:
            self.line(styled(f"{self.indent}→ {hint}", "cyan"), err=err)

    def next_step(self, text: str) -> None:
        """What to do next, under an outcome (left out with --quiet)."""
        if not self.quiet:
            self.line(styled(f"{self.indent}→ {text}", "cyan"))

    # -- progress, warnings, errors (stderr) ------------------------------------------------

    def progress(self, message: str) -> None:
        """A progress note on stderr (quiet with --json: scripts read the document only)."""
        if not self.json_mode and not self.quiet:
            self.line(styled(message, "dim"), err=True)

    def warn(self, message: str, hint: str | None = None) -> None:
        self.line(styled("warning: ", "yellow bold"), message, err=True)
        if hint:
            self.line(styled("hint: ", "cyan"), hint, err=True)

    def error(self, error: GreenCliError) -> None:
        if self.json_mode:
            # A stream of JSON lines (webhooks listen) ends with its error as one more line.
            (self.json_line if self.json_lines else self.json_document)(error.to_json())
            return
        self.line(styled("error: ", "red bold"), error.message, err=True)
        if error.hint:
            self.line(styled("hint: ", "cyan"), error.hint, err=True)

    @contextmanager
    def spinner(self, message: str) -> Iterator[Callable[[str], None]]:
        """A spinner on stderr when it is a terminal; elsewhere one line, then quiet updates.

        Yields a function that changes the spinner's text.
        """
        if self.quiet:
            yield lambda text: None
        elif self.rich_err and not self.json_mode:
            from rich.text import Text

            # A Text, never a str: rich parses a str status as markup ("[/x]" is an error,
            # "[link=…]" a link).
            with self._console(True).status(Text(safe(message), style="dim")) as status:
                self._spinner_text = lambda text: status.update(Text(safe(text), style="dim"))
                try:
                    yield self._spinner_text
                finally:
                    self._spinner_text = None
        else:
            self.progress(message)
            yield lambda text: None

    def pause_note(self, message: str) -> None:
        """A pause greencli is making (a retry, a Retry-After wait): on the spinner while one
        turns, otherwise as a progress line, so a wait is never silent."""
        if self._spinner_text is not None:
            self._spinner_text(message)
        else:
            self.progress(message)

    @contextmanager
    def steps(self) -> Iterator[Steps]:
        """Results printed one by one while a spinner on stderr names the step under way.

        The spinner is drawn only when stderr is a terminal (and not with --json or --quiet);
        it is cleared while a result is printed, so the two never mix on the screen.
        """
        status = None
        if self.rich_err and not self.json_mode and not self.quiet:
            status = self._console(True).status("")
        steps = Steps(status)
        try:
            yield steps
        finally:
            steps.working("")

    def wrap(self, text: str, indent: str) -> list[str]:
        """`text` cut at word boundaries to fit after `indent` on a terminal (whole elsewhere)."""
        if not self.rich_out:
            return [text]
        import textwrap

        width = max(20, self._console(False).width - len(indent))
        return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]

    def terminal_size(self) -> tuple[int, int]:
        """The window's (columns, lines) now: it can change between two calls."""
        size = self._console(False).size
        return size.width, size.height

    @contextmanager
    def screen(self) -> Iterator[Screen]:
        """Draw full-screen in the terminal's alternate screen, as full-screen programs do.

        `show(block)` replaces the whole screen in place (nothing reaches the scrollback); on
        leaving, the terminal shows what it showed before, so whatever is printed next is the
        last thing on screen. Only for a terminal on stdout.
        """
        from rich.live import Live
        from rich.text import Text

        live = Live(Text(""), console=self._console(False), screen=True, auto_refresh=False, transient=True,
                    redirect_stdout=False, redirect_stderr=False)
        with live:
            yield Screen(live)

    @contextmanager
    def live(self) -> Iterator[Callable[[str], None]]:
        """Redraw a block of text in place on a terminal; elsewhere print each new block."""
        if self.rich_out:
            from rich.live import Live
            from rich.text import Text

            # "visible": a block taller than the terminal (a QR code in a small window) is shown
            # whole rather than cut to an ellipsis, which would make the code unreadable.
            with Live(Text(""), console=self._console(False), auto_refresh=False, transient=False, vertical_overflow="visible") as live:
                yield lambda block: live.update(Text(safe(block, keep_newlines=True)), refresh=True)
        else:
            yield lambda block: self.raw(redact(block) + ("" if block.endswith("\n") else "\n"))
