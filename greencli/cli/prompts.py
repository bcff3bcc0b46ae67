"""Questions asked at the terminal, on stderr (stdout carries the results), cut at word
boundaries to fit the window like every other line (output/wrapping.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from greencli.cli.output import Output


def can_prompt() -> bool:
    """Whether greencli may ask the user something: a terminal on stdin, and not in CI."""
    if os.environ.get("CI"):
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _fitted(out: Output, question: str, suffix: str, err: bool = True) -> str:
    """`question` with line breaks where the window needs them, leaving room for the suffix
    the prompt adds (" [Y/n]: ")."""
    lines = out.fitted(question + suffix.rstrip(), err=err)
    last = lines[-1]
    # The prompt adds the suffix itself: take it off again (alone on the last line, it leaves
    # that line empty, so the suffix starts the next one).
    lines[-1] = last[: len(last) - len(suffix.rstrip())].rstrip() if last.endswith(suffix.rstrip()) else last
    return "\n".join(lines)


def confirm(out: Output, question: str, default: bool) -> bool:
    """A yes-or-no question; Enter takes `default`."""
    import typer

    return typer.confirm(_fitted(out, question, " [Y/n]: " if default else " [y/N]: "), default=default, err=True)


def ask(
    out: Output,
    question: str,
    default: str | None = None,
    hide_input: bool = False,
    show_default: bool = True,
    err: bool = True,
) -> str:
    """A question answered with a line of text (hidden as it is typed with `hide_input`)."""
    import typer

    shown_default = f" [{default}]" if default and show_default else ""
    answer: str = typer.prompt(
        _fitted(out, question, f"{shown_default}: ", err), default=default, hide_input=hide_input, show_default=show_default, err=err
    )
    return answer


def ask_unless(out: Output, question: str, stop: Callable[[], bool], every: float = 1.0) -> str | None:
    """A question answered with a line of text on stdout's terminal, while `stop()` is asked
    every `every` seconds: None as soon as it says True (the answer is no longer needed)."""
    try:
        import select

        select.select([sys.stdin], [], [], 0)
    except (ImportError, OSError, ValueError):  # no select() on this stdin (Windows): just ask
        return ask(out, question, default="", show_default=False, err=False)
    out.stdout.write(_fitted(out, question, ": ", err=False) + ": ")
    out.stdout.flush()
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], every)
        if readable:
            return sys.stdin.readline().rstrip("\n")
        if stop():
            out.stdout.write("\n")
            return None
