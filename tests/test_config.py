"""The credentials loader: precedence, origins, .env quirks, validation, timeout."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greencli.config import loader as config
from greencli.config.loader import (
    API_URL,
    INSTANCE_ID,
    MEDIA_URL,
    TOKEN,
    Origin,
    Resolution,
    RootOptions,
    check_values,
    read_env_file,
    resolve,
    resolve_timeout,
)
from greencli.errors import ConfigError, ExitCode, UsageError
from greencli.greenapi.credentials import DEFAULT_API_URL
from greencli.redaction import redact

ID = "1101000001"


def write_env(directory: Path, text: str | bytes, name: str = ".env", mode: int = 0o600) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    path.chmod(mode)
    return path


def test_an_env_file_with_the_token_readable_by_others_is_a_warning(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n", mode=0o644)
    resolution = resolve(RootOptions(), {}, tmp_path)
    assert problem(resolution, "env_file_permissions").hint == "Make it private: chmod 600 .env"
    assert resolution.credentials().token == token  # a warning, not an error
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n", mode=0o600)
    assert "env_file_permissions" not in codes(resolve(RootOptions(), {}, tmp_path))


def codes(resolution: Resolution, level: str | None = None) -> list[str]:
    return [p.code for p in resolution.problems if level is None or p.level == level]


def problem(resolution: Resolution, code: str) -> config.Problem:
    found = [p for p in resolution.problems if p.code == code]
    assert found, f"no {code} among {codes(resolution)}"
    return found[0]


# -- precedence and origins ------------------------------------------------------------------


def test_options_beat_environment_beat_env_file(tmp_path: Path, token: str) -> None:
    env_token, file_token = token[::-1], token[1:] + "0"
    write_env(tmp_path, f"# creds\n{INSTANCE_ID}=3303000003\n{TOKEN}={file_token}\n")
    options = RootOptions(instance_id="1101000001", token=token, api_url="https://1101.api.greenapi.com")
    environ = {INSTANCE_ID: "2202000002", TOKEN: env_token, API_URL: "https://2202.api.greenapi.com"}

    r = resolve(options, environ, tmp_path)
    assert r.value(INSTANCE_ID) == "1101000001"
    assert r.value(TOKEN) == token
    assert r.value(API_URL) == "https://1101.api.greenapi.com"
    assert r.settings[INSTANCE_ID].origin == Origin("option", "--instance-id")
    assert r.settings[TOKEN].origin == Origin("option", "--token")
    assert r.settings[API_URL].origin == Origin("option", "--api-url")

    r = resolve(RootOptions(), environ, tmp_path)
    assert r.value(INSTANCE_ID) == "2202000002"
    assert r.value(TOKEN) == env_token
    assert r.settings[TOKEN].origin == Origin("environment", TOKEN)
    assert r.settings[API_URL].origin == Origin("environment", API_URL)

    r = resolve(RootOptions(), {}, tmp_path)
    assert r.value(INSTANCE_ID) == "3303000003"
    assert r.value(TOKEN) == file_token
    assert r.settings[INSTANCE_ID].origin == Origin("env-file", ".env line 2")
    assert r.settings[TOKEN].origin == Origin("env-file", ".env line 3")
    assert str(r.settings[TOKEN].origin) == ".env line 3"
    assert r.env_file == tmp_path / ".env"


def test_each_variable_resolved_independently(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{TOKEN}={token}\n{API_URL}=https://1101.api.greenapi.com\n")
    r = resolve(RootOptions(), {INSTANCE_ID: ID}, tmp_path)
    assert r.settings[INSTANCE_ID].origin.kind == "environment"
    assert r.settings[TOKEN].origin.kind == "env-file"
    assert r.settings[API_URL].origin == Origin("env-file", ".env line 2")
    creds = r.credentials()
    assert (creds.instance_id, creds.token, creds.api_url) == (ID, token, "https://1101.api.greenapi.com")
    assert creds.media_url is None


def test_env_file_option_replaces_dot_env(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}=2202000002\n{TOKEN}={token}\n")
    (tmp_path / "conf").mkdir()
    write_env(tmp_path / "conf", f"# other\n{INSTANCE_ID}=3303000003\n", name="green.env")
    r = resolve(RootOptions(env_file=Path("conf/green.env")), {}, tmp_path)
    assert r.value(INSTANCE_ID) == "3303000003"
    assert r.settings[INSTANCE_ID].origin == Origin("env-file", "conf/green.env line 2")
    # ./.env is not read at all when --env-file is given.
    assert r.value(TOKEN) is None
    assert "missing_credentials" in codes(r, "error")
    assert r.env_file == tmp_path / "conf" / "green.env"


def test_env_file_option_absolute_path(tmp_path: Path, token: str) -> None:
    path = write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n", name="abs.env")
    r = resolve(RootOptions(env_file=path), {}, tmp_path / "elsewhere")
    assert r.credentials().token == token
    assert r.settings[TOKEN].origin.where == f"{path} line 2"


def test_dot_env_of_parent_directory_is_not_read(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    r = resolve(RootOptions(), {}, sub)
    assert r.env_file is None
    assert r.value(TOKEN) is None
    assert problem(r, "missing_credentials").level == "error"


def test_resolve_defaults_to_process_environment_and_cwd(
    tmp_path: Path, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INSTANCE_ID, ID)
    write_env(tmp_path, f"{TOKEN}={token}\n")  # the autouse fixture chdir'd into tmp_path
    r = resolve(RootOptions())
    assert r.settings[INSTANCE_ID].origin.kind == "environment"
    assert r.settings[TOKEN].origin.kind == "env-file"


def test_env_file_values_are_not_exported_to_environment(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n")
    resolve(RootOptions(), os.environ, tmp_path)
    assert TOKEN not in os.environ
    assert INSTANCE_ID not in os.environ


def test_blank_values_do_not_count(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n")
    r = resolve(RootOptions(token="   "), {TOKEN: "", INSTANCE_ID: "  "}, tmp_path)
    assert r.value(TOKEN) == token
    assert r.value(INSTANCE_ID) == ID
    assert r.settings[TOKEN].origin.kind == "env-file"
    assert "shadowed_variable" not in codes(r)


def test_values_are_stripped(token: str) -> None:
    r = resolve(RootOptions(instance_id=f"  {ID}\n", token=f"\t{token} "), {}, Path("/nonexistent"))
    assert r.credentials().instance_id == ID
    assert r.credentials().token == token


# -- shadowing ---------------------------------------------------------------------------------


def test_shadowed_values_give_warnings(tmp_path: Path, token: str) -> None:
    other = token[::-1]
    write_env(tmp_path, f"{INSTANCE_ID}=3303000003\n{TOKEN}={other}\n")
    r = resolve(RootOptions(token=token), {INSTANCE_ID: ID, TOKEN: other}, tmp_path)
    assert r.settings[TOKEN].shadowed == (
        Origin("environment", TOKEN),
        Origin("env-file", ".env line 2"),
    )
    assert r.settings[INSTANCE_ID].shadowed == (Origin("env-file", ".env line 1"),)
    warnings = [p for p in r.problems if p.code == "shadowed_variable"]
    assert {p.variable for p in warnings} == {TOKEN, INSTANCE_ID}
    assert all(p.level == "warning" for p in warnings)
    token_warnings = [p.message for p in warnings if p.variable == TOKEN]
    # One warning per ignored source, each naming the winner and the ignored source.
    assert len(token_warnings) == 2
    assert any("--token" in m and m.rstrip(".").endswith(".env line 2") for m in token_warnings)
    assert any("--token" in m and m.rstrip(".").endswith("in the environment") for m in token_warnings)
    # Warnings never carry the token itself.
    for p in r.problems:
        assert token not in p.message + p.hint
        assert other not in p.message + p.hint
    # A warning is not an error: the credentials resolve.
    assert r.credentials().token == token


def test_same_value_in_two_sources_is_not_shadowing(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n")
    r = resolve(RootOptions(), {INSTANCE_ID: ID, TOKEN: token}, tmp_path)
    assert r.settings[TOKEN].shadowed == ()
    assert "shadowed_variable" not in codes(r)


def test_default_api_url_is_never_shadowed(token: str) -> None:
    r = resolve(
        RootOptions(), {INSTANCE_ID: ID, TOKEN: token, API_URL: "https://1101.api.greenapi.com"}, None
    )
    assert r.settings[API_URL].shadowed == ()
    assert "shadowed_variable" not in codes(r)


# -- .env syntax -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "GREEN_API_TOKEN={t}",
        "GREEN_API_TOKEN='{t}'",
        'GREEN_API_TOKEN="{t}"',
        "GREEN_API_TOKEN = {t}",
        "GREEN_API_TOKEN= '{t}'",
        "export GREEN_API_TOKEN={t}",
        'export GREEN_API_TOKEN = "{t}"',
        "GREEN_API_TOKEN={t} # the apiTokenInstance",
        "  GREEN_API_TOKEN={t}   ",
    ],
)
def test_env_file_line_forms(tmp_path: Path, token: str, line: str) -> None:
    write_env(tmp_path, f"# Green API\n\n{INSTANCE_ID}={ID}\n{line.format(t=token)}\n")
    r = resolve(RootOptions(), {}, tmp_path)
    assert r.value(TOKEN) == token
    assert r.settings[TOKEN].origin.where == ".env line 4"
    assert r.errors == []


def test_env_file_crlf_line_endings(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"# comment\r\n{INSTANCE_ID}={ID}\r\n{TOKEN}={token}\r\n")
    r = resolve(RootOptions(), {}, tmp_path)
    assert r.value(INSTANCE_ID) == ID
    assert r.value(TOKEN) == token  # no trailing \r
    assert r.settings[TOKEN].origin.where == ".env line 3"
    assert r.errors == []
    assert "unusual_token" not in codes(r)


def test_env_file_utf8_bom(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, b"\xef\xbb\xbf" + f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n".encode())
    r = resolve(RootOptions(), {}, tmp_path)
    # The BOM must not glue itself onto the first variable's name.
    assert r.value(INSTANCE_ID) == ID
    assert r.settings[INSTANCE_ID].origin.where == ".env line 1"
    assert r.errors == []


def test_env_file_comments_are_ignored(tmp_path: Path, token: str) -> None:
    text = (
        f"# {INSTANCE_ID}=9999999999\n"
        f"#{TOKEN}=commented-out\n"
        f"{INSTANCE_ID}={ID}  # inline comment\n"
        f"{TOKEN}={token}\n"
        "OTHER_VAR=keep # not ours\n"
    )
    write_env(tmp_path, text)
    r = resolve(RootOptions(), {}, tmp_path)
    assert r.value(INSTANCE_ID) == ID
    assert r.settings[INSTANCE_ID].origin.where == ".env line 3"
    assert r.value(TOKEN) == token
    assert r.problems == []


def test_env_file_duplicates_last_wins_with_warning(tmp_path: Path, token: str) -> None:
    first = token[::-1]
    write_env(tmp_path, f"{TOKEN}={first}\n{INSTANCE_ID}={ID}\n# again\n{TOKEN}={token}\n")
    r = resolve(RootOptions(), {}, tmp_path)
    assert r.value(TOKEN) == token
    assert r.settings[TOKEN].origin.where == ".env line 4"
    dup = problem(r, "duplicate_variable")
    assert dup.level == "warning"
    assert dup.variable == TOKEN
    assert "lines 1, 4" in dup.message
    assert "line 4 is used" in dup.message
    assert token not in dup.message and first not in dup.message
    assert r.errors == []


def test_env_file_unrelated_variables_are_ignored(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"DATABASE_URL=postgres://x\nFOO=1\nFOO=2\n{INSTANCE_ID}={ID}\n{TOKEN}={token}\n")
    r = resolve(RootOptions(), {}, tmp_path)
    assert r.problems == []  # a duplicate of someone else's variable is not our business


def test_env_file_unparsable_line_of_ours_is_an_error(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f'{INSTANCE_ID}={ID}\n{TOKEN}="{token}\nNEXT=1\n')
    r = resolve(RootOptions(), {}, tmp_path)
    errors = [p for p in r.errors if p.code == "env_file_error"]
    assert errors, codes(r)
    assert ".env line 2" in errors[0].message
    assert token not in errors[0].message
    with pytest.raises(ConfigError):
        r.credentials()


def test_env_file_unparsable_foreign_line_is_a_warning(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\nthis is not a binding\n")
    r = resolve(RootOptions(), {}, tmp_path)
    p = problem(r, "env_file_error")
    assert p.level == "warning"
    assert "line 3" in p.message
    assert r.credentials().token == token


def test_read_env_file_reports_values_and_lines(tmp_path: Path, token: str) -> None:
    path = write_env(tmp_path, f"# top\n{TOKEN}={token}\nX=1\n{MEDIA_URL}=https://media.example\n")
    env = read_env_file(path, "my.env")
    assert env.values == {TOKEN: (token, 2), MEDIA_URL: ("https://media.example", 4)}
    assert env.display == "my.env"
    assert env.problems == []


@pytest.mark.parametrize("blank", ["\n", "\n\n\n", "   \n\t\n", "\r\n\r\n"])
def test_line_numbers_count_blank_lines_before_a_variable(tmp_path: Path, token: str, blank: str) -> None:
    # Blank lines between groups are common in .env files; the line reported (in the origin,
    # doctor's output and the duplicate warning) must be the line the variable is on.
    newline = "\r\n" if "\r" in blank else "\n"
    text = f"# Green API{newline}{INSTANCE_ID}={ID}{newline}{blank}{TOKEN}={token}{newline}"
    write_env(tmp_path, text)
    expected = 3 + blank.count("\n")
    r = resolve(RootOptions(), {}, tmp_path)
    assert r.value(TOKEN) == token
    assert r.settings[TOKEN].origin.where == f".env line {expected}"
    assert read_env_file(tmp_path / ".env", ".env").values[TOKEN] == (token, expected)


def test_duplicate_warning_names_real_lines_after_blank_lines(tmp_path: Path, token: str) -> None:
    write_env(tmp_path, f"\n{TOKEN}={token[::-1]}\n\n{TOKEN}={token}\n")
    r = resolve(RootOptions(), {}, tmp_path)
    assert "lines 2, 4" in problem(r, "duplicate_variable").message


# -- unreadable .env ---------------------------------------------------------------------------


def _assert_env_file_error(r: Resolution, *words: str) -> None:
    p = problem(r, "env_file_error")
    assert p.level == "error"
    for word in words:
        assert word in p.message
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.code == "env_file_error"
    assert caught.value.exit_code == ExitCode.USAGE


def test_env_file_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").mkdir()
    r = resolve(RootOptions(), {}, tmp_path)
    _assert_env_file_error(r, ".env", "directory")


def test_env_file_is_binary(tmp_path: Path) -> None:
    write_env(tmp_path, b"GREEN_API_INSTANCE_ID=1\x00\x01\x02\n")
    _assert_env_file_error(resolve(RootOptions(), {}, tmp_path), "binary")


def test_env_file_is_not_utf8(tmp_path: Path) -> None:
    write_env(tmp_path, b"\xff\xfe\x89PNG\r\n\x1a\n\xc3\x28")
    _assert_env_file_error(resolve(RootOptions(), {}, tmp_path), "UTF-8")


def test_env_file_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / ".env").symlink_to(tmp_path / "missing-target")
    _assert_env_file_error(resolve(RootOptions(), {}, tmp_path), ".env", "cannot be read")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_env_file_permission_denied(tmp_path: Path, token: str) -> None:
    path = write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={token}\n")
    path.chmod(0)
    try:
        r = resolve(RootOptions(), {}, tmp_path)
        _assert_env_file_error(r, "permission denied")
        assert "chmod 600" in problem(r, "env_file_error").hint
    finally:
        path.chmod(0o600)


def test_missing_env_file_option_is_an_error(tmp_path: Path, token: str) -> None:
    r = resolve(RootOptions(env_file=Path("nope.env")), {INSTANCE_ID: ID, TOKEN: token}, tmp_path)
    p = problem(r, "env_file_error")
    assert p.level == "error"
    assert "nope.env" in p.message
    assert r.env_file is None
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.code == "env_file_error"


def test_no_dot_env_is_fine(tmp_path: Path, token: str) -> None:
    r = resolve(RootOptions(), {INSTANCE_ID: ID, TOKEN: token}, tmp_path)
    assert r.env_file is None
    assert r.problems == []


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "named", "not_named"),
    [
        ({}, [INSTANCE_ID, TOKEN], []),
        ({INSTANCE_ID: ID}, [TOKEN], [INSTANCE_ID]),
        ({TOKEN: "0" * 50}, [INSTANCE_ID], [TOKEN]),
    ],
)
def test_missing_credentials(tmp_path: Path, environ, named, not_named) -> None:
    r = resolve(RootOptions(), environ, tmp_path)
    p = problem(r, "missing_credentials")
    assert p.level == "error"
    for name in named:
        assert name in p.message
    for name in not_named:
        assert name not in p.message
    assert "greencli init" in p.hint
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    err = caught.value
    assert err.code == "missing_credentials"
    assert err.exit_code == ExitCode.USAGE
    for name in named:
        assert name in err.message


@pytest.mark.parametrize("bad", ["11010000a1", "1101-000001", "abc", "+1101000001", "1101 000001", "1.5"])
def test_non_digit_instance_id_is_an_error(token: str, bad: str) -> None:
    r = resolve(RootOptions(instance_id=bad, token=token), {}, None)
    p = problem(r, "invalid_instance_id")
    assert p.level == "error"
    assert "digits" in p.message
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.code == "invalid_instance_id"


@pytest.mark.parametrize(
    "bad", ["\u0661\u0661\u0660\u0661\u0660\u0660\u0660\u0660\u0660\u0661", "1101000001\u00b2"]
)
def test_instance_id_must_be_ascii_digits(token: str, bad: str) -> None:
    # str.isdigit() also accepts Arabic-Indic digits and superscripts; neither is an idInstance
    # (and "1101000001\u00b2" cannot even go through int()).
    r = resolve(RootOptions(instance_id=bad, token=token), {}, None)
    assert "invalid_instance_id" in codes(r, "error")


def test_unusual_instance_id_length_is_a_warning(token: str) -> None:
    r = resolve(RootOptions(instance_id="123", token=token), {}, None)
    assert problem(r, "unusual_instance_id").level == "warning"
    assert r.credentials().instance_id == "123"


@pytest.mark.parametrize("bad", ["abc def", "abc\tdef", "abc/def", "abc?x=1", "abc#frag", "abc%2F"])
def test_token_with_spaces_or_url_characters_is_an_error(bad: str) -> None:
    secret = bad + "-0123456789abcdef"
    r = resolve(RootOptions(instance_id=ID, token=secret), {}, None)
    p = problem(r, "invalid_token")
    assert p.level == "error"
    assert secret not in p.message and secret not in p.hint
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.code == "invalid_token"
    assert secret not in str(caught.value)


@pytest.mark.parametrize("odd", ["0123456789abcdef", "A" * 50, "g" * 50, "ab" * 30])
def test_odd_token_shape_is_only_a_warning(odd: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=odd), {}, None)
    p = problem(r, "unusual_token")
    assert p.level == "warning"
    assert str(len(odd)) in p.message
    assert odd not in p.message
    assert r.errors == []
    assert r.credentials().token == odd


def test_real_token_shape_gives_no_warning(token: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=token), {}, None)
    assert r.problems == []


def test_default_api_url(token: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=token), {}, None)
    assert DEFAULT_API_URL == "https://api.green-api.com"
    assert r.value(API_URL) == "https://api.green-api.com"
    assert r.settings[API_URL].origin == Origin("default", "built-in default")
    assert r.credentials().api_url == "https://api.green-api.com"


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("https://1101.api.greenapi.com/", "https://1101.api.greenapi.com"),
        ("https://1101.api.greenapi.com///", "https://1101.api.greenapi.com"),
        ("https://api.green-api.com", "https://api.green-api.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ],
)
def test_trailing_slash_stripped(token: str, given_url: str, expected: str) -> None:
    for r in (
        resolve(RootOptions(instance_id=ID, token=token, api_url=given_url), {}, None),
        resolve(RootOptions(), {INSTANCE_ID: ID, TOKEN: token, API_URL: given_url}, None),
    ):
        assert r.errors == []
        assert r.credentials().api_url == expected


def test_media_url_trailing_slash_stripped(token: str) -> None:
    r = resolve(
        RootOptions(instance_id=ID, token=token), {MEDIA_URL: "https://1101.media.greenapi.com/"}, None
    )
    assert r.credentials().media_url == "https://1101.media.greenapi.com"


@pytest.mark.parametrize("url", ["https://api.green-api.com/v3", "https://api.green-api.com/v3/"])
def test_api_url_with_v3_is_an_error(token: str, url: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=token, api_url=url), {}, None)
    p = problem(r, "invalid_api_url")
    assert p.level == "error"
    assert "/v3" in p.message
    assert "https://api.green-api.com" in p.hint and "/v3" not in p.hint.split(":", 1)[1]
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.code == "invalid_api_url"


@pytest.mark.parametrize("url", ["https://4100.api.green-api.com/tgm", "https://7103.api.greenapi.com/tgm/"])
def test_api_url_of_the_telegram_api_is_an_error_like_v3(token: str, url: str) -> None:
    """Green API's Telegram SDK defaults to https://4100.api.green-api.com/tgm
    (https://github.com/green-api/telegram_api_client_python/blob/master/telegram_api_client_python/API.py):
    greencli speaks to WhatsApp instances."""
    r = resolve(RootOptions(instance_id=ID, token=token, api_url=url), {}, None)
    p = problem(r, "invalid_api_url")
    assert p.level == "error" and "/tgm" in p.message and "Telegram" in p.message
    assert "WhatsApp instance" in p.hint and "console.green-api.com" in p.hint
    with pytest.raises(ConfigError):
        r.credentials()


def test_the_telegram_api_host_is_a_warning(token: str) -> None:
    """https://green-api.com/en/telegram/docs/request-format/ sends its requests to
    4100.api.green-api.com; WhatsApp's pages never name that host, so it is only a warning
    (observed, not a documented rule)."""
    r = resolve(RootOptions(instance_id=ID, token=token, api_url="https://4100.api.green-api.com"),
                {MEDIA_URL: "https://4100.media.green-api.com"}, None)
    found = [p for p in r.problems if p.code == "invalid_api_url"]
    assert [(p.level, p.variable) for p in found] == [("warning", API_URL), ("warning", MEDIA_URL)]
    assert "Telegram" in found[0].message and "4100.api.green-api.com" in found[0].message
    assert r.credentials().api_url == "https://4100.api.green-api.com"  # usable: a warning only


@pytest.mark.parametrize(
    "url",
    [
        "api.green-api.com",
        "ftp://api.green-api.com",
        "https://",
        "https://user:pass@api.green-api.com",
        "https://api.green-api.com?x=1",
        "https://api.green-api.com:notaport",
        f"https://api.green-api.com/waInstance{ID}",
    ],
)
def test_malformed_api_url_is_an_error(token: str, url: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=token, api_url=url), {}, None)
    assert problem(r, "invalid_api_url").level == "error"


def test_malformed_media_url_is_only_a_warning(token: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=token), {MEDIA_URL: "ftp://media"}, None)
    assert problem(r, "invalid_api_url").level == "warning"
    assert r.errors == []


@pytest.mark.parametrize(
    ("instance_id", "api_url"),
    [
        ("7701000001", "https://7700.api.greenapi.com"),  # pools share one host
        ("5702000001", "https://5700.api.green-api.com"),
        ("1101000001", "https://1101.api.green-api.com"),  # the hyphenated domain
        ("1101000001", "https://7103.api.greenapi.com"),  # cannot be told wrong from the ID alone
    ],
)
def test_no_host_is_judged_from_the_instance_id(token: str, instance_id: str, api_url: str) -> None:
    # The host cannot be derived from the ID
    # (https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/): no warning.
    r = resolve(RootOptions(instance_id=instance_id, token=token, api_url=api_url), {}, None)
    assert r.problems == []


def test_all_problems_collected_and_first_error_raised(tmp_path: Path) -> None:
    r = resolve(RootOptions(instance_id="abc", token="has space", api_url="ftp://x"), {}, tmp_path)
    assert set(codes(r, "error")) == {"invalid_instance_id", "invalid_token", "invalid_api_url"}
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.code == r.errors[0].code


def test_every_token_source_is_registered_for_redaction(tmp_path: Path) -> None:
    # Odd-shaped tokens, so the 50-hex pattern cannot be what hides them.
    from_option, from_env, from_file = (
        "option-token-0000000000000",
        "env-token-11111111111111",
        "file-token-2222222222222",
    )
    write_env(tmp_path, f"{INSTANCE_ID}={ID}\n{TOKEN}={from_file}\n")
    resolve(RootOptions(token=from_option), {TOKEN: from_env}, tmp_path)
    for secret in (from_option, from_env, from_file):
        assert secret not in redact(f"value: {secret}")


def test_check_values_uses_the_same_rules(token: str) -> None:
    assert check_values(ID, token, None) == []
    assert check_values(ID, token, "https://1101.api.greenapi.com/") == []
    assert [p.code for p in check_values("x1", token, None)] == ["invalid_instance_id"]
    assert [p.code for p in check_values(ID, "a b", None)] == ["invalid_token"]
    assert [p.code for p in check_values(ID, token, "https://api.green-api.com/v3")] == ["invalid_api_url"]
    assert [p.code for p in check_values(None, None, None)] == ["missing_credentials"]
    warn = check_values(ID, "shortish", None)
    assert [(p.level, p.code) for p in warn] == [("warning", "unusual_token")]
    assert [(p.level, p.code) for p in check_values(ID, "short", None)] == [("error", "invalid_token")]
    assert "your input" in check_values(ID, "a b", None)[0].message


# -- timeout -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "seconds"), [("30", 30.0), (" 2.5 ", 2.5), ("3600", 3600.0), ("0.1", 0.1)])
def test_timeout_from_environment(raw: str, seconds: float) -> None:
    assert resolve_timeout(RootOptions(), {"GREENCLI_TIMEOUT": raw}) == seconds


def test_timeout_default_and_option_precedence() -> None:
    assert resolve_timeout(RootOptions(), {}) == 10.0
    assert resolve_timeout(RootOptions(), {"GREENCLI_TIMEOUT": "   "}) == 10.0
    assert resolve_timeout(RootOptions(timeout=4.0), {"GREENCLI_TIMEOUT": "30"}) == 4.0
    assert resolve_timeout(RootOptions(timeout=4.0), {"GREENCLI_TIMEOUT": "junk"}) == 4.0


def test_timeout_reads_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENCLI_TIMEOUT", "7")
    assert resolve_timeout(RootOptions()) == 7.0


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "3601", "nan", "inf", "10s", "1e9"])
def test_bad_timeout_from_environment(raw: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_timeout(RootOptions(), {"GREENCLI_TIMEOUT": raw})
    err = caught.value
    assert err.code == "invalid_timeout"
    assert err.exit_code == ExitCode.USAGE
    assert "GREENCLI_TIMEOUT" in err.message
    assert "GREENCLI_TIMEOUT=30" in err.hint


@pytest.mark.parametrize("value", [0.0, -5.0, 4000.0, float("nan")])
def test_bad_timeout_option(value: float) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_timeout(RootOptions(timeout=value), {})
    assert "--timeout" in caught.value.message
    assert "--timeout 30" in caught.value.hint


# -- property: any .env text gives a Resolution ------------------------------------------------

_env_lines = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda k, eq, v, q: f"{k}{eq}{q}{v}{q}",
        st.sampled_from([INSTANCE_ID, TOKEN, API_URL, MEDIA_URL, "export " + TOKEN, "OTHER", " " + TOKEN]),
        st.sampled_from(["=", " = ", "= ", "==", ":"]),
        st.text(max_size=60),
        st.sampled_from(["", "'", '"']),
    ),
)


def _check_resolution(r: object) -> None:
    assert isinstance(r, Resolution)
    for p in r.problems:
        assert p.level in ("error", "warning")
        assert p.code and p.message
    try:
        creds = r.credentials()
    except ConfigError:
        assert r.errors
    else:
        assert not r.errors
        assert creds.instance_id.isdigit()
        assert creds.token


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(_env_lines, max_size=8), newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_env_text_gives_a_resolution(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, ".env").write_bytes(text.encode("utf-8", "surrogatepass"))
        r = resolve(RootOptions(), {}, Path(directory))
        _check_resolution(r)


@settings(max_examples=75, deadline=None)
@given(data=st.binary(max_size=200))
def test_any_env_bytes_give_a_resolution(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, ".env").write_bytes(data)
        _check_resolution(resolve(RootOptions(), {}, Path(directory)))


# -- tokens too short or too odd to mask (issue 14, finding 7) ---------------------------------


@pytest.mark.parametrize(
    ("bad", "why"),
    [(":", "has only 1 character"), ("abc1234", "has only 7 characters"), ('abc"def:ghi,jkl', "other than letters and digits"), ("токен12345", "other than letters and digits")],
)
def test_a_token_that_cannot_be_masked_safely_is_an_error(bad: str, why: str) -> None:
    r = resolve(RootOptions(instance_id=ID, token=bad), {}, None)
    p = problem(r, "invalid_token")
    assert p.level == "error" and why in p.message
    assert "50 characters, 0-9 and a-f" in p.message  # the expected shape
    with pytest.raises(ConfigError) as caught:
        r.credentials()
    assert caught.value.exit_code == 2


def test_a_short_token_never_masks_ordinary_text(run_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    result = run_cli(["--instance-id", ID, "--token", ":", "check-state", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)  # every colon of the document is still there
    assert document["error"]["code"] == "invalid_token"
    assert "****" not in result.stdout


def test_a_broken_env_line_is_reported_once_by_greencli(run_cli, tmp_path) -> None:
    (tmp_path / ".env").write_text('GREEN_API_INSTANCE_ID=1101000001\nGREEN_API_TOKEN="unterminated\n')
    (tmp_path / ".env").chmod(0o600)
    result = run_cli(["check-state"])
    assert result.exit_code == 2
    assert ".env line 2" in result.stderr
    assert "python-dotenv could not parse" not in result.stderr


def test_a_trailing_slash_does_not_make_the_same_url_a_different_one(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["--api-url", "http://127.0.0.1:9/", "doctor", "--json"], env=env)
    assert "overrides" not in result.stderr + result.stdout


def test_env_file_naming_a_directory_is_not_told_to_remove_it(run_cli, tmp_path) -> None:
    (tmp_path / "configs").mkdir()
    result = run_cli(["--env-file", "configs", "check-state"])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr and "Remove it" not in result.stderr
    assert "--env-file" in result.stderr


def test_a_zero_timeout_is_explained_truthfully(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREENCLI_TIMEOUT": "0"}
    result = run_cli(["check-state"], env=env)
    assert result.exit_code == 2
    assert "more than 0" in result.stderr and "between 0 and" not in result.stderr


def test_only_the_token_missing_speaks_of_one_value(run_cli) -> None:
    result = run_cli(["check-state"], env={"GREEN_API_INSTANCE_ID": "1101000001"})
    assert result.exit_code == 2
    assert "GREEN_API_TOKEN is not set" in result.stderr
    assert "Both" not in result.stderr and "write them" not in result.stderr
