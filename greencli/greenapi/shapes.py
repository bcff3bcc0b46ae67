"""Reading the fields of Green API's answers: each reader returns the value of the type asked
for, or raises a `bad_response` naming the method and the shape it expected."""

from __future__ import annotations

from typing import Any, TypeVar

from greencli.errors import ApiError
from greencli.greenapi.failures import bad_response

T = TypeVar("T")


def bad_shape(method: str, expected: str) -> ApiError:
    return bad_response(
        f"Green API answered {method} with JSON of an unexpected shape (expected {expected}).",
        "Try again; if it persists, GREEN_API_URL may not point at the WhatsApp API "
        "(copy apiUrl from the console).",
        method,
    )


def object_of(data: Any, method: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_shape(method, "an object")
    return data


def list_of_objects(data: Any, method: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise bad_shape(method, "a list of objects")
    return data


def field(data: Any, key: str, kind: type[T], method: str) -> T:
    """`data[key]`, which must be a `kind` (a bool is not an int)."""
    value = nullable_field(data, key, kind, method, nullable=False)
    assert value is not None
    return value


def nullable_field(data: Any, key: str, kind: type[T], method: str, nullable: bool = True) -> T | None:
    """`data[key]`: a `kind`, or None when the key holds null."""
    if not isinstance(data, dict) or key not in data:
        raise bad_shape(method, f"an object with `{key}`")
    value = data[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise bad_shape(method, f"`{key}` as {kind.__name__}")
    return value


def count_of(data: Any, method: str) -> int:
    """A queue's length, `{"count": N}`."""
    data = object_of(data, method)
    # Some versions of the queue pages print the key with a Cyrillic "с" (U+0441): accept both.
    count = data.get("count", data.get("\u0441ount"))
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise bad_shape(method, "an object with a `count` number")
    return count
