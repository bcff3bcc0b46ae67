"""Live screens: what is redrawn in place on a terminal (spinners, steps under way, a block
redrawn as it changes, a full screen) and what stands in for each elsewhere.

Every function takes the run's Output and draws on its consoles; `Output.spinner()`,
`.steps()`, `.live()` and `.screen()` are the way in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from greencli.cli.output.text_safety import safe
from greencli.redaction import redact

if TYPE_CHECKING:
    from greencli.cli.output.rendering import Output


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


@contextmanager
def spinner(out: Output, message: str) -> Iterator[Callable[[str], None]]:
    """See Output.spinner()."""
    if out.quiet:
        yield lambda text: None
    elif out.rich_err and not out.json_mode:
        from rich.text import Text

        # A Text, never a str: rich parses a str status as markup ("[/x]" is an error,
        # "[link=…]" a link).
        with out.console(err=True).status(Text(safe(message), style="dim")) as status:
            out.active_spinner = lambda text: status.update(Text(safe(text), style="dim"))
            try:
                yield out.active_spinner
            finally:
                out.active_spinner = None
    else:
        out.progress(message)
        yield lambda text: None


@contextmanager
def steps(out: Output) -> Iterator[Steps]:
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
def screen(out: Output) -> Iterator[Screen]:
    """See Output.screen()."""
    from rich.live import Live
    from rich.text import Text

    live = Live(Text(""), console=out.console(err=False), screen=True, auto_refresh=False, transient=True,
                redirect_stdout=False, redirect_stderr=False)
    with live:
        yield Screen(live)


@contextmanager
def redrawn(out: Output) -> Iterator[Callable[[str], None]]:
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
