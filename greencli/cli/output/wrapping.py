"""Lines cut at word boundaries to fit the terminal: the one rule for every line greencli writes
on a terminal (results, hints, warnings, errors, progress, prompts, spinners, the pairing
instructions). Off a terminal lines are written whole, for logs and grep.

A command meant to be copied is never broken inside. A `quoted span` is one piece, and so is a
command written out after its introduction ("Run: greencli webhooks enable"): from a word
such as `greencli` or `git` to the end of its clause (a `,`, `;`, `)` or `.` ending a word, two
spaces, or an opening bracket). A piece longer than a line gets a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable

# Words that start a command line a user may copy.
COMMAND_WORDS = frozenset({"greencli", "git", "printf", "pip", "pipx", "python", "python3", "chmod", "curl", "set", "export"})
_CLAUSE_ENDS = (",", ";", ")", ".", "!", "?")


def _words(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each run of characters other than spaces."""
    spans = []
    start = None
    for index, character in enumerate(text):
        if character == " ":
            if start is not None:
                spans.append((start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        spans.append((start, len(text)))
    return spans


def pieces(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each piece a line may not be broken inside."""
    words = _words(text)
    merged: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        start, end = words[index]
        word = text[start:end]
        if word.count("`") % 2 == 1:  # a quoted span goes on to the word that closes it
            while index + 1 < len(words) and text[start:end].count("`") % 2 == 1:
                index += 1
                end = words[index][1]
        elif word.lstrip("(\"'") in COMMAND_WORDS and not word.endswith(_CLAUSE_ENDS):
            while index + 1 < len(words):
                following_start, following_end = words[index + 1]
                following = text[following_start:following_end]
                if text[end:following_start] != " " or following.startswith(("(", "#", "—")):
                    break
                index += 1
                end = following_end
                if following.endswith(_CLAUSE_ENDS) or following.count("`"):
                    break
        merged.append((start, end))
        index += 1
    return merged


def break_points(text: str, width: int, first_width: int | None = None, cells: Callable[[str], int] = len) -> list[int]:
    """Where to start new lines in `text` (offsets of the first character of each further line)
    so that each line fits `width` columns (the first `first_width`), breaking only between
    pieces. `cells` measures text in terminal columns."""
    limit = width if first_width is None else first_width
    breaks: list[int] = []
    line_start = 0
    line_end = 0  # where the line's last piece ends
    for start, end in pieces(text):
        if line_end > line_start and cells(text[line_start:end]) > limit:
            breaks.append(start)
            line_start = start
            limit = width
        line_end = end
    return breaks


def wrap(text: str, width: int, first_width: int | None = None, cells: Callable[[str], int] = len) -> list[str]:
    """`text` as lines of at most `width` columns (the first at most `first_width`), cut between
    pieces; the spaces at a cut are dropped."""
    lines = []
    start = 0
    for point in break_points(text, width, first_width, cells):
        lines.append(text[start:point].rstrip(" "))
        start = point
    lines.append(text[start:])
    return lines
