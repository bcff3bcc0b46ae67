"""waiting.poll with an injected clock and sleep: pacing, deadline, callbacks."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greencli.flows.waiting import poll


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, "poll asked to sleep a negative time"
        self.sleeps.append(seconds)
        self.now += seconds


class Fetcher:
    """Returns the given values in turn (the last repeats); each call takes `latency` seconds."""

    def __init__(self, clock: FakeClock, values: Iterable[object], latency: float | Iterable[float] = 0.0):
        self.clock = clock
        self.values = list(values)
        self.latencies = [latency] if isinstance(latency, (int, float)) else list(latency)
        self.started: list[float] = []

    def __call__(self) -> object:
        n = len(self.started)
        # A broken pacing loop should fail, not hang the suite.
        assert n < 10_000, "poll kept fetching without the clock moving on"
        self.started.append(self.clock.now)
        self.clock.now += self.latencies[min(n, len(self.latencies) - 1)]
        return self.values[min(n, len(self.values) - 1)]


def assert_paced(starts: list[float], interval: float) -> None:
    for earlier, later in pairwise(starts):
        assert later - earlier >= interval - 1e-9, f"calls {earlier} and {later} closer than {interval}"


def run(values, timeout: float, interval: float = 1.0, latency=0.0, on_value=None, **extra):
    clock = FakeClock()
    fetch = Fetcher(clock, values, latency)
    result = poll(
        fetch,
        lambda v: v == "authorized",
        timeout=timeout,
        interval=interval,
        on_value=on_value,
        sleep=clock.sleep,
        clock=clock.clock,
        **extra,
    )
    return result, fetch, clock


def test_returns_at_once_when_first_value_is_done() -> None:
    (value, done), fetch, clock = run(["authorized"], timeout=10)
    assert (value, done) == ("authorized", True)
    assert len(fetch.started) == 1
    assert clock.sleeps == []


def test_polls_until_done_once_per_interval() -> None:
    (value, done), fetch, clock = run(["notAuthorized", "starting", "authorized"], timeout=10)
    assert (value, done) == ("authorized", True)
    assert fetch.started == [0.0, 1.0, 2.0]
    assert_paced(fetch.started, 1.0)


def test_gives_up_at_the_deadline_with_last_value() -> None:
    (value, done), fetch, clock = run(["notAuthorized"], timeout=5)
    assert (value, done) == ("notAuthorized", False)
    assert_paced(fetch.started, 1.0)
    assert fetch.started[-1] <= 5.0
    assert len(fetch.started) <= 6
    assert clock.now <= 5.0 + 1e-9  # never sleeps past the deadline


def test_slow_fetch_counts_towards_the_interval() -> None:
    # A call that takes 0.4 s leaves 0.6 s to sleep: paced from the start of each call.
    (_, done), fetch, clock = run(["x", "x", "authorized"], timeout=10, latency=0.4)
    assert done
    assert fetch.started == pytest.approx([0.0, 1.0, 2.0])
    assert clock.sleeps == pytest.approx([0.6, 0.6])


def test_fetch_slower_than_interval_does_not_sleep() -> None:
    (_, done), fetch, clock = run(["x", "authorized"], timeout=10, latency=2.5)
    assert done
    assert clock.sleeps == [0.0]
    assert fetch.started == [0.0, 2.5]


def test_first_delay_paces_the_first_call_and_counts_towards_timeout() -> None:
    (_, done), fetch, clock = run(["x"], timeout=3, first_delay=1.0)
    assert not done
    assert fetch.started[0] == 1.0  # a call made just before poll() is respected
    assert_paced(fetch.started, 1.0)
    assert fetch.started[-1] <= 3.0


def test_on_value_reports_value_and_time_left() -> None:
    seen: list[tuple[object, float]] = []
    run(["a", "b", "authorized"], timeout=10, on_value=lambda v, left: seen.append((v, left)))
    assert seen == [("a", 10.0), ("b", 9.0)]


def test_custom_interval() -> None:
    (_, done), fetch, _ = run(["x"], timeout=10, interval=3.0)
    assert not done
    assert fetch.started == [0.0, 3.0, 6.0, 9.0]


def test_none_is_a_value_like_any_other() -> None:
    (value, done), fetch, _ = run([None, None, "authorized"], timeout=10)
    assert (value, done) == ("authorized", True)


def test_real_clock_defaults_are_used_when_not_injected(monkeypatch: pytest.MonkeyPatch) -> None:
    # timeout shorter than the interval: one fetch, no sleep, so this is instant.
    calls: list[int] = []
    value, done = poll(lambda: calls.append(1) or "x", lambda v: False, timeout=0.01, interval=1.0)
    assert (value, done) == ("x", False)
    assert calls == [1]


@settings(max_examples=200, deadline=None)
@given(
    timeout=st.floats(min_value=0.0, max_value=30.0),
    interval=st.floats(min_value=0.1, max_value=5.0),
    latencies=st.lists(st.floats(min_value=0.0, max_value=6.0), min_size=1, max_size=20),
    done_after=st.integers(min_value=0, max_value=40),
)
def test_never_more_than_one_call_per_interval(timeout, interval, latencies, done_after) -> None:
    values = ["x"] * done_after + ["authorized"]
    (value, done), fetch, clock = run(values, timeout=timeout, interval=interval, latency=latencies)
    assert_paced(fetch.started, interval)
    assert done == (value == "authorized")
    assert len(fetch.started) <= len(values)  # stops at the first done value
    if not done:
        # Gave up only because the next call could not come before the deadline.
        assert max(fetch.started[-1] + interval, clock.now) > timeout - 1e-9


def test_no_call_starts_after_the_deadline_when_fetch_is_slow() -> None:
    # --wait 5 against a server that takes 6 s to answer: the first answer arrives after the
    # deadline, so there must be no second request (the wait would run to ~12 s).
    (value, done), fetch, clock = run(["notAuthorized", "authorized"], timeout=5, latency=6.0)
    assert (value, done) == ("notAuthorized", False)
    assert fetch.started == [0.0]
