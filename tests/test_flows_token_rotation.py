"""flows.token_rotation: the new token is checked before it is written, and never lost.

updateApiToken (beta) answers {"apiTokenInstance": "<new>"}; a failure is HTTP 200 with
{"code": 401, "description": "Unauthorized"}; the old token stops working:
https://green-api.com/en/docs/api/account/UpdateApiToken/
"""

from __future__ import annotations

import fcntl
import os
import secrets
import stat
from pathlib import Path

import pytest
import requests

from greencli.config import env_file_writer
from greencli.errors import ApiError, UsageError
from greencli.flows import token_rotation
from greencli.flows.token_rotation import rotate
from tests.mocked_api import ID, methods, url


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The project, the home and the temporary directory, each its own folder."""
    made = {name: tmp_path / name for name in ("project", "home", "tmp")}
    for folder in made.values():
        folder.mkdir()
    monkeypatch.setenv("HOME", str(made["home"]))
    monkeypatch.setattr(token_rotation.tempfile, "gettempdir", lambda: str(made["tmp"]))
    return made


@pytest.fixture
def env_file(places: dict[str, Path], token: str) -> Path:
    path = places["project"] / ".env"
    path.write_text(f"# mine\nGREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    path.chmod(0o600)
    return path


def rotates_to_a_new_token(api, token: str) -> str:  # noqa: ANN001
    """Green API answers updateApiToken with a new token, and accepts it."""
    new = secrets.token_hex(25)
    api.get(url("updateApiToken", token), json={"apiTokenInstance": new})
    api.get(url("getStateInstance", new), json={"stateInstance": "authorized"})
    return new


def everything_in(places: dict[str, Path]) -> dict[str, list[str]]:
    return {name: sorted(os.listdir(folder)) for name, folder in places.items()}


@pytest.mark.parametrize(
    "answer",
    ["abcdefgh$(touch X)", "abcdefgh\nGREEN_API_URL=http://127.0.0.1:9", "xy", "abc def ghi", "abcdefgh'x'"],
    ids=["command", "newline", "too-short", "space", "quote"],
)
def test_a_token_the_loader_would_refuse_is_written_nowhere(api, client, token, env_file, places, answer: str) -> None:
    before = env_file.read_bytes()
    api.get(url("updateApiToken", token), json={"apiTokenInstance": answer})
    with pytest.raises(ApiError) as caught:
        rotate(client, env_file)
    assert caught.value.code == "bad_response" and caught.value.exit_code == 3
    assert "old token probably no longer works" in caught.value.message
    assert "console.green-api.com" in (caught.value.hint or "")
    assert env_file.read_bytes() == before
    assert everything_in(places) == {"project": [".env"], "home": [], "tmp": []}
    assert methods(api) == ["updateApiToken"]  # never used for another call


@pytest.mark.parametrize(
    "lost",
    [
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": requests.exceptions.ConnectionError("connection reset by peer")},
        {"status": 502, "body": "bad gateway"},
        {"json": {"apiTokenInstance": 12345}},
        {"body": '{"apiTokenInstance": "abc'},
    ],
    ids=["read-timeout", "reset", "502", "wrong-shape", "cut-short"],
)
def test_a_lost_answer_says_the_old_token_may_no_longer_work(api, client, token, env_file, lost: dict) -> None:
    before = env_file.read_bytes()
    api.get(url("updateApiToken", token), **lost)
    with pytest.raises(ApiError) as caught:
        rotate(client, env_file)
    error = caught.value
    assert error.code == "rotation_uncertain" and error.exit_code == 3
    assert "old token may no longer work" in error.message
    assert "greencli check-state" in (error.hint or "") and "401" in (error.hint or "")
    assert env_file.read_bytes() == before
    assert methods(api) == ["updateApiToken"]  # once: a repeat would rotate again


def test_a_refused_rotation_is_not_called_uncertain(api, client, token, env_file) -> None:
    api.get(url("updateApiToken", token), json={"code": 401, "description": "Unauthorized"})
    with pytest.raises(ApiError) as caught:
        rotate(client, env_file)
    assert caught.value.code == "unauthorized"


def test_the_new_token_goes_into_the_env_file_on_its_line(api, client, token, env_file, places) -> None:
    new = rotates_to_a_new_token(api, token)
    rotation = rotate(client, env_file)
    assert rotation.saved_in_env_file and rotation.verified_state == "authorized"
    assert env_file.read_text() == f"# mine\nGREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={new}\n"
    assert everything_in(places) == {"project": [".env"], "home": [], "tmp": []}


def no_space(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


def test_an_unwritable_env_file_leaves_the_token_in_a_private_file_beside_it(
    api, client, token, env_file, places, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = rotates_to_a_new_token(api, token)
    monkeypatch.setattr(env_file_writer, "write_atomically", no_space)
    rotation = rotate(client, env_file)
    assert not rotation.saved_in_env_file and rotation.save_error == "No space left on device"
    assert rotation.rescue_file is not None and rotation.rescue_file.parent == places["project"]
    assert rotation.rescue_file.read_text() == f"GREEN_API_TOKEN={new}\n"
    assert stat.S_IMODE(rotation.rescue_file.stat().st_mode) == 0o600


def test_when_nothing_can_be_written_no_empty_file_is_left_anywhere(
    api, client, token, env_file, places, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = rotates_to_a_new_token(api, token)
    monkeypatch.setattr(env_file_writer, "write_atomically", no_space)
    monkeypatch.setattr(token_rotation.os, "fsync", no_space)  # every private file fails too
    rotation = rotate(client, env_file)
    assert rotation.saved_nowhere and rotation.new_token == new
    assert everything_in(places) == {"project": [".env"], "home": [], "tmp": []}


def test_the_home_directory_is_next_when_the_project_refuses_new_files(
    api, client, token, env_file, places, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = rotates_to_a_new_token(api, token)
    monkeypatch.setattr(env_file_writer, "write_atomically", no_space)
    real_mkstemp = token_rotation.tempfile.mkstemp

    def mkstemp(**options):  # noqa: ANN202
        if options["dir"] == places["project"]:
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(**options)

    monkeypatch.setattr(token_rotation.tempfile, "mkstemp", mkstemp)
    rotation = rotate(client, env_file)
    assert rotation.rescue_file is not None and rotation.rescue_file.parent == places["home"]
    assert rotation.rescue_file.read_text() == f"GREEN_API_TOKEN={new}\n"


def test_another_process_holding_the_lock_stops_the_rotation_before_it_starts(
    api, client, env_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(token_rotation, "LOCK_WAIT_SECONDS", 0.2)
    holder = os.open(env_file.parent, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(UsageError) as caught:
            rotate(client, env_file)
    finally:
        os.close(holder)
    assert caught.value.code == "env_file_locked"
    assert methods(api) == []
