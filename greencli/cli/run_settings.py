"""The run's settings: the global options, read into one frozen `RunSettings`.

Global options are accepted before or after the command's name (gh's "inherited flags"), and
are declared once, in GLOBAL_OPTIONS. Two readers share that table:

- the parser (greencli.cli.global_options) reads them exactly, together with the command's own
  options, and hands the command a RunSettings;
- `scan()` reads them from the raw arguments before anything heavy is imported: the warm start
  uses it to open connections early, and the error boundary to know, when the parser itself
  failed, whether the error is wanted as the JSON document.

This module imports nothing heavy: the warm start reads it before typer is imported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple


@dataclass(frozen=True)
class RunSettings:
    """The global options as given on the command line (None or False: not given)."""

    instance_id: str | None = None
    token: str | None = None
    api_url: str | None = None
    env_files: tuple[Path, ...] = ()  # --env-file adds up: several files, one instance each
    timeout: float | None = None  # as given; RunContext.timeout settles it with GREENCLI_TIMEOUT
    json: bool = False
    quiet: bool = False
    no_input: bool = False
    debug: bool = False
    sandbox: bool = False

    def given_later(self, given: Mapping[str, object]) -> RunSettings:
        """These settings with options given later on the command line: the later of two
        values wins, and --env-file files add up."""
        changes: dict[str, Any] = dict(given)
        if "env_files" in changes:
            changes["env_files"] = (*self.env_files, *changes["env_files"])
        return replace(self, **changes)


class GlobalOption(NamedTuple):
    field: str  # the RunSettings field it sets
    flags: tuple[str, ...]
    metavar: str | None  # None: a flag, which takes no value
    help: str


GLOBAL_OPTIONS = (
    GlobalOption("instance_id", ("--instance-id",), "ID", "Instance ID (else GREEN_API_INSTANCE_ID, then .env)."),
    GlobalOption("token", ("--token",), "TOKEN", "API token (else GREEN_API_TOKEN, then .env)."),
    GlobalOption("api_url", ("--api-url",), "URL", "The instance's apiUrl (else GREEN_API_URL, then .env)."),
    GlobalOption(
        "env_files",
        ("--env-file",),
        "PATH",
        "Read this file instead of the nearest .env (this directory, then its parents up to "
        "the top of the git work tree). doctor and check-state take several (repeat it, or a "
        "quoted glob such as 'envs/*.env'): one instance per file.",
    ),
    GlobalOption(
        "timeout", ("--timeout",), "SECONDS",
        "Seconds one API call may take, retries included (else GREENCLI_TIMEOUT, default 10).",
    ),
    GlobalOption("json", ("--json",), None, "Print one JSON document on stdout instead of text."),
    GlobalOption("quiet", ("--quiet", "-q"), None, "Print only results and errors: no progress, hints or next steps."),
    GlobalOption(
        "no_input", ("--no-input",), None,
        "Never prompt: a question greencli would ask is an error instead (as when stdin is not a terminal).",
    ),
    GlobalOption("debug", ("--debug",), None, "Show redacted tracebacks and HTTP details."),
    GlobalOption(
        "sandbox", ("--sandbox",), None,
        "Run the command against a built-in Green API sandbox started for it alone "
        "(authorized, set up as the guide says; no account needed).",
    ),
)

_BY_FLAG = {flag: option for option in GLOBAL_OPTIONS for flag in option.flags}


def parse_value(option: GlobalOption, text: str) -> object:
    """The value of a global option that takes one, from its text (scan's reading; the parser
    checks it properly). A --timeout that is not a number reads as NaN, which
    resolve_timeout refuses."""
    if option.field == "env_files":
        return (Path(text),)
    if option.field == "timeout":
        try:
            return float(text)
        except ValueError:
            return math.nan
    return text


class Scanned(NamedTuple):
    command: str | None  # the first word that is not an option: the command's name
    settings: RunSettings


def scan(args: Sequence[str]) -> Scanned:
    """The command's name and the global options in `args`, before or after the command.

    A quick reading, not the parser: it does not know the command's own options, so a value
    that looks like an option (`--message --json`) is read as that option. Good enough for
    what uses it: connections opened ahead, and how to report a usage error.
    """
    settings = RunSettings()
    command = None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        option = _BY_FLAG.get(name)
        if option is not None and option.metavar is not None:
            if not equals:
                index += 1
                value = args[index] if index < len(args) else ""
            settings = settings.given_later({option.field: parse_value(option, value)})
        elif option is not None and not equals:
            settings = settings.given_later({option.field: True})
        elif command is None and not arg.startswith("-"):
            command = arg
        index += 1
    return Scanned(command, settings)
