"""Text from outside never becomes a GitHub Actions workflow command; greencli's own do.

The Actions runner reads every line a step writes to stdout or stderr and acts on the workflow
commands it finds (actions/runner, src/Runner.Worker/ActionCommandManager.cs,
`TryProcessCommand`; the parsers are in src/Runner.Common/ActionCommand.cs):

- `TryParseV2`: the line, after `TrimStart()` (any Unicode white space), starts with `::`
  and has a second `::`; `::add-mask::…`, `::stop-commands::…`, `::error::…`.
- `TryParse`: `##[` *anywhere* in the line, then `]`: `x##[stop-commands]token`.

Command names are compared ignoring case, and after `stop-commands` the runner accepts any
word (the resume token) as a command, so no list of names is safe: every `##[` and every `::`
at the start of a line is suspect. The runner splits lines at LF and CR (StreamReader.ReadLine
in src/Runner.Sdk/ProcessInvoker.cs), and its `IndexOf`/`StartsWith` compare with the current
culture, which skips characters that collate as nothing (controls, zero-width and other
format characters): `#\u200d#[` may match `##[`. So those are skipped here too.

`RunnerSafeLines` breaks each such pattern by putting a space inside it (`## [`, `: :`), which
the runner does not skip; in JSON it escapes the character instead (`##\\u005b`), so the data
decodes unchanged. Only `command_line()` writes greencli's own commands, whole, at a line start.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

BREAK = " "
_LINE_BREAKS = "\n\r"
# Characters a culture-sensitive comparison may skip (Unicode's Default_Ignorable_Code_Point,
# plus every control and format character, checked by category below).
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# A chunk without these characters cannot start or complete a command.
_RELEVANT = re.compile(r"[#:\[]")

# Where a line is, as far as the runner's two parsers are concerned.
_START = 0  # only white space or skipped characters so far
_ONE_COLON = 1  # the first thing on the line is one ':'
_INSIDE = 2  # anything else came first: only `##[` can still form


@lru_cache(maxsize=4096)
def _skipped(character: str) -> bool:
    code = ord(character)
    if any(low <= code <= high for low, high in _IGNORABLE_RANGES):
        return True
    return unicodedata.category(character) in ("Cc", "Cf", "Cs", "Cn") and character not in _LINE_BREAKS


class RunnerSafeLines:
    """The state of one output stream's current line, and the rewriting that keeps it inert.

    `feed()` may be given a line in pieces (rich writes a line in several calls): the state
    carries over, so a pattern split across two writes is broken too.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._where = _START
        self._hashes = 0  # consecutive '#' just before (skipped characters ignored), at most 2

    @property
    def at_line_start(self) -> bool:
        return self._where == _START and self._hashes == 0

    def feed(self, text: str, json: bool = False) -> str:
        """`text` as it may be written after what was fed before."""
        if not _RELEVANT.search(text):
            self._skim(text)
            return text
        out: list[str] = []
        for character in text:
            if character in _LINE_BREAKS:
                self._reset()
            elif _skipped(character):
                pass
            elif self._where == _START and character.isspace():
                pass
            elif character == ":" and self._where == _ONE_COLON:
                out.append("\\u003a" if json else BREAK + character)
                self._where, self._hashes = _INSIDE, 0
                continue
            elif character == "[" and self._hashes >= 2:
                out.append("\\u005b" if json else BREAK + character)
                self._where, self._hashes = _INSIDE, 0
                continue
            else:
                self._where = _ONE_COLON if (character == ":" and self._where == _START) else _INSIDE
                self._hashes = min(self._hashes + 1, 2) if character == "#" else 0
            out.append(character)
        return "".join(out)

    def _skim(self, text: str) -> None:
        """The state after `text`, which holds no '#', ':' or '['."""
        last_break = max(text.rfind("\n"), text.rfind("\r"))
        if last_break >= 0:
            self._reset()
            text = text[last_break + 1 :]
        if any(not (_skipped(c) or (self._where == _START and c.isspace())) for c in text):
            self._where, self._hashes = _INSIDE, 0

    def command_line(self, line: str) -> str:
        """greencli's own workflow command, to be written as it is: on a line of its own."""
        prefix = "" if self.at_line_start else "\n"
        self._reset()
        return prefix + line + "\n"


def inert(text: str, json: bool = False) -> str:
    """`text`, written from a line start, as it must be written to stay inert."""
    return RunnerSafeLines().feed(text, json)


def inert_inside(text: str) -> str:
    """`text` that follows other text on its line (a command's message): only `##[` matters."""
    lines = RunnerSafeLines()
    lines._where = _INSIDE
    return lines.feed(text)
