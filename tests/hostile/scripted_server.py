"""A stand-in for Green API on 127.0.0.1 that answers each method with what a test scripts.

Hostile tests use it to send what the sandbox never would: control characters, markup, odd
statuses and headers. Requests are answered by method name (the path segment after
/waInstance<id>/); a list of replies is used in turn, its last reply repeating.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from greencli.sandbox.server import SandboxHTTPServer


@dataclass
class Reply:
    body: Any = None  # JSON-encoded unless bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedServer:
    def __init__(self, replies: dict[str, Reply | list[Reply]]) -> None:
        self.replies = {name: list(value) if isinstance(value, list) else [value] for name, value in replies.items()}
        self.calls: list[str] = []
        self._lock = threading.Lock()
        self._httpd = SandboxHTTPServer(("127.0.0.1", 0), self._handler())  # stops without a poll's wait
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.stop()

    def _next(self, method: str) -> Reply:
        with self._lock:
            self.calls.append(method)
            queue = self.replies.get(method)
            if not queue:
                return Reply({"error": f"not scripted: {method}"}, status=404)
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                parts = self.path.split("?")[0].strip("/").split("/")
                method = parts[1] if len(parts) > 1 and parts[0].startswith("waInstance") else self.path
                reply = server._next(method)
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

        return Handler
