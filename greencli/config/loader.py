"""The one credentials loader.

Precedence, highest first: root options, environment variables, then the file named by
`--env-file` or else the nearest `.env` (the current directory, then its parents up to the top of
the git work tree, never above it). python-dotenv parses the file; nothing is
written into the process environment. Every value remembers where it came from, and every
problem is collected (doctor shows them all); `Resolution.credentials()` raises the first error.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from greencli import redaction
from greencli.config.env_file_reading import EnvFileRefused, read_env_bytes
from greencli.errors import ConfigError, UsageError
from greencli.greenapi.credentials import (
    DEFAULT_API_URL,
    TOKEN_EXPECTED,
    TOKEN_SHAPE,
    Credentials,
    OtherProduct,
    check_url_shape,
    is_digits,
    other_product,
    token_problem,
)

DEFAULT_TIMEOUT = 10.0

INSTANCE_ID = "GREEN_API_INSTANCE_ID"
TOKEN = "GREEN_API_TOKEN"
API_URL = "GREEN_API_URL"
MEDIA_URL = "GREEN_API_MEDIA_URL"
TIMEOUT = "GREENCLI_TIMEOUT"

VARIABLES = (INSTANCE_ID, TOKEN, API_URL, MEDIA_URL)
OPTION_FOR = {INSTANCE_ID: "--instance-id", TOKEN: "--token", API_URL: "--api-url"}



class RootOptions(NamedTuple):
    """What the root command was given; nothing is resolved yet."""

    instance_id: str | None = None
    token: str | None = None
    api_url: str | None = None
    env_file: Path | None = None
    timeout: float | None = None
    sandbox: bool = False  # the values are a --sandbox sandbox's, not the user's options


class Origin(NamedTuple):
    kind: str  # "option", "environment", "env-file" or "default"
    where: str  # e.g. "--token", "GREEN_API_TOKEN", ".env line 3", "built-in default"

    def __str__(self) -> str:
        return self.where


class Setting(NamedTuple):
    variable: str
    value: str | None
    origin: Origin | None
    # Lower-precedence sources that hold a different value (ignored, worth a warning).
    shadowed: tuple[Origin, ...] = ()


class Problem(NamedTuple):
    level: str  # "error" or "warning"
    code: str
    message: str
    hint: str
    variable: str | None = None


class Resolution:
    """Every credential with its source, the .env file read, and every problem found."""

    def __init__(self, settings: dict[str, Setting], env_file: Path | None, problems: list[Problem] | None = None) -> None:
        self.settings = settings
        self.env_file = env_file
        self.problems = problems if problems is not None else []

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
            first = self.errors[0]
            raise ConfigError(first.message, first.hint, code=first.code)
        return Credentials(
            instance_id=self.value(INSTANCE_ID) or "",
            token=self.value(TOKEN) or "",
            api_url=self.value(API_URL) or DEFAULT_API_URL,
            media_url=self.value(MEDIA_URL),
        )


class EnvFile(NamedTuple):
    path: Path
    display: str
    values: dict[str, tuple[str, int]]  # variable -> (value, line)
    problems: list[Problem]


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

    env_file = _find_env_file(options, cwd, problems) if read_env_file else None
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
        option_value = _clean(option_values.get(variable))
        if option_value is not None:
            where = "the --sandbox sandbox" if options.sandbox else OPTION_FOR[variable]
            candidates.append((option_value, Origin("option", where)))
        env_value = _clean(environ.get(variable))
        if env_value is not None:
            candidates.append((env_value, Origin("environment", variable)))
        if variable in file_values:
            file_value, line = file_values[variable]
            cleaned = _clean(file_value)
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

    problems.extend(_validate(settings))
    problems.extend(_shadow_warnings(settings))
    return Resolution(settings, env_file.path if env_file else None, problems)


def check_values(instance_id: str | None, token: str | None, api_url: str | None) -> list[Problem]:
    """Validate credentials typed at a prompt, by the same rules as the loader."""
    origin = Origin("option", "your input")

    def setting(variable: str, value: str | None) -> Setting:
        value = _clean(value)
        if value is not None and variable == API_URL:
            value = value.rstrip("/")
        return Setting(variable, value, origin if value is not None else None)

    return _validate(
        {
            INSTANCE_ID: setting(INSTANCE_ID, instance_id),
            TOKEN: setting(TOKEN, token),
            API_URL: setting(API_URL, api_url or DEFAULT_API_URL),
            MEDIA_URL: setting(MEDIA_URL, None),
        }
    )


def resolve_timeout(options: RootOptions, environ: Mapping[str, str] | None = None) -> float:
    """The per-request timeout: --timeout, then GREENCLI_TIMEOUT, then 10 seconds."""
    environ = os.environ if environ is None else environ
    if options.timeout is not None:
        value: float | str = options.timeout
        source = "--timeout"
    elif _clean(environ.get(TIMEOUT)) is not None:
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


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _find_env_file(options: RootOptions, cwd: Path, problems: list[Problem]) -> EnvFile | None:
    if options.env_file is not None:
        path = options.env_file if options.env_file.is_absolute() else cwd / options.env_file
        if not path.exists():
            problems.append(
                Problem(
                    "error",
                    "env_file_error",
                    f"The file given with --env-file does not exist: {options.env_file}",
                    "Check the path, or run `greencli init` in that directory to write one.",
                )
            )
            return None
        return read_env_file(path, str(options.env_file))
    path = nearest_env_file(cwd)
    if path is None:
        return None
    return read_env_file(path, os.path.relpath(path, cwd))


def project_root(cwd: Path) -> Path | None:
    """The top of the git work tree holding `cwd` (the nearest directory with a .git), or None.

    Found by looking for `.git` rather than by asking git: every command reads .env, and a git
    process would cost more than the rest of greencli's start-up.
    """
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists():
            return directory
    return None


def nearest_env_file(cwd: Path) -> Path | None:
    """`.env` in `cwd`, else in its parents up to the top of the git work tree (never above it;
    outside a work tree, only `cwd`): a command run in a project's subdirectory finds the
    project's .env, and never one from another project or the home directory."""
    top = project_root(cwd)
    directories = [cwd] if top is None else [cwd, *cwd.parents[: len(cwd.parents) - len(top.parents)]]
    for directory in directories:
        path = directory / ".env"
        if path.exists() or path.is_symlink():
            return path
    return None


def read_env_file(path: Path, display: str) -> EnvFile:
    """Read a .env file with python-dotenv, keeping the line of each of greencli's variables."""
    import logging

    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    # greencli reports unparsable lines itself, naming file and line; not twice.
    logging.getLogger("dotenv.main").setLevel(logging.ERROR)

    problems: list[Problem] = []

    def unreadable(why: str, hint: str) -> EnvFile:
        problems.append(Problem("error", "env_file_error", f"{display} {why}", hint))
        return EnvFile(path, display, {}, problems)

    try:
        raw = read_env_bytes(path)
    except EnvFileRefused as refused:
        if refused.why.startswith("is a directory") and (display == ".env" or display.endswith("/.env")):
            return unreadable(
                refused.why,
                "greencli reads a file named .env; this one is a directory: rename it, or use --env-file PATH.",
            )
        return unreadable(refused.why, refused.hint)
    except PermissionError:
        return unreadable(
            "cannot be read: permission denied.",
            f"Make it readable by you: chmod 600 {display}",
        )
    except OSError as error:
        return unreadable(
            f"cannot be read ({error.strerror or error}).",
            "Check that the file exists and is a regular file.",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return unreadable(
            "is not a UTF-8 text file.",
            "Save it as plain UTF-8 text with lines like GREEN_API_INSTANCE_ID=1101000001.",
        )
    if "\x00" in text:
        return unreadable(
            "looks like a binary file, not a text .env file.",
            "Write lines like GREEN_API_INSTANCE_ID=1101000001 in a plain text file.",
        )

    lines: dict[str, list[int]] = {}
    for binding in parse_stream(io.StringIO(text)):
        # python-dotenv counts from the blank lines before a binding; count to the binding.
        leading = binding.original.string[: len(binding.original.string) - len(binding.original.string.lstrip())]
        line = binding.original.line + leading.count("\n")
        original = binding.original.string.strip()
        if binding.error:
            ours = re.match(r"(export\s+)?(GREEN_API_|GREENCLI_)", original)
            problems.append(
                Problem(
                    "error" if ours else "warning",
                    "env_file_error",
                    f"{display} line {line} cannot be parsed"
                    + (" (it looks like one of greencli's variables)." if ours else "."),
                    "Write it as NAME=value, quoting values that contain spaces or #.",
                )
            )
        elif binding.key in VARIABLES:
            lines.setdefault(binding.key, []).append(line)

    if TOKEN in lines and path.stat().st_mode & 0o077:
        problems.append(
            Problem(
                "warning",
                "env_file_permissions",
                f"{display} holds the API token and can be read by other users on this machine.",
                f"Make it private: chmod 600 {display}",
            )
        )
    parsed = dotenv_values(stream=io.StringIO(text), interpolate=False)
    values: dict[str, tuple[str, int]] = {}
    for variable, found_on in lines.items():
        value = parsed.get(variable)
        if value is None:
            continue
        values[variable] = (value, found_on[-1])
        if len(found_on) > 1:
            problems.append(
                Problem(
                    "warning",
                    "duplicate_variable",
                    f"{variable} is set {len(found_on)} times in {display} "
                    f"(lines {', '.join(map(str, found_on))}); line {found_on[-1]} is used.",
                    f"Keep one {variable} line in {display}.",
                    variable,
                )
            )
    return EnvFile(path, display, values, problems)


def _validate(settings: dict[str, Setting]) -> list[Problem]:
    problems: list[Problem] = []
    missing = [v for v in (INSTANCE_ID, TOKEN) if settings[v].value is None]
    if missing:
        names = " and ".join(missing)
        options = " and ".join(OPTION_FOR[v] for v in missing)
        one = len(missing) == 1
        problems.append(
            Problem(
                "error",
                "missing_credentials",
                f"{names} {'is' if one else 'are'} not set.",
                f"Run `greencli init` to write {'it' if one else 'them'} to .env, set {names} in the "
                f"environment, or pass {options}. {'It is' if one else 'Both are'} on the instance's "
                "page at console.green-api.com.",
                missing[0],
            )
        )

    instance_id = settings[INSTANCE_ID].value
    if instance_id is not None and not is_digits(instance_id):
        problems.append(
            Problem(
                "error",
                "invalid_instance_id",
                f"{INSTANCE_ID} must be digits only (the idInstance, like 1101000001); "
                f"the value from {settings[INSTANCE_ID].origin} is not.",
                "Copy idInstance from the instance's page at console.green-api.com.",
                INSTANCE_ID,
            )
        )
    elif instance_id is not None and not 4 <= len(instance_id) <= 13:
        problems.append(
            Problem(
                "warning",
                "unusual_instance_id",
                f"{INSTANCE_ID} has {len(instance_id)} digits; instance IDs usually have 10.",
                "Check that you copied the whole idInstance from the console.",
                INSTANCE_ID,
            )
        )

    token = settings[TOKEN].value
    if token is not None:
        why = token_problem(token)
        if why:
            problems.append(
                Problem(
                    "error",
                    "invalid_token",
                    f"{TOKEN} (from {settings[TOKEN].origin}) {why}, so it cannot be the "
                    f"apiTokenInstance ({TOKEN_EXPECTED}).",
                    "Copy apiTokenInstance again from the instance's page at console.green-api.com.",
                    TOKEN,
                )
            )
        elif not TOKEN_SHAPE.fullmatch(token):
            shape = (
                f"this one has {len(token)} characters"
                if len(token) != 50
                else "this one has other characters than 0-9 and a-f"
            )
            problems.append(
                Problem(
                    "warning",
                    "unusual_token",
                    f"{TOKEN} does not look like an apiTokenInstance (usually 50 lowercase hex characters; {shape}).",
                    "Check that you copied the whole apiTokenInstance from the console.",
                    TOKEN,
                )
            )

    problems.extend(_validate_url(settings[API_URL], required=True))
    if settings[MEDIA_URL].value is not None:
        problems.extend(_validate_url(settings[MEDIA_URL], required=False))

    # No check that the host "matches" the instance ID: hosts cannot be derived from the ID
    # (1101... instances use 1101.api.green-api.com; pools such as 7700 and 5700 are shared;
    # https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/).
    return problems


def _validate_url(setting: Setting, required: bool) -> list[Problem]:
    url = setting.value
    if url is None:
        return []
    level = "error" if required else "warning"
    example = "https://7103.api.greenapi.com" if required else "https://7103.media.greenapi.com"
    hint = f"Copy {'apiUrl' if required else 'mediaUrl'} from the instance's page at console.green-api.com, e.g. {example}"
    why = check_url_shape(url)
    if why:
        return [Problem(level, "invalid_api_url", f"{setting.variable} {why}.", hint, setting.variable)]
    path = urlsplit(url).path
    product = other_product(url)
    if product is not None:
        return [_other_product_problem(setting, product, level)]
    if "waInstance" in path:
        return [
            Problem(
                level,
                "invalid_api_url",
                f"{setting.variable} contains a whole request path; it must be the host only.",
                hint,
                setting.variable,
            )
        ]
    return []


def _other_product_problem(setting: Setting, product: OtherProduct, level: str) -> Problem:
    """An address of Green API's MAX or Telegram API, not of WhatsApp: an error when its path
    says so, a warning when only its host does (that host is observed in the Telegram docs)."""
    if product.certain:
        message = f"{setting.variable} {product.sign}, the address form of Green API's {product.product} product, not of WhatsApp."
    else:
        message = (f"{setting.variable} {product.sign}, the host that Green API's {product.product} docs and SDKs use: "
                   f"is this a {product.product} instance?")
    if product.without is not None:
        hint = f"Remove {product.sign.split()[-1]}: {product.without}"
    else:
        hint = ("greencli works with WhatsApp instances: copy apiUrl and mediaUrl of a WhatsApp instance from "
                "console.green-api.com (a Telegram instance needs Green API's Telegram tools).")
    return Problem(level if product.certain else "warning", "invalid_api_url", message, hint, setting.variable)


def _describe(origin: Origin | None) -> str:
    if origin is not None and origin.kind == "environment":
        return "the environment"
    return str(origin)


def _shadow_warnings(settings: dict[str, Setting]) -> list[Problem]:
    problems = []
    for setting in settings.values():
        for origin in setting.shadowed:
            problems.append(
                Problem(
                    "warning",
                    "shadowed_variable",
                    f"{setting.variable} from {_describe(setting.origin)} overrides a different value "
                    f"in {_describe(origin)}.",
                    f"Remove the one you do not mean, so there is one source of {setting.variable}.",
                    setting.variable,
                )
            )
    return problems
