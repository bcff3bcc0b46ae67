"""`greencli doctor --bundle PATH`: the zip for a Green API support ticket, against the sandbox
on 127.0.0.1: its parts, and not one secret in it."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from tests.conftest import token_leaks

PARTS = {"README.txt", "doctor.json", "versions.json", "instance.json", "settings.json", "state-history.json", "run.json"}
URL_TOKEN = "whUrlTok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
HOOK_USER, HOOK_PASSWORD = "botuser", "hunter2-Very-Secret-Password"
OTHER_SECRET = "db-password-that-only-lives-in-dotenv-123456"


def read_bundle(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {Path(name).name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture
def project(tmp_path: Path, local_sandbox, monkeypatch: pytest.MonkeyPatch):
    """A project whose .env points at a sandbox with a webhook URL holding credentials."""
    from greencli.sandbox.instance import guide_settings

    settings = {**guide_settings(), "webhookUrl": f"https://{HOOK_USER}:{HOOK_PASSWORD}@127.0.0.1:9/hook", "webhookUrlToken": URL_TOKEN}
    env, running = local_sandbox(settings=settings)
    directory = tmp_path / "bot"
    directory.mkdir()
    (directory / ".env").write_text("".join(f"{key}={value}\n" for key, value in env.items()) + f"DATABASE_PASSWORD={OTHER_SECRET}\n")
    (directory / ".env").chmod(0o600)
    monkeypatch.chdir(directory)
    return directory, running


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert not token_leaks(text, secret), f"secret material in the bundle: {token_leaks(text, secret)[:2]}"


def test_the_bundle_holds_every_part_and_no_secret(run_cli, project) -> None:
    directory, running = project
    result = run_cli(["doctor", "--bundle", "support.zip"])
    # A webhook URL on this machine fails the notifications check: the kind of run a ticket is for.
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Wrote support.zip for a Green API support ticket" in result.stdout
    path = directory / "support.zip"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in directory.iterdir() if p.name.startswith(".support.zip")] == []  # no temporary file left
    parts = read_bundle(path)
    assert set(parts) == PARTS

    doctor = json.loads(parts["doctor.json"])
    assert doctor["ok"] is False and [c["id"] for c in doctor["checks"] if c["status"] == "fail"] == ["notifications"]
    versions = json.loads(parts["versions.json"])
    assert versions["greencli"] and versions["python"].count(".") == 2
    assert json.loads(parts["instance.json"]) == {"instanceId": running.instance.instance_id, "apiHost": running.url}
    settings = json.loads(parts["settings.json"])
    assert settings["incomingWebhook"] == "yes"
    assert settings["webhookUrlToken"] == f"{URL_TOKEN[:4]}…{URL_TOKEN[-4:]}"
    assert settings["webhookUrl"] == "https://****@127.0.0.1:9/hook"
    history = json.loads(parts["state-history.json"])
    assert isinstance(history, list) and all({"state", "timestamp"} <= set(change) for change in history)
    run = json.loads(parts["run.json"])
    assert {call["method"] for call in run["calls"]} >= {"getStateInstance", "getSettings", "GetStateInstanceHistory"}
    assert all(isinstance(call["durationMs"], int) and call["error"] is None for call in run["calls"])
    assert [check["id"] for check in run["checks"]] == [check["id"] for check in doctor["checks"]]
    assert "webhookUrlToken" in parts["README.txt"]

    bundled = "\n".join(parts.values())
    assert_no_secret(bundled + result.stdout + result.stderr, running.instance.token, URL_TOKEN, HOOK_PASSWORD, OTHER_SECRET)
    assert HOOK_USER not in bundled  # in the bundle a URL's user name is masked too


def test_json_names_the_bundle(run_cli, project) -> None:
    result = run_cli(["doctor", "--json", "--bundle", "b.zip"])
    assert json.loads(result.stdout)["bundle"] == "b.zip"


def test_an_api_that_cannot_be_reached_is_bundled_with_its_errors(run_cli, tmp_path: Path, token: str) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["--timeout", "2", "doctor", "--bundle", "b.zip"], env=env)
    assert result.exit_code == 3
    parts = read_bundle(tmp_path / "b.zip")
    assert json.loads(parts["doctor.json"])["ok"] is False
    assert "error" in json.loads(parts["settings.json"])
    assert_no_secret("\n".join(parts.values()), token)


def test_a_link_is_never_written_through_nor_replaced(run_cli, project) -> None:
    directory, _ = project
    target = directory / "elsewhere.txt"
    target.write_text("keep me")
    (directory / "support.zip").symlink_to(target)
    result = run_cli(["doctor", "--bundle", "support.zip"])
    assert result.exit_code == 2 and "not a plain file" in result.stderr
    assert (directory / "support.zip").is_symlink() and target.read_text() == "keep me"


def test_the_env_file_in_use_is_never_replaced(run_cli, project) -> None:
    directory, _ = project
    before = (directory / ".env").read_text()
    result = run_cli(["doctor", "--bundle", ".env"])
    assert result.exit_code == 2 and "the env file this run reads its credentials from" in result.stderr
    assert (directory / ".env").read_text() == before


def test_an_existing_bundle_is_replaced_whole_with_mode_0600(run_cli, project) -> None:
    directory, _ = project
    old = directory / "support.zip"
    old.write_text("old")
    os.chmod(old, 0o644)
    assert run_cli(["doctor", "--bundle", "support.zip"]).exit_code == 1  # the webhook URL check fails
    assert zipfile.is_zipfile(old) and stat.S_IMODE(old.stat().st_mode) == 0o600


def test_several_instances_are_refused(run_cli, tmp_path: Path, token: str) -> None:
    for name in ("a.env", "b.env"):
        (tmp_path / name).write_text(f"GREEN_API_INSTANCE_ID=1101000001\nGREEN_API_TOKEN={token}\n")
    result = run_cli(["--env-file", "*.env", "doctor", "--bundle", "b.zip"])
    assert result.exit_code == 2 and "--bundle works on one instance at a time" in result.stderr
