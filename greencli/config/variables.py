"""greencli's variables and the words the loader speaks in: where a value came from (Origin),
a value with its origin (Setting), and a problem found on the way (Problem)."""

from __future__ import annotations

from typing import Literal, NamedTuple

from greencli.errors import ConfigError, ErrorCode, is_error_code
from greencli.greenapi import trust

INSTANCE_ID = "GREEN_API_INSTANCE_ID"
TOKEN = "GREEN_API_TOKEN"
API_URL = "GREEN_API_URL"
MEDIA_URL = "GREEN_API_MEDIA_URL"
TIMEOUT = "GREENCLI_TIMEOUT"

VARIABLES = (INSTANCE_ID, TOKEN, API_URL, MEDIA_URL)
OPTION_FOR = {INSTANCE_ID: "--instance-id", TOKEN: "--token", API_URL: "--api-url"}
# Read from an env file too (`greencli sandbox --tls > tls.env` writes two): the CAs to trust.
CA_VARIABLES = trust.VARIABLES


class Origin(NamedTuple):
    kind: str  # "option", "sandbox" (a --sandbox run's), "environment", "env-file" or "default"
    where: str  # e.g. "--token", "GREEN_API_TOKEN", ".env line 3", "built-in default"

    def __str__(self) -> str:
        return self.where


class Setting(NamedTuple):
    variable: str
    value: str | None
    origin: Origin | None
    # Lower-precedence sources that hold a different value (ignored, worth a warning).
    shadowed: tuple[Origin, ...] = ()


# What only ever warns; an error-level problem carries greencli's error code.
WarningCode = Literal[
    "shadowed_variable", "duplicate_variable", "unusual_instance_id", "unusual_token", "env_file_permissions", "ca_in_env_file"
]
ProblemCode = ErrorCode | WarningCode
Level = Literal["error", "warning"]


class Problem(NamedTuple):
    level: Level
    code: ProblemCode
    message: str
    hint: str
    variable: str | None = None

    def error(self) -> ConfigError:
        """The error a command stops with when this problem is an error."""
        return ConfigError(self.message, self.hint, code=self.code if is_error_code(self.code) else "invalid_config")


def clean(value: str | None) -> str | None:
    """`value` without surrounding blanks; an empty value counts as not set (None)."""
    if value is None:
        return None
    value = value.strip()
    return value or None
