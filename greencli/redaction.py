"""Keeping the API token out of everything greencli prints.

Green API puts the token in the URL path, so any exception text from the HTTP layer can carry
it. Every message that may contain a URL or an exception text goes through `redact()`.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

# The token shape seen in every example: 50 lowercase hex characters.
_TOKEN_SHAPE = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{50}(?![0-9a-fA-F])")
# The path segment after the method name: /waInstance<id>/<method>/<token>
_TOKEN_IN_PATH = re.compile(r"(/waInstance\d+/[A-Za-z]+/)([^/?#\s'\"]+)")

# The password of a URL's user information (`https://user:password@host/`): a webhook URL set
# in the console may carry one. Everything from the scheme's "://" to the last '@' before the
# path belongs to the user information, so a password holding '@' is masked whole.
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/?#\s@:]*:)([^/?#\s]*)@")
# What a token may be echoed with between its characters ("0123-4567 89ab…"): white space,
# dashes, dots, underscores, colons, commas, slashes, bars and invisible separators.
_SEPARATORS = frozenset(" \t\n\r\f\v\u00a0\u2007\u202f-_.:,/|\u00ad\u200b\u200c\u200d\u2060\ufeff\u2010\u2011\u2012\u2013\u2014\u2015")

# A shorter secret cannot be masked without mangling ordinary text (a token ":" would mask
# every colon); the loader refuses such tokens, so they are never remembered.
MIN_SECRET = 8


class Redactor:
    """The secrets one run has seen, and how to mask them out of any text."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    def register(self, secret: str | None) -> None:
        """Remember a secret so that `redact()` removes it from any text from now on."""
        if secret and len(secret.strip()) >= MIN_SECRET:
            self._known.add(secret.strip())

    def redact(self, text: object) -> str:
        """Return `text` as a string with every known secret and token-shaped value masked."""
        result = str(text)
        # Longest first, so a secret that contains another is replaced whole.
        for secret in sorted(self._known, key=len, reverse=True):
            if secret in result:
                result = result.replace(secret, mask(secret))
            # A server may echo it percent-encoded or in another case. (The mask is escaped: a
            # secret may hold what a replacement template reads as a group, such as "\\3".)
            result = _echo_pattern(secret).sub(mask(secret).replace("\\", "\\\\"), result)
            result = _without_pieces(result, secret)
            result = _without_separated(result, secret)
        result = _TOKEN_IN_PATH.sub(lambda m: m.group(1) + _mask_segment(m.group(2)), result)
        result = _URL_PASSWORD.sub(lambda m: m.group(1) + _mask_password(m.group(2)) + "@", result)
        return _TOKEN_SHAPE.sub(lambda m: mask(m.group(0)), result)


# The run's Redactor (greencli.cli.app.main sets one per run): error constructors and the
# output layer reach it without being handed it. Work handed to other threads goes through
# `in_this_run`.
_current: contextvars.ContextVar[Redactor] = contextvars.ContextVar("greencli_redactor")


def current() -> Redactor:
    """The current run's Redactor (outside any run: one for this context, made on first use)."""
    try:
        return _current.get()
    except LookupError:
        redactor = Redactor()
        _current.set(redactor)
        return redactor


@contextmanager
def redacting_with(redactor: Redactor) -> Iterator[Redactor]:
    """Make `redactor` the current one for the duration (one run, one test)."""
    token = _current.set(redactor)
    try:
        yield redactor
    finally:
        _current.reset(token)


def in_this_run(function: Callable[..., T]) -> Callable[..., T]:
    """`function`, to be called in other threads as part of the current run.

    A thread starts with an empty context, so without the run's Redactor: each call runs in a
    copy of the context this was called in (a copy each, so threads may run it at once).
    """
    context = contextvars.copy_context()
    return lambda *args, **kwargs: context.copy().run(function, *args, **kwargs)


def register(secret: str | None) -> None:
    """Remember a secret for the rest of the current run."""
    current().register(secret)


def redact(text: object) -> str:
    """`text` with every secret of the current run and every token-shaped value masked."""
    return current().redact(text)


def mask(secret: str | None) -> str:
    """Show at most the first and last 4 characters of a secret."""
    if not secret:
        return "(not set)"
    if len(secret) < 16:
        return "****"
    return f"{secret[:4]}…{secret[-4:]}"


PIECE = 20  # no run of this many characters of a secret may survive


@lru_cache(maxsize=16)
def _echo_pattern(secret: str) -> re.Pattern[str]:
    """The secret with each character as itself or percent-encoded, in any case."""
    parts = []
    for character in secret:
        encoded = "".join(f"%{byte:02x}" for byte in character.encode("utf-8"))
        parts.append(f"(?:{re.escape(character)}|{encoded})")
    return re.compile("".join(parts), re.IGNORECASE)


@lru_cache(maxsize=16)
def _pieces_pattern(secret: str) -> re.Pattern[str] | None:
    if len(secret) < PIECE:
        return None
    pieces = {secret[start : start + PIECE] for start in range(len(secret) - PIECE + 1)}
    return re.compile("|".join(re.escape(piece) for piece in sorted(pieces)), re.IGNORECASE)


def _without_pieces(text: str, secret: str) -> str:
    """Mask any 20-character piece of `secret` left in `text`, in any case (a token cut
    short, or glued to other characters, is still most of the token)."""
    pattern = _pieces_pattern(secret)
    return pattern.sub("****", text) if pattern else text


SEPARATED = 16  # a secret this long is also found with separators between its characters


@lru_cache(maxsize=16)
def _separated_pattern(secret: str) -> re.Pattern[str] | None:
    """What to look for in text with its separators taken out: the whole secret (without its
    own separators), or, for a longer one, any PIECE of it."""
    bare = "".join(c for c in secret if c not in _SEPARATORS).lower()
    if len(bare) < SEPARATED:
        return None
    size = min(PIECE, len(bare))
    pieces = sorted({bare[start : start + size] for start in range(len(bare) - size + 1)})
    return re.compile("(?=(" + "|".join(re.escape(piece) for piece in pieces) + "))")


def _without_separated(text: str, secret: str) -> str:
    """Mask the secret echoed with separators between its characters ("0123-4567-89ab…"):
    found in the text with every separator taken out, masked where it stood in the text."""
    pattern = _separated_pattern(secret)
    if pattern is None or not any(c in _SEPARATORS for c in text):
        return text
    positions = [index for index, character in enumerate(text) if character not in _SEPARATORS]
    bare = "".join(text[index] for index in positions).lower()
    spans: list[list[int]] = []
    for match in pattern.finditer(bare):
        start, end = match.start(), match.start() + len(match.group(1))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in reversed(spans):
        text = text[: positions[start]] + "****" + text[positions[end - 1] + 1 :]
    return text


def _mask_password(password: str) -> str:
    return password if not password or set(password) == {"*"} else "****"


def _mask_segment(segment: str) -> str:
    # Already masked (contains the ellipsis or stars): keep it as it is.
    if "…" in segment or set(segment) == {"*"}:
        return segment
    return mask(segment)
