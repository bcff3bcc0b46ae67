"""The root command and its error boundary, through greencli.cli.app.main."""

from __future__ import annotations

import json

import pytest


def test_a_token_given_in_the_wrong_place_is_masked_in_the_usage_error(run_cli, token, assert_no_token) -> None:
    for args in (["--instance-id", "1101000001", token, "check-state"], ["check-state", token], ["send-test", "79001234567", token]):
        result = run_cli(args)
        assert result.exit_code == 2
        assert_no_token(result, token)


# -- non-finite seconds (issue 14, finding 7) --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check-state", "--wait"],
        ["qr", "--wait"],
        ["send-test", "79001234567", "--wait"],
        ["webhooks", "enable", "--verify-wait"],
        ["sandbox", "--auto-scan"],
        ["sandbox", "--push-retry"],
        ["--timeout"],
    ],
)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "NaN"])
def test_non_finite_seconds_are_usage_errors(run_cli, args: list[str], value: str) -> None:  # type: ignore[no-untyped-def]
    import json

    command = [*args, value] + (["check-state"] if args == ["--timeout"] else []) + ["--json"]
    result = run_cli(command, env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": "0" * 50})
    assert result.exit_code == 2, (command, result.stdout, result.stderr)
    error = json.loads(result.stdout)["error"]
    # The expected shape: "a number of seconds from 1 to 86400", or click's "in the range x>=1".
    assert "seconds from" in error["message"] or "at most 3600" in error["message"] or "range x>=" in error["message"]


def test_non_finite_timeout_from_the_environment_is_a_usage_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    for value in ("nan", "inf"):
        result = run_cli(["check-state"], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": "0" * 50, "GREENCLI_TIMEOUT": value})
        assert result.exit_code == 2
        assert "GREENCLI_TIMEOUT must be a number of seconds" in result.stderr


def _float_options() -> list[tuple[list[str], str]]:
    """Every float option of every command, found by walking the command table."""
    import typer

    from greencli.cli.app import app

    found: list[tuple[list[str], str]] = []

    def walk(command, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk(command.get_command(None, name), [*path, name])
            return
        for param in command.params:
            if "float" in param.type.name and param.opts[0].startswith("--") and param.opts[0] != "--timeout":
                found.append((path, param.opts[0]))

    walk(typer.main.get_command(app), [])
    return found


FLOAT_OPTIONS = _float_options()
ARGUMENTS = {"send-test": ["79001234567"]}


def test_the_walk_finds_the_float_options() -> None:
    assert (["check-state"], "--wait") in FLOAT_OPTIONS and len(FLOAT_OPTIONS) >= 8


@pytest.mark.parametrize(("path", "option"), FLOAT_OPTIONS, ids=[f"{' '.join(p)} {o}" for p, o in FLOAT_OPTIONS])
def test_every_float_option_refuses_nan(run_cli, path: list[str], option: str) -> None:  # type: ignore[no-untyped-def]
    result = run_cli([*path, *ARGUMENTS.get(path[-1], []), option, "nan", "--json"], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": "0" * 50})
    assert result.exit_code == 2, (path, option, result.stdout)
    assert option in json.loads(result.stdout)["error"]["message"]
