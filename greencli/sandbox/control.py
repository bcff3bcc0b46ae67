"""The control endpoint under /sandbox: steer a running sandbox (state, faults, incoming
messages, settings) and read what it saw (the request log). See docs/sandbox.md.

Only a program on this machine may steer it, not a web page: the Host must be the sandbox's
own (a DNS-rebound page sends its own name), and a request that changes something must say
application/json, which a page can send to another origin only after a CORS preflight the
sandbox never answers (a form or a no-cors fetch sends text/plain or nothing).
"""

from __future__ import annotations

import threading
from typing import Any

from greencli.sandbox.faults import FaultPlan, parse_fault
from greencli.sandbox.instance import STATES, Instance
from greencli.sandbox.rate_limiter import RateLimiter

ControlAnswer = tuple[int, Any]
_SECRET_KEYS = {"webhookurltoken", "authorization", "token", "apitokeninstance"}


class Sandbox:
    """Everything one running sandbox holds: the instance, faults, limits and the request log."""

    def __init__(self, instance: Instance, rate_limits: bool = True) -> None:
        self.instance = instance
        self.faults = FaultPlan()
        self.rate_limits = rate_limits
        self.limiter = RateLimiter()
        self.requests: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()

    def log(self, entry: dict[str, Any]) -> None:
        with self._log_lock:
            self.requests.append(entry)


def refusal(verb: str, host: str | None, content_type: str | None, port: int) -> ControlAnswer | None:
    """Why a control request is refused (before its body is read), or None."""
    host = (host or "").strip().lower()
    if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
        return 403, {"error": f"the control endpoint answers only Host 127.0.0.1:{port} or localhost:{port}"}
    media_type = (content_type or "").split(";")[0].strip().lower()
    if verb != "GET" and media_type != "application/json":
        return 415, {"error": "send the control request with Content-Type: application/json (a body of {} when there is nothing to say)"}
    return None


def answer(sandbox: Sandbox, verb: str, path: str, spec: dict[str, Any]) -> ControlAnswer:
    """Carry out one control request; its answer, secrets masked."""
    try:
        status, body = _dispatch(sandbox, verb, path, spec)
    except ValueError as error:
        return 400, {"error": str(error)}
    return status, without_secrets(body, sandbox.instance.token)


def _dispatch(sandbox: Sandbox, verb: str, path: str, spec: dict[str, Any]) -> ControlAnswer:
    instance = sandbox.instance
    if verb == "GET" and path == "/sandbox":
        return 200, {**instance.snapshot(), **sandbox.faults.describe(), "requestCount": len(sandbox.requests)}
    if path == "/sandbox/requests" and verb == "GET":
        return 200, {"requests": list(sandbox.requests)}
    if path == "/sandbox/requests" and verb == "DELETE":
        sandbox.requests.clear()
        return 200, {"cleared": True}
    if path == "/sandbox/scan" and verb == "POST":
        instance.authorize()
        return 200, {"stateInstance": instance.state}
    if path == "/sandbox/state" and verb == "POST":
        state = spec.get("state")
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}")
        instance.set_state(str(state))
        return 200, {"stateInstance": instance.state}
    if path == "/sandbox/faults" and verb == "POST":
        sandbox.faults.add(parse_fault(spec))
        return 200, sandbox.faults.describe()
    if path == "/sandbox/faults" and verb == "DELETE":
        sandbox.faults.clear()
        return 200, sandbox.faults.describe()
    if path == "/sandbox/latency" and verb == "POST":
        seconds = spec.get("seconds")
        if not isinstance(seconds, (int, float)) or not 0 <= seconds <= 60:
            raise ValueError("seconds must be a number from 0 to 60")
        sandbox.faults.latency = float(seconds)
        return 200, sandbox.faults.describe()
    if path == "/sandbox/incoming" and verb == "POST":
        chat_id = str(spec.get("chatId", "79001112233@c.us"))
        receipt = instance.incoming_message(chat_id, str(spec.get("text", "Hello from the sandbox")))
        return 200, {"receiptId": receipt, "queued": receipt is not None}
    if path == "/sandbox/settings" and verb == "POST":
        instance.update_settings(spec)
        return 200, instance.snapshot()["settings"]
    if path == "/sandbox/qr-error" and verb == "POST":
        instance.set_qr_error(str(spec.get("message", "Instance has auth. You need to make log out")))
        return 200, {"qrError": True}
    if path == "/sandbox/qr-error" and verb == "DELETE":
        instance.set_qr_error(None)
        return 200, {"qrError": False}
    if path == "/sandbox/quota/checks" and verb == "POST":
        instance.use_up_checks()
        return 200, {"checksUsed": True}
    return 404, {"error": f"no control endpoint {verb} {path}; see docs/sandbox.md"}


def without_secrets(value: Any, token: str) -> Any:
    """`value` with the instance token and every webhookUrlToken or Authorization value
    masked (first and last 4 characters at most)."""
    if isinstance(value, dict):
        return {
            key: masked(item) if isinstance(item, str) and key.lower() in _SECRET_KEYS and item else without_secrets(item, token)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [without_secrets(item, token) for item in value]
    if isinstance(value, str) and token and token in value:
        return value.replace(token, masked(token))
    return value


def masked(secret: str) -> str:
    return f"{secret[:4]}…{secret[-4:]}" if len(secret) >= 16 else "****"
