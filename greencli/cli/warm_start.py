"""greencli's entry point: open the API connections while Python imports the rest.

A cold request costs TCP, TLS and the request, three round trips; importing typer and requests
costs about as much again. So before importing anything heavy, the commands that call the API
start opening the connections they will use (greenapi/connections.py) in the background; the
API client's pool takes them when the first request goes out. Nothing is opened for --help,
--version, --sandbox, `init`, `sandbox`, or when no credentials are configured.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Mapping, Sequence

# How many calls each command makes at once (doctor: greencli.doctor.runner.reads_of).
CONNECTIONS = {"doctor": 7, "check-state": 2, "send-test": 1, "qr": 1, "webhooks": 1, "reboot": 1, "logout": 1}
_WITH_VALUE = {"--instance-id", "--token", "--api-url", "--env-file", "--timeout"}
_NO_WARMING = {"--help", "-h", "--version", "--sandbox", "--install-completion", "--show-completion"}


def command_line(args: Sequence[str]) -> tuple[str | None, dict[str, str]]:
    """The command named and the global options given, before or after it (the later wins);
    None when nothing should be opened."""
    options: dict[str, str] = {}
    command = None
    index = 0
    while index < len(args):
        arg = args[index]
        name, equals, value = arg.partition("=")
        if arg in _NO_WARMING or name in _NO_WARMING:
            return None, options
        if arg == "--":
            break
        if name in _WITH_VALUE:
            if not equals:
                index += 1
                value = args[index] if index < len(args) else ""
            options[name] = value
        elif command is None and not arg.startswith("-"):
            command = arg
        index += 1
    return command, options


def start(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """Start opening the connections the command will use; never fails, never waits."""
    command, options = command_line(args)
    count = CONNECTIONS.get(command or "")
    if not count:
        return
    threading.Thread(target=_warm, args=(options, environ, count), daemon=True, name="warm-start").start()


def _warm(options: dict[str, str], environ: Mapping[str, str], count: int) -> None:
    try:
        url = _fast_url(options, environ)
        if url is None:  # credentials in a .env file: resolve them exactly as the command will
            from pathlib import Path

            from greencli.config.loader import RootOptions, resolve

            env_file = options.get("--env-file")
            root = RootOptions(options.get("--instance-id"), options.get("--token"), options.get("--api-url"),
                               Path(env_file) if env_file else None)
            url = resolve(root, environ, Path.cwd()).credentials().api_url
        from greencli.greenapi.connections import warm

        if url.startswith("http://") and url[7:].split("/")[0].rsplit(":", 1)[0] in ("127.0.0.1", "localhost", "[::1]"):
            return  # a local plain-HTTP server (a sandbox): connecting costs nothing to save
        timeout = float(options.get("--timeout") or environ.get("GREENCLI_TIMEOUT") or 10)
        warm(url, count, min(max(timeout, 0.1), 10.0))
    except Exception:  # noqa: BLE001 - only an optimisation: the command reports any problem
        return


def _fast_url(options: dict[str, str], environ: Mapping[str, str]) -> str | None:
    """The API URL when options and environment alone settle it (no .env to read)."""
    def given(option: str, variable: str) -> str:
        return (options.get(option) or environ.get(variable) or "").strip()

    url = given("--api-url", "GREEN_API_URL")
    if url and given("--instance-id", "GREEN_API_INSTANCE_ID").isdigit() and given("--token", "GREEN_API_TOKEN"):
        return url.rstrip("/")
    return None


def main() -> int:
    # Importing typer and requests builds thousands of objects; the cyclic garbage collector
    # would walk them again and again (about a tenth of start-up). Collect far less often: a
    # short-lived command leaves little cyclic garbage, and long-running ones still collect.
    gc.set_threshold(50_000, 20, 20)
    start(sys.argv[1:], os.environ)
    from greencli.cli.app import main as run

    return run()
