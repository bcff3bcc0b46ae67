"""Reading JSON from the network, refusing what would break greencli further on.

Python's `json` accepts NaN and Infinity (not JSON: printed back they make invalid `--json`
output), turns 1e999 into infinity, and recurses once per level of nesting, so a body of
100,000 `[` raises RecursionError. Here those are `UnusableJson`, a ValueError the client turns
into a `bad_response`; nesting deeper than any Green API answer is refused as well, so nothing
downstream (printing, summaries, `--json`) meets it.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # Green API's deepest answers (quoted messages in notifications) are ~6 levels


class UnusableJson(ValueError):
    """Valid-looking JSON greencli will not read; the message says why."""


def parse_json(text: str, lenient_numbers: bool = False) -> Any:
    """Decode `text`; with `lenient_numbers`, NaN/Infinity (and overflowing numbers) become None."""

    def constant(name: str) -> None:
        if lenient_numbers:
            return None
        raise UnusableJson(f"{name} is not a JSON number")

    def number(literal: str) -> float | None:
        value = float(literal)
        if math.isfinite(value):
            return value
        if lenient_numbers:
            return None
        raise UnusableJson(f"the number {literal[:20]} is out of range")

    try:
        data = json.loads(text, parse_constant=constant, parse_float=number)
    except RecursionError:
        raise UnusableJson(f"nested more than {MAX_DEPTH} levels deep") from None
    if _deeper_than(data, MAX_DEPTH):
        raise UnusableJson(f"nested more than {MAX_DEPTH} levels deep")
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
