"""Questions asked at the terminal, on stderr (stdout carries the results)."""

from __future__ import annotations

import os
import sys


def can_prompt() -> bool:
    """Whether greencli may ask the user something: a terminal on stdin, and not in CI."""
    if os.environ.get("CI"):
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm(question: str, default: bool) -> bool:
    """A yes-or-no question; Enter takes `default`."""
    import typer

    return typer.confirm(question, default=default, err=True)


def ask(question: str, default: str | None = None, hide_input: bool = False, show_default: bool = True, err: bool = True) -> str:
    """A question answered with a line of text (hidden as it is typed with `hide_input`)."""
    import typer

    answer: str = typer.prompt(question, default=default, hide_input=hide_input, show_default=show_default, err=err)
    return answer
