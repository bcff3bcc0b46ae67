"""Waiting that survives the weather: one 5xx, timeout or broken answer does not end a wait.

Green API asks clients to repeat a call that failed with a 5xx
(https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/), answers
499/timeouts under load (https://github.com/green-api/issues/issues/487), and gives no QR for a
while after a logout (https://github.com/green-api/issues/issues/1029). So while a command waits
for something (a state, a QR, a delivery status), such an answer is shown and the wait goes on
until its deadline; only an answer that says something is wrong (401, 403, 404, 466, a 400)
ends it at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from greencli.errors import ApiError
from greencli.greenapi.failures import is_transient

T = TypeVar("T")


def poll_through(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    timeout: float,
    intervals: Iterable[float],
    on_value: Callable[[T, float], None] | None = None,
    on_hiccup: Callable[[ApiError, float], None] | None = None,
    max_calls: int | None = None,
    first_delay: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[T, bool, int]:
    """Call `fetch` until `done(value)`, the deadline, or `max_calls`; between calls wait the
    next of `intervals` (the last one repeats), counted from the start of the previous call so a
    per-method rate limit is never exceeded.

    A transient error is reported to `on_hiccup(error, seconds_left)` and the wait goes on; if
    the deadline comes before any real answer, the last such error is raised. Returns the last
    real value, whether it was done, and how many calls were made.
    """
    deadline = clock() + timeout
    pauses = iter(intervals)
    pause = 1.0
    value: T | None = None
    answered = False
    last_error: ApiError | None = None
    calls = 0
    if first_delay:
        sleep(first_delay)
    while True:
        started = clock()
        calls += 1
        try:
            got = fetch()
        except ApiError as error:
            if not is_transient(error):
                raise
            last_error = error
            if on_hiccup is not None:
                on_hiccup(error, max(0.0, deadline - clock()))
        else:
            value, answered = got, True
            if done(got):
                return got, True, calls
        pause = next(pauses, pause)
        next_call = started + pause
        if max(next_call, clock()) > deadline or (max_calls is not None and calls >= max_calls):
            if not answered:
                assert last_error is not None
                raise last_error
            return value, False, calls  # type: ignore[return-value]
        if answered and on_value is not None and last_error is None:
            on_value(value, max(0.0, deadline - clock()))  # type: ignore[arg-type]
        last_error = None
        sleep(max(0.0, next_call - clock()))


def backoff(first: float, factor: float, longest: float | None = None) -> Iterable[float]:
    """first, first*factor, first*factor², … (each at most `longest`)."""
    pause = first
    while True:
        yield pause if longest is None else min(pause, longest)
        pause *= factor
