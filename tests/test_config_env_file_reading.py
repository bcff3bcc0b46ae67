"""Env files are regular files of at most 1 MiB: anything else is one clear error (exit 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from greencli.config.env_file_reading import MAX_BYTES, EnvFileRefused, read_env_bytes
from greencli.config.loader import RootOptions, resolve

ID = "1101000001"


def sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)  # no disk used, and nothing greencli must read
    return path


def hostile(kind: str, path: Path) -> Path:
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "100MB":
        sparse(path, 100 * 1024 * 1024)
    elif kind == "directory":
        path.mkdir()
    return path


KINDS = ["dev-zero", "fifo", "100MB", "directory"]
WORDS = {"dev-zero": "a device", "fifo": "FIFO", "100MB": "100.0 MiB", "directory": "directory"}


@pytest.mark.parametrize("kind", KINDS)
def test_reading_refuses_what_is_not_a_small_regular_file(tmp_path: Path, kind: str) -> None:
    with pytest.raises(EnvFileRefused) as caught:
        read_env_bytes(hostile(kind, tmp_path / ".env"))
    assert WORDS[kind] in caught.value.why


def test_the_limit_is_one_mebibyte_and_a_link_to_a_regular_file_is_fine(tmp_path: Path) -> None:
    at_limit = tmp_path / "limit.env"
    at_limit.write_bytes(b"A=1\n" + b"#" * (MAX_BYTES - 5) + b"\n")
    assert len(read_env_bytes(at_limit)) == MAX_BYTES
    with pytest.raises(EnvFileRefused):
        read_env_bytes(sparse(tmp_path / "over.env", MAX_BYTES + 1))
    link = tmp_path / "link.env"
    link.symlink_to(at_limit)
    assert read_env_bytes(link) == at_limit.read_bytes()
    with pytest.raises(OSError):
        read_env_bytes(link, follow_symlinks=False)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", ["discovered", "--env-file"])
def test_the_loader_reports_one_env_file_error(tmp_path: Path, kind: str, how: str) -> None:
    hostile(kind, tmp_path / ".env")
    options = RootOptions(env_file=Path(".env")) if how == "--env-file" else RootOptions()
    resolution = resolve(options, {}, tmp_path)
    errors = [p for p in resolution.errors if p.code == "env_file_error"]
    assert len(errors) == 1 and errors[0].message.startswith(".env ")
    assert WORDS[kind] in errors[0].message


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "100MB"])
def test_commands_exit_2_with_one_line(run_cli, tmp_path: Path, kind: str) -> None:
    hostile(kind, tmp_path / ".env")
    result = run_cli(["check-state"])
    assert result.exit_code == 2
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and WORDS[kind] in error[0]
    result = run_cli(["--env-file", ".env", "check-state", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "env_file_error"


def test_a_glob_that_matches_a_fifo_is_refused_for_that_instance(run_cli, tmp_path: Path, token: str) -> None:
    (tmp_path / "a.env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\nGREEN_API_URL=http://127.0.0.1:9\n")
    hostile("fifo", tmp_path / "b.env")
    result = run_cli(["--env-file", "*.env", "check-state", "--json"])
    assert result.exit_code == 2
    assert "FIFO" in result.stdout
