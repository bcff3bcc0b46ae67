"""Finding Green API tokens in files that are, or are about to be, in a git repository.

`greencli token scan` and the pre-commit hook read files line by line and report where a token
stands, by file and line, with the token masked. What is reported:

- a token in a Green API request URL, `/waInstance<ID>/<method>/<token>`;
- a token assigned to `GREEN_API_TOKEN`, `apiTokenInstance` or `api_token_instance`
  (`KEY=value`, `KEY: value`, `"KEY": "value"`, `KEY = "value"`, `KEY := …`, `KEY => …`);
- a quoted value of the token's own shape (50 hex characters) in a file that speaks of Green API
  (a client made with the token as a plain argument);
- the instance's own token (from the environment or .env), wherever it is written;
- an env file (`.env`, `.env.*`, `*.env`) holding a token while git does not ignore it.

A file git ignores (and does not track) is never published, so it passes: that is where the
token belongs. What counts as a token is the loader's rule (at least 8 characters, only letters,
digits and `-_.~`) plus what tells a real one from a placeholder: the real shape, or at least 16
characters with both letters and digits and no placeholder word, and in either case at least 8
different characters (`your-token-here`, `<token>`, `${GREEN_API_TOKEN}`, `xxxxxxxx…`, `0000…`
are placeholders).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from greencli import redaction
from greencli.config import git
from greencli.errors import UsageError
from greencli.greenapi.credentials import token_problem

_TOKEN_CHARACTERS = "A-Za-z0-9_.~-"
# What may follow a value for it to be the whole value: the end of the line, a space, a quote,
# a separator or a closing bracket (not `$`, `{` or `(`: then it is a template or a call).
_ENDS_A_VALUE = re.compile(r"""$|[\s"'`,;)\]}>/?#&]""")
TOKEN_IN_URL = re.compile(rf"/waInstance(\d+)/([A-Za-z]+)/([{_TOKEN_CHARACTERS}]+)")
ASSIGNMENT = re.compile(
    rf"""(?<![A-Za-z0-9_])["']?(GREEN_API_TOKEN|apiTokenInstance|api_token_instance)["']?\]?"""
    rf"""\s*(?::=|=>|[:=])\s*(["'`]?)([{_TOKEN_CHARACTERS}]+)"""
)
_REAL_SHAPE = re.compile(r"[0-9a-fA-F]{50}")
_SHAPED_LITERAL = re.compile(r"""(["'`])([0-9a-fA-F]{50})\1""")
_SPEAKS_OF_GREEN_API = re.compile(r"green[-_ ]?api|wainstance|idinstance|apitokeninstance", re.IGNORECASE)
_PLACEHOLDER_WORDS = ("your", "token", "example", "placeholder", "change", "dummy", "sample", "secret", "here", "replace", "redacted", "fake", "insert")
MIN_DISTINCT = 8  # fewer different characters: a pattern (00000…, xxxx…, abab…), not a secret
MIN_LOOSE = 16  # a token of another shape than the usual must be at least this long to count

_BINARY_PROBE = 8000  # git's own rule: a NUL byte in the first 8000 bytes means binary
MAX_BYTES = 20 * 1024 * 1024  # a larger file is skipped, and said to be


def counts_as_token(value: str) -> bool:
    """Whether `value` would be taken for a real token rather than a placeholder."""
    if token_problem(value) is not None:  # the loader would refuse it: it cannot be a token
        return False
    lowered = value.lower()
    if len(set(lowered)) < MIN_DISTINCT:
        return False
    if _REAL_SHAPE.fullmatch(value):
        return True
    return (
        len(value) >= MIN_LOOSE
        and any(character.isdigit() for character in value)
        and any(character.isalpha() for character in value)
        and not any(word in lowered for word in _PLACEHOLDER_WORDS)
    )


def is_env_file(name: str) -> bool:
    """`.env`, `.env.local`, `prod.env`: a file of KEY=value lines that holds secrets."""
    return name == ".env" or name.startswith(".env.") or (name.endswith(".env") and len(name) > len(".env"))


@dataclass(frozen=True)
class Finding:
    file: str  # as the user named it, or relative to the directory scanned
    line: int
    kind: str  # "url", "assignment", "shaped", "known" or "env_file"
    masked: str  # the token masked to its first and last 4 characters; never the token
    detail: str = ""  # the variable assigned, or the URL with the token masked

    @property
    def message(self) -> str:
        if self.kind == "url":
            return f"a token in a Green API request URL: {self.detail}"
        if self.kind == "assignment":
            return f"{self.detail} is set to a token ({self.masked})"
        if self.kind == "shaped":
            return f"a value of the token's shape (50 hex characters) in a file about Green API ({self.masked})"
        if self.kind == "known":
            return f"the instance's token ({self.masked}) is written here"
        return f"{self.detail} holds the token ({self.masked}) and git does not ignore it"

    @property
    def hint(self) -> str:
        if self.kind == "env_file":
            name = Path(self.file).name
            line = git.gitignore_line(name) or f"/{name}"
            return f"Keep it out of git: add the line {line} to the .gitignore beside it (and `git rm --cached {self.file}` if it was added)."
        return "Read the token from the environment or an ignored .env instead; if it was ever committed, rotate it: greencli token rotate"


@dataclass(frozen=True)
class Skipped:
    file: str
    why: str  # "ignored by git", "binary", "too large", "a symbolic link", "not a regular file", "unreadable"


@dataclass
class Scan:
    findings: list[Finding]
    scanned: list[str]
    skipped: list[Skipped]

    @property
    def ok(self) -> bool:
        return not self.findings


def scan(files: Iterable[Path], cwd: Path, known_tokens: Iterable[str | None] = ()) -> Scan:
    """Scan `files` (relative to `cwd`, or absolute): every token found, by file and line.

    `known_tokens` are the instance's own (from the loader): found anywhere, they are reported
    whatever their shape. Every token found is registered with the run's redactor, so that no
    output of this run can show it."""
    known = sorted({token for token in known_tokens if token and token_problem(token) is None}, key=len, reverse=True)
    result = Scan([], [], [])
    paths = list(dict.fromkeys(files))
    ignored, in_git = _git_status(paths, cwd)
    for path in paths:
        shown = str(path)
        if path in ignored:
            result.skipped.append(Skipped(shown, "ignored by git"))
            continue
        lines = _read_lines(cwd / path)
        if isinstance(lines, str):
            result.skipped.append(Skipped(shown, lines))
            continue
        result.scanned.append(shown)
        result.findings.extend(_scan_lines(shown, lines, known, env_file=is_env_file(path.name), in_git=path in in_git))
    return result


def files_to_scan(named: Iterable[Path], cwd: Path) -> list[Path]:
    """The files to scan: those named (a directory stands for the files in it that git tracks
    or would add); with none named, those of `cwd`. Raises UsageError for a name that does not
    exist, or for no names outside a git work tree."""
    named = list(named)
    if not named:
        found = git.publishable_files(cwd)
        if found is None:
            raise UsageError(
                "This directory is not in a git work tree, so there is no list of files to publish.",
                "Name the files to scan: greencli token scan FILE...",
            )
        return [Path(name) for name in found]
    files: list[Path] = []
    for path in named:
        absolute = path if path.is_absolute() else cwd / path
        if absolute.is_dir() and not absolute.is_symlink():
            inside = git.publishable_files(absolute)
            if inside is None:
                inside = sorted(str(file.relative_to(absolute)) for file in absolute.rglob("*") if ".git" not in file.parts and not file.is_dir())
            files.extend(path / name for name in inside)
        elif absolute.exists() or absolute.is_symlink():
            files.append(path)
        else:
            raise UsageError(f"{path} does not exist.", "Name files that exist, or none to scan every file git tracks or would add.")
    return files


def _git_status(paths: list[Path], cwd: Path) -> tuple[set[Path], set[Path]]:
    """Which of `paths` git ignores, and which are in a work tree at all: one git call per
    work tree they are in."""
    by_tree: dict[Path, list[tuple[Path, str]]] = {}
    tops: dict[Path, Path | None] = {}
    for path in paths:
        absolute = path if path.is_absolute() else cwd / path
        parent = absolute.parent
        if parent not in tops:
            tops[parent] = git.work_tree(parent) if parent.is_dir() else None
        top = tops[parent]
        if top is not None:
            inside = os.path.relpath(parent.resolve() / absolute.name, top.resolve())
            if not inside.startswith(".."):
                by_tree.setdefault(top, []).append((path, inside))
    ignored: set[Path] = set()
    in_git: set[Path] = set()
    for top, members in by_tree.items():
        answer = git.ignored_among(top, [inside for _, inside in members])
        if answer is not None:
            in_git.update(path for path, _ in members)
            ignored.update(path for path, inside in members if inside in answer)
    return ignored, in_git


def _read_lines(path: Path) -> list[str] | str:
    """The file's lines, or why it is not read. Never follows a symbolic link (git keeps the
    link, not what it points at) and never opens a FIFO or a device (that would hang)."""
    try:
        status = os.lstat(path)
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(status.st_mode):
        return "a symbolic link"
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file"
    if status.st_size > MAX_BYTES:
        return "too large"
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return "unreadable"
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the lstat
            return "not a regular file"
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return "too large"
    if b"\0" in data[:_BINARY_PROBE]:
        return "binary"
    return data.decode("utf-8", "replace").splitlines()


def _scan_lines(shown: str, lines: list[str], known: list[str], *, env_file: bool, in_git: bool) -> Iterator[Finding]:
    """Every finding in one file. In an env file outside git, the token is where it belongs."""
    speaks_of_green_api = any(_SPEAKS_OF_GREEN_API.search(line) for line in lines)
    for number, line in enumerate(lines, start=1):
        found: dict[str, Finding] = {}  # one finding per token per line: the most telling
        for match in ASSIGNMENT.finditer(line):
            value = _whole_value(line, match, match.group(3), quote=match.group(2))
            if value is not None and counts_as_token(value):
                kind, detail = ("env_file", Path(shown).name) if env_file else ("assignment", match.group(1))
                found.setdefault(value, Finding(shown, number, kind, redaction.mask(value), detail))
        for match in TOKEN_IN_URL.finditer(line):
            value = _whole_value(line, match, match.group(3), quote="")
            if value is not None and counts_as_token(value):
                url = f"/waInstance{match.group(1)}/{match.group(2)}/{redaction.mask(value)}"
                found.setdefault(value, Finding(shown, number, "url", redaction.mask(value), url))
        if speaks_of_green_api:
            for match in _SHAPED_LITERAL.finditer(line):
                found.setdefault(match.group(2), Finding(shown, number, "shaped", redaction.mask(match.group(2))))
        for token in known:
            if token in line and not any(token in value for value in found):
                found[token] = Finding(shown, number, "env_file" if env_file else "known", redaction.mask(token), Path(shown).name)
        for value, finding in found.items():
            redaction.register(value)
            if env_file and not in_git and finding.kind == "env_file":
                continue  # outside a work tree nothing publishes it
            yield finding


def _whole_value(line: str, match: re.Match[str], value: str, quote: str) -> str | None:
    """`value`, which the match ends with, if it is the whole value (not the start of a
    template, a call or a longer word); after an opening quote, the closing one must follow."""
    end = match.end()
    if quote:
        return value if line.startswith(quote, end) else None
    # Unquoted, a full stop after it ends the sentence, not the token.
    return value.rstrip(".") if _ENDS_A_VALUE.match(line, end) else None
