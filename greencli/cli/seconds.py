"""Options that take a number of seconds: finite, and at most a day.

Typer's `min=` lets `nan` and `inf` through (`nan < 1` is false), and a wait of `nan` seconds
never ends. Every SECONDS option adds `callback=finite_seconds`.
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
    raise typer.BadParameter(f"{value:g} is not a number of seconds from {low:g} to {MAX_SECONDS:g} (for example 300)")
