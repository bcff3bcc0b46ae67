"""Options every command accepts, before or after its name (gh's "inherited flags").

`greencli --json doctor`, `greencli doctor --json` and `greencli doctor --env-file x` all
work: each option below is a parameter of the root command *and* of every command. Its value is
not handed to the command function; a callback records it on the run's `AppContext`, which
resolves credentials only when a command first needs them (after every option was parsed).
Given twice, the later one wins.

The options are declared once, as the parameters of `_declarations`, and Typer builds them
from there like any command's options; `--help` lists them under "Global options".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

HELP_SECTION = "Global options (before or after the command)"


def _record(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Keep an option that was typed on the command line; defaults never override."""
    source = ctx.get_parameter_source(param.name or "")
    if source is None or source.name != "COMMANDLINE":
        return value
    from greencli.cli.context import AppContext

    state = ctx.find_object(AppContext)
    if state is None:  # a command run outside greencli.cli.app.main (a bare CliRunner)
        state = ctx.ensure_object(AppContext)
    state.give((param.name or "").removeprefix("global_"), value)
    return value


def _option(*names: str, **kwargs: Any) -> Any:
    return typer.Option(*names, callback=_record, expose_value=False, **kwargs)


def _declarations(
    instance_id: Annotated[
        str | None, _option("--instance-id", metavar="ID", help="Instance ID (else GREEN_API_INSTANCE_ID, then .env).")
    ] = None,
    token: Annotated[
        str | None, _option("--token", metavar="TOKEN", help="API token (else GREEN_API_TOKEN, then .env).")
    ] = None,
    api_url: Annotated[
        str | None, _option("--api-url", metavar="URL", help="The instance's apiUrl (else GREEN_API_URL, then .env).")
    ] = None,
    env_file: Annotated[
        list[Path] | None,
        _option(
            "--env-file",
            metavar="PATH",
            help="Read this file instead of the nearest .env (this directory, then its parents up to "
            "the top of the git work tree). doctor and check-state take several (repeat it, or a "
            "quoted glob such as 'envs/*.env'): one instance per file.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        _option("--timeout", metavar="SECONDS", help="Seconds one API call may take, retries included (else GREENCLI_TIMEOUT, default 10)."),
    ] = None,
    json: Annotated[
        bool,
        # Eager: known before any other option is checked, so their errors come out as JSON too.
        _option("--json", is_eager=True, help="Print one JSON document on stdout instead of text."),
    ] = False,
    quiet: Annotated[
        bool, _option("--quiet", "-q", help="Print only results and errors: no progress, hints or next steps.")
    ] = False,
    no_input: Annotated[
        bool,
        _option(
            "--no-input",
            help="Never prompt: a question greencli would ask is an error instead (as when stdin is not a terminal).",
        ),
    ] = False,
    debug: Annotated[bool, _option("--debug", help="Show redacted tracebacks and HTTP details.")] = False,
    sandbox: Annotated[
        bool,
        _option(
            "--sandbox",
            help="Run the command against a built-in Green API sandbox started for it alone "
            "(authorized, set up as the guide says; no account needed).",
        ),
    ] = False,
) -> None:
    """Never called: its parameters declare the global options."""


_built: list[Any] | None = None


def parameters() -> list[Any]:
    """The global options as parser parameters (built once per process)."""
    global _built
    if _built is None:
        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        single.command("global")(_declarations)
        params = typer.main.get_command(single).params
        for param in params:
            param.name = f"global_{param.name}"  # never clashes with a command's own parameter
        _built = params
    return _built


def names() -> set[str]:
    return {opt for param in parameters() for opt in (*param.opts, *param.secondary_opts)}


class InheritsGlobalOptions:
    """Mixin for a parser command: accepts the global options and lists them in its help."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = _original(self, "get_params")(ctx)
        own = {opt for param in params for opt in (*param.opts, *param.secondary_opts)}
        # A command's own option of the same name (e.g. `--json` with its own help) wins.
        inherited = [p for p in parameters() if not set(p.opts) & own]
        return [*params, *inherited]

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        # Typer writes a required argument as {PHONE}; the usual form is PHONE.
        pieces = _original(self, "collect_usage_pieces")(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes the list it is given
        try:
            return _original(self, "parse_args")(ctx, args)
        except typer.TyperException:
            # The parser stops at an unknown option or a missing value before it processes
            # any option, --json included: then a `--json` among this command's own arguments
            # (before a `--`) decides how the usage error is reported.
            own = given[: given.index("--")] if "--" in given else given
            if "--json" in own:
                from greencli.cli.context import AppContext

                state = ctx.find_object(AppContext)
                if state is not None:
                    state.give("json", True)
            raise

    def format_options(self, ctx: Any, formatter: Any) -> None:
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
        format_commands = getattr(self, "format_commands", None)
        if callable(format_commands):
            format_commands(ctx, formatter)


def _original(command: Any, name: str) -> Any:
    """The parser class's own method `name`, bound to `command` (under the mixin's)."""
    mro = type(command).__mro__
    start = mro.index(InheritsGlobalOptions) + 1 if InheritsGlobalOptions in mro else 0
    for cls in mro[start:]:
        if name in cls.__dict__:
            return cls.__dict__[name].__get__(command)
    raise AttributeError(name)


def inherit(command: Any) -> Any:
    """Give a built command (and, for a group, each of its subcommands) the global options."""
    from types import MethodType

    if not isinstance(command, InheritsGlobalOptions):
        for name in ("get_params", "collect_usage_pieces", "parse_args", "format_options"):
            setattr(command, name, MethodType(getattr(InheritsGlobalOptions, name), command))
    for sub in getattr(command, "commands", {}).values():
        inherit(sub)
    return command
