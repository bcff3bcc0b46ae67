"""Waiting through the weather: transient failures are shown and waited out, within the deadline."""

from __future__ import annotations

import pytest

from greencli.errors import ApiError
from greencli.flows.weather import backoff, is_transient, poll_through


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def error(code: str, status: int | None = None) -> ApiError:
    return ApiError(f"{code}!", "hint", code=code, status=status)


def scripted(*answers):
    answers = list(answers)
    calls = []

    def fetch():
        calls.append(1)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return fetch, calls


# Green API: repeat a call that failed with a 5xx
# (https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/).
def test_one_5xx_or_timeout_does_not_end_the_wait_and_is_shown() -> None:
    time = FakeTime()
    fetch, calls = scripted("starting", error("server_error", 502), error("timeout"), "authorized")
    hiccups = []
    value, done, count = poll_through(fetch, lambda v: v == "authorized", timeout=60, intervals=[1.0],
                                      on_hiccup=lambda e, left: hiccups.append(e.code), sleep=time.sleep, clock=time.clock)
    assert (value, done, count) == ("authorized", True, 4)
    assert hiccups == ["server_error", "timeout"]


def test_an_error_that_says_something_is_wrong_ends_the_wait_at_once() -> None:
    time = FakeTime()
    fetch, calls = scripted("starting", error("unauthorized", 401))
    with pytest.raises(ApiError) as raised:
        poll_through(fetch, lambda v: False, timeout=60, intervals=[1.0], sleep=time.sleep, clock=time.clock)
    assert raised.value.code == "unauthorized" and len(calls) == 2


def test_only_errors_until_the_deadline_raise_the_last_one() -> None:
    time = FakeTime()
    fetch, calls = scripted(error("server_error", 500), error("server_error", 503))
    with pytest.raises(ApiError) as raised:
        poll_through(fetch, lambda v: False, timeout=5, intervals=[1.0], sleep=time.sleep, clock=time.clock)
    assert raised.value.status == 503
    assert len(calls) == 6  # once a second from 0 to 5 s, never past the deadline


def test_the_last_real_answer_is_kept_when_errors_come_last() -> None:
    time = FakeTime()
    fetch, _ = scripted("sent", error("server_error", 502))
    value, done, _ = poll_through(fetch, lambda v: v == "read", timeout=5, intervals=[1.0], sleep=time.sleep, clock=time.clock)
    assert (value, done) == ("sent", False)


def test_max_calls_and_backoff_cap_the_calls_spent() -> None:
    time = FakeTime()
    fetch, calls = scripted(None)
    value, done, count = poll_through(fetch, lambda v: False, timeout=10_000, intervals=backoff(2.0, 1.6),
                                      max_calls=10, sleep=time.sleep, clock=time.clock)
    assert count == 10 and len(calls) == 10 and not done
    from itertools import islice

    assert [round(w, 2) for w in islice(backoff(2.0, 1.6, longest=5.0), 4)] == [2.0, 3.2, 5.0, 5.0]


@pytest.mark.parametrize(("code", "status", "transient"), [
    ("server_error", 500, True), ("timeout", None, True), ("connection_failed", None, True),
    ("bad_response", 200, True), ("unauthorized", 401, False), ("forbidden", 403, False),
    ("not_found", 404, False), ("quota_exceeded", 466, False), ("bad_request", 400, False),
])
def test_what_counts_as_weather(code: str, status: int | None, transient: bool) -> None:
    assert is_transient(error(code, status)) is transient
