"""Edge cases found by trying greencli as a new user: each one a line of output done right."""

from __future__ import annotations

import json

import pytest

from greencli.config.env_file_writer import render
from greencli.redaction import redact, register


def test_a_token_given_in_the_wrong_place_is_masked_in_the_usage_error(run_cli, token, assert_no_token) -> None:
    for args in (["--instance-id", "1101000001", token, "check-state"], ["check-state", token], ["send-test", "79001234567", token]):
        result = run_cli(args)
        assert result.exit_code == 2
        assert_no_token(result, token)


def test_a_token_typed_as_a_phone_number_is_masked_before_it_is_cut_short(run_cli, token, assert_no_token) -> None:
    result = run_cli(["send-test", token], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token})
    assert result.exit_code == 2
    assert_no_token(result, token)
    glued = run_cli(["send-test", f"79001234567@{token}"], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token})
    assert glued.exit_code == 2
    assert_no_token(glued, token)


def test_any_20_character_piece_of_a_known_secret_is_masked(token) -> None:
    register(token)
    for piece in (token[:20], token[7:33], token[-25:]):
        masked = redact(f"value={piece}!")
        assert piece not in masked and masked.startswith("value=") and masked.endswith("!")


def test_doctor_exits_2_when_the_configuration_is_missing(run_cli) -> None:
    result = run_cli(["doctor", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    checks = {check["id"]: check["status"] for check in document["checks"]}
    assert checks["config"] == "fail" and checks["credentials"] == "skip"


def test_qr_save_to_a_missing_directory_is_refused_before_any_request(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["qr", "--once", "--save", "no/such/dir/code.png"], env=env)
    assert result.exit_code == 2 and "does not exist" in result.stderr
    directory = run_cli(["qr", "--once", "--save", "."], env=env)
    assert directory.exit_code == 2 and "is a directory" in directory.stderr


def test_init_force_keeps_export_prefixes_and_other_lines() -> None:
    existing = "# mine\nexport GREEN_API_TOKEN=old\nOTHER=1\n"
    text = render({"GREEN_API_TOKEN": "new"}, existing)
    assert text == "# mine\nexport GREEN_API_TOKEN=new\nOTHER=1\n"


def test_a_broken_env_line_is_reported_once_by_greencli(run_cli, tmp_path) -> None:
    (tmp_path / ".env").write_text('GREEN_API_INSTANCE_ID=1101000001\nGREEN_API_TOKEN="unterminated\n')
    (tmp_path / ".env").chmod(0o600)
    result = run_cli(["check-state"])
    assert result.exit_code == 2
    assert ".env line 2" in result.stderr
    assert "python-dotenv could not parse" not in result.stderr


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
