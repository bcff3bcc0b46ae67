"""docs/commands.md, generated from greencli's own --help.

Regenerate after changing a command or option:  python -m tests.commands_doc
(it also copies greencli/doctor/troubleshooting.md, the text `doctor --explain` prints, to
docs/troubleshooting.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "commands.md"


def command_paths() -> list[list[str]]:
    """Every command and subcommand, from the CLI's own table, in its order."""
    import typer

    from greencli.cli.app import Commands
    from greencli.cli.lazy_group import _load

    paths: list[list[str]] = [[]]
    for name, target in Commands.table.items():
        paths.append([name])
        loaded = _load(target)
        if isinstance(loaded, typer.Typer):
            paths.extend([name, sub.name] for sub in loaded.registered_commands)
    return paths


def help_text(path: list[str]) -> str:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "greencli", *path, "--help"], capture_output=True, text=True, env=env, check=True
    )
    return result.stdout.rstrip() + "\n"


def _without_global_options(text: str) -> str:
    """Every command lists the global options too; the reference shows them once, at the top."""
    head, found, rest = text.partition("Global options (before or after the command):\n")
    if not found:
        return text
    _, blank, after = rest.partition("\n\n")
    return head + "Global options: as for greencli itself (above), before or after the command.\n" + (blank + after if blank else "")


def render() -> str:
    parts = [
        "# Command reference\n",
        "Generated from `greencli … --help` by `python -m tests.commands_doc`; a test fails when it",
        "is out of date. Run any command with `--help` for the same text.\n",
    ]
    for path in command_paths():
        title = " ".join(["greencli", *path])
        parts.append(f"## {title}\n")
        parts.append("```text")
        parts.append(_without_global_options(help_text(path)).rstrip() if path else help_text(path).rstrip())
        parts.append("```\n")
    return "\n".join(parts)


TROUBLESHOOTING = DOC.parent / "troubleshooting.md"
SHIPPED_TROUBLESHOOTING = DOC.parent.parent / "greencli" / "doctor" / "troubleshooting.md"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
    # The explanations ship in the package (`greencli doctor --explain ID`); the page is a copy.
    TROUBLESHOOTING.write_text(SHIPPED_TROUBLESHOOTING.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {TROUBLESHOOTING}")
