"""Writing greencli's variables into a .env file safely.

The file is written atomically with mode 0600 from the start, so a crash never leaves half a
file and the token is never readable by other users, not even for a moment.

An existing file is rewritten through python-dotenv's own parser, the one the loader reads it
with: only the values of the variables being written change. A quoted multi-line value that
happens to contain `GREEN_API_TOKEN=` is a value, not the token line; comments, quoting, inline
comments, CRLF line ends, a byte-order mark and the order of lines all stay byte for byte. The
new text is parsed again before it is written, and refused (ValueError) unless every other
binding is exactly what it was and each written variable reads back as written.

Values are written only when they are safe in a file that a shell may `source` as well as in
dotenv: no quotes, backslashes, `$`, backticks or line breaks (greencli's own values never
have them; the loader refuses such tokens).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from dotenv.parser import parse_stream

from greencli.config.atomic_files import create_exclusively, write_atomically
from greencli.config.env_file_reading import read_env_bytes

HEADER = (
    "# Green API credentials for greencli and your bot. Keep this file out of git:\n"
    "# it holds the instance's API token.\n"
)
_BOM = "\ufeff"
_BARE = re.compile(r"[A-Za-z0-9_.:/@+%=-]*")  # needs no quotes, in dotenv or in a shell (no ~)
_QUOTABLE = re.compile(r"[^'\"\\$`\x00-\x1f\x7f]*")  # safe between single quotes in both
# One binding as python-dotenv reads it (dotenv/parser.py): what comes before the value, the
# value (quoted, or the rest of the line), and what follows it. Used only on the text of a
# single binding that python-dotenv has already parsed; the result is checked by re-parsing.
_BINDING = re.compile(
    r"(?P<head>\s*(?:export[^\S\r\n]+)?(?:'[^']+'|[^=#\s]+)[^\S\r\n]*=[^\S\r\n]*)"
    r"(?P<value>'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|[^\r\n]*)"
    r"(?P<tail>.*)",
    re.DOTALL,
)

# A line python-dotenv could not parse that sets one variable: its head, up to the `=`.
_BROKEN_BINDING = re.compile(r"\s*(?:export[^\S\r\n]+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)[^\S\r\n]*=[^\S\r\n]*")


class _Binding(NamedTuple):
    key: str | None
    value: str | None
    text: str  # its exact text in the file, leading blank lines and line end included
    error: bool


def _parse(text: str) -> list[_Binding]:
    """Every binding of `text` (no BOM), as python-dotenv parses it; their texts add up to `text`."""
    bindings = [
        _Binding(binding.key, binding.value, binding.original.string, binding.error)
        for binding in parse_stream(io.StringIO(text, newline=""))
    ]
    if "".join(binding.text for binding in bindings) != text:
        raise ValueError("python-dotenv did not account for every character of the file")
    return bindings


def _format(value: str, quote: str = "") -> str:
    """`value` as a dotenv value, in the quoting of the line it replaces when that is safe."""
    if not _QUOTABLE.fullmatch(value):
        raise ValueError("a value with quotes, backslashes, $, backticks or control characters is never written")
    if quote == "'" or (quote == "" and not _BARE.fullmatch(value)):
        return f"'{value}'"
    return f"{quote}{value}{quote}"


def _replace_value(binding: _Binding, value: str) -> str:
    """The text of `binding` with its value replaced, everything around it kept (a broken
    line: all after its `=` but the line end)."""
    if binding.error:
        head = _BROKEN_BINDING.match(binding.text)
        if head is None:
            raise ValueError("cannot locate the broken line's variable")
        line_end = binding.text[len(binding.text.rstrip("\r\n")):]
        return head.group(0) + _format(value) + line_end
    match = _BINDING.fullmatch(binding.text)
    if match is None:
        raise ValueError(f"cannot locate the value of {binding.key}")
    old = match.group("value")
    if old[:1] in ("'", '"'):
        start, end = match.span("value")
        quote = old[0]
    elif old.startswith("#") and match.group("head")[-1] != "=":  # `KEY= # note`: empty, then a comment
        start = end = match.start("value")
        return binding.text[:start] + _format(value) + " " + binding.text[end:]
    else:  # unquoted: python-dotenv ends the value before " #" and trailing blanks
        start = match.start("value")
        end = start + len(re.sub(r"\s+#.*", "", old).rstrip())
        quote = ""
    text = binding.text
    return text[:start] + _format(value, quote) + text[end:]


def render(values: Mapping[str, str], existing: str | None = None) -> str:
    """The new file text: each variable's value replaced where it is set, the missing ones
    appended, every other character of `existing` kept. A new file starts with HEADER."""
    if existing is None:
        return HEADER + "".join(f"{key}={_format(value)}\n" for key, value in values.items())
    bom = _BOM if existing.startswith(_BOM) else ""
    text = existing[len(bom):]
    newline = "\r\n" if "\r\n" in text else "\n"
    old = _parse(text)
    parts: list[str] = []
    written: set[str] = set()
    for binding in old:
        key = _written_key(binding, values)
        if key is None:
            parts.append(binding.text)
        elif key in written:  # a later duplicate: its line goes, the blank lines before it stay
            blank = binding.text[: len(binding.text) - len(binding.text.lstrip())]
            parts.append(blank[: max(blank.rfind("\n"), blank.rfind("\r")) + 1])
        else:
            parts.append(_replace_value(binding, values[key]))
            written.add(key)
    missing = [key for key in values if key not in written]
    line_end_added = ""
    if missing and text and not text.endswith(("\n", "\r")):
        line_end_added = newline  # the last line gets its line end, so the next one is a line
        parts.append(line_end_added)
    parts.extend(f"{key}={_format(values[key])}{newline}" for key in missing)
    new = "".join(parts)
    _check(old, _parse(new), values, missing, line_end_added)
    return bom + new


def _written_key(binding: _Binding, values: Mapping[str, str]) -> str | None:
    """The variable among `values` that `binding` sets: a binding of it with a value, or a
    line of it python-dotenv cannot parse (`GREEN_API_TOKEN="abc` with no closing quote),
    which the new value replaces whole; else None."""
    if binding.error:
        match = _BROKEN_BINDING.match(binding.text)
        return match.group("key") if match and match.group("key") in values else None
    return binding.key if binding.key in values and binding.value is not None else None


def _is_written(binding: _Binding, values: Mapping[str, str]) -> bool:
    return _written_key(binding, values) is not None


def _check(
    old: list[_Binding], new: list[_Binding], values: Mapping[str, str], appended: list[str], line_end_added: str
) -> None:
    """The rewrite changed the written variables' lines and nothing else: every other binding
    reads exactly as before (its text too, but for the blank lines before it), and each
    written variable is set once, to its new value."""

    def others(bindings: list[_Binding]) -> list[tuple[str | None, str | None, bool, str]]:
        return [(b.key, b.value, b.error, b.text.lstrip()) for b in bindings if not _is_written(b, values)]

    expected = others(old)
    if line_end_added and expected and not _is_written(old[-1], values):
        key, value, error, text = expected[-1]
        expected[-1] = (key, value, error, text + line_end_added)
    if others(new) != expected:
        raise ValueError("the rewrite would change a line it must keep")
    kept = {str(_written_key(b, values)) for b in old if _is_written(b, values)}
    settings = [b for b in new if _is_written(b, values)]
    if any(b.error for b in settings):
        raise ValueError("a written variable would not parse")
    if sorted(str(b.key) for b in settings) != sorted([*kept, *appended]):
        raise ValueError("each variable written must be set exactly once")
    if any(b.value != values[str(b.key)] for b in settings):
        raise ValueError("a written variable would not read back as written")


def create(path: Path, values: Mapping[str, str]) -> None:
    """Create `path` (mode 0600) holding `values`; FileExistsError when it exists, even if
    another process created it a moment ago."""
    create_exclusively(path, render(values).encode("utf-8"), mode=0o600)


def write(path: Path, values: Mapping[str, str], follow_symlinks: bool = True) -> None:
    """Write `values` into `path` (mode 0600), keeping every other byte already there. The
    caller holds the directory's lock (`atomic_files.directory_lock`), so no other run's
    update is lost in between. ValueError when the file cannot be rewritten safely (not a
    regular file, over 1 MiB, not UTF-8, a value that cannot be written); OSError when it
    cannot be read or written (a symlink too, unless `follow_symlinks`)."""
    try:
        raw = read_env_bytes(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        existing = None
    else:
        existing = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError: nothing is written
    write_atomically(path, render(values, existing).encode("utf-8"), mode=0o600)
