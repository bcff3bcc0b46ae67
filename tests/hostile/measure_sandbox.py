"""Peak memory of `greencli sandbox` while it is sent oversized bodies and a 95 MB upload.

    python -m tests.hostile.measure_sandbox       # one JSON line per case on stdout

Used for the figures in the report; tests/hostile/test_sandbox_bodies.py asserts the bounds.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any

import requests

from tests.e2e.conftest import greencli_command

SIZE = 400 << 20


def start() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [*greencli_command(), "sandbox", "--json", "--state", "authorized", "--no-rate-limits"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def peak_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) // 1024
    return -1


def send(port: int, head: str, chunked: bool) -> str:
    """Stream SIZE bytes after `head` (stopping when the sandbox closes); its status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(head.encode("latin-1"))
        piece = b"0" * (1 << 20)
        try:
            for _ in range(SIZE >> 20):
                connection.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
        except OSError:
            pass
        try:
            return connection.recv(200).split(b"\r\n")[0].decode("latin-1")
        except OSError as error:
            return type(error).__name__


def main() -> None:
    def control(host: str) -> Callable[[int, dict[str, Any]], str]:
        return lambda port, _: f"POST /sandbox/state HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nContent-Type: application/json\r\n"

    def api(port: int, info: dict[str, Any]) -> str:
        path = f"/waInstance{info['GREEN_API_INSTANCE_ID']}/sendMessage/{info['GREEN_API_TOKEN']}"
        return f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"

    cases = {"control, foreign Host": control("evil.example"), "control, own Host": control(""), "sendMessage": api}
    for name, head in cases.items():
        for chunked in (False, True):
            process, info = start()
            port = int(info["GREEN_API_URL"].rsplit(":", 1)[1])
            framing = "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {SIZE}\r\n\r\n"
            answer = send(port, head(port, info) + framing, chunked)
            time.sleep(0.2)
            print(json.dumps({"case": f"400 MB {'chunked' if chunked else 'declared'}, {name}", "answer": answer, "peakMiB": peak_mib(process.pid)}), flush=True)
            process.terminate()
            process.wait()
    process, info = start()
    url = f"{info['GREEN_API_URL']}/waInstance{info['GREEN_API_INSTANCE_ID']}/sendFileByUpload/{info['GREEN_API_TOKEN']}"
    answer = requests.post(url, data={"chatId": "79001112233@c.us"}, files={"file": ("big.bin", b"\0" * (95 << 20))}, timeout=120)
    print(json.dumps({"case": "95 MB sendFileByUpload", "answer": answer.status_code, "peakMiB": peak_mib(process.pid)}), flush=True)
    process.terminate()
    process.wait()


if __name__ == "__main__":
    main()
