"""What a command hands back to the error boundary: its data, how to show it, and the exit status.

A command parses its options, calls a flow and returns a `Result`; `greencli.cli.app.main`
prints it (the JSON document with --json, else the human rendering) and exits with its code.
Failures are not results: they are raised as greencli errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from greencli.errors import ExitCode


class Result(NamedTuple):
    data: dict[str, Any] | None  # the --json document; None: nothing to print in JSON mode
    render: Callable[[], None]  # the human rendering
    exit_code: int = ExitCode.OK
