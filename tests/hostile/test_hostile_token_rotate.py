"""`greencli token rotate` against a Green API that answers badly, a .env that is hard to
parse and a disk that takes nothing: the new token is checked before it is written, the .env
changes on the token line only, and the new token is always recoverable.

updateApiToken answers {"apiTokenInstance": "<new>"}, and the old token stops working:
https://green-api.com/en/docs/api/account/UpdateApiToken/
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

import pytest

from tests.hostile import server as hostile
from tests.hostile.runner import ID, RSS_LIMIT_MIB, TOKEN, plain_environment, run_in

pytestmark = pytest.mark.e2e

NEW = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829"


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    made = {name: tmp_path / name for name in ("project", "home", "tmp")}
    for folder in made.values():
        folder.mkdir()
    return made


def env_text(api_url: str) -> str:
    # CRLF, a BOM, comments, an inline comment, quoting, and a quoted multi-line value holding
    # a line that looks like the token's: all of it must stay byte for byte.
    return (
        "\ufeff# my bot\r\n"
        'NOTES="deploy notes\r\nGREEN_API_TOKEN=this-is-not-the-token\r\nend"\r\n'
        f"GREEN_API_INSTANCE_ID='{ID}'\r\n"
        f"GREEN_API_TOKEN={TOKEN}   # rotated monthly\r\n"
        f'GREEN_API_URL="{api_url}"\r\n'
        "\r\n"
        "export DEBUG=1 # last\r\n"
    )


def project(places: dict[str, Path], api_url: str) -> Path:
    env_file = places["project"] / ".env"
    env_file.write_bytes(env_text(api_url).encode())
    env_file.chmod(0o600)
    return env_file


def rotate(places: dict[str, Path], **options: object):  # noqa: ANN201
    env = plain_environment(HOME=str(places["home"]), TMPDIR=str(places["tmp"]))
    return run_in(["--timeout", "2", "token", "rotate", "--yes", "--json"], places["project"], env, **options)


def leftovers(places: dict[str, Path]) -> dict[str, list[str]]:
    return {name: sorted(os.listdir(folder)) for name, folder in places.items()}


def test_the_env_file_changes_on_the_token_line_only(api, places) -> None:
    env_file = project(places, api.url)
    api.route("updateApiToken", hostile.json_reply({"apiTokenInstance": NEW}))
    api.route("getStateInstance", hostile.json_reply({"stateInstance": "authorized"}))
    run = rotate(places)
    assert run.exit_code == 0, run.stderr
    expected = env_text(api.url).replace(f"GREEN_API_TOKEN={TOKEN}", f"GREEN_API_TOKEN={NEW}")
    assert env_file.read_bytes() == expected.encode()
    assert json.loads(run.stdout)["verified"] is True
    assert api.calls("getStateInstance")[0][1].endswith(f"/{NEW}")
    assert leftovers(places) == {"project": [".env"], "home": [], "tmp": []}
    assert NEW not in run.stdout + run.stderr and TOKEN not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "answer",
    ["abcdefgh$(touch X)", "abcdefgh`touch X`", f"{NEW}\nGREEN_API_URL=http://127.0.0.1:9", "xy", "abcdefgh\x1b]0;owned\x07"],
    ids=["command", "backticks", "newline-injects-a-line", "too-short", "terminal-escape"],
)
def test_a_token_greencli_would_refuse_is_never_written(api, places, answer: str) -> None:
    env_file = project(places, api.url)
    before = env_file.read_bytes()
    api.route("updateApiToken", hostile.json_reply({"apiTokenInstance": answer}))
    run = rotate(places)
    assert run.exit_code == 3, run.stderr
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "bad_response"
    assert "old token probably no longer works" in error["message"] and "console.green-api.com" in error["hint"]
    assert env_file.read_bytes() == before
    assert leftovers(places) == {"project": [".env"], "home": [], "tmp": []}
    assert api.calls("getStateInstance") == []  # the refused token is used for nothing
    assert "\x1b" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "behaviour",
    [hostile.never_answers, lambda: hostile.reply(502, b"bad gateway"), lambda: hostile.reply(200, b'{"apiTokenInstance": ')],
    ids=["never-answers", "502", "cut-short"],
)
def test_a_lost_answer_says_the_old_token_may_no_longer_work(api, places, behaviour) -> None:
    env_file = project(places, api.url)
    before = env_file.read_bytes()
    api.route("updateApiToken", behaviour())
    run = rotate(places)
    assert run.exit_code == 3, run.stderr
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "rotation_uncertain"
    assert "old token may no longer work" in error["message"] and "greencli check-state" in error["hint"]
    assert len(api.calls("updateApiToken")) == 1  # never repeated: a repeat would rotate again
    assert env_file.read_bytes() == before
    assert run.peak_mib < RSS_LIMIT_MIB


def no_file_writes() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # a full disk, for this process only


def test_on_a_full_disk_the_token_is_shown_once_and_no_empty_file_is_left(api, places) -> None:
    env_file = project(places, api.url)
    before = env_file.read_bytes()
    api.route("updateApiToken", hostile.json_reply({"apiTokenInstance": NEW}))
    api.route("getStateInstance", hostile.json_reply({"stateInstance": "authorized"}))
    run = rotate(places, preexec_fn=no_file_writes)
    assert run.exit_code == 1, run.stderr
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "env_not_updated" and error["details"]["shownOnStderr"] is True
    assert run.stderr.count(NEW) == 1 and f"GREEN_API_TOKEN={NEW}\n" in run.stderr
    assert NEW not in run.stdout
    assert env_file.read_bytes() == before
    assert leftovers(places) == {"project": [".env"], "home": [], "tmp": []}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_project_is_refused_before_rotating(api, places) -> None:
    env_file = project(places, api.url)
    api.route("updateApiToken", hostile.json_reply({"apiTokenInstance": NEW}))
    os.chmod(places["project"], 0o500)
    try:
        run = rotate(places)
    finally:
        os.chmod(places["project"], 0o700)
    assert run.exit_code == 2, run.stderr  # found before the rotation: nothing changed
    assert json.loads(run.stdout)["error"]["code"] == "env_file_not_writable"
    assert api.calls("updateApiToken") == []
    assert env_file.read_bytes() == env_text(api.url).encode()
