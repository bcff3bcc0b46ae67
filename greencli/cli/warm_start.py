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

from greencli.cli.run_settings import RunSettings, scan

# How many calls each command makes at once (doctor: greencli.doctor.runner.reads_of).
CONNECTIONS = {"doctor": 7, "check-state": 2, "send-test": 1, "qr": 1, "webhooks": 1, "reboot": 1, "logout": 1}
_NO_WARMING = {"--help", "-h", "--version", "--install-completion", "--show-completion"}
# Connections opened ahead wait at most this long: later, the command's own deadline applies.
WARM_CONNECT_LIMIT = 10.0


def command_line(args: Sequence[str]) -> tuple[str | None, RunSettings]:
    """The command named and the global options given (greencli.cli.run_settings.scan); None
    when nothing should be opened: --help, --version, --sandbox."""
    scanned = scan(args)
    own = args[: args.index("--")] if "--" in args else args
    if scanned.settings.sandbox or any(arg.partition("=")[0] in _NO_WARMING for arg in own):
        return None, scanned.settings
    return scanned.command, scanned.settings


def start(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """Start opening the connections the command will use; never fails, never waits."""
    command, settings = command_line(args)
    count = CONNECTIONS.get(command or "")
    if not count:
        return
    threading.Thread(target=_warm, args=(settings, environ, count), daemon=True, name="warm-start").start()


def _warm(settings: RunSettings, environ: Mapping[str, str], count: int) -> None:
    try:
        from greencli.config.loader import RootOptions, resolve_timeout

        timeout = resolve_timeout(RootOptions(timeout=settings.timeout), environ)  # as the command will
        url = _fast_url(settings, environ)
        if url is None:  # credentials in a .env file: resolve them exactly as the command will
            from pathlib import Path

            from greencli.config.loader import resolve

            env_file = settings.env_files[-1] if settings.env_files else None
            root = RootOptions(settings.instance_id, settings.token, settings.api_url, env_file)
            url = resolve(root, environ, Path.cwd()).credentials().api_url
        from greencli.greenapi.connections import warm

        if url.startswith("http://") and url[7:].split("/")[0].rsplit(":", 1)[0] in ("127.0.0.1", "localhost", "[::1]"):
            return  # a local plain-HTTP server (a sandbox): connecting costs nothing to save
        warm(url, count, min(timeout, WARM_CONNECT_LIMIT))
    except Exception:  # noqa: BLE001 - only an optimisation: the command reports any problem
        return


def _fast_url(settings: RunSettings, environ: Mapping[str, str]) -> str | None:
    """The API URL when options and environment alone settle it (no .env to read)."""
    def given(option: str | None, variable: str) -> str:
        return (option or environ.get(variable) or "").strip()

    url = given(settings.api_url, "GREEN_API_URL")
    if url and given(settings.instance_id, "GREEN_API_INSTANCE_ID").isdigit() and given(settings.token, "GREEN_API_TOKEN"):
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
