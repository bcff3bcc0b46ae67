"""Env files that arrive with a hostile repository: a .env symlinked to /dev/zero, a FIFO, a
100 MB file. Found by discovery, named by --env-file or matched by a glob, each is refused with
one clear line and exit 2, at once and in little memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.runner import RSS_LIMIT_MIB, plain_environment, run_in

pytestmark = pytest.mark.e2e

ID = "1101000001"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 MB written for real (a sparse file would be too kind a test), once for the module."""
    path = tmp_path_factory.mktemp("big") / "100MB.env"
    with open(path, "wb") as handle:
        line = b"# " + b"x" * 1021 + b"\n"
        for _ in range(100 * 1024):
            handle.write(line)
    return path


def make(kind: str, path: Path, big_file: Path) -> None:
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        os.link(big_file, path)  # the same regular file under the name greencli reads


WORDS = {"dev-zero": "is a device", "fifo": "is a FIFO", "100MB": "is 100.0 MiB"}


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "100MB"])
@pytest.mark.parametrize(
    "how",
    [["check-state"], ["--env-file", "{name}", "check-state"], ["--env-file", "*.env", "doctor"]],
    ids=["discovered", "env-file", "glob"],
)
def test_an_env_file_that_is_not_a_small_regular_file_is_refused(tmp_path: Path, big_file: Path, kind: str, how: list[str]) -> None:
    name = "b.env" if "*.env" in how else ".env"
    make(kind, tmp_path / name, big_file)
    if "*.env" in how:
        (tmp_path / "a.env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={'0' * 50}\nGREEN_API_URL=http://127.0.0.1:9\n")
    args = ["--timeout", "1", *[part.format(name=name) for part in how]]
    run = run_in(args, tmp_path, plain_environment(HOME=str(tmp_path)), limit=60)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert WORDS[kind] in run.stdout + run.stderr
    assert run.peak_mib < RSS_LIMIT_MIB
    assert "Traceback" not in run.stderr
    if "*.env" not in how:
        assert len(run.stderr.splitlines()) == 2  # the error and its hint
