"""greencli's errors: each carries a stable code, an exit code, a message and a hint.

The API client and the credentials loader raise these; only the error boundary in
`greencli.cli.app.main` turns them into output and an exit status. The codes are a closed set
(`ErrorCode`): a new one is added there and documented in docs/configuration.md (a test reads
`ERROR_CODES`), and mypy refuses any other string.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Literal, TypeGuard, get_args

from greencli.redaction import redact

ErrorCode = Literal[
    # exit 2: bad input, found before any request
    "usage_error",
    "missing_credentials",
    "invalid_instance_id",
    "invalid_token",
    "invalid_api_url",
    "invalid_config",
    "env_file_error",
    "env_file_exists",
    "env_file_unwritable",
    "invalid_timeout",
    "invalid_phone",
    "invalid_message",
    "invalid_file",
    "invalid_message_id",
    "invalid_url",
    "invalid_path",
    "confirmation_required",
    "port_unavailable",
    "token_not_in_env_file",
    "env_file_not_writable",
    "env_file_locked",
    # exit 1: the command ran; what it checks is not fine
    "reboot_pending",
    "not_authorized",
    "no_whatsapp",
    "polling_impossible",
    "listener_running",
    "settings_not_applied",
    "qr_error",
    "qr_timeout",
    "pairing_failed",
    "pairing_timeout",
    "instance_starting",
    "message_not_found",
    "reboot_failed",
    "logout_failed",
    "env_not_updated",
    "no_webhook_url",
    "webhook_url_credentials",
    "internal_error",
    # exit 3: the API could not be reached or answered with an error
    "unauthorized",
    "forbidden",
    "not_found",
    "bad_request",
    "instance_expired",
    "instance_deleted",
    "rate_limited",
    "quota_exceeded",
    "server_error",
    "http_error",
    "redirected",
    "bad_response",
    "possibly_sent",
    "timeout",
    "connection_failed",
    "dns_failed",
    "tls_error",
    "proxy_error",
    "api_error",
    "token_not_rotated",
    "rotation_uncertain",
    # exit 74 and 130
    "output_failed",
    "set_aside_failed",
    "interrupted",
]
ERROR_CODES: frozenset[str] = frozenset(get_args(ErrorCode))


def is_error_code(code: str) -> TypeGuard[ErrorCode]:
    return code in ERROR_CODES


class ExitCode(IntEnum):
    OK = 0
    NOT_FINE = 1  # the command ran; what it checks is not fine
    USAGE = 2  # bad input, found before any request
    API = 3  # the API could not be reached or answered with an error
    OUTPUT = 74  # stdout could not be written (sysexits' EX_IOERR): a full disk, an I/O error
    INTERRUPTED = 130


class GreenCliError(Exception):
    """Base class. `code` is a stable string scripts can match on; each subclass names its own
    (the base's is never shown: only its subclasses are raised)."""

    code: ErrorCode = "internal_error"
    exit_code = ExitCode.API

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        code: ErrorCode | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = redact(message)
        self.hint = redact(hint) if hint else None
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(self.message)

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.details:
            error["details"] = self.details
        return {"ok": False, "error": error}


class UsageError(GreenCliError):
    """Input greencli can reject before sending anything (exit 2)."""

    code: ErrorCode = "usage_error"
    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """Missing or malformed credentials, or an unreadable .env (exit 2)."""

    code: ErrorCode = "invalid_config"


class NotFine(GreenCliError):
    """The command ran and found something wrong (exit 1); `code` says what, always."""

    exit_code = ExitCode.NOT_FINE

    def __init__(
        self, message: str, hint: str | None = None, *, code: ErrorCode, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, hint, code=code, details=details)


class InternalError(GreenCliError):
    """A bug in greencli, caught at the boundary so the user sees one line, not a traceback."""

    code: ErrorCode = "internal_error"
    exit_code = ExitCode.NOT_FINE


class OutputFailed(GreenCliError):
    """stdout failed for another reason than a reader that went away (exit 74); reported as
    one line on stderr, since stdout is what failed."""

    code: ErrorCode = "output_failed"
    exit_code = ExitCode.OUTPUT


class ReaderGone(Exception):
    """stdout's reader went away (`greencli webhooks listen | head -1`): not an error. What
    waited for the next notification stops, and greencli ends quietly."""


class Interrupted(GreenCliError):
    """Ctrl-C: reported as one line (or, with --json, the error document) and exit 130."""

    code: ErrorCode = "interrupted"
    exit_code = ExitCode.INTERRUPTED


class ApiError(GreenCliError):
    """The API could not be reached, or answered with an error (exit 3).

    `status` is the HTTP status when there was an answer. `may_have_been_processed` is set when
    the request reached the server but its answer was lost: a send may have gone out.
    """

    code: ErrorCode = "api_error"
    exit_code = ExitCode.API

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        code: ErrorCode | None = None,
        status: int | None = None,
        method: str | None = None,
        may_have_been_processed: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, hint, code=code, details=details)
        self.status = status
        self.method = method
        self.may_have_been_processed = may_have_been_processed


class QuotaExceeded(ApiError):
    """HTTP 466: a monthly quota of the plan is used up.

    `kind` is "chats" (the free plan's 3-chat limit) or "method" (a per-method monthly quota);
    `allowed_chats` lists the chats the plan still allows, when the answer names them.
    """

    code: ErrorCode = "quota_exceeded"

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        kind: str,
        quota_method: str | None = None,
        used: int | None = None,
        total: int | None = None,
        allowed_chats: list[str] | None = None,
        method: str | None = None,
    ) -> None:
        details: dict[str, Any] = {"kind": kind}
        if quota_method:
            details["method"] = quota_method
        if used is not None:
            details["used"] = used
        if total is not None:
            details["total"] = total
        if allowed_chats:
            details["allowedChats"] = allowed_chats
        super().__init__(message, hint, status=466, method=method, details=details)
        self.kind = kind
        self.quota_method = quota_method
        self.allowed_chats = allowed_chats or []
