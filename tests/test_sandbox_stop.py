"""The sandbox stops at once: its serving loop never polls, `stop()` wakes it.

socketserver's own loop checks a stop flag only between 0.5 s polls, which made every
`greencli --sandbox …` run wait for the next poll. These tests count the loop's wake-ups
instead of timing them.
"""

from __future__ import annotations

import selectors
import threading
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from greencli.sandbox import server


class RecordingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Records every `select()` the serving loop makes: its timeout and what woke it."""

    calls: list[tuple[float | None, list[Any]]]
    waiting: threading.Event  # set once the loop is waiting for the first time

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        type(self).waiting.set()
        ready = super().select(timeout)
        type(self).calls.append((timeout, [key.fileobj for key, _ in ready]))
        return ready


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> type[RecordingSelector]:
    RecordingSelector.calls = []
    RecordingSelector.waiting = threading.Event()
    monkeypatch.setattr(server, "selectors", SimpleNamespace(DefaultSelector=RecordingSelector, EVENT_READ=selectors.EVENT_READ))
    return RecordingSelector


def stop_or_fail(running: server.RunningSandbox) -> None:
    """Call `stop()`; a wake-up that never comes would block forever, so fail instead."""
    stopper = threading.Thread(target=running.stop, daemon=True)
    stopper.start()
    stopper.join(30)
    assert not stopper.is_alive(), "stop() never returned: the serving loop was not woken"


def test_the_loop_blocks_without_polling_and_stop_wakes_it_once(recorded: type[RecordingSelector]) -> None:
    running = server.start()
    assert recorded.waiting.wait(30)  # the loop is blocked: only stop() can end the wait now
    stop_or_fail(running)

    assert not running.thread.is_alive()  # stop() returned after the loop had ended
    assert len(recorded.calls) == 1  # one wait, ended by stop(): no poll came first
    timeout, woken_by = recorded.calls[0]
    assert timeout is None
    assert woken_by == [running.server._wake_reader]


def test_each_request_wakes_the_loop_once_then_stop_once(recorded: type[RecordingSelector]) -> None:
    running = server.start()
    try:
        for _ in range(2):
            answer = requests.get(f"{running.url}/sandbox", timeout=10)
            assert answer.status_code == 200
    finally:
        stop_or_fail(running)

    assert [timeout for timeout, _ in recorded.calls] == [None, None, None]
    assert [woken_by for _, woken_by in recorded.calls] == [
        [running.server],
        [running.server],
        [running.server._wake_reader],
    ]


def test_stop_closes_the_port_and_may_be_called_twice() -> None:
    running = server.start()
    url = running.url
    running.stop()
    running.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/sandbox", timeout=10)
