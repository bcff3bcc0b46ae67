"""Text safety: what greencli writes is redacted, and nothing in it can act on a terminal.

Text from the network or from a notification can hold terminal controls (colour, title,
clipboard and link sequences; bidi overrides that reorder a line). `visible()` writes each as a
visible escape, so it is shown, never interpreted; `safe()` redacts secrets first. Every string
the output layer writes goes through one of them (or through `json_text()` for JSON).
"""

from __future__ import annotations

import json
import re
from typing import Any

from greencli.redaction import redact

# Characters a terminal (or a reader) may act on instead of showing: C0 controls (ESC starts
# colour, title, clipboard and link sequences), DEL, C1 controls (U+009B is a one-byte CSI on
# some terminals), lone surrogates (unwritable), and invisible format characters that reorder
# or hide text: bidi embeddings, overrides and isolates, zero-width and other invisible
# characters, line and paragraph separators, tag characters. Joiners (U+200C, U+200D) and
# variation selectors stay: scripts and emoji need them, and they move nothing.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb"
    "\ud800-\udfff\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_UNSAFE_BUT_NEWLINE = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))
# json.dumps escapes C0 inside strings itself; the rest of _UNSAFE it leaves raw.
_JSON_RAW = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", ""))


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match.group(0)
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: object, keep_newlines: bool = False) -> str:
    """`text` with every control, C1, bidi or invisible format character written as a visible
    escape (`\\x1b`, `\\u202e`): what a server sends is shown, never acted on."""
    return (_UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE).sub(_escape, str(text))


def safe(text: object, keep_newlines: bool = False) -> str:
    """Redacted, then visible: the form of any text greencli writes to a terminal."""
    return visible(redact(text), keep_newlines)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells characters beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: Any, **options: Any) -> str:
    """A JSON document, redacted, with the characters json.dumps leaves raw under
    ensure_ascii=False (DEL, C1, bidi and other invisible ones) escaped as \\uXXXX. They can
    appear only inside strings, so the escaped text decodes to the same data."""
    return _JSON_RAW.sub(_json_escape, redact(json.dumps(data, ensure_ascii=False, **options)))


# Plain output is plain ASCII punctuation: arrows, dashes and ellipses spelled out.
PLAIN_PUNCTUATION = str.maketrans({"→": "->", "—": "-", "–": "-", "…": "...", "⋮": "Menu"})
