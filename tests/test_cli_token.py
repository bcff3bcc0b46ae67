"""`greencli token rotate`, with Green API mocked by `responses`.

updateApiToken (beta) answers {"apiTokenInstance": "<new>"}; a failure is HTTP 200 with
{"code": 401, ...}; the old token stops working at once:
https://green-api.com/en/docs/api/account/UpdateApiToken/
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

import pytest

from greencli.config import env_file_writer
from tests import mocked_api
from tests.conftest import token_leaks
from tests.mocked_api import ID, mocked

API = "https://1101.api.green-api.com"  # an instance's own host: rotate names the instance's .env


def url(method: str, token: str) -> str:
    return mocked_api.url(method, token, API)


@pytest.fixture
def api():
    """Strict about requests no mock answers (tests.mocked_api); a mock may go unused."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def env_file(tmp_path: Path, token: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(f"# my bot\nBOT_NAME=helper\nGREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\nGREEN_API_URL={API}\n")
    os.chmod(path, 0o600)
    return path


def no_leak(result, *tokens: str) -> None:
    for secret in tokens:
        assert not token_leaks(result.stdout + result.stderr, secret)


def test_rotation_saves_the_new_token_to_the_env_file_and_verifies_it(run_cli, api, env_file: Path, token: str) -> None:
    new = secrets.token_hex(25)
    api.get(url("updateApiToken", token), json={"apiTokenInstance": new})
    api.get(url("getStateInstance", new), json={"stateInstance": "authorized"})
    result = run_cli(["token", "rotate", "--yes", "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["verified"] is True and document["stateInstance"] == "authorized"
    assert document["token"] == f"{new[:4]}…{new[-4:]}"
    text = env_file.read_text()
    assert f"GREEN_API_TOKEN={new}\n" in text and token not in text
    assert text.startswith("# my bot\nBOT_NAME=helper\n")  # other lines kept
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert [call.request.url.split("/")[-2] for call in api.calls] == ["updateApiToken", "getStateInstance"]
    no_leak(result, token, new)


def test_human_output_warns_that_running_bots_stop(run_cli, api, env_file: Path, token: str) -> None:
    new = secrets.token_hex(25)
    api.get(url("updateApiToken", token), json={"apiTokenInstance": new})
    api.get(url("getStateInstance", new), json={"stateInstance": "authorized"})
    result = run_cli(["token", "rotate", "--yes"])
    assert result.exit_code == 0
    assert "Rotated the token of instance 1101000001" in result.stdout
    assert "stop working until they are given the new one" in result.stdout
    no_leak(result, token, new)


def test_a_token_from_the_environment_is_refused_before_rotating(run_cli, api, token: str) -> None:
    result = run_cli(["token", "rotate", "--yes"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token, "GREEN_API_URL": API})
    assert result.exit_code == 2
    assert "would lose it" in result.stderr and "console" in result.stderr
    assert not api.calls


def test_confirmation_is_required_without_a_terminal(run_cli, api, env_file: Path) -> None:
    result = run_cli(["token", "rotate", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "confirmation_required"
    assert not api.calls


def test_a_refused_rotation_changes_nothing(run_cli, api, env_file: Path, token: str) -> None:
    before = env_file.read_text()
    api.get(url("updateApiToken", token), json={"code": 401, "description": "Unauthorized"})
    result = run_cli(["token", "rotate", "--yes", "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["code"] == "unauthorized"
    assert env_file.read_text() == before


def test_a_symlinked_env_file_is_refused_before_rotating(run_cli, api, env_file: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.env"
    env_file.rename(real)
    env_file.symlink_to(real)
    result = run_cli(["token", "rotate", "--yes"])
    assert result.exit_code == 2 and "is a link" in result.stderr
    assert not api.calls


def test_when_the_env_file_cannot_be_written_the_new_token_is_kept_in_a_private_file(
    run_cli, api, env_file: Path, token: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    new = secrets.token_hex(25)
    api.get(url("updateApiToken", token), json={"apiTokenInstance": new})
    api.get(url("getStateInstance", new), json={"stateInstance": "authorized"})

    def disk_full(path: Path, values: dict[str, str], **options: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(env_file_writer, "write", disk_full)
    result = run_cli(["token", "rotate", "--yes", "--json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "env_not_updated"
    rescue = Path(error["details"]["rescueFile"])
    assert rescue.read_text() == f"GREEN_API_TOKEN={new}\n"
    assert stat.S_IMODE(rescue.stat().st_mode) == 0o600
    no_leak(result, token, new)


def test_when_nothing_can_be_written_the_new_token_is_shown_once_on_stderr(
    run_cli, api, env_file: Path, token: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from greencli.flows import token_rotation

    new = secrets.token_hex(25)
    api.get(url("updateApiToken", token), json={"apiTokenInstance": new})
    api.get(url("getStateInstance", new), json={"stateInstance": "authorized"})
    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(env_file_writer, "write", read_only)
    monkeypatch.setattr(token_rotation, "_private_places", lambda env_file: [])
    before = env_file.read_text()
    result = run_cli(["token", "rotate", "--yes", "--json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "env_not_updated" and error["details"]["shownOnStderr"] is True
    assert "Read-only file system" in error["message"] and "shown above, once" in error["message"]
    assert result.stderr.count(new) == 1 and f"GREEN_API_TOKEN={new}\n" in result.stderr
    assert new not in result.stdout
    assert env_file.read_text() == before


def test_a_sandbox_run_is_pointed_at_a_running_sandbox_not_the_console(run_cli) -> None:
    result = run_cli(["--sandbox", "token", "rotate", "--yes"])
    assert result.exit_code == 2
    assert "greencli sandbox > sandbox.env" in result.stderr and "console" not in result.stderr
