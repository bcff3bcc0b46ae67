"""Fault injection: rules that make the sandbox misbehave the way real networks and servers do.

A rule matches an API method (or "*") and fires a number of times (or forever). Faults that
replace the answer (a status code, 429) happen before the request is processed; faults that
spoil the answer (slow, drop, reset, html, empty, truncated, null, wrong-shape) happen after it
was processed, so a send under "drop" really was sent: exactly the ambiguity greencli must
handle without sending twice.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

# Green API's documented 400s (https://green-api.com/en/docs/api/common-errors/), by fault kind.
DOCUMENTED_400 = {
    "starting": "instance in starting process try later",
    "expired": "Instance account is expired. Renew your instance from personal area",
    "deleted": "Instance is deleted",
    "not-authorized": "instance account not authorized",
}
BEFORE = frozenset({"status", "rate-limit", "not-saved", *DOCUMENTED_400})
AFTER = frozenset({"slow", "drop", "reset", "html", "empty", "truncated", "null", "wrong-shape"})
KINDS = BEFORE | AFTER


@dataclass
class Fault:
    kind: str
    method: str = "*"
    times: int | None = None  # None: every matching request
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    body: str | None = None

    def matches(self, method: str) -> bool:
        return self.method in ("*", method) or self.method.lower() == method.lower()

    def describe(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "method": self.method,
            "times": self.times,
            "status": self.status,
            "retryAfter": self.retry_after,
            "delay": self.delay,
        }


def parse_fault(spec: dict[str, object]) -> Fault:
    """A Fault from a control-endpoint body; ValueError with a readable reason if malformed."""
    kind = str(spec.get("kind", ""))
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    times = spec.get("times")
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive integer")
    default_status = {"rate-limit": 429, "status": 500, **dict.fromkeys(DOCUMENTED_400, 400)}.get(kind, 200)
    status = spec.get("status", default_status)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError("status must be an HTTP status code")
    retry_after = spec.get("retryAfter")
    if retry_after is not None and not isinstance(retry_after, (int, float)):
        raise ValueError("retryAfter must be a number of seconds")
    delay = spec.get("delay", 0.0)
    if not isinstance(delay, (int, float)) or delay < 0:
        raise ValueError("delay must be a number of seconds")
    body = spec.get("body", DOCUMENTED_400.get(kind))
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    return Fault(
        kind=kind,
        method=str(spec.get("method", "*")),
        times=times,
        status=status,
        retry_after=float(retry_after) if retry_after is not None else None,
        delay=float(delay),
        body=str(body) if body is not None else None,
    )


@dataclass
class FaultPlan:
    faults: list[Fault] = field(default_factory=list)
    latency: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.latency = 0.0

    def take(self, method: str, phase: frozenset[str]) -> Fault | None:
        """The first rule for `method` in this phase, using up one of its times."""
        with self._lock:
            for fault in self.faults:
                if fault.kind in phase and fault.matches(method):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def describe(self) -> dict[str, object]:
        with self._lock:
            return {"latency": self.latency, "faults": [f.describe() for f in self.faults]}
