"""Finding Green API tokens in files (greencli.config.token_scan): what counts as a token, what
is a placeholder, where git's ignore rules let a token be, and that the token is never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from greencli import redaction
from greencli.config.token_scan import counts_as_token, files_to_scan, is_env_file, scan
from greencli.errors import UsageError
from tests.conftest import token_leaks
from tests.git_repo import GitRepo

ID = "1101000001"
HOST = "https://1101.api.green-api.com"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "project")


def findings(repo: GitRepo, *names: str, known: tuple[str, ...] = ()) -> list[tuple[str, int, str]]:
    result = scan([Path(name) for name in names], repo.path, known)
    return [(finding.file, finding.line, finding.kind) for finding in result.findings]


# -- what counts as a token -------------------------------------------------------------------


def test_the_real_shape_counts(token: str) -> None:
    assert counts_as_token(token)
    assert counts_as_token(token.upper())


def test_no_real_token_is_taken_for_a_placeholder() -> None:
    import secrets

    assert all(counts_as_token(secrets.token_hex(25)) for _ in range(5000))


@pytest.mark.parametrize(
    "placeholder",
    [
        "your-token-here",
        "YOUR_GREEN_API_TOKEN",
        "your_api_token_instance_1234",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "00000000000000000000000000000000000000000000000000",
        "ababababababababababababababababababababababababab",
        "changeme12345678901234",
        "example-1234567890-abcdef",
        "abc123",  # too short for anything but the real shape
        "${GREEN_API_TOKEN}",  # a template: not a token the loader would take
        "<apiTokenInstance>",
        "{{apiTokenInstance}}",
        "abcd…wxyz",  # already masked
        "settings.token",
    ],
)
def test_placeholders_do_not_count(placeholder: str) -> None:
    assert not counts_as_token(placeholder)


def test_a_token_of_another_shape_counts_when_long_and_random_enough() -> None:
    assert counts_as_token("Zk3v9QmT7wLp2XcR8nB4")  # the loader accepts it (with a warning)


@pytest.mark.parametrize("name", [".env", ".env.local", ".env.production", "prod.env", "envs/staging.env"])
def test_env_file_names(name: str) -> None:
    assert is_env_file(Path(name).name)


@pytest.mark.parametrize("name", ["env", ".envrc", "environment.py", ".env-notes.md"])
def test_other_names_are_not_env_files(name: str) -> None:
    assert not is_env_file(name)


# -- the three kinds of leak ----------------------------------------------------------------


def test_a_token_in_a_request_url_is_found_by_file_and_line(repo: GitRepo, token: str) -> None:
    repo.write("bot.py", f'import requests\n\nURL = "{HOST}/waInstance{ID}/sendMessage/{token}"\n')
    result = scan([Path("bot.py")], repo.path)
    assert [(f.file, f.line, f.kind) for f in result.findings] == [("bot.py", 3, "url")]
    finding = result.findings[0]
    assert finding.masked == f"{token[:4]}…{token[-4:]}"
    assert finding.message == f"a token in a Green API request URL: /waInstance{ID}/sendMessage/{token[:4]}…{token[-4:]}"
    assert "greencli token rotate" in finding.hint
    assert not token_leaks(finding.message + finding.hint + repr(finding), token)


@pytest.mark.parametrize(
    "line",
    [
        "GREEN_API_TOKEN={token}",
        "export GREEN_API_TOKEN='{token}'",
        "GREEN_API_TOKEN: {token}",
        '  "apiTokenInstance": "{token}",',
        'apiTokenInstance = "{token}"',
        "const apiTokenInstance = `{token}`;",
        "client = Client(api_token_instance='{token}')",
        "  'apiTokenInstance' => '{token}',",
        "$config['apiTokenInstance'] = '{token}';",
    ],
)
def test_an_assignment_in_a_tracked_file_is_found(repo: GitRepo, token: str, line: str) -> None:
    repo.write("settings.txt", "# settings\n" + line.format(token=token) + "\n")
    assert findings(repo, "settings.txt") == [("settings.txt", 2, "assignment")]


@pytest.mark.parametrize(
    "line",
    [
        "GREEN_API_TOKEN=your-token-here",
        "GREEN_API_TOKEN=",
        "GREEN_API_TOKEN: ${{ secrets.GREEN_API_TOKEN }}",
        'token = os.environ["GREEN_API_TOKEN"]',
        'GREEN_API_TOKEN = os.environ.get("GREEN_API_TOKEN")',
        "apiTokenInstance = settings.api_token",
        "GREEN_API_TOKEN=$GREEN_API_TOKEN",
        'url = f"{host}/waInstance{id_instance}/sendMessage/{api_token}"',
        "curl https://api.green-api.com/waInstance1101000001/getStateInstance/{{apiTokenInstance}}",
        "POST /waInstance1101000001/sendMessage/YOUR_API_TOKEN_INSTANCE",
        "the token is shown as 1a2b…9z8y",
    ],
)
def test_placeholders_and_references_pass(repo: GitRepo, line: str) -> None:
    repo.write("README.md", f"Green API setup\n\n{line}\n")
    assert findings(repo, "README.md") == []


def test_a_token_value_glued_to_a_template_is_not_taken_for_a_token(repo: GitRepo, token: str) -> None:
    repo.write("a.sh", f"GREEN_API_TOKEN={token}${{SUFFIX}}\n")
    assert findings(repo, "a.sh") == []


def test_a_client_made_with_a_token_shaped_literal_is_found_in_a_file_about_green_api(repo: GitRepo, token: str) -> None:
    repo.write("bot.py", f'from whatsapp_api_client_python import API\n\ngreen_api = API.GreenAPI("{ID}", "{token}")\n')
    repo.write("hashes.py", f'DIGEST = "{token}"\n')  # a 50-hex value with no Green API about it
    assert findings(repo, "bot.py", "hashes.py") == [("bot.py", 3, "shaped")]


def test_the_instances_own_token_is_found_wherever_it_is_written(repo: GitRepo) -> None:
    unusual = "Zk3v9QmT7wLp2XcR8nB4qq"  # not the usual shape, but the instance's own
    repo.write("notes.txt", f"remember: {unusual} for the bot\n")
    assert findings(repo, "notes.txt", known=(unusual,)) == [("notes.txt", 1, "known")]
    assert findings(repo, "notes.txt") == []


def test_one_token_on_a_line_is_reported_once(repo: GitRepo, token: str) -> None:
    repo.write("x.env.sh", f'GREEN_API_TOKEN="{token}" curl "{HOST}/waInstance{ID}/getStateInstance/{token}"\n')
    assert findings(repo, "x.env.sh", known=(token,)) == [("x.env.sh", 1, "assignment")]


# -- env files and git's ignore rules ---------------------------------------------------------


def test_an_env_file_git_does_not_ignore_is_reported(repo: GitRepo, token: str) -> None:
    repo.write(".env", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    result = scan([Path(".env")], repo.path)
    assert [(f.file, f.line, f.kind) for f in result.findings] == [(".env", 2, "env_file")]
    assert result.findings[0].message.startswith(".env holds the token")
    assert "/.env" in result.findings[0].hint and ".gitignore" in result.findings[0].hint


def test_an_ignored_env_file_passes(repo: GitRepo, token: str) -> None:
    repo.write(".env", f"GREEN_API_TOKEN={token}\n")
    repo.write(".gitignore", "/.env\n")
    result = scan([Path(".env")], repo.path, [token])
    assert result.ok and result.scanned == []
    assert [(s.file, s.why) for s in result.skipped] == [(".env", "ignored by git")]


def test_an_ignored_env_file_added_with_force_is_reported(repo: GitRepo, token: str) -> None:
    repo.write(".env", f"GREEN_API_TOKEN={token}\n")
    repo.write(".gitignore", ".env\n")
    repo.add(".env", force=True)
    assert findings(repo, ".env") == [(".env", 1, "env_file")]


def test_an_env_example_with_a_placeholder_passes(repo: GitRepo) -> None:
    repo.write(".env.example", f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN=your-token-here\nGREEN_API_URL={HOST}\n")
    assert findings(repo, ".env.example") == []


def test_an_env_file_outside_git_is_where_the_token_belongs(tmp_path: Path, token: str) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_TOKEN={token}\n")
    assert scan([Path(".env")], tmp_path, [token]).ok


def test_a_token_in_a_file_outside_git_is_still_reported(tmp_path: Path, token: str) -> None:
    (tmp_path / "bot.py").write_text(f"GREEN_API_TOKEN = '{token}'\n")
    assert [f.kind for f in scan([Path("bot.py")], tmp_path).findings] == ["assignment"]


# -- files that are not read -----------------------------------------------------------------


def test_links_binaries_and_fifos_are_skipped_never_followed(repo: GitRepo, token: str) -> None:
    secret = repo.path.parent / "secret.txt"
    secret.write_text(f"GREEN_API_TOKEN={token}\n")
    (repo.path / "link.txt").symlink_to(secret)
    (repo.path / "image.bin").write_bytes(b"\x89PNG\0\0" + f"GREEN_API_TOKEN={token}".encode())
    os.mkfifo(repo.path / "pipe")  # opening it for reading would wait for a writer forever
    result = scan([Path("link.txt"), Path("image.bin"), Path("pipe")], repo.path)
    assert result.ok
    assert {(s.file, s.why) for s in result.skipped} == {
        ("link.txt", "a symbolic link"), ("image.bin", "binary"), ("pipe", "not a regular file")
    }


def test_every_token_found_is_masked_in_any_later_output(repo: GitRepo, token: str) -> None:
    repo.write("bot.py", f'URL = "{HOST}/waInstance{ID}/sendMessage/{token}"\n')
    scan([Path("bot.py")], repo.path)
    assert token not in redaction.redact(f"an error that quotes {token}")


# -- which files ------------------------------------------------------------------------------


def test_with_no_names_every_file_git_tracks_or_would_add(repo: GitRepo) -> None:
    repo.write("tracked.py", "x = 1\n")
    repo.commit("one")
    repo.write("new.py", "y = 2\n")
    repo.write(".env", "GREEN_API_TOKEN=x\n")
    repo.write(".gitignore", ".env\n")
    assert files_to_scan([], repo.path) == [Path(".gitignore"), Path("new.py"), Path("tracked.py")]


def test_a_directory_stands_for_its_files(repo: GitRepo) -> None:
    repo.write("src/a.py", "")
    repo.write("src/deep/b.py", "")
    repo.write("other.py", "")
    assert files_to_scan([Path("src")], repo.path) == [Path("src/a.py"), Path("src/deep/b.py")]


def test_a_missing_file_is_a_usage_error(repo: GitRepo) -> None:
    with pytest.raises(UsageError, match="nope.py does not exist"):
        files_to_scan([Path("nope.py")], repo.path)


def test_no_names_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not in a git work tree"):
        files_to_scan([], tmp_path)


def test_odd_file_names_are_handled(repo: GitRepo, token: str) -> None:
    for name in ("-rf.py", ":(top)x.py", "sp ace.py", "*.py"):
        repo.write(name, f'"{HOST}/waInstance{ID}/sendMessage/{token}"\n')
    repo.write(".gitignore", "/\\*.py\n")  # the one named "*.py" is ignored, the others not
    result = scan(files_to_scan([], repo.path), repo.path)
    assert sorted(f.file for f in result.findings) == ["-rf.py", ":(top)x.py", "sp ace.py"]
    assert [(s.file, s.why) for s in scan([Path("*.py")], repo.path).skipped] == [("*.py", "ignored by git")]
