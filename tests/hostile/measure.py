"""Peak memory and wall time of the installed greencli against the hostile server.

    python -m tests.hostile.measure            # every case, a table on stdout

Used for the figures in the hostile-input report; the tests assert the limits themselves.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

from tests.hostile import server as hostile
from tests.hostile.runner import ID, TOKEN, greencli_command


class Measured(NamedTuple):
    exit_code: int | None  # None: still running when killed
    seconds: float
    peak_mib: float


def measure(args: list[str], env: dict[str, str], kill_after: float) -> Measured:
    with tempfile.TemporaryDirectory() as cwd:
        started = time.monotonic()
        process = subprocess.Popen(greencli_command() + args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if not killed and time.monotonic() - started > kill_after:
                process.send_signal(signal.SIGKILL)
                killed = True
            time.sleep(0.02)
        process.returncode = 0  # reaped here, not by Popen
        seconds = time.monotonic() - started
        code = None if killed else os.waitstatus_to_exitcode(status)
        return Measured(code, seconds, usage.ru_maxrss / 1024)


CASES = {
    "gzip bomb (1 GiB)": ("getStateInstance", lambda: hostile.gzip_bomb(1024), ["--timeout", "2", "check-state"]),
    "endless chunked body": ("getStateInstance", lambda: hostile.endless_chunked(), ["--timeout", "5", "check-state"]),
    "1 byte/s drip": ("getStateInstance", lambda: hostile.drip(1.0), ["--timeout", "2", "check-state"]),
    "QR bomb (12000x12000 PNG)": (
        "qr",
        lambda: hostile.json_reply({"type": "qrCode", "message": base64.b64encode(hostile.white_png(12000, 12000)).decode()}),
        ["--timeout", "2", "qr", "--once"],
    ),
}


def main() -> None:
    kill_after = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    rows = []
    for name, (method, behaviour, args) in CASES.items():
        server = hostile.HostileServer().start()
        server.route(method, behaviour())
        env = {**os.environ, "GREEN_API_URL": server.url, "GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": TOKEN, "NO_COLOR": "1"}
        try:
            result = measure(args, env, kill_after)
        finally:
            server.stop()
        rows.append({"case": name, "exit": result.exit_code, "seconds": round(result.seconds, 1), "peakMiB": round(result.peak_mib)})
        print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
