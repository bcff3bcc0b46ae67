"""Rendering: the run's Output, which writes lines, results, JSON documents, warnings and errors.

Results go to stdout; progress, warnings and human-mode errors go to stderr. On a terminal the
text is drawn with rich (colour, symbols); otherwise, and when NO_COLOR is set or TERM=dumb, it
is plain text, and rich is not even imported. With --json, stdout carries exactly one JSON
document. Every string passes through `safe()` on its way out, and rich draws `Text` objects
only, so no string is ever parsed as markup. Both streams keep such text from forming a GitHub
Actions workflow command on any line (workflow_commands.py); only `workflow_command()` writes
greencli's own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from greencli.cli.output import live as live_screens
from greencli.cli.output import wrapping
from greencli.cli.output.streams import GuardedStream, wants_rich
from greencli.cli.output.text_safety import PLAIN_PUNCTUATION, json_text, safe, visible
from greencli.errors import GreenCliError

if TYPE_CHECKING:
    from greencli.cli.output.live import Screen, Steps
    from greencli.flows.waiting import SpinnerText as SpinnerUpdate


class Styled(NamedTuple):
    text: str
    style: str


def styled(text: str, style: str) -> Styled:
    return Styled(text, style)


Part = str | Styled

SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "skip": "–"}
WORDS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}  # plain output: no symbols
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "dim"}


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
        self._guarded_stdout = GuardedStream(stdout or sys.stdout, report=True)
        self.stdout: IO[str] = self._guarded_stdout  # type: ignore[assignment]
        self.stderr: IO[str] = GuardedStream(stderr or sys.stderr, report=False)  # type: ignore[assignment]
        self.rich_out = wants_rich(self.stdout)
        self.rich_err = wants_rich(self.stderr)
        # Lines are fitted to the window only on a terminal: elsewhere (FORCE_COLOR into a pipe)
        # there is no window, and a line is written whole.
        self._on_terminal = {False: _isatty(self.stdout), True: _isatty(self.stderr)}
        self._consoles: dict[bool, Any] = {}
        self.active_spinner: SpinnerUpdate | None = None  # changes the turning spinner's text, if any

    # -- plumbing ---------------------------------------------------------------------------

    def console(self, err: bool) -> Any:
        """The rich console drawing on stderr (err) or stdout, made on first use."""
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

    def line(self, *parts: Part, err: bool = False, hang: str | None = None) -> None:
        """Write one line made of plain and styled parts. On a terminal it is cut at word
        boundaries to fit the window (output/wrapping.py), each further line starting with
        `hang` (by default, the line's own indentation)."""
        if self._is_rich(err):
            from rich.text import Text

            text = Text()
            for part in parts:
                if isinstance(part, Styled):
                    text.append(safe(part.text), style=part.style)
                else:
                    text.append(safe(part))
            console = self.console(err)
            for piece in _fitted(text, console.width, hang) if self._on_terminal[err] else [text]:
                console.print(piece)
        else:
            stream = self.stderr if err else self.stdout
            plain = safe("".join(p.text if isinstance(p, Styled) else p for p in parts)).translate(PLAIN_PUNCTUATION)
            encoding = getattr(stream, "encoding", None) or "utf-8"
            try:
                plain.encode(encoding)
            except (UnicodeEncodeError, LookupError):
                plain = plain.encode(encoding, "replace").decode(encoding, "replace")
            stream.write(plain + "\n")
            stream.flush()

    def reader_gone(self) -> bool:
        """Whether stdout's reader went away (`| head`): what is written from then on goes nowhere."""
        return self._guarded_stdout.gone

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
        self._guarded_stdout.write_command(safe(line))
        self.stdout.flush()

    def fields(self, rows: Sequence[tuple[str, Part]], err: bool = False) -> None:
        """A two-column list of labels and values."""
        width = max((len(label) for label, _ in rows), default=0)
        for label, value in rows:
            self.line(styled(f"{label + ':':<{width + 1}} ", "dim"), value, err=err, hang=" " * (width + 2))

    def table(self, rows: Sequence[Sequence[str]]) -> None:
        """Columns aligned two spaces apart; the first row is the header, in bold."""
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for index, row in enumerate(rows):
            text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            self.line(styled(text, "bold") if index == 0 else text)

    def status_line(self, status: str, *parts: Part, hint: str | None = None, err: bool = False) -> None:
        """An outcome: its symbol, the message, and under it what to do next."""
        prefix = f"{self.symbol(status)} "
        self.line(styled(prefix, STATUS_STYLE[status]), *parts, err=err, hang=self.indent)
        if hint and not self.quiet:
            self.line(styled(f"{self.indent}→ {hint}", "cyan"), err=err, hang=self.indent + "  ")

    def next_step(self, text: str) -> None:
        """What to do next, under an outcome (left out with --quiet)."""
        if not self.quiet:
            self.line(styled(f"{self.indent}→ {text}", "cyan"), hang=self.indent + "  ")

    # -- progress, warnings, errors (stderr) ------------------------------------------------

    def progress(self, message: str) -> None:
        """A progress note on stderr (quiet with --json: scripts read the document only)."""
        if not self.json_mode and not self.quiet:
            self.line(styled(message, "dim"), err=True)

    def warn(self, message: str, hint: str | None = None) -> None:
        self.line(styled("warning: ", "yellow bold"), message, err=True, hang=" " * len("warning: "))
        if hint:
            self.line(styled("hint: ", "cyan"), hint, err=True, hang=" " * len("hint: "))

    def error(self, error: GreenCliError) -> None:
        if self.json_mode:
            # A stream of JSON lines (webhooks listen) ends with its error as one more line.
            (self.json_line if self.json_lines else self.json_document)(error.to_json())
            return
        self.line(styled("error: ", "red bold"), error.message, err=True, hang=" " * len("error: "))
        if error.hint:
            self.line(styled("hint: ", "cyan"), error.hint, err=True, hang=" " * len("hint: "))

    def spinner(self, message: str) -> AbstractContextManager[SpinnerUpdate]:
        """A spinner on stderr when it is a terminal; elsewhere one line, then quiet updates.

        Yields a function that changes the spinner's text (and, with `left`, starts a
        countdown of the seconds left, which ticks by itself).
        """
        return live_screens.spinner(self, message)

    def pause_note(self, message: str) -> None:
        """A pause greencli is making (a retry, a Retry-After wait): on the spinner while one
        turns, otherwise as a progress line, so a wait is never silent."""
        if self.active_spinner is not None:
            self.active_spinner(message)
        else:
            self.progress(message)

    def steps(self) -> AbstractContextManager[Steps]:
        """Results printed one by one while a spinner on stderr names the step under way.

        The spinner is drawn only when stderr is a terminal (and not with --json or --quiet);
        it is cleared while a result is printed, so the two never mix on the screen.
        """
        return live_screens.steps(self)

    def wrap(self, text: str, indent: str) -> list[str]:
        """`text` cut at word boundaries to fit after `indent` on a terminal (whole elsewhere)."""
        if not self.rich_out:
            return [text]
        from rich.cells import cell_len

        return wrapping.wrap(text, max(20, self.width - cell_len(indent)), cells=cell_len)

    def fitted(self, text: str, err: bool = False) -> list[str]:
        """`text` as the lines it takes on the terminal (whole when not drawing on one)."""
        if not self._is_rich(err) or not self._on_terminal[err]:
            return [text]
        from rich.cells import cell_len

        return wrapping.wrap(text, self.console(err).width, cells=cell_len)

    @property
    def width(self) -> int:
        """The terminal's width in columns now (it can change between two calls)."""
        width: int = self.console(err=False).width
        return width

    def terminal_size(self) -> tuple[int, int]:
        """The window's (columns, lines) now: it can change between two calls."""
        size = self.console(err=False).size
        return size.width, size.height

    def screen(self) -> AbstractContextManager[Screen]:
        """Draw full-screen in the terminal's alternate screen, as full-screen programs do.

        `show(block)` replaces the whole screen in place (nothing reaches the scrollback); on
        leaving, the terminal shows what it showed before, so whatever is printed next is the
        last thing on screen. Only for a terminal on stdout.
        """
        return live_screens.screen(self)

    def live(self) -> AbstractContextManager[Callable[[str], None]]:
        """Redraw a block of text in place on a terminal; elsewhere print each new block."""
        return live_screens.redrawn(self)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _fitted(text: Any, width: int, hang: str | None) -> list[Any]:
    """A rich Text as the lines it takes in `width` columns: cut between the pieces
    output/wrapping.py allows, each further line indented by `hang`."""
    from rich.cells import cell_len
    from rich.text import Text

    plain = text.plain
    if "\n" in plain or cell_len(plain) <= width:
        return [text]
    if hang is None:
        hang = plain[: len(plain) - len(plain.lstrip(" "))]
    if cell_len(hang) > width // 2:  # a deep indent would leave no room: start at the margin
        hang = ""
    offsets = wrapping.break_points(plain, width - cell_len(hang), first_width=width, cells=cell_len)
    lines = text.divide(offsets)
    fitted = []
    for number, line in enumerate(lines):
        line.rstrip()
        fitted.append(line if number == 0 else Text(hang) + line)
    return fitted
