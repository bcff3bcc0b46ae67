"""greencli's errors: each redacts what it is given, and each class has its code and exit code."""

from __future__ import annotations

import pytest

from greencli.errors import ApiError, ConfigError, ExitCode, GreenCliError, InternalError, NotFine, UsageError


def test_errors_redact_at_construction(token: str) -> None:
    url = f"https://api.green-api.com/waInstance1101000001/getStateInstance/{token}"
    error = GreenCliError(f"message {token}", f"hint {url}", code="bad_response", details={"k": 1})
    assert token not in error.message and token not in (error.hint or "") and token not in str(error)
    assert error.to_json() == {
        "ok": False,
        "error": {"code": "bad_response", "message": error.message, "hint": error.hint, "details": {"k": 1}},
    }


@pytest.mark.parametrize(
    ("cls", "code", "exit_code"),
    [
        (UsageError, "usage_error", ExitCode.USAGE),
        (ConfigError, "invalid_config", ExitCode.USAGE),
        (ApiError, "api_error", ExitCode.API),
        (InternalError, "internal_error", ExitCode.NOT_FINE),
    ],
)
def test_error_classes_codes_and_exit_codes(cls, code: str, exit_code: ExitCode) -> None:
    error = cls("m")
    assert error.code == code
    assert error.exit_code == exit_code
    assert error.hint is None
    assert cls("m", code="timeout").code == "timeout"


def test_not_fine_always_says_what_is_not_fine() -> None:
    assert NotFine("m", code="qr_timeout").code == "qr_timeout"
    assert NotFine("m", code="qr_timeout").exit_code == ExitCode.NOT_FINE
    with pytest.raises(TypeError):
        NotFine("m")  # type: ignore[call-arg]


def test_exit_code_values() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 74, 130]
