"""Peak memory and wall time of the installed greencli against the hostile server.

    python -m tests.hostile.measure            # every case, a table on stdout

Used for the figures in the hostile-input report; the tests assert the limits themselves.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import time
from pathlib import Path

from tests.hostile import server as hostile
from tests.hostile.runner import finish, start

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
        try:
            with tempfile.TemporaryDirectory() as directory:
                started = time.monotonic()
                process = start(args, server.url, Path(directory))
                result = finish(process, Path(directory), kill_after, kill_quietly=True)
                exit_code = result.exit_code if result.exit_code != -9 else None  # None: killed, still running
                peak = round(result.peak_mib)
                seconds = time.monotonic() - started
        finally:
            server.stop()
        rows.append({"case": name, "exit": exit_code, "seconds": round(seconds, 1), "peakMiB": peak})
        print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
