"""What a command hands back to the error boundary: its data, how to show it, and the exit status.

A command parses its options, calls a flow and returns a `Result`; `greencli.cli.app.main`
prints it (the JSON document with --json, else the human rendering) and exits with its code.
Failures are not results: they are raised as greencli errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from greencli.errors import ExitCode

if TYPE_CHECKING:
    from greencli.cli.output import Output


class Result(NamedTuple):
    data: dict[str, Any] | None  # the --json document; None: nothing to print in JSON mode
    render: Callable[[], None]  # the human rendering
    exit_code: int = ExitCode.OK


def show(out: Output, returned: object) -> int:
    """Print what a command returned and give its exit status: a Result as its JSON document or
    its human rendering; an int is typer's own exit; anything else (None) is 0. The boundary
    uses it, and so does a command that runs another as a step (setup, doctor --fix)."""
    if isinstance(returned, Result):
        if not out.json_mode:
            returned.render()
        elif returned.data is not None:
            out.json_document(returned.data)
        return int(returned.exit_code)
    return returned if isinstance(returned, int) else 0
