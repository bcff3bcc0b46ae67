"""A local bot on 127.0.0.1 that records what it is sent and answers as a test sets it to."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from greencli.sandbox.server import SandboxHTTPServer


class Bot:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.answer = 200
        self.delay = 0.0
        self.location: str | None = None
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                bot.requests.append((self.command, self.path, dict(self.headers), body))
                time.sleep(bot.delay)
                self.send_response(bot.answer)
                if bot.location:
                    self.send_header("Location", bot.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_GET = _serve

            def log_message(self, *args: object) -> None:
                pass

        self.server = SandboxHTTPServer(("127.0.0.1", 0), Handler)  # stops without a poll's wait
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"


@pytest.fixture(name="bot")
def bot_fixture() -> Iterator[Bot]:
    """Import `bot_fixture` into a test module to use the `bot` fixture there."""
    running = Bot()
    yield running
    running.server.stop()
