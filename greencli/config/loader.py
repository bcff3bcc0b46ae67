"""The one credentials loader: precedence.

Highest first: root options, environment variables, then the file named by `--env-file` or
else the nearest `.env` (config/discovery.py finds it, config/env_file_reading.py reads it).
Every value remembers where it came from (an Origin), every problem is collected (doctor shows
them all; config/validation.py holds the rules) and `Resolution.credentials()` raises the first
error. Nothing is written into the process environment.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from greencli import redaction
from greencli.config.discovery import find_env_file, nearest_env_file, project_root
from greencli.config.env_file_reading import EnvFile, read_env_file
from greencli.config.validation import check_values, validate
from greencli.config.variables import (
    API_URL,
    CA_VARIABLES,
    INSTANCE_ID,
    MEDIA_URL,
    OPTION_FOR,
    TIMEOUT,
    TOKEN,
    VARIABLES,
    Origin,
    Problem,
    Setting,
    clean,
)
from greencli.errors import UsageError
from greencli.greenapi.credentials import DEFAULT_API_URL, Credentials
from greencli.greenapi.trust import Trust

# The loader's public names, wherever they are defined.
__all__ = [
    "API_URL", "DEFAULT_TIMEOUT", "INSTANCE_ID", "MEDIA_URL", "OPTION_FOR", "TIMEOUT", "TOKEN", "VARIABLES",
    "EnvFile", "Origin", "Problem", "Resolution", "RootOptions", "Setting",
    "check_values", "nearest_env_file", "project_root", "read_env_file", "resolve", "resolve_timeout",
]

DEFAULT_TIMEOUT = 10.0


class RootOptions(NamedTuple):
    """What the root command was given; nothing is resolved yet."""

    instance_id: str | None = None
    token: str | None = None
    api_url: str | None = None
    env_file: Path | None = None
    timeout: float | None = None
    sandbox: bool = False  # the values are a --sandbox sandbox's, not the user's options


class Resolution:
    """Every credential with its source, the .env file read, and every problem found."""

    def __init__(
        self,
        settings: dict[str, Setting],
        env_file: Path | None,
        problems: list[Problem] | None = None,
        ca: Trust | None = None,
    ) -> None:
        self.settings = settings
        self.env_file = env_file
        self.problems = problems if problems is not None else []
        self.ca = ca  # the CA bundle the env file names, if any

    def value(self, variable: str) -> str | None:
        return self.settings[variable].value

    def given(self, variable: str) -> str | None:
        """The value when one was given (an option, the environment, the file), not a default."""
        setting = self.settings[variable]
        return setting.value if setting.origin is not None and setting.origin.kind != "default" else None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def credentials(self) -> Credentials:
        """The validated credentials, or a ConfigError for the first problem found."""
        if self.errors:
            raise self.errors[0].error()
        return Credentials(
            instance_id=self.value(INSTANCE_ID) or "",
            token=self.value(TOKEN) or "",
            api_url=self.value(API_URL) or DEFAULT_API_URL,
            media_url=self.value(MEDIA_URL),
            ca=self.ca,
        )


def resolve(
    options: RootOptions,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    read_env_file: bool = True,
) -> Resolution:
    """Gather every credential from every source, remember where each came from, validate."""
    environ = os.environ if environ is None else environ
    cwd = cwd or Path.cwd()
    problems: list[Problem] = []

    env_file = find_env_file(options.env_file, cwd, problems) if read_env_file else None
    file_values = env_file.values if env_file else {}
    if env_file:
        problems.extend(env_file.problems)

    option_values = {
        INSTANCE_ID: options.instance_id,
        TOKEN: options.token,
        API_URL: options.api_url,
    }
    settings: dict[str, Setting] = {}
    for variable in VARIABLES:
        candidates: list[tuple[str, Origin]] = []
        option_value = clean(option_values.get(variable))
        if option_value is not None:
            origin = Origin("sandbox", "the --sandbox sandbox") if options.sandbox else Origin("option", OPTION_FOR[variable])
            candidates.append((option_value, origin))
        env_value = clean(environ.get(variable))
        if env_value is not None:
            candidates.append((env_value, Origin("environment", variable)))
        if variable in file_values:
            file_value, line = file_values[variable]
            cleaned = clean(file_value)
            if cleaned is not None and env_file is not None:
                candidates.append((cleaned, Origin("env-file", f"{env_file.display} line {line}")))
        if variable == API_URL:
            candidates.append((DEFAULT_API_URL, Origin("default", "built-in default")))
        if not candidates:
            settings[variable] = Setting(variable, None, None)
            continue
        if variable in (API_URL, MEDIA_URL):  # a trailing slash is ignored, so it differs in nothing
            candidates = [(v.rstrip("/"), o) for v, o in candidates]
        value, origin = candidates[0]
        shadowed = tuple(o for v, o in candidates[1:] if v != value and o.kind != "default")
        settings[variable] = Setting(variable, value, origin, shadowed)

    # Every token seen in any source is a secret, the ignored ones included.
    redaction.register(option_values[TOKEN])
    redaction.register(environ.get(TOKEN))
    redaction.register(file_values.get(TOKEN, ("", 0))[0])

    problems.extend(validate(settings))
    ca = _ca_named_in(env_file, settings[API_URL].value, problems) if env_file else None
    return Resolution(settings, env_file.path if env_file else None, problems, ca)


def _ca_named_in(env_file: EnvFile, api_url: str | None, problems: list[Problem]) -> Trust | None:
    """The CA bundle the env file names (the first of the standard variables it sets; a
    relative path is from the file's directory), for a sandbox on this machine only: `greencli
    sandbox --tls > tls.env` writes those lines, and its throw-away CA is what its host is
    verified with (the machine's CA variables know nothing of it). For any other host the lines
    are not used (a repository's .env must not choose whom greencli trusts for Green API), and
    a warning says so. A path that does not exist is an error when it would be used."""
    for name in CA_VARIABLES:
        value, line = env_file.values.get(name, ("", 0))
        value = value.strip()
        if not value:
            continue
        where = f"{name} ({env_file.display} line {line})"
        if not _is_loopback(api_url):
            if os.environ.get(name, "").strip() == value:
                return None  # the environment says the same: nothing is lost
            problems.append(
                Problem(
                    "warning",
                    "ca_in_env_file",
                    f"{where} is not used: greencli takes the CAs to trust for {urlsplit(api_url or '').hostname} "
                    "from the environment (from an env file only for a sandbox on this machine).",
                    f"Set {name} in the environment, or remove the line from {env_file.display}.",
                    name,
                )
            )
            return None
        path = Path(value) if os.path.isabs(value) else env_file.path.parent / value
        if not path.exists():
            problems.append(
                Problem(
                    "error",
                    "invalid_config",
                    f"{where} names {value}, which does not exist.",
                    "Point it at a PEM file of trusted certificates, or remove the line (the CA of "
                    "`greencli sandbox --tls` is deleted when that sandbox stops).",
                    name,
                )
            )
        return Trust(str(path), where)
    return None


def _is_loopback(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_timeout(options: RootOptions, environ: Mapping[str, str] | None = None) -> float:
    """The per-request timeout: --timeout, then GREENCLI_TIMEOUT, then 10 seconds."""
    environ = os.environ if environ is None else environ
    if options.timeout is not None:
        value: float | str = options.timeout
        source = "--timeout"
    elif clean(environ.get(TIMEOUT)) is not None:
        value = environ[TIMEOUT].strip()
        source = TIMEOUT
    else:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds > 3600:
        raise UsageError(
            f"{source} must be a number of seconds, more than 0 and at most 3600, not {value!r}.",
            f"For example: {source}{'=' if source == TIMEOUT else ' '}30",
            code="invalid_timeout",
        )
    return seconds
