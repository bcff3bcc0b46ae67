"""Options every command accepts, before or after its name (gh's "inherited flags").

`greencli --json doctor`, `greencli doctor --json` and `greencli doctor --env-file x` all
work: each option of greencli.cli.run_settings.GLOBAL_OPTIONS is a parameter of the root
command *and* of every command. The parser reads them with the command's own options; what was
typed is taken out before the command function is called and becomes the run's RunSettings
(the later of two values wins; --env-file files add up). The root command and every command are
of the classes below, which add the global options to their parameters and list them in --help.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# typer 0.28 carries its own copy of click: its commands, parameters and contexts are of that
# copy's classes (pyproject pins typer below 0.29).
import typer._click as click
from typer.core import TyperCommand, TyperGroup, TyperOption

from greencli.cli.run_settings import GLOBAL_OPTIONS, GlobalOption

HELP_SECTION = "Global options (before or after the command)"
_PREFIX = "global_"  # a global option's parameter name: never clashes with a command's own


def _parameter(option: GlobalOption) -> TyperOption:
    declarations = [*option.flags, _PREFIX + option.field]
    if option.metavar is None:
        return TyperOption(param_decls=declarations, is_flag=True, default=False, help=option.help)
    return TyperOption(
        param_decls=declarations,
        metavar=option.metavar,
        type=float if option.field == "timeout" else str,
        multiple=option.field == "env_files",
        help=option.help,
    )


_built: list[TyperOption] | None = None


def parameters() -> list[TyperOption]:
    """The global options as parser parameters (built once per process)."""
    global _built
    if _built is None:
        _built = [_parameter(option) for option in GLOBAL_OPTIONS]
    return _built


def names() -> set[str]:
    return {flag for option in GLOBAL_OPTIONS for flag in option.flags}


def _take_given(ctx: click.Context) -> dict[str, object]:
    """The global options typed on this part of the command line, taken out of the values
    handed to the command function (which does not declare them)."""
    given: dict[str, object] = {}
    for option in GLOBAL_OPTIONS:
        name = _PREFIX + option.field
        value = ctx.params.pop(name, None)
        source = ctx.get_parameter_source(name)
        if source is not None and source.name == "COMMANDLINE":
            given[option.field] = tuple(Path(path) for path in value) if option.field == "env_files" else value
    return given


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--help: the help on stdout, written as every result is (exit 74 when it cannot be)."""
    if not value or ctx.resilient_parsing:
        return
    from greencli.cli.output.streams import write_to_stdout

    write_to_stdout(ctx.get_help() + "\n")
    ctx.exit()


class InheritsGlobalOptions(click.Command):
    """A command that accepts the global options and lists them in its help."""

    def get_help_option(self, ctx: click.Context) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.callback = _show_help
        return option

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        own = {opt for param in params for opt in (*param.opts, *param.secondary_opts)}
        # A command's own option of the same name (e.g. `--json` with its own help) wins.
        inherited = [p for p in parameters() if not set(p.opts) & own]
        return [*params, *inherited]

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        # Typer writes a required argument as {PHONE}; the usual form is PHONE.
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from greencli.cli.context import RunContext

        rest = super().parse_args(ctx, args)
        run = ctx.find_object(RunContext)
        if run is None:  # a command run outside greencli.cli.app.main (a bare CliRunner)
            run = ctx.ensure_object(RunContext)
        run.settings = run.settings.given_later(_take_given(ctx))
        return rest

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        inherited = {id(p) for p in parameters()}
        arguments, own, shared = [], [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(record)
            elif id(param) in inherited:
                shared.append(record)
            else:
                own.append(record)
        for title, rows in (("Arguments", arguments), ("Options", own), (HELP_SECTION, shared)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        format_commands: Any = getattr(self, "format_commands", None)
        if callable(format_commands):
            format_commands(ctx, formatter)


class GlobalOptionsCommand(InheritsGlobalOptions, TyperCommand):
    """A command (`check-state`, `webhooks enable`) with the global options."""


class GlobalOptionsGroup(InheritsGlobalOptions, TyperGroup):
    """A group of subcommands (`webhooks`, `token`) with the global options."""
