"""output/wrapping.py: lines cut between words to fit the window, never inside a command meant
to be copied."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencli.cli.output.wrapping import pieces, wrap

HINT = ("Delivery statuses are off (outgoingWebhook = no): a bot that tracks delivery hears nothing; "
        "`greencli webhooks enable --status` switches them on")


@pytest.mark.parametrize("width", [20, 30, 40, 60, 80, 300])
def test_no_line_is_longer_than_the_window_and_no_word_is_split(width: int) -> None:
    lines = wrap(HINT, width)
    assert " ".join(lines) == HINT  # only spaces at the cuts were dropped
    for line in lines:
        assert len(line) <= width or line == "`greencli webhooks enable --status`"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("more: greencli doctor --explain link", "greencli doctor --explain link"),
        ("Settings take time: run `greencli setup` again later.", "`greencli setup`"),
        ("Run: git rm --cached .env  (then commit, and rotate the token)", "git rm --cached .env"),
        ("See which rule: git check-ignore -v --no-index .env", "git check-ignore -v --no-index .env"),
        ("follow it later: greencli send-test 79001234567@c.us --follow 3EB0C767D097B7C7C030", "greencli send-test 79001234567@c.us --follow 3EB0C767D097B7C7C030"),
        ("Pipe it in: printf %s \"$TOKEN\" | greencli init --token-stdin", "printf %s \"$TOKEN\" | greencli init --token-stdin"),
    ],
)
def test_a_command_to_copy_is_one_piece(text: str, command: str) -> None:
    assert command in [text[start:end] for start, end in pieces(text)]
    for width in range(10, len(text) + 1):
        assert any(command in line for line in wrap(text, width)), width


def test_the_first_line_may_have_a_width_of_its_own() -> None:
    assert wrap("one two three four", 9, first_width=3) == ["one", "two three", "four"]


@given(st.text(alphabet=st.sampled_from("ab `-.,()"), max_size=80), st.integers(min_value=5, max_value=40))
def test_wrapping_keeps_every_character_but_the_spaces_at_the_cuts(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
