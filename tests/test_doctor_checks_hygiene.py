"""doctor's hygiene check reads git history: a token one commit added and a later one removed is
still published. The search never hands the token to git, is bounded by a deadline, and costs
the same few git processes however long the history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from greencli.config import git_history
from greencli.config.git_history import find_in_history
from greencli.doctor.checks.hygiene import check_hygiene
from tests.conftest import token_leaks
from tests.git_repo import GitRepo

ID = "1101000001"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    made = GitRepo(tmp_path / "bot")
    made.write(".gitignore", "/.env\n")
    made.commit("ignore .env")
    return made


def private_env(repo: GitRepo, token: str) -> Path:
    return repo.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n", mode=0o600)


def everything_said(verdict) -> str:  # type: ignore[no-untyped-def]
    return "\n".join([verdict.message, verdict.hint or "", *verdict.details])


def test_a_token_added_then_removed_fails_naming_both_commits(repo: GitRepo, token: str) -> None:
    env = private_env(repo, token)
    repo.write("config.py", f"TOKEN = '{token}'\n")
    added = repo.commit("add the bot's config")
    repo.git("rm", "-q", "config.py")
    removed = repo.commit("read the token from .env instead")
    repo.write("bot.py", "print('hello')\n")
    repo.commit("a later commit")

    verdict = check_hygiene(env, token, repo.path)
    assert verdict.status == "fail"
    assert f"commit {added} added it (config.py)" in verdict.message
    assert f"commit {removed} removed it (config.py)" in verdict.message
    assert verdict.hint is not None and "greencli token rotate" in verdict.hint
    assert not token_leaks(everything_said(verdict), token)


def test_an_env_file_committed_once_and_ignored_since_still_fails(repo: GitRepo, token: str) -> None:
    repo.git("rm", "-q", "--cached", ".gitignore")
    (repo.path / ".gitignore").unlink()
    repo.commit("no ignore file yet")
    private_env(repo, token)
    added = repo.commit("oops, the .env")
    repo.git("rm", "-q", "--cached", ".env")
    repo.write(".gitignore", "/.env\n")
    repo.commit("stop tracking .env")

    verdict = check_hygiene(repo.path / ".env", token, repo.path)
    assert verdict.status == "fail" and f"commit {added} added it (.env)" in verdict.message
    assert not token_leaks(everything_said(verdict), token)


def test_a_commit_message_holding_the_token_is_named(repo: GitRepo, token: str) -> None:
    env = private_env(repo, token)
    repo.write("notes.md", "notes\n")
    said = repo.commit(f"debugging with token {token}")
    verdict = check_hygiene(env, token, repo.path)
    assert verdict.status == "fail" and f"commit {said}'s message holds it" in verdict.message


def test_a_token_in_a_tracked_file_other_than_env_fails_and_advises_rotation(repo: GitRepo, token: str) -> None:
    env = private_env(repo, token)
    repo.write("send.sh", f"curl https://api.green-api.com/waInstance{ID}/sendMessage/{token}\n")
    repo.add("send.sh")  # staged, never committed: tracked, not in history
    verdict = check_hygiene(env, token, repo.path)
    assert verdict.status == "fail" and "tracked file: send.sh" in verdict.message
    assert "greencli token rotate" in (verdict.hint or "")


def test_a_clean_history_passes(repo: GitRepo, token: str) -> None:
    env = private_env(repo, token)
    repo.write("bot.py", "import os\nTOKEN = os.environ['GREEN_API_TOKEN']\n")
    repo.commit("a bot")
    verdict = check_hygiene(env, token, repo.path)
    assert verdict.status == "pass" and verdict.message == ".env is private and ignored by git"


def test_a_search_that_runs_out_of_time_says_not_checked(repo: GitRepo, token: str) -> None:
    env = private_env(repo, token)
    repo.write("config.py", f"TOKEN = '{token}'\n")
    repo.commit("the token")
    repo.git("rm", "-q", "config.py")
    repo.commit("gone")
    verdict = check_hygiene(env, token, repo.path, history_seconds=0)
    assert verdict.status == "pass"
    assert verdict.message.endswith("; git history not checked")
    assert any(detail.startswith("git history: not checked (searching it takes more than 0 s") for detail in verdict.details)


def test_the_token_is_never_handed_to_git(repo: GitRepo, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("config.py", f"TOKEN = '{token}'\n")
    repo.commit("the token")
    seen: list[str] = []
    real = subprocess.Popen

    def recording(args, *rest, **options):  # type: ignore[no-untyped-def]
        seen.append(" ".join(map(str, args)) + repr(options.get("input")))
        return real(args, *rest, **options)

    monkeypatch.setattr(git_history.subprocess, "Popen", recording)
    search = find_in_history(repo.path, token, 30)
    assert search is not None and search.complete and [leak.how for leak in search.leaks] == ["added"]
    assert seen and not any(token_leaks(command, token) for command in seen)


def fast_import(repo: GitRepo, commits: int) -> None:
    """`commits` commits, each changing one file, in one git process."""
    stream = []
    for number in range(1, commits + 1):
        message, content = f"change {number}\n", f"line {number}\n"
        stream.append(f"commit refs/heads/main\nmark :{number}\ncommitter T <t@example.invalid> {1700000000 + number} +0000\n"
                      f"data {len(message)}\n{message}" + (f"from :{number - 1}\n" if number > 1 else "")
                      + f"M 100644 inline file-{number % 50}.txt\ndata {len(content)}\n{content}\n")
    repo.git("fast-import", "--quiet", "--force", input="".join(stream))
    repo.git("reset", "-q", "--hard", "main")


def test_a_long_history_costs_a_fixed_number_of_git_processes(tmp_path: Path, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "long")
    fast_import(repo, 3000)
    repo.write("config.py", f"TOKEN = '{token}'\n")
    leaked = repo.commit("the token, on top of a long history")
    started: list[str] = []
    real = subprocess.Popen

    def counting(args, *rest, **options):  # type: ignore[no-untyped-def]
        started.append(str(args[3]) if len(args) > 3 else str(args))
        return real(args, *rest, **options)

    monkeypatch.setattr(git_history.subprocess, "Popen", counting)
    search = find_in_history(repo.path, token, 60)
    assert search is not None and search.complete
    assert search.objects > 3 * 3000  # every commit, tree and file version read once
    assert [(leak.commit, leak.how, leak.path) for leak in search.leaks] == [(leaked, "added", "config.py")]
    # rev-list and cat-file for the whole history, one log to name the commit
    assert started == ["rev-list", "cat-file", "log"]


def test_doctor_fails_naming_the_commit_with_the_token_in_no_output(run_cli, local_sandbox, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from greencli.sandbox.instance import guide_settings

    sandbox_env, running = local_sandbox(settings=guide_settings())
    token = running.instance.token
    repo = GitRepo(tmp_path / "bot")
    repo.write(".gitignore", "/.env\n")
    repo.write("settings.json", json.dumps({"apiTokenInstance": token}) + "\n")
    added = repo.commit("settings")
    repo.git("rm", "-q", "settings.json")
    removed = repo.commit("no settings in git")
    repo.write(".env", "".join(f"{key}={value}\n" for key, value in sandbox_env.items()), mode=0o600)
    monkeypatch.chdir(repo.path)

    result = run_cli(["doctor", "--junit-xml", "doctor.xml"])
    assert result.exit_code == 1
    assert "FAIL Project hygiene" in result.stdout and added in result.stdout and removed in result.stdout
    assert "greencli token rotate" in result.stdout
    as_json = run_cli(["doctor", "--json"])
    [hygiene] = [check for check in json.loads(as_json.stdout)["checks"] if check["id"] == "hygiene"]
    assert hygiene["status"] == "fail"
    assert f"commit {added} added it (settings.json); commit {removed} removed it (settings.json)" in hygiene["message"]
    for text in (result.stdout, result.stderr, as_json.stdout, as_json.stderr, (repo.path / "doctor.xml").read_text()):
        assert not token_leaks(text, token)


def test_an_inherited_git_dir_does_not_send_the_search_to_another_repository(
    repo: GitRepo, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("config.py", f"TOKEN = '{token}'\n")
    added = repo.commit("the token, committed")
    other = GitRepo(tmp_path / "other")
    other.write("README", "nothing here\n")
    other.commit("another project")
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.path))
    search = find_in_history(repo.path, token, seconds=30)
    assert search is not None and [leak.commit for leak in search.leaks] == [added]


def test_hygiene_fails_for_a_committed_env_and_a_token_in_code(tmp_path: Path, token: str) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    env = tmp_path / ".env"
    env.write_text(f"GREEN_API_TOKEN={token}\n")
    env.chmod(0o644)
    assert check_hygiene(env, token, tmp_path).status == "warn"  # not ignored, readable by others
    (tmp_path / "bot.py").write_text(f"token = '{token}'\n")
    subprocess.run(["git", "add", "bot.py", ".env"], cwd=tmp_path, check=True)
    result = check_hygiene(env, token, tmp_path)
    assert result.status == "fail" and "tracked by git" in result.message
    assert any("bot.py" in detail for detail in result.details)
    assert token not in result.message + (result.hint or "") + " ".join(result.details)
