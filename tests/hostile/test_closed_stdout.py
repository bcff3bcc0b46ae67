"""A reader that goes away, or a stdout that fails (issue 14, finding 9).

`greencli doctor | head -1` must end with the exit code the command would have had (CI jobs
run with `set -o pipefail`), quietly; `> /dev/full` is one line on stderr and exit 74.
The pipe's reading end is closed before greencli starts, so every write meets EPIPE.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
from pathlib import Path

import pytest

from greencli.cli.output import Output
from greencli.errors import OutputFailed
from tests.e2e.conftest import greencli_command
from tests.hostile.scripted_server import Reply, ScriptedServer
from tests.hostile.test_output_safety import INSTANCE, TOKEN

pytestmark = pytest.mark.e2e


def run_into(stdout: int, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "NO_PROXY": "127.0.0.1,localhost"}
    if url:
        env.update(GREEN_API_URL=url, GREEN_API_INSTANCE_ID=INSTANCE, GREEN_API_TOKEN=TOKEN)
    return subprocess.run([*greencli_command(), *args], stdout=stdout, stderr=subprocess.PIPE, env=env, text=True, timeout=120)


def closed_pipe() -> int:
    """The writing end of a pipe nobody reads any more."""
    reader, writer = os.pipe()
    os.close(reader)
    return writer


def assert_quiet(stderr: str) -> None:
    for noise in ("Traceback", "Exception ignored", "BrokenPipe", "Broken pipe", "error:"):
        assert noise not in stderr, stderr


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_healthy_doctor_into_a_closed_pipe_exits_0_quietly(json_flag: list[str]) -> None:
    writer = closed_pipe()
    try:
        completed = run_into(writer, "--sandbox", "doctor", "-v", *json_flag)
    finally:
        os.close(writer)
    assert completed.returncode == 0, completed.stderr
    assert_quiet(completed.stderr)


@pytest.mark.parametrize(("state", "exit_code"), [("authorized", 0), ("notAuthorized", 1)])
def test_the_exit_code_is_the_one_the_command_would_have_had(state: str, exit_code: int) -> None:
    replies = {"getStateInstance": Reply({"stateInstance": state}), "getWaSettings": Reply({"phone": "79001234567"})}
    writer = closed_pipe()
    try:
        with ScriptedServer(replies) as server:
            completed = run_into(writer, "check-state", url=server.url)
    finally:
        os.close(writer)
    assert completed.returncode == exit_code, completed.stderr
    assert_quiet(completed.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_full_stdout_is_one_line_on_stderr_and_exit_74(json_flag: list[str]) -> None:
    with open("/dev/full", "w") as full:
        completed = run_into(full.fileno(), "--sandbox", "doctor", *json_flag)
    assert completed.returncode == 74, completed.stderr
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: could not write the output to stdout: No space left on device (exit 74)."], completed.stderr
    assert "Traceback" not in completed.stderr and "Exception ignored" not in completed.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["webhooks", "enable", "--help"], [], ["webhooks"]],
                         ids=["help", "version", "subcommand help", "no command", "group alone"])
def test_help_and_version_into_a_full_stdout_exit_74_like_every_command(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        completed = run_into(full.fileno(), *args)
    assert completed.returncode == 74, completed.stderr
    assert completed.stderr == "error: could not write the output to stdout: No space left on device (exit 74).\n"


class Failing(io.StringIO):
    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def flush(self) -> None:
        raise OSError(self.code, os.strerror(self.code))


def test_a_reader_that_went_away_silences_the_rest() -> None:
    stdout = Failing(errno.EPIPE)
    output = Output(stdout=stdout, stderr=io.StringIO())
    output.line("first")
    output.line("second")  # not written, and no error
    output.json_document({"ok": True})
    assert stdout.getvalue() == "first\n"


def test_other_write_errors_raise_output_failed() -> None:
    output = Output(stdout=Failing(errno.ENOSPC), stderr=io.StringIO())
    with pytest.raises(OutputFailed) as caught:
        output.json_document({"ok": True})
    assert caught.value.exit_code == 74
    # stderr failing is never an error of its own
    quiet = Output(stdout=io.StringIO(), stderr=Failing(errno.ENOSPC))
    quiet.warn("nowhere to go")
