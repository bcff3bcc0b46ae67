"""Deletes against deliveries, wall time and peak memory of `webhooks listen` against a
hostile queue, bot and reader (127.0.0.1 only).

    python -m tests.hostile.measure_listen [KILL_AFTER] [SOURCE]   # every case, one JSON line each

SOURCE runs `python -m greencli` from another checkout's source tree (a "before" figure).

Used for the figures in the listen report; the tests in test_listen_delivery.py assert the
rules themselves. A case that has not ended after `kill_after` seconds is killed ("exit": null).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.hostile import runner
from tests.hostile import server as hostile
from tests.hostile.runner import ID, environment

TEXT = '{{"typeWebhook": "incomingMessageReceived", "idMessage": "M{n}", "senderData": {{"chatId": "79001234567@c.us"}}, "messageData": {{"typeMessage": "textMessage", "textMessageData": {{"textMessage": "hello {n}"}}}}}}'


SOURCE: str | None = None  # set from the command line


def greencli_command() -> list[str]:
    return [sys.executable, "-m", "greencli"] if SOURCE else runner.greencli_command()


def env_for(api_url: str, **extra: str) -> dict[str, str]:
    env = environment(api_url, **extra)
    if SOURCE:
        env["PYTHONPATH"] = SOURCE
    return env


def wait_for(pid: int, kill_after: float) -> tuple[int | None, float]:
    """The exit code (None when it had to be killed) and peak RSS in MiB of child `pid`."""
    ended = time.monotonic() + kill_after
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024
        if time.monotonic() > ended:
            os.kill(pid, 9)
            _, status, usage = os.wait4(pid, 0)
            return None, usage.ru_maxrss / 1024
        time.sleep(0.02)


def listen_into(reader: list[str] | None, args: list[str], api_url: str, cwd: Path, kill_after: float, **env: str) -> dict[str, Any]:
    """Run `greencli webhooks listen ARGS | READER` (or into a file); what each end saw."""
    started = time.monotonic()
    stderr = open(cwd / "stderr.txt", "wb")  # noqa: SIM115
    if reader is None:
        stdout = open(cwd / "stdout.txt", "wb")  # noqa: SIM115
        listener = subprocess.Popen([*greencli_command(), "webhooks", "listen", *args], stdout=stdout, stderr=stderr, cwd=cwd, env=env_for(api_url, **env))
        stdout.close()
        code, peak = wait_for(listener.pid, kill_after)
        shown = (cwd / "stdout.txt").read_text()
        reader_ended = None
    else:
        listener = subprocess.Popen([*greencli_command(), "webhooks", "listen", *args], stdout=subprocess.PIPE, stderr=stderr, cwd=cwd, env=env_for(api_url, **env))
        head = subprocess.Popen(reader, stdin=listener.stdout, stdout=subprocess.PIPE)
        assert listener.stdout is not None
        listener.stdout.close()
        shown = head.communicate()[0].decode()
        reader_ended = time.monotonic() - started
        code, peak = wait_for(listener.pid, kill_after)
    stderr.close()
    return {
        "exit": code,
        "seconds": round(time.monotonic() - started, 1),
        "afterReader": None if reader_ended is None else round(time.monotonic() - started - reader_ended, 1),
        "peakMiB": round(peak),
        "shown": len(shown.splitlines()),
        "stderr": (cwd / "stderr.txt").read_text()[-300:],
    }


def case_head(count: int | None, queued: int, lines: int, empty_wait: float = 0.2) -> Callable[[Path, float], dict[str, Any]]:
    def run(cwd: Path, kill_after: float) -> dict[str, Any]:
        api = hostile.HostileServer().start()
        try:
            queue = hostile.NotificationQueue(api, empty_wait=empty_wait)
            for n in range(1, queued + 1):
                queue.add(n, TEXT.format(n=n))
            args = ["--count", str(count)] if count else []
            row = listen_into(["head", f"-{lines}"], args, api.url, cwd, kill_after)
            row["deleted"] = len(queue.deleted)
            return row
        finally:
            api.stop()

    return run


def case_throughput(reader: list[str] | None, count: int) -> Callable[[Path, float], dict[str, Any]]:
    def run(cwd: Path, kill_after: float) -> dict[str, Any]:
        api = hostile.HostileServer().start()
        try:
            queue = hostile.NotificationQueue(api)
            for n in range(1, count + 1):
                queue.add(n, TEXT.format(n=n))
            row = listen_into(reader, ["--count", str(count), "--json"], api.url, cwd, kill_after)
            row["deleted"] = len(queue.deleted)
            row["perSecond"] = round(count / row["seconds"])
            del row["stderr"]
            return row
        finally:
            api.stop()

    return run


def case_bot(bot_behaviour: Callable[[], hostile.Behaviour], extra: list[str]) -> Callable[[Path, float], dict[str, Any]]:
    def run(cwd: Path, kill_after: float) -> dict[str, Any]:
        api, bot = hostile.HostileServer().start(), hostile.HostileServer().start()
        try:
            queue = hostile.NotificationQueue(api)
            queue.add(1, TEXT.format(n=1))
            bot.route("/webhook", bot_behaviour())
            row = listen_into(None, ["--count", "1", "--forward-to", f"{bot.url}/webhook", *extra], api.url, cwd, kill_after)
            row["posts"] = len(bot.calls("/webhook"))
            row["deleted"] = len(queue.deleted)
            return row
        finally:
            api.stop()
            bot.stop()

    return run


def case_poison(body: bytes) -> Callable[[Path, float], dict[str, Any]]:
    def run(cwd: Path, kill_after: float) -> dict[str, Any]:
        api = hostile.HostileServer().start()
        try:
            queue = hostile.NotificationQueue(api)
            queue.add(1, body)
            queue.add(2, TEXT.format(n=2))
            row = listen_into(None, ["--count", "2", "--json"], api.url, cwd, kill_after, XDG_STATE_HOME=str(cwd / "state"))
            row["deleted"] = queue.deleted
            return row
        finally:
            api.stop()

    return run


def case_foreign_lock(cwd: Path, kill_after: float) -> dict[str, Any]:
    """Another local user pre-created (and locked) the lock file at the old /tmp path."""
    import hashlib

    api = hostile.HostileServer().start()
    try:
        queue = hostile.NotificationQueue(api)
        queue.add(1, TEXT.format(n=1))
        host = hashlib.sha256(api.url.encode()).hexdigest()[:12]
        squatted = Path(tempfile.gettempdir()) / f"greencli-{os.getuid()}-listen-{ID}-{host}.lock"
        descriptor = os.open(squatted, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            env = {"XDG_RUNTIME_DIR": "", "XDG_CACHE_HOME": str(cwd / "cache"), "HOME": str(cwd)}
            row = listen_into(None, ["--count", "1"], api.url, cwd, kill_after, **env)
        finally:
            os.close(descriptor)
            squatted.unlink()
        row["deleted"] = len(queue.deleted)
        return row
    finally:
        api.stop()


CASES: dict[str, Callable[[Path, float], dict[str, Any]]] = {
    "--count 5 | head -2": case_head(5, 5, 2),
    "no --count, 5 queued | head -2": case_head(None, 5, 2),
    "| head -1, then an empty queue (20 s long polls)": case_head(None, 1, 1, empty_wait=20),
    "bot that needs 12 s (defaults)": case_bot(lambda: hostile.delayed(12, hostile.reply(200, b"ok")), []),
    "bot answering 204": case_bot(lambda: hostile.sequence(hostile.reply(204), hostile.reply(204), hostile.reply(200)), ["--json"]),
    "bot: status line only, then 200": case_bot(lambda: hostile.sequence(hostile.status_line_only(), hostile.reply(200)), []),
    "bot: 200 cut short, then 200": case_bot(lambda: hostile.sequence(hostile.cut_short(), hostile.reply(200)), []),
    "poison: nested 100 deep": case_poison(b"[" * 100 + b"]" * 100),
    "poison: a 5,000-digit number": case_poison(b'{"n": ' + b"7" * 5000 + b"}"),
    "poison: nested 100,000 deep": case_poison(b"[" * 100_000 + b"]" * 100_000),
    "poison: not UTF-8": case_poison(b'{"typeWebhook": "\xff\xfe"}'),
    "lock pre-created in /tmp by another user": case_foreign_lock,
    "500 notifications into a file": case_throughput(None, 500),
    "500 notifications | cat": case_throughput(["cat"], 500),
}


def main() -> None:
    global SOURCE
    kill_after = float(sys.argv[1]) if len(sys.argv) > 1 else 40.0
    SOURCE = sys.argv[2] if len(sys.argv) > 2 else None
    for name, case in CASES.items():
        with tempfile.TemporaryDirectory() as directory:
            row = case(Path(directory), kill_after)
        print(json.dumps({"case": name, **row}), flush=True)


if __name__ == "__main__":
    main()
