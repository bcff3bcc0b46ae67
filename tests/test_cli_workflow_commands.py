"""Text from outside never forms a GitHub Actions workflow command (issue: CI reports).

The runner acts on `::name::…` at a line start (after white space) and on `##[name]…` anywhere
in a line: actions/runner src/Runner.Common/ActionCommand.cs (TryParseV2, TryParse), read line
by line in src/Runner.Worker/ActionCommandManager.cs. tests/hostile/workflow_reader.py reads
output the way the runner does, only stricter.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencli.cli.output import Output
from greencli.cli.workflow_commands import RunnerSafeLines, inert, inert_inside
from tests.hostile.workflow_reader import foreign_commands, read_commands

HOSTILE = [
    "::add-mask::secret",
    "   ::stop-commands::tok",
    "\t\u3000::error::x",  # any Unicode white space is trimmed first
    "x##[stop-commands]tok",
    "##[set-output name=a]b",
    "#\u200d#[stop-commands]tok",  # a joiner between the two '#' is skipped by the runner's comparison
    ":\ufe0f:add-mask::x",
    "\u200b::add-mask::x",
    "::ADD-MASK::x",  # names are compared ignoring case
    "text\r::add-mask::x",  # a CR ends a line for the runner
    "a\n  ::tok::",  # a resume token is a command too
]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_reader_sees_each_hostile_text_as_a_command(text: str) -> None:
    assert read_commands(text), text  # the reader is not blind to what is tested below


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_text_holds_no_command(text: str) -> None:
    assert read_commands(inert(text)) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_a_command_split_across_writes_is_broken_too(text: str) -> None:
    for cut in range(len(text) + 1):
        lines = RunnerSafeLines()
        written = lines.feed(text[:cut]) + lines.feed(text[cut:])
        assert read_commands(written) == [], (cut, written)


def test_ordinary_text_is_left_as_it_is() -> None:
    for text in ("state: authorized", "## Heading", "a::b", "C# [tag]", "12:30 ok", "🏳️‍🌈 #1 [x]", "https://x.example/#[a]"):
        assert inert(text) == text


def test_the_break_is_one_visible_space() -> None:
    assert inert("x##[stop-commands]t") == "x## [stop-commands]t"
    assert inert("  ::add-mask::v") == "  : :add-mask::v"


@given(st.text(alphabet=st.sampled_from(list("#:[] \t\n\rab\u200d\u3000")), max_size=40))
def test_no_text_forms_a_command_after_it_is_made_inert(text: str) -> None:
    assert read_commands(inert(text)) == []


@given(st.recursive(st.text(alphabet=st.sampled_from(list("#:[]a \u200d")), max_size=12), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=8))
def test_json_stays_the_same_data(data: object) -> None:
    for text in (json.dumps(data, ensure_ascii=False), json.dumps(data, ensure_ascii=False, indent=2)):
        made_inert = inert(text, json=True)
        assert json.loads(made_inert) == data
        assert read_commands(made_inert) == []


def test_inside_a_command_only_the_anywhere_form_matters() -> None:
    assert inert_inside("::kept:: and ##[x]") == "::kept:: and ## [x]"


def test_output_breaks_commands_on_every_stream_and_keeps_its_own() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(stdout=stdout, stderr=stderr)
    out.line("state: x##[stop-commands]tok")
    out.warn("::add-mask::value")
    out.raw("partial ##")
    out.workflow_command("::error title=greencli doctor%3A State::broken")
    out.json_line({"text": "##[stop-commands]x"})
    assert json.loads(stdout.getvalue().splitlines()[-1]) == {"text": "##[stop-commands]x"}
    assert "\n::error title=greencli doctor%3A State::broken\n" in stdout.getvalue()  # on a line of its own
    assert foreign_commands(stdout.getvalue(), stderr.getvalue()) == []
    assert [c.name for c in read_commands(stdout.getvalue())] == ["error"]
