"""The greencli command line: root options, the table of commands, and the error boundary."""

# No `from __future__ import annotations` here or in the command modules: Typer reads the
# parameters' annotations on every run, and string annotations would be compiled and
# evaluated again each time.

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from greencli import __version__
from greencli.cli.global_options import GlobalOptionsCommand, GlobalOptionsGroup, InheritsGlobalOptions
from greencli.cli.lazy_group import LazyGroup
from greencli.errors import ExitCode, GreenCliError, InternalError, Interrupted, OutputFailed, UsageError

if TYPE_CHECKING:
    from greencli.cli.context import RunContext


class Commands(InheritsGlobalOptions, LazyGroup):
    """The table of contents: one line per command, loaded only when used."""

    table = {
        "setup": "greencli.cli.commands.setup:setup",
        "init": "greencli.cli.commands.init:init",
        "check-state": "greencli.cli.commands.check_state:check_state",
        "qr": "greencli.cli.commands.qr:qr",
        "send-test": "greencli.cli.commands.send_test:send_test",
        "webhooks": "greencli.cli.commands.webhooks:app",
        "doctor": "greencli.cli.commands.doctor:doctor",
        "reboot": "greencli.cli.commands.reboot_logout:reboot",
        "logout": "greencli.cli.commands.reboot_logout:logout",
        "sandbox": "greencli.cli.commands.sandbox:sandbox",
        "token": "greencli.cli.commands.token:app",
    }

    command_class = GlobalOptionsCommand
    group_class = GlobalOptionsGroup


app = typer.Typer(
    name="greencli",
    cls=Commands,
    help="Set up and diagnose WhatsApp over Green API, one command per step of the setup guide.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: keeps start-up at the floor of a Typer app
    pretty_exceptions_enable=False,  # the boundary in main() handles every error
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from greencli.cli.output.streams import write_to_stdout

        write_to_stdout(f"greencli {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Set up and diagnose WhatsApp over Green API."""
    # The other root options are the global options (greencli.cli.global_options): read into
    # the run's settings as they are parsed, here or after the command's name.


def main(argv: Sequence[str] | None = None) -> int:
    """Run greencli and return its exit code. Each run masks the secrets it saw, and only those."""
    from greencli.redaction import Redactor, redacting_with

    with redacting_with(Redactor()):
        return _run(list(sys.argv[1:] if argv is None else argv))


def _run(args: list[str]) -> int:
    """One run: the one place errors become output."""
    from greencli.cli.context import RunContext

    run = RunContext()
    try:
        command = typer.main.get_command(app)
        result = command.main(args=args, prog_name="greencli", standalone_mode=False, obj=run)
        code = _show(run, result)
        if code == ExitCode.INTERRUPTED:
            _interrupted(run)
        return code
    except OutputFailed as error:  # stdout itself failed: one line on stderr
        _write_stderr(f"error: {error.message}\n")
        return int(error.exit_code)
    except GreenCliError as error:
        _before_the_command(run, args)
        run.output.error(error)
        _debug_traceback(run, error)
        return int(error.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _interrupted(run)
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as error:  # usage errors found by the parser
        _before_the_command(run, args)
        return _usage_error(run, error)
    except BrokenPipeError:  # a direct write (help text) to a reader that went away
        _stdout_to_devnull()
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence
        from greencli.redaction import redact

        unexpected = InternalError(
            f"greencli stopped on an unexpected error: {type(error).__name__}: {redact(error)}",
            "Run again with --debug for the (redacted) details, and report it.",
        )
        run.output.error(unexpected)
        _debug_traceback(run, error)
        return int(ExitCode.NOT_FINE)
    finally:
        try:
            run.close()
        except Exception:  # noqa: BLE001 - closing must never mask the real outcome
            pass


def _before_the_command(run: "RunContext", args: list[str]) -> None:
    """An error found before the command started (the parser's, an option's): whether --json
    was asked for is read from the arguments, as the parser may have stopped before it."""
    if not run.command_started:
        from greencli.cli.run_settings import scan

        run.json_mode = scan(args).settings.json


def _write_stderr(text: str) -> None:
    from greencli.cli.output import safe
    from greencli.cli.workflow_commands import inert

    try:
        sys.stderr.write(inert(safe(text, keep_newlines=True)))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _stdout_to_devnull() -> None:
    """So that Python's own flush at exit does not fail again on a closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _show(run: "RunContext", result: object) -> int:
    from greencli.cli.result import show

    return show(run.output, result)


def _interrupted(run: "RunContext") -> None:
    """Ctrl-C: a word on stderr; with --json, the error document scripts expect on stdout."""
    try:
        sys.stderr.write("\nInterrupted.\n")
        sys.stderr.flush()
        if run.json_mode:
            run.output.error(Interrupted("Interrupted with Ctrl-C before the command finished.", "Run the command again."))
    except (OSError, ValueError):
        pass


def _usage_error(run: "RunContext", error: typer.TyperException) -> int:
    """A usage error found by the parser, in greencli's one error style (`error:` / `hint:`,
    or the JSON error document), redacted: a token given in the wrong place is quoted in it."""
    context = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError" and context is not None:
        from greencli.cli.output.streams import write_to_stdout

        try:
            write_to_stdout(context.get_help() + "\n")  # `greencli` or `greencli webhooks` alone
        except OutputFailed as failed:
            _write_stderr(f"error: {failed.message}\n")
            return int(failed.exit_code)
        return int(ExitCode.USAGE)
    if not run.settings.sandbox:
        try:
            run.resolution()  # learns every token in the options, environment and .env, to mask it
        except Exception:  # noqa: BLE001 - the usage error is what the user must see
            pass
    hint = "Run `greencli --help` for usage."
    if context is not None:
        command = context.command_path
        usage = " ".join(context.command.collect_usage_pieces(context))
        hint = f"Usage: {command} {usage}; more in `{command} --help`."
    run.output.error(UsageError(_sentence(error.format_message()), hint, code="usage_error"))
    return int(getattr(error, "exit_code", ExitCode.USAGE))


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith((".", "?", "!", ")")) else message + "."


def _debug_traceback(run: "RunContext", error: BaseException) -> None:
    if not run.settings.debug:
        return
    import traceback

    from greencli.cli.output import safe
    from greencli.cli.workflow_commands import inert

    text = "".join(traceback.format_exception(error))
    sys.stderr.write(inert(safe(text, keep_newlines=True)))
