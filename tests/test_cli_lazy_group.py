"""`greencli --help` lists every command without importing them: the help is read from source."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from greencli.cli import lazy_group
from greencli.cli.app import Commands


@pytest.mark.parametrize(("name", "target"), sorted(Commands.table.items()))
def test_the_help_read_from_source_is_the_commands_own(name: str, target: str) -> None:
    loaded = lazy_group._load(target)
    imported = loaded.info.help if isinstance(loaded, typer.Typer) else loaded.__doc__
    from_source = lazy_group._help_from_source(target)
    assert from_source is not None, f"{name}: its help cannot be read from source (--help would import it)"
    assert from_source.strip() == (imported or "").strip()


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from greencli.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('greencli.cli.commands.')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
