"""Options that take a number of seconds: finite, and at most a day.

Typer's `min=` and `max=` let `nan` through (`nan < 1` is false), and a wait of `nan` seconds
never ends. Every SECONDS option adds `callback=finite_seconds` (a test walks every command).
"""

from __future__ import annotations

import math
from typing import Any

import typer

MAX_SECONDS = 86400.0  # a day: longer than any wait greencli needs


def finite_seconds(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    if value is None or (math.isfinite(value) and value <= MAX_SECONDS):
        return value
    low = getattr(param.type, "min", None) or 0
    high = min(getattr(param.type, "max", None) or MAX_SECONDS, MAX_SECONDS)
    raise typer.BadParameter(f"{value:g} is not a number of seconds from {low:g} to {high:g}")
