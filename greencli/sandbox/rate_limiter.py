"""Green API's rate limiter as the sandbox keeps it: at most N calls per method in any
one-second window, per instance (https://green-api.com/en/docs/api/ratelimiter/)."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """At most N calls per method in any one-second window (with a little slack for jitter)."""

    WINDOW = 0.95

    def __init__(self) -> None:
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._refusals = 0

    def retry_after(self) -> str | None:
        """The Retry-After of the next 429: "1" for every other one, none for the rest. The
        rate-limiter page promises no header, so clients must cope without it as often as with."""
        with self._lock:
            self._refusals += 1
            return "1" if self._refusals % 2 else None

    def allow(self, method: str, per_second: int) -> bool:
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(method, deque())
            while calls and now - calls[0] >= self.WINDOW:
                calls.popleft()
            if len(calls) >= per_second:
                return False
            calls.append(now)
            return True
