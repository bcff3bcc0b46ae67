"""The instance's incoming-notification queue: FIFO, numbered by receiptId, read by
receiveNotification (polling) or by the pusher (push mode, greencli.sandbox.push).

What Green API documents (receiving/technology-http-api): the head comes back until it is
deleted; while a webhookUrl is set, polling delivers nothing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

Notification = dict[str, Any]


class NotificationQueue:
    """Shares the instance's lock, so a settings change and a queue change are one step."""

    def __init__(self, lock: threading.RLock, webhook: Callable[[], tuple[str, str]], may_push: Callable[[], bool] = lambda: True) -> None:
        self._lock = lock
        self._changed = threading.Condition(lock)
        self._webhook = webhook  # (webhookUrl, webhookUrlToken) as the settings say now
        self._may_push = may_push  # False while the instance cannot push (not authorized)
        self._items: deque[tuple[int, Notification]] = deque()
        self._next_receipt = 1

    def add(self, body: Notification) -> int:
        with self._lock:
            receipt = self._next_receipt
            self._next_receipt += 1
            self._items.append((receipt, body))
            self._changed.notify_all()
            return receipt

    def wake(self) -> None:
        """Something the waiters depend on changed (a webhookUrl, a stop)."""
        with self._lock:
            self._changed.notify_all()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def bodies(self) -> list[Notification]:
        with self._lock:
            return [body for _, body in self._items]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def delete(self, receipt: int) -> bool:
        with self._lock:
            for entry in self._items:
                if entry[0] == receipt:
                    self._items.remove(entry)
                    return True
            return False

    # -- polling ------------------------------------------------------------------------------

    def receive(self, wait_seconds: float) -> tuple[int, Notification] | None:
        """The head of the queue, waiting up to `wait_seconds` for one; None meanwhile while a
        webhookUrl is set (push mode)."""
        deadline = time.monotonic() + wait_seconds
        with self._lock:
            while True:
                if self._items and not self._webhook()[0]:
                    return self._items[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)

    # -- push mode ----------------------------------------------------------------------------

    def next_push(self, stopped: threading.Event) -> tuple[int, Notification, str, str] | None:
        """The head of the queue and where to push it, once a webhookUrl is set and something
        waits; None when `stopped` is set (or after a short wait, to look again)."""
        with self._lock:
            while not stopped.is_set():
                url, token = self._webhook()
                if url and self._items and self._may_push():
                    receipt, body = self._items[0]
                    return receipt, body, url, token
                self._changed.wait(0.5)
            return None
