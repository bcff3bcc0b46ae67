"""Writing greencli's variables into a .env file safely.

The file is written atomically with mode 0600 from the start, so a crash never leaves half a
file and the token is never readable by other users, not even for a moment. Lines that are
not greencli's are kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from greencli.config.atomic_files import create_exclusively, write_atomically

HEADER = (
    "# Green API credentials for greencli and your bot. Keep this file out of git:\n"
    "# it holds the instance's API token.\n"
)


def _line_key(line: str) -> tuple[str, str] | tuple[None, str]:
    """The variable a line sets, and its `export ` prefix if it has one."""
    match = re.match(r"\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
    return (match.group(2), match.group(1) or "") if match else (None, "")


def render(values: dict[str, str], existing: str | None = None) -> str:
    """The new file text: existing lines kept, greencli's variables replaced or appended."""
    pending = dict(values)
    lines: list[str] = []
    if existing:
        for line in existing.splitlines():
            key, export = _line_key(line)
            if key in values:
                if key in pending:
                    lines.append(f"{export}{key}={_quote(pending.pop(key))}")
                continue  # a duplicate of a variable already written: drop it
            lines.append(line)
    else:
        lines.extend(HEADER.rstrip("\n").splitlines())
    lines.extend(f"{key}={_quote(value)}" for key, value in pending.items())
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_.:/@+-]*", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create(path: Path, values: dict[str, str]) -> None:
    """Create `path` (mode 0600) holding `values`; FileExistsError when it exists, even if
    another process created it a moment ago."""
    create_exclusively(path, render(values).encode("utf-8"), mode=0o600)


def write(path: Path, values: dict[str, str]) -> None:
    """Write `values` into `path` (mode 0600), keeping any other lines already there. The
    caller holds the directory's lock, so no other run's update is lost in between."""
    existing = path.read_text(encoding="utf-8-sig") if path.exists() else None
    write_atomically(path, render(values, existing).encode("utf-8"), mode=0o600)
