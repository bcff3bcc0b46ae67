"""`greencli init` through greencli.cli.app.main, with the API mocked by `responses`."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from greencli.config.env_file_writer import render
from greencli.redaction import mask
from tests.mocked_api import API, ID, mocked, url


@pytest.fixture
def api():
    """Strict about requests no mock answers (tests.mocked_api); a mock may go unused."""
    with mocked(all_fired=False) as mock:
        yield mock


def state_url(token: str, base: str = API, instance: str = ID) -> str:
    return url("getStateInstance", token, base, instance)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def options(token: str, *extra: str) -> list[str]:
    return ["--instance-id", ID, "--token", token, *extra]


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


# -- non-interactive ----------------------------------------------------------------------------


def test_writes_env_with_mode_600(api, run_cli, assert_no_token, token, tmp_path) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli([*options(token), "init"])
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    env = tmp_path / ".env"
    assert mode(env) == 0o600
    values = dotenv_values(env)
    assert values["GREEN_API_INSTANCE_ID"] == ID
    assert values["GREEN_API_TOKEN"] == token
    assert values["GREEN_API_URL"] == API
    assert f"{token[:4]}...{token[-4:]}" in result.stdout  # masked; plain output spells the ellipsis
    assert len(api.calls) == 1
    # No temporary files left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_written_env_is_read_back_by_the_loader(api, run_cli, assert_no_token, token, tmp_path) -> None:
    api.get(state_url(token), json={"stateInstance": "notAuthorized"})
    result = run_cli([*options(token), "init"])
    assert_no_token(result, token)
    assert result.exit_code == 0
    from greencli.config.loader import RootOptions, resolve

    r = resolve(RootOptions(), {}, tmp_path)
    assert r.errors == [] and r.warnings == []
    assert r.credentials().token == token
    assert "greencli qr" in result.stdout  # next step for a not-yet-linked instance


def test_values_from_environment(api, run_cli, assert_no_token, token, tmp_path) -> None:
    dedicated = "https://1101.api.greenapi.com"
    api.get(state_url(token, dedicated), json={"stateInstance": "authorized"})
    env = {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token, "GREEN_API_URL": dedicated + "/"}
    result = run_cli(["init"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert dotenv_values(tmp_path / ".env")["GREEN_API_URL"] == dedicated


def test_options_win_over_the_environment(api, run_cli, token, tmp_path) -> None:
    """The loader's precedence: options, then the environment."""
    api.get(state_url(token), json={"stateInstance": "authorized"})
    env = {"GREEN_API_INSTANCE_ID": "1101999999", "GREEN_API_TOKEN": "f" * 50, "GREEN_API_URL": API}
    result = run_cli([*options(token), "init", "--json"], env=env)
    assert result.exit_code == 0, result.stdout
    written = dotenv_values(tmp_path / ".env")
    assert written["GREEN_API_INSTANCE_ID"] == ID and written["GREEN_API_TOKEN"] == token
    assert written["GREEN_API_URL"] == API


def test_json_output_has_masked_token_only(api, run_cli, assert_no_token, token, tmp_path) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli([*options(token), "init", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["token"] == mask(token)
    assert data["token"] == f"{token[:4]}…{token[-4:]}"
    assert data["instanceId"] == ID
    assert data["apiUrl"] == API
    assert data["checked"] is True
    assert data["stateInstance"] == "authorized"
    assert Path(data["path"]) == tmp_path / ".env"


def test_refuses_to_overwrite_without_force(api, run_cli, assert_no_token, token, tmp_path) -> None:
    env = tmp_path / ".env"
    original = "# mine\nGREEN_API_INSTANCE_ID=2202000002\nOTHER=1\n"
    env.write_text(original)
    env.chmod(0o644)
    result = run_cli([*options(token), "init", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "env_file_exists"
    assert env.read_text() == original
    assert mode(env) == 0o644
    assert len(api.calls) == 0


def test_refusal_in_human_mode_names_force(api, run_cli, assert_no_token, token, tmp_path) -> None:
    (tmp_path / ".env").write_text("X=1\n")
    result = run_cli([*options(token), "init"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert result.stdout == ""


def test_force_keeps_unrelated_lines(api, run_cli, assert_no_token, token, tmp_path) -> None:
    env = tmp_path / ".env"
    old = token[::-1]
    env.write_text(
        "# my project\n"
        "DATABASE_URL=postgres://localhost/db\n"
        f"GREEN_API_TOKEN={old}\n"
        "\n"
        "export DEBUG=1\n"
        f"GREEN_API_TOKEN={old}\n"
    )
    env.chmod(0o644)
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli([*options(token), "init", "--force"])
    assert_no_token(result, token)
    assert_no_token(result, old)
    assert result.exit_code == 0, result.stderr
    text = env.read_text()
    assert "# my project\n" in text
    assert "DATABASE_URL=postgres://localhost/db\n" in text
    assert "export DEBUG=1\n" in text
    assert old not in text
    assert text.count("GREEN_API_TOKEN=") == 1
    values = dotenv_values(env)
    assert values["GREEN_API_TOKEN"] == token
    assert values["GREEN_API_INSTANCE_ID"] == ID
    assert values["DATABASE_URL"] == "postgres://localhost/db"
    assert mode(env) == 0o600  # tightened even though the old file was 0644


def test_401_exits_3_and_writes_nothing(api, run_cli, assert_no_token, token, tmp_path) -> None:
    api.get(state_url(token), status=401)
    result = run_cli([*options(token), "init", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["code"] == "unauthorized"
    assert not (tmp_path / ".env").exists()
    assert list(tmp_path.iterdir()) == []


def test_401_with_force_leaves_existing_file_alone(api, run_cli, assert_no_token, token, tmp_path) -> None:
    env = tmp_path / ".env"
    env.write_text("GREEN_API_INSTANCE_ID=2202000002\n")
    api.get(state_url(token), status=401)
    result = run_cli([*options(token), "init", "--force"])
    assert_no_token(result, token)
    assert result.exit_code == 3
    assert env.read_text() == "GREEN_API_INSTANCE_ID=2202000002\n"


def test_no_check_sends_nothing(api, run_cli, assert_no_token, token, tmp_path) -> None:
    result = run_cli([*options(token), "init", "--no-check", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["checked"] is False
    assert data["stateInstance"] is None
    assert len(api.calls) == 0
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == token


def test_missing_credentials_without_terminal(api, run_cli, assert_no_token, token, tmp_path) -> None:
    result = run_cli(["--token", token, "init", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "missing_credentials"
    assert "GREEN_API_INSTANCE_ID" in error["message"]
    assert not (tmp_path / ".env").exists()
    assert len(api.calls) == 0


def test_ci_disables_prompting(api, run_cli, assert_no_token, token, tmp_path) -> None:
    result = run_cli(["init"], env={"CI": "true"}, input=f"{ID}\n{token}\n\n")
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert not (tmp_path / ".env").exists()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--instance-id", "not-digits"], "invalid_instance_id"),
        (["--instance-id", ID, "--api-url", "https://api.green-api.com/v3"], "invalid_api_url"),
    ],
)
def test_invalid_values_exit_2(api, run_cli, assert_no_token, token, tmp_path, args, code) -> None:
    result = run_cli([*args, "--token", token, "init", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == code
    assert not (tmp_path / ".env").exists()
    assert len(api.calls) == 0


def test_odd_token_is_a_warning_and_never_echoed(api, run_cli, assert_no_token, tmp_path) -> None:
    odd = "Odd_Shaped_Token_0123456789_abcdefghij"
    api.get(state_url(odd), json={"stateInstance": "authorized"})
    result = run_cli(["--instance-id", ID, "--token", odd, "init"])
    assert_no_token(result, odd)
    assert result.exit_code == 0
    assert "warning" in result.stderr
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == odd


def test_env_file_option_names_the_target(api, run_cli, assert_no_token, token, tmp_path) -> None:
    (tmp_path / "config").mkdir()
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli([*options(token), "--env-file", "config/green.env", "init"])
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    target = tmp_path / "config" / "green.env"
    assert mode(target) == 0o600
    assert dotenv_values(target)["GREEN_API_TOKEN"] == token
    assert not (tmp_path / ".env").exists()


# -- git -------------------------------------------------------------------------------------------


@needs_git
def test_env_added_to_gitignore_in_a_work_tree(api, run_cli, assert_no_token, token, tmp_path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("__pycache__/")  # no final newline
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli([*options(token), "init", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["gitignore"] == "added"
    assert (tmp_path / ".gitignore").read_text() == "__pycache__/\n/.env\n"  # anchored to its directory
    check = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=tmp_path, check=False)
    assert check.returncode == 0


@needs_git
def test_gitignore_created_when_missing(api, run_cli, assert_no_token, token, tmp_path) -> None:
    git(tmp_path, "init", "-q")
    result = run_cli([*options(token), "init", "--no-check"])
    assert_no_token(result, token)
    assert result.exit_code == 0
    assert (tmp_path / ".gitignore").read_text() == "/.env\n"
    assert "added" in result.stdout


@needs_git
def test_already_ignored_gitignore_untouched(api, run_cli, assert_no_token, token, tmp_path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("*.env\n.env\n")
    result = run_cli([*options(token), "init", "--no-check", "--json"])
    assert_no_token(result, token)
    assert json.loads(result.stdout)["gitignore"] == "already ignored"
    assert (tmp_path / ".gitignore").read_text() == "*.env\n.env\n"


@needs_git
def test_tracked_env_gives_a_warning(api, run_cli, assert_no_token, token, tmp_path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".env").write_text("OTHER=1\n")
    git(tmp_path, "add", ".env")
    result = run_cli([*options(token), "init", "--no-check", "--force", "--json"])
    assert_no_token(result, token)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gitignore"] == "tracked"
    assert "git rm --cached" in result.stderr
    assert not (tmp_path / ".gitignore").exists()


def test_outside_git_no_gitignore(api, run_cli, assert_no_token, token, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run_cli([*options(token), "init", "--no-check", "--json"])
    assert_no_token(result, token)
    assert json.loads(result.stdout)["gitignore"] == "not a git repository"
    assert not (tmp_path / ".gitignore").exists()


# -- interactive -----------------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import greencli.cli.context

    monkeypatch.setattr(greencli.cli.context, "can_prompt", lambda: True)


def test_no_input_never_prompts(run_cli, terminal) -> None:
    result = run_cli(["init", "--no-input"], input="1101000001\n")
    assert result.exit_code == 2
    assert "no terminal to ask on" in result.stderr or "not set" in result.stderr


def test_interactive_prompts_for_everything(api, run_cli, assert_no_token, token, tmp_path, terminal) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli(["init"], input=f"{ID}\n{token}\n\n")  # empty line: the default apiUrl
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    values = dotenv_values(tmp_path / ".env")
    assert values["GREEN_API_INSTANCE_ID"] == ID
    assert values["GREEN_API_TOKEN"] == token
    assert values["GREEN_API_URL"] == API
    assert "Instance ID" in result.stderr
    assert "API token" in result.stderr
    assert mode(tmp_path / ".env") == 0o600


def test_interactive_reasks_bad_instance_id(api, run_cli, assert_no_token, token, tmp_path, terminal) -> None:
    dedicated = "https://1101.api.greenapi.com"
    api.get(state_url(token, dedicated), json={"stateInstance": "notAuthorized"})
    stdin = f"11-01\n  {ID}  \n\n{token}\n{dedicated}/\n"  # bad id, good id, empty token, token, url
    result = run_cli(["init"], input=stdin)
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert "digits only" in result.stderr
    values = dotenv_values(tmp_path / ".env")
    assert values["GREEN_API_INSTANCE_ID"] == ID
    assert values["GREEN_API_TOKEN"] == token
    assert values["GREEN_API_URL"] == dedicated


def test_interactive_asks_only_for_what_is_missing(
    api, run_cli, assert_no_token, token, tmp_path, terminal
) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli(["--instance-id", ID, "init"], input=f"{token}\n\n")
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert "Instance ID" not in result.stderr
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == token


def test_json_mode_never_prompts(api, run_cli, assert_no_token, token, tmp_path, terminal) -> None:
    result = run_cli(["init", "--json"], input=f"{ID}\n{token}\n\n")
    assert_no_token(result, token)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "missing_credentials"
    assert not (tmp_path / ".env").exists()


# -- where .env goes, and re-asking ------------------------------------------------------------------


@needs_git
def test_in_a_subdirectory_init_writes_at_the_project_root_and_commands_find_it(
    api, run_cli, token, tmp_path, monkeypatch
) -> None:
    git(tmp_path, "init", "-q")
    subdirectory = tmp_path / "bot" / "handlers"
    subdirectory.mkdir(parents=True)
    monkeypatch.chdir(subdirectory)
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli([*options(token), "init"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / ".env").exists() and not (subdirectory / ".env").exists()
    assert "../../.env" in result.stdout
    again = run_cli([*options(token), "init"])  # a second .env is refused, not written
    assert again.exit_code == 2 and "../../.env already exists" in again.stderr
    found = run_cli(["doctor", "--json"])
    assert "../../.env line" in json.loads(found.stdout)["checks"][0]["message"]


def test_an_env_above_the_project_or_outside_any_is_never_read(run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # tmp_path is outside the home directory
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\n")
    inner = tmp_path / "elsewhere"
    inner.mkdir()
    monkeypatch.chdir(inner)  # neither in a git work tree nor in the home directory: only here
    result = run_cli(["doctor", "--json"])
    assert json.loads(result.stdout)["checks"][0]["message"].startswith("GREEN_API_INSTANCE_ID and GREEN_API_TOKEN")
    (inner / "project" / ".git").mkdir(parents=True)
    monkeypatch.chdir(inner / "project")  # a work tree's top: nothing above it counts either
    result = run_cli(["doctor", "--json"])
    assert "GREEN_API_INSTANCE_ID and GREEN_API_TOKEN" in json.loads(result.stdout)["checks"][0]["message"]


def test_outside_a_work_tree_an_env_up_to_the_home_directory_is_read(run_cli, tmp_path, monkeypatch) -> None:
    home = tmp_path / "home"
    (home / "bot" / "src").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / ".env").write_text("GREEN_API_INSTANCE_ID=2202000002\n")  # above the home: never read
    monkeypatch.chdir(home / "bot" / "src")
    result = run_cli(["doctor", "--json"])
    assert "GREEN_API_INSTANCE_ID and GREEN_API_TOKEN" in json.loads(result.stdout)["checks"][0]["message"]
    (home / "bot" / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={'0' * 50}\nGREEN_API_URL=http://127.0.0.1:9\n")
    result = run_cli(["--timeout", "1", "doctor", "--json"])
    assert "../.env line 1" in json.loads(result.stdout)["checks"][0]["message"]
    again = run_cli(["--instance-id", ID, "--token", "0" * 50, "init", "--no-check"])  # never a second .env
    assert again.exit_code == 2 and "../.env already exists" in again.stderr


def test_token_stdin_keeps_the_token_out_of_argv(api, run_cli, assert_no_token, token, tmp_path) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli(["--instance-id", ID, "init", "--token-stdin"], input=f"{token}\n")
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == token
    empty = run_cli(["--instance-id", ID, "init", "--token-stdin", "--force"], input="")
    assert empty.exit_code == 2 and "no token" in empty.stderr


def test_token_stdin_without_an_api_url_says_which_host_it_uses(api, run_cli, token, tmp_path) -> None:
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli(["--instance-id", ID, "init", "--token-stdin"], input=f"{token}\n")
    assert result.exit_code == 0, result.stderr
    assert f"No API URL given (--api-url or GREEN_API_URL): greencli uses the universal host {API}" in result.stderr
    assert "--api-url" in result.stderr


def test_a_universal_host_that_cannot_be_reached_points_to_api_url(api, run_cli, token, tmp_path) -> None:
    import requests

    api.get(state_url(token), body=requests.exceptions.ConnectionError("Failed to resolve 'api.green-api.com'"))
    result = run_cli(["--instance-id", ID, "init", "--token-stdin", "--json"], input=f"{token}\n")
    assert result.exit_code == 3
    error = json.loads(result.stdout)["error"]
    assert "universal host" in error["hint"] and "--api-url" in error["hint"]
    assert not (tmp_path / ".env").exists()
    given = run_cli(["--instance-id", ID, "--api-url", "https://1101.api.green-api.com", "init", "--token-stdin", "--no-check"], input=f"{token}\n")
    assert given.exit_code == 0 and "universal host" not in given.stderr


def test_force_fills_in_from_the_existing_env(api, run_cli, assert_no_token, token, tmp_path) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    result = run_cli(["--api-url", "https://1101.api.greenapi.com", "init", "--force", "--no-check"])
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    values = dotenv_values(tmp_path / ".env")
    assert values["GREEN_API_TOKEN"] == token and values["GREEN_API_URL"] == "https://1101.api.greenapi.com"


def test_a_rejected_token_is_asked_for_again_alone(api, run_cli, assert_no_token, token, tmp_path, terminal) -> None:
    wrong = "f" * 50
    api.get(state_url(wrong), status=401)
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli(["init"], input=f"{ID}\n{wrong}\n\n{token}\n")  # id, wrong token, url, token again
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Instance ID (idInstance)") == 1 and result.stderr.count("API token") == 2
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == token


def test_force_asks_with_the_current_values_as_defaults(api, run_cli, assert_no_token, token, tmp_path, terminal) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    api.get(state_url(token), json={"stateInstance": "authorized"})
    result = run_cli(["init", "--force"], input="\n\n\n")  # Enter keeps each one
    assert_no_token(result, token)
    assert result.exit_code == 0, result.stderr
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == token


# -- races, unwritable places and .gitignore (issue 14, finding 8) -------------------------------


@needs_git
@pytest.mark.parametrize("name", ["#creds", "!creds", "creds ", "back\\slash", ":(top)odd", " lead"])
def test_odd_env_file_names_are_escaped_and_anchored_in_gitignore(run_cli, token, tmp_path, name: str) -> None:
    git(tmp_path, "init", "-q")
    result = run_cli([*options(token), "--env-file", name, "init", "--no-check", "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["gitignore"] == "added"
    check = subprocess.run(["git", "check-ignore", "-q", "--no-index", "--", f"./{name}"], cwd=tmp_path, check=False)
    assert check.returncode == 0, (tmp_path / ".gitignore").read_text()
    # Only that file: the pattern matches neither its neighbours nor a same-named file deeper down.
    (tmp_path / "sub").mkdir()
    for other in ("other", "credsX", f"sub/{name}"):
        assert subprocess.run(["git", "check-ignore", "-q", "--no-index", "--", f"./{other}"], cwd=tmp_path, check=False).returncode == 1


@needs_git
def test_no_duplicate_line_and_a_later_negation_is_reported(run_cli, token, tmp_path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("/.env\n!.env\n")
    result = run_cli([*options(token), "init", "--no-check", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gitignore"] == "not ignored"  # never "ignored" on faith
    assert (tmp_path / ".gitignore").read_text() == "/.env\n!.env\n"
    assert "still does not ignore" in result.stderr


@needs_git
def test_a_symlinked_gitignore_is_never_written_through(run_cli, token, tmp_path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    git(project, "init", "-q")
    (outside / "gitignore").write_text("kept\n")
    (project / ".gitignore").symlink_to(outside / "gitignore")
    result = run_cli([*options(token), "--env-file", str(project / ".env"), "init", "--no-check", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gitignore"] == "not ignored"
    assert (outside / "gitignore").read_text() == "kept\n"
    assert "symbolic link" in result.stderr and "/.env" in result.stderr


def test_an_unwritable_place_is_refused_before_any_request(api, run_cli, token, tmp_path) -> None:
    (tmp_path / "a-file").write_text("")
    for place in ("a-file/.env", "missing/dir/.env"):
        result = run_cli([*options(token), "--env-file", place, "init", "--json"])
        assert result.exit_code == 2, result.stdout
        assert json.loads(result.stdout)["error"]["code"] == "env_file_unwritable"
    assert len(api.calls) == 0


def test_a_file_created_meanwhile_is_not_overwritten(run_cli, token, tmp_path, monkeypatch) -> None:
    """The race: another run creates .env after this one checked it was absent."""
    from greencli.config import env_file_writer

    real = env_file_writer.create

    def create_after_a_rival(path: Path, values: dict[str, str]) -> None:
        path.write_text("RIVAL=1\n")
        real(path, values)

    monkeypatch.setattr(env_file_writer, "create", create_after_a_rival)
    result = run_cli([*options(token), "init", "--no-check", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "env_file_exists"
    assert (tmp_path / ".env").read_text() == "RIVAL=1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]  # no temporary file left


def test_eight_parallel_inits_one_wins_the_others_say_it_exists(tmp_path) -> None:
    import os
    import sys

    from tests.e2e.conftest import greencli_command

    tokens = [f"{i:02d}" + "ab" * 24 for i in range(8)]
    env = {"PATH": os.environ.get("PATH", ""), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    processes = [
        subprocess.Popen(
            [*greencli_command(), "--instance-id", ID, "--token", t, "init", "--no-check", "--json"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for t in tokens
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0] + [2] * 7, results
    losers = [json.loads(out)["error"]["code"] for code, out, _ in results if code == 2]
    assert losers == ["env_file_exists"] * 7
    winner = next(i for i, (code, _, _) in enumerate(results) if code == 0)
    assert dotenv_values(tmp_path / ".env")["GREEN_API_TOKEN"] == tokens[winner]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]
    assert sys.executable  # the same interpreter's console script ran


def test_parallel_force_updates_keep_every_line(tmp_path) -> None:
    import os

    from tests.e2e.conftest import greencli_command

    (tmp_path / ".env").write_text("MINE=1\n")
    env = {"PATH": os.environ.get("PATH", ""), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    processes = [
        subprocess.Popen(
            [*greencli_command(), "--instance-id", ID, "--token", f"{i:02d}" + "cd" * 24, "init", "--force", "--no-check"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for i in range(6)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0] * 6
    text = (tmp_path / ".env").read_text()
    assert text.count("MINE=1") == 1 and text.count("GREEN_API_TOKEN=") == 1


@needs_git
@pytest.mark.parametrize("name", ["a*b", "what?", "[x]", "x\\*", "#c*", "e "])
def test_wildcards_in_a_name_are_escaped(tmp_path, name: str) -> None:
    """--env-file reads these as glob patterns, but a file may still have such a name."""
    from greencli.config import git as gitrepo

    git(tmp_path, "init", "-q")
    for other in ("aXb", "whatX", "x", "x\\y", "#cZ"):
        (tmp_path / other).write_text("")
    assert gitrepo.ignore(tmp_path / name) == "added"
    assert gitrepo.ignore(tmp_path / name) == "already listed"  # never twice
    assert gitrepo.is_ignored(tmp_path / name) is True
    for other in ("aXb", "whatX", "x", "x\\y", "#cZ"):
        assert gitrepo.is_ignored(tmp_path / other) is False
    assert gitrepo.gitignore_line("two\nlines") is None


def test_init_force_keeps_export_prefixes_and_other_lines() -> None:
    existing = "# mine\nexport GREEN_API_TOKEN=old\nOTHER=1\n"
    text = render({"GREEN_API_TOKEN": "new"}, existing)
    assert text == "# mine\nexport GREEN_API_TOKEN=new\nOTHER=1\n"


def test_init_force_on_a_fifo_is_refused_before_any_request(run_cli, api, token, tmp_path) -> None:
    import os

    os.mkfifo(tmp_path / ".env")
    result = run_cli(["--instance-id", ID, "--token", token, "init", "--force", "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "env_file_error" and "FIFO" in error["message"]
    assert not api.calls


def test_init_force_replaces_a_broken_line_of_its_own_and_keeps_the_rest(run_cli, token, tmp_path) -> None:
    env = tmp_path / ".env"
    env.write_text('# mine\nGREEN_API_TOKEN="half a token\nOTHER=1\n')
    result = run_cli(["--instance-id", ID, "--token", token, "--api-url", API, "init", "--force", "--no-check"])
    assert result.exit_code == 0, result.stderr
    assert env.read_text() == f"# mine\nGREEN_API_TOKEN={token}\nOTHER=1\nGREEN_API_INSTANCE_ID={ID}\nGREEN_API_URL={API}\n"
