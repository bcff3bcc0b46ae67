"""config.env_file_writer: only the values written change, read by python-dotenv's own parser."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import given
from hypothesis import strategies as st

from greencli.config import env_file_writer
from greencli.config.env_file_writer import render

NEW = "0123456789abcdef0123456789abcdef0123456789abcdef01"
OLD = "f" * 50


def values_of(text: str) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=False))


def only_the_token_changed(before: str, after: str) -> None:
    """`after` is `before` with OLD replaced by NEW on the token line, and nothing else."""
    assert before.count(OLD) == 1
    assert after == before.replace(f"GREEN_API_TOKEN={OLD}", f"GREEN_API_TOKEN={NEW}")


def test_a_quoted_multi_line_value_holding_the_token_name_is_not_the_token_line() -> None:
    before = (
        '# keys\r\nNOTES="first line\r\nGREEN_API_TOKEN=not-this-one\r\nlast line"\r\n'
        f"GREEN_API_TOKEN={OLD} # the real one\r\nAFTER='x'\r\n"
    )
    after = render({"GREEN_API_TOKEN": NEW}, before)
    assert after == before.replace(f"GREEN_API_TOKEN={OLD}", f"GREEN_API_TOKEN={NEW}")
    assert values_of(after)["NOTES"] == values_of(before)["NOTES"]
    assert values_of(after)["GREEN_API_TOKEN"] == NEW


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GREEN_API_TOKEN={OLD}\n", f"GREEN_API_TOKEN={NEW}\n"),
        (f"export GREEN_API_TOKEN={OLD}\n", f"export GREEN_API_TOKEN={NEW}\n"),
        (f'GREEN_API_TOKEN="{OLD}"  # quoted\n', f'GREEN_API_TOKEN="{NEW}"  # quoted\n'),
        (f"  GREEN_API_TOKEN = '{OLD}'\r\n", f"  GREEN_API_TOKEN = '{NEW}'\r\n"),
        (f"GREEN_API_TOKEN={OLD}   #x\n", f"GREEN_API_TOKEN={NEW}   #x\n"),
        ("GREEN_API_TOKEN=\n", f"GREEN_API_TOKEN={NEW}\n"),
        ("GREEN_API_TOKEN= # set me\n", f"GREEN_API_TOKEN= {NEW} # set me\n"),
        (f"GREEN_API_TOKEN={OLD}", f"GREEN_API_TOKEN={NEW}"),  # no line end: none added
    ],
    ids=["bare", "export", "double-quoted", "single-quoted-crlf", "inline-comment", "empty", "empty-comment", "no-eol"],
)
def test_the_value_is_replaced_in_its_own_quoting(line: str, expected: str) -> None:
    assert render({"GREEN_API_TOKEN": NEW}, f"A=1\n{line}") == f"A=1\n{expected}"


def test_a_byte_order_mark_crlf_and_blank_lines_stay() -> None:
    before = f"\ufeff# c\r\n\r\n\r\nGREEN_API_TOKEN={OLD}\r\n\r\nB=2\r\n"
    only_the_token_changed(before, render({"GREEN_API_TOKEN": NEW}, before))


def test_a_missing_variable_is_appended_with_the_file_s_line_end() -> None:
    assert render({"GREEN_API_URL": "https://1101.api.green-api.com"}, "A=1\r\nB=2") == (
        "A=1\r\nB=2\r\nGREEN_API_URL=https://1101.api.green-api.com\r\n"
    )


def test_a_later_duplicate_goes_and_the_lines_around_it_stay() -> None:
    before = f"GREEN_API_TOKEN={OLD}\nA=1\n\nGREEN_API_TOKEN=other\nB=2\n"
    assert render({"GREEN_API_TOKEN": NEW}, before) == f"GREEN_API_TOKEN={NEW}\nA=1\n\nB=2\n"


@pytest.mark.parametrize(
    "value",
    ["abcdefgh$(touch X)", "abcdefgh`id`", f"{NEW}\nGREEN_API_URL=http://evil", "ab'cd", 'ab"cd', "a\\b", "a\rb", "\x1b[2J"],
)
def test_a_value_a_shell_or_dotenv_would_read_differently_is_never_written(value: str) -> None:
    with pytest.raises(ValueError):
        render({"GREEN_API_TOKEN": value}, f"GREEN_API_TOKEN={OLD}\n")
    with pytest.raises(ValueError):
        render({"GREEN_API_TOKEN": value})


def test_a_value_with_a_tilde_or_space_is_single_quoted() -> None:
    assert render({"GREEN_API_URL": "~x"}, "GREEN_API_URL=old\n") == "GREEN_API_URL='~x'\n"
    assert render({"X": "a b"}).endswith("X='a b'\n")


def test_write_keeps_every_other_byte_and_makes_the_file_private(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    before = f'# mine\nexport DEBUG=1\nMULTI="a\nGREEN_API_TOKEN=inside\nb"\nGREEN_API_TOKEN={OLD}\n'
    path.write_text(before)
    path.chmod(0o644)
    env_file_writer.write(path, {"GREEN_API_TOKEN": NEW})
    assert path.read_bytes() == before.replace(f"GREEN_API_TOKEN={OLD}", f"GREEN_API_TOKEN={NEW}").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == [".env"]  # no temporary file left


def test_write_refuses_a_fifo_a_link_when_asked_and_a_huge_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.env"
    os.mkfifo(fifo)
    with pytest.raises(ValueError):
        env_file_writer.write(fifo, {"GREEN_API_TOKEN": NEW})
    real = tmp_path / "real.env"
    real.write_text(f"GREEN_API_TOKEN={OLD}\n")
    link = tmp_path / "link.env"
    link.symlink_to(real)
    with pytest.raises(OSError):
        env_file_writer.write(link, {"GREEN_API_TOKEN": NEW}, follow_symlinks=False)
    assert link.is_symlink() and real.read_text() == f"GREEN_API_TOKEN={OLD}\n"
    huge = tmp_path / "huge.env"
    with open(huge, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: no disk used
    with pytest.raises(ValueError):
        env_file_writer.write(huge, {"GREEN_API_TOKEN": NEW})


_names = st.sampled_from(["A", "B_2", "GREEN_API_URL", "GREEN_API_INSTANCE_ID", "export C"])
_safe = st.text(alphabet="abcXYZ019 _-#=:/.", max_size=12)
_line = st.one_of(
    st.builds(lambda k, v: f"{k}={v.strip()}", _names, st.text(alphabet="abc019_-:/.", max_size=10)),
    st.builds(lambda k, v: f'{k}="{v}"', _names, _safe.map(lambda v: v.replace('"', ""))),
    st.builds(lambda k, v: f"{k}='{v}'", _names, _safe),
    st.builds(lambda k, a, b: f'{k}="{a}\nGREEN_API_TOKEN={b}"', _names, _safe, _safe),  # a multi-line value
    st.builds(lambda c: f"# {c}", _safe),
    st.just(""),
    st.just("   "),
)


@given(
    lines=st.lists(_line, max_size=8),
    position=st.integers(min_value=0, max_value=8),
    newline=st.sampled_from(["\n", "\r\n"]),
    comment=st.sampled_from(["", " # note", "  #"]),
)
def test_any_file_changes_on_the_token_line_only(lines: list[str], position: int, newline: str, comment: str) -> None:
    lines = list(lines)
    lines.insert(min(position, len(lines)), f"GREEN_API_TOKEN={OLD}{comment}")
    before = newline.join(lines) + newline
    after = render({"GREEN_API_TOKEN": NEW}, before)
    assert after == before.replace(f"GREEN_API_TOKEN={OLD}", f"GREEN_API_TOKEN={NEW}")
    expected = values_of(before)
    expected["GREEN_API_TOKEN"] = NEW
    assert values_of(after) == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('GREEN_API_TOKEN="half\nB=2\n', f"GREEN_API_TOKEN={NEW}\nB=2\n"),
        ("A=1\r\n  export GREEN_API_TOKEN = 'half\r\nB=2", f"A=1\r\n  export GREEN_API_TOKEN = {NEW}\r\nB=2"),
        ('X="broken\nGREEN_API_TOKEN=old\n', f'X="broken\nGREEN_API_TOKEN={NEW}\n'),  # someone else's broken line stays
    ],
    ids=["unclosed-double", "unclosed-single-export-crlf", "another-variable-broken"],
)
def test_a_broken_line_of_a_written_variable_is_replaced_whole(before: str, after: str) -> None:
    assert render({"GREEN_API_TOKEN": NEW}, before) == after
