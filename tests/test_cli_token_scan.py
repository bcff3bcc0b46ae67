"""`greencli token scan`: the command users run by hand and the pre-commit hook runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.git_repo import GitRepo

ID = "1101000001"
HOST = "https://1101.api.green-api.com"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    made = GitRepo(tmp_path / "project")
    monkeypatch.chdir(made.path)
    return made


def test_a_token_is_named_by_file_and_line_masked_and_exits_1(run_cli, repo: GitRepo, token: str, assert_no_token) -> None:
    repo.write("bot.py", f'import requests\nURL = "{HOST}/waInstance{ID}/sendMessage/{token}"\n')
    repo.write("clean.py", "print('hello')\n")
    result = run_cli(["token", "scan", "bot.py", "clean.py"])
    assert result.exit_code == 1
    assert f"bot.py:2  a token in a Green API request URL: /waInstance{ID}/sendMessage/{token[:4]}...{token[-4:]}" in result.stdout  # plain output: ... for …
    assert "clean.py" not in result.stdout
    assert "greencli token rotate" in result.stdout
    assert "1 token found in 1 of 2 files scanned." in result.stdout
    assert_no_token(result, token)


def test_clean_files_pass(run_cli, repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.write(".env.example", "GREEN_API_INSTANCE_ID=\nGREEN_API_TOKEN=your-token-here\n")
    result = run_cli(["token", "scan", "a.py", ".env.example"])
    assert result.exit_code == 0, result.stdout
    assert "No Green API token in 2 files scanned." in result.stdout


def test_json_lists_findings_and_skipped_files(run_cli, repo: GitRepo, token: str, assert_no_token) -> None:
    repo.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    repo.write("settings.json", f'{{"apiTokenInstance": "{token}"}}\n')
    repo.write(".gitignore", "/.env\n")
    result = run_cli(["token", "scan", "--json", ".env", "settings.json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["scanned"] == 1
    assert document["skipped"] == [{"file": ".env", "why": "ignored by git"}]
    [finding] = document["findings"]
    assert (finding["file"], finding["line"], finding["kind"], finding["token"]) == ("settings.json", 1, "assignment", f"{token[:4]}…{token[-4:]}")
    assert_no_token(result, token)


def test_the_instances_own_token_from_env_is_looked_for(run_cli, repo: GitRepo, assert_no_token) -> None:
    unusual = "Zk3v9QmT7wLp2XcR8nB4qq-Zk3v9QmT7wLp2XcR8nB4qq"
    repo.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={unusual}\n", mode=0o600)
    repo.write(".gitignore", ".env\n")
    repo.write("notes.md", f"ask the bot with {unusual} as the key\n")
    result = run_cli(["token", "scan"])
    assert result.exit_code == 1
    assert "notes.md:1  the instance's token (Zk3v...B4qq) is written here" in result.stdout
    assert_no_token(result, unusual)


def test_an_env_file_git_does_not_ignore_fails_with_the_gitignore_line(run_cli, repo: GitRepo, token: str, assert_no_token) -> None:
    repo.write(".env", f"GREEN_API_TOKEN={token}\n")
    result = run_cli(["token", "scan"])
    assert result.exit_code == 1
    assert ".env:1  .env holds the token" in result.stdout and "add the line /.env to the .gitignore" in result.stdout
    assert_no_token(result, token)


def test_a_missing_file_is_exit_2(run_cli, repo: GitRepo) -> None:
    result = run_cli(["token", "scan", "missing.py"])
    assert result.exit_code == 2
    assert "missing.py does not exist" in result.stderr


def test_file_names_are_shown_not_interpreted(run_cli, repo: GitRepo, token: str) -> None:
    name = "evil\x1b]0;pwned\x07.py"
    repo.write(name, f"GREEN_API_TOKEN='{token}'\n")
    result = run_cli(["token", "scan", name])
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\\x1b]0;pwned\\x07.py:1" in result.stdout
