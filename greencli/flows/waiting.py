"""Polling at a fixed pace until something is true or time runs out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class SpinnerText(Protocol):
    """Changes what a spinner says; with `left`, the seconds the wait has left, which the
    spinner counts down by itself until told again."""

    def __call__(self, text: str, left: float | None = None) -> None: ...


# What a flow shows while it waits: entered with a first message, it yields a SpinnerText
# (the output layer's spinner; `no_spinner` in tests and scripts).
Spinner = Callable[[str], AbstractContextManager[SpinnerText]]


def _say_nothing(text: str, left: float | None = None) -> None:
    return None


@contextmanager
def no_spinner(message: str) -> Iterator[SpinnerText]:
    yield _say_nothing


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float,
    interval: float = 1.0,
    first_delay: float = 0.0,
    on_value: Callable[[T, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[T, bool]:
    """Call `fetch` at most once per `interval` seconds until `done(value)` or `timeout`.

    `first_delay` waits before the first call (when the same method was just called).
    Returns the last value and whether it was done. `on_value(value, seconds_left)` is called
    after each fetch that is not done (to update a spinner). Calls are paced from the start of
    the previous call, so the API's per-method rate limit is never exceeded.
    """
    deadline = clock() + timeout
    if first_delay:
        sleep(first_delay)
    while True:
        started = clock()
        value = fetch()
        if done(value):
            return value, True
        next_call = started + interval
        if max(next_call, clock()) > deadline:
            return value, False
        if on_value is not None:
            on_value(value, max(0.0, deadline - clock()))
        sleep(max(0.0, next_call - clock()))
