"""Peak memory and wall time of the installed greencli against the hostile server.

    python -m tests.hostile.measure            # every case, a table on stdout

Used for the figures in the hostile-input report; the tests assert the limits themselves.
"""

from __future__ import annotations

import base64
import json
import os
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


def upload_case(kill_after: float) -> dict[str, object]:
    """send-test --file with a 95 MB file: greencli streams it (last, as the server's digest
    of the body is all this process keeps of it)."""
    server = hostile.HostileServer().start()
    server.route("getStateInstance", hostile.json_reply({"stateInstance": "authorized"}))
    server.route("sendFileByUpload", hostile.json_reply({"idMessage": "3EB0C767D097B7C7C030"}))
    try:
        with tempfile.TemporaryDirectory() as directory:
            with (Path(directory) / "big.bin").open("wb") as handle:
                for _ in range(95):
                    handle.write(os.urandom(hostile.MIB))
            started = time.monotonic()
            process = start(["--timeout", "60", "send-test", "79001234567", "--no-check", "--file", "big.bin"], server.url, Path(directory))
            result = finish(process, Path(directory), kill_after * 4, kill_quietly=True)
            seconds = time.monotonic() - started
    finally:
        server.stop()
    return {"case": "send-test --file, 95 MB", "exit": result.exit_code, "seconds": round(seconds, 1), "peakMiB": round(result.peak_mib)}


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
    rows.append(upload_case(kill_after))
    print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
