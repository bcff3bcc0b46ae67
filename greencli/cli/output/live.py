"""Live screens: what is redrawn in place on a terminal (spinners, steps under way, a block
redrawn as it changes, a full screen) and what stands in for each elsewhere.

Every function takes the run's Output and draws on its consoles; `Output.spinner()`,
`.steps()`, `.live()` and `.screen()` are the way in. What they need of it is `Consoles`, so
this module does not import rendering.py, which imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from greencli.cli.output import wrapping
from greencli.cli.output.text_safety import safe
from greencli.redaction import redact

if TYPE_CHECKING:
    from greencli.flows.waiting import SpinnerText as SpinnerUpdate


class Consoles(Protocol):
    """The run's Output (greencli.cli.output.rendering) as the live screens use it."""

    quiet: bool
    json_mode: bool
    rich_out: bool
    rich_err: bool
    active_spinner: SpinnerUpdate | None

    def console(self, err: bool) -> Any: ...

    def progress(self, message: str) -> None: ...

    def raw(self, text: str, err: bool = False) -> None: ...


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
            self._status.update(SpinnerText(text, style=""))  # never a str: it would be parsed as markup
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


class SpinnerText:
    """What a spinner says, drawn afresh at each of its refreshes: a countdown ("(12 s left)")
    ticks by itself between two updates, and the text is cut at word boundaries to the window
    (output/wrapping.py) rather than cut off at its edge."""

    def __init__(self, text: str, style: str = "dim") -> None:
        self.style = style
        self.say(text)

    def say(self, text: str, left: float | None = None) -> None:
        import time

        self.text = safe(text)
        self.deadline = None if left is None else time.monotonic() + left

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        import math
        import time

        from rich.cells import cell_len
        from rich.text import Text

        text = self.text
        if self.deadline is not None:
            text += f" ({max(0, math.ceil(self.deadline - time.monotonic()))} s left)"
        yield Text("\n".join(wrapping.wrap(text, max(10, options.max_width), cells=cell_len)), style=self.style)


@contextmanager
def spinner(out: Consoles, message: str) -> Iterator[SpinnerUpdate]:
    """See Output.spinner()."""
    if out.quiet:
        yield _say_nothing
    elif out.rich_err and not out.json_mode:
        shown = SpinnerText(message)
        with out.console(err=True).status(shown) as status:

            def say(text: str, left: float | None = None) -> None:
                shown.say(text, left)
                status.update(shown)

            out.active_spinner = say
            try:
                yield say
            finally:
                out.active_spinner = None
    else:
        out.progress(message)
        yield _say_nothing


def _say_nothing(text: str, left: float | None = None) -> None:
    return None


@contextmanager
def steps(out: Consoles) -> Iterator[Steps]:
    """See Output.steps()."""
    status = None
    if out.rich_err and not out.json_mode and not out.quiet:
        status = out.console(err=True).status("")
    steps = Steps(status)
    try:
        yield steps
    finally:
        steps.working("")


@contextmanager
def screen(out: Consoles) -> Iterator[Screen]:
    """See Output.screen()."""
    from rich.live import Live
    from rich.text import Text

    live = Live(Text(""), console=out.console(err=False), screen=True, auto_refresh=False, transient=True,
                redirect_stdout=False, redirect_stderr=False)
    with live:
        try:
            yield Screen(live)
        finally:
            # Blank before leaving: a terminal that carries rows of the alternate screen over to
            # the normal one when the window grew meanwhile (tmux does) carries blank rows.
            live.update(Text(""), refresh=True)


@contextmanager
def redrawn(out: Consoles) -> Iterator[Callable[[str], None]]:
    """See Output.live()."""
    if out.rich_out:
        from rich.live import Live
        from rich.text import Text

        # "visible": a block taller than the terminal (a QR code in a small window) is shown
        # whole rather than cut to an ellipsis, which would make the code unreadable.
        with Live(Text(""), console=out.console(err=False), auto_refresh=False, transient=False, vertical_overflow="visible") as live:
            yield lambda block: live.update(Text(safe(block, keep_newlines=True)), refresh=True)
    else:
        yield lambda block: out.raw(redact(block) + ("" if block.endswith("\n") else "\n"))
