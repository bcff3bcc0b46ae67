"""`greencli sandbox`: its options are checked before anything listens (serving is in e2e)."""

from __future__ import annotations

import pytest

from greencli.greenapi.states import STATES


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--state", "sleeping"], "--state must be one of: new, notAuthorized, authorized"),
        (["--plan", "free"], "--plan must be developer or business"),
        (["--sandbox-instance-id", "11a"], "--sandbox-instance-id must be digits only"),
        (["--sandbox-token", "abc/def" * 4], "--sandbox-token contains spaces or URL characters; greencli would refuse it"),
        (["--sandbox-token", "abc def" * 4], "--sandbox-token contains spaces or URL characters; greencli would refuse it"),
        (["--sandbox-token", ""], "--sandbox-token has only 0 characters; greencli would refuse it"),
    ],
)
def test_bad_options_are_usage_errors(run_cli, args: list[str], words: str) -> None:
    result = run_cli(["sandbox", *args])
    assert result.exit_code == 2
    assert words in result.stderr
    assert result.stdout == ""  # no GREEN_API_* lines: nothing was started


def test_every_green_api_state_can_be_the_starting_state(run_cli) -> None:
    from greencli.cli.commands.sandbox import STATE_CHOICES
    from greencli.sandbox.instance import STATES as SANDBOX_STATES

    assert STATE_CHOICES == SANDBOX_STATES == ("new", *STATES)


def test_sandbox_cannot_be_combined_with_the_global_sandbox_option(run_cli) -> None:
    result = run_cli(["--sandbox", "sandbox"])
    assert result.exit_code == 2
