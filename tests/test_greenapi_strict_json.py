"""greenapi.strict_json: JSON that Python would read but Green API never sends (non-finite
numbers, deep nesting) is refused; ordinary JSON passes."""

from __future__ import annotations

import pytest

from greencli.greenapi.strict_json import MAX_DEPTH, UnusableJson, parse_json


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', "[-Infinity]", "1e999", '{"t": -1e400}'])
def test_non_finite_numbers_are_refused(text: str) -> None:
    with pytest.raises(UnusableJson):
        parse_json(text)


def test_non_finite_numbers_become_null_when_lenient() -> None:
    assert parse_json('{"a": NaN, "b": 1e999, "c": 1.5, "d": [Infinity]}', lenient_numbers=True) == {
        "a": None, "b": None, "c": 1.5, "d": [None]
    }


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(UnusableJson, match="nested"):
        parse_json("[" * depth + "]" * depth)
    with pytest.raises(ValueError):
        parse_json("[" * depth)


def test_ordinary_json_passes() -> None:
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(nested) is not None
    assert parse_json('{"stateInstance": "authorized", "n": 1}') == {"stateInstance": "authorized", "n": 1}
