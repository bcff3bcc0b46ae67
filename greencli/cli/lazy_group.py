"""A command group that builds each command's parser only when that command is used.

Typer introspects every command's signature to build its parser, which costs more than all
of greencli's own start-up; `greencli --version`, `--help` or one command should not pay for
the others. The group lists commands from a table of "module:attribute" and reads the short
help from their docstrings, so the table stays the only list of commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup


def _load(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _build(name: str, target: str, command_class: type[Any] | None, group_class: type[Any] | None) -> Any:
    """The parser of one command (or group), its commands of the classes given."""
    loaded = _load(target)
    if isinstance(loaded, typer.Typer):  # a group of subcommands, e.g. `webhooks`
        loaded._add_completion = False  # shell completion is installed from the root command only
        loaded.info.cls = _refined(loaded.info.cls, group_class)
        for info in loaded.registered_commands:
            info.cls = _refined(info.cls, command_class)
        command = typer.main.get_command(loaded)
    else:
        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        single.command(name, cls=command_class)(loaded)
        command = typer.main.get_command(single)
    command.name = name
    return command


def _refined(declared: Any, wanted: type[Any] | None) -> Any:
    """The class to build a command as: `wanted` where it refines what was declared (Typer's
    own class, or its placeholder for one, which it writes in when none is given)."""
    if wanted is not None and (not isinstance(declared, type) or issubclass(wanted, declared)):
        return wanted
    return declared


def short_help(target: str, limit: int = 60) -> str:
    text = _help_from_source(target)
    if text is None:
        loaded = _load(target)
        text = loaded.info.help if isinstance(loaded, typer.Typer) else loaded.__doc__
    first = " ".join((text or "").strip().split("\n\n")[0].split())
    sentence_end = first.find(". ")
    if sentence_end != -1:
        first = first[: sentence_end + 1]
    return first if len(first) <= limit else first[: limit - 3].rstrip() + "..."


def _help_from_source(target: str) -> str | None:
    """The command's help read from its module's source, without importing the module: --help
    lists every command, and importing them all costs more than the rest of --help. None when
    the source does not read plainly (then the caller imports it); a test checks every command
    in the table reads the same both ways."""
    import importlib.util
    import re

    module, _, attribute = target.partition(":")
    try:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            return None
        with open(spec.origin, encoding="utf-8") as source:
            text = source.read()
    except (ImportError, OSError, ValueError):
        return None
    if attribute == "app":  # a group: typer.Typer(help="…")
        match = re.search(r'^app = typer\.Typer\(\s*help="([^"\\]*)"', text, re.M)
    else:  # a function: its docstring follows the signature
        match = re.search(rf'^def {re.escape(attribute)}\(.*?\) -> [^:]+:\n    """(.*?)"""', text, re.M | re.S)
    return match.group(1) if match else None


class _Commands(MutableMapping[str, Any]):
    """The group's commands: every name in the table, each built on first access."""

    def __init__(self, table: dict[str, str], build: Callable[[str, str], Any]) -> None:
        self.table = table
        self.build = build
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            if name not in self.table:
                raise KeyError(name)
            self.built[name] = self.build(name, self.table[name])
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


class LazyGroup(TyperGroup):
    """Subclass it with a `table` of {command name: "module:attribute"}, and the classes its
    commands and groups of subcommands are built as (else Typer's own)."""

    table: dict[str, str] = {}
    command_class: type[Any] | None = None
    group_class: type[Any] | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Commands(self.table, lambda name, target: _build(name, target, self.command_class, self.group_class))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The list in --help needs only names and first lines: no parser is built for it.
        if self.commands:
            limit = formatter.width - 6 - max(len(name) for name in self.commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, short_help(self.table[name], limit)) for name in self.commands])
