"""The greencli command line: root options, the table of commands, and the error boundary."""

# No `from __future__ import annotations` here or in the command modules: Typer reads the
# parameters' annotations on every run, and string annotations would be compiled and
# evaluated again each time.

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli import __version__
from greencli.cli.lazy_group import LazyGroup
from greencli.errors import ExitCode, GreenCliError, InternalError, Interrupted, UsageError

if TYPE_CHECKING:
    from greencli.cli.context import AppContext


class Commands(LazyGroup):
    """The table of contents: one line per command, loaded only when used."""

    table = {
        "init": "greencli.cli.commands.init:init",
        "check-state": "greencli.cli.commands.check_state:check_state",
        "qr": "greencli.cli.commands.qr:qr",
        "send-test": "greencli.cli.commands.send_test:send_test",
        "webhooks": "greencli.cli.commands.webhooks:app",
        "doctor": "greencli.cli.commands.doctor:doctor",
        "reboot": "greencli.cli.commands.reboot_logout:reboot",
        "logout": "greencli.cli.commands.reboot_logout:logout",
        "sandbox": "greencli.cli.commands.sandbox:sandbox",
    }


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
        typer.echo(f"greencli {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    instance_id: Annotated[
        str | None,
        typer.Option("--instance-id", metavar="ID", help="Instance ID (else GREEN_API_INSTANCE_ID, then .env)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", metavar="TOKEN", help="API token (else GREEN_API_TOKEN, then .env)."),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", metavar="URL", help="The instance's apiUrl (else GREEN_API_URL, then .env)."),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option("--env-file", metavar="PATH", help="Read this file instead of ./.env."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", metavar="SECONDS", help="Per-request timeout (else GREENCLI_TIMEOUT, default 10)."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show redacted tracebacks and HTTP details.")
    ] = False,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Run the command against a built-in Green API sandbox started for it alone "
            "(authorized, set up as the guide says; no account needed).",
        ),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Set up and diagnose WhatsApp over Green API."""
    from greencli.cli.context import AppContext
    from greencli.config.loader import RootOptions

    state = ctx.ensure_object(AppContext)
    state.options = RootOptions(
        instance_id=instance_id,
        token=token,
        api_url=api_url,
        env_file=env_file,
        timeout=timeout,
        debug=debug,
    )
    if debug:
        _enable_debug_logging()
    if sandbox:
        if ctx.invoked_subcommand == "sandbox":
            raise UsageError(
                "--sandbox runs one command against a throw-away sandbox; it cannot be combined "
                "with `greencli sandbox`.",
                "Run `greencli sandbox` alone to serve a sandbox until stopped.",
            )
        from greencli.sandbox.server import start_ready

        state.sandbox = start_ready()
        state.options = RootOptions(
            instance_id=state.sandbox.instance.instance_id,
            token=state.sandbox.instance.token,
            api_url=state.sandbox.url,
            timeout=timeout,
            debug=debug,
            sandbox=True,
        )


def _enable_debug_logging() -> None:
    import logging

    from greencli.redaction import redact

    class RedactingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("debug: %(name)s: %(message)s"))
    for name in ("urllib3", "greencli"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def fill_optional_values(args: list[str]) -> list[str]:
    """Insert the default after an optional-value option given without one (`send-test --wait`).

    A following argument counts as the value only when it is a plausible number of seconds,
    so `send-test --wait 79001234567` still reads the phone number as the phone number.
    """
    result = list(args)
    if "send-test" not in result:
        return result
    from greencli.cli.commands.send_test import DEFAULT_WAIT

    for index in range(result.index("send-test") + 1, len(result)):
        if result[index] == "--":
            break
        if result[index] == "--wait":
            following = result[index + 1] if index + 1 < len(result) else None
            if following is None or not _plausible_seconds(following):
                result.insert(index + 1, str(DEFAULT_WAIT))
    return result


def _plausible_seconds(text: str) -> bool:
    try:
        return 0 <= float(text) <= 86400
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run greencli and return its exit code; the one place errors become output."""
    from greencli.cli.context import AppContext

    args = fill_optional_values(list(sys.argv[1:] if argv is None else argv))
    state = AppContext()
    try:
        command = typer.main.get_command(app)
        result = command.main(args=args, prog_name="greencli", standalone_mode=False, obj=state)
        code = result if isinstance(result, int) else 0
        if code == ExitCode.INTERRUPTED:
            _interrupted(state, args)
        return code
    except GreenCliError as error:
        _output_for_error(state, args).error(error)
        _debug_traceback(state, error)
        return int(error.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _interrupted(state, args)
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as error:  # usage errors found by the parser
        _usage_error(state, args, error)
        return int(getattr(error, "exit_code", ExitCode.USAGE))
    except BrokenPipeError:
        return int(ExitCode.NOT_FINE)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        from greencli.redaction import redact

        unexpected = InternalError(
            f"greencli stopped on an unexpected error: {type(error).__name__}: {redact(error)}",
            "Run again with --debug for the (redacted) details, and report it.",
        )
        _output_for_error(state, args).error(unexpected)
        _debug_traceback(state, error)
        return int(ExitCode.NOT_FINE)
    finally:
        try:
            state.close()
        except Exception:  # noqa: BLE001 - closing must never mask the real outcome
            pass


def _output_for_error(state: "AppContext", args: list[str]):  # type: ignore[no-untyped-def]
    # A usage error can come before the command parsed its own --json: look at the arguments.
    if not state.json_mode and "--json" in args[: args.index("--") if "--" in args else None]:
        state.json_mode = True
    return state.output


def _interrupted(state: "AppContext", args: list[str]) -> None:
    """Ctrl-C: a word on stderr; with --json, the error document scripts expect on stdout."""
    try:
        sys.stderr.write("\nInterrupted.\n")
        sys.stderr.flush()
        out = _output_for_error(state, args)
        if out.json_mode:
            out.error(Interrupted("Interrupted with Ctrl-C before the command finished.", "Run the command again."))
    except (OSError, ValueError):
        pass


def _usage_error(state: "AppContext", args: list[str], error: typer.TyperException) -> None:
    """The parser's own message (usage line, "Try --help"), redacted: a token given in the
    wrong place ends up quoted in it."""
    import io

    from greencli.redaction import redact

    try:
        state.resolution()  # learns every token in the options, environment and .env, to mask it
    except Exception:  # noqa: BLE001 - the usage error is what the user must see
        pass
    out = _output_for_error(state, args)
    if out.json_mode:
        out.error(UsageError(error.format_message(), "Run greencli --help for usage.", code="usage_error"))
        return
    buffer = io.StringIO()
    show = getattr(error, "show", None)
    if callable(show):
        show(file=buffer)
    else:
        buffer.write(f"Error: {error.format_message()}\n")
    sys.stderr.write(redact(buffer.getvalue()))
    sys.stderr.flush()


def _debug_traceback(state: "AppContext", error: BaseException) -> None:
    if state.options is None or not state.options.debug:
        return
    import traceback

    from greencli.redaction import redact

    text = "".join(traceback.format_exception(error))
    sys.stderr.write(redact(text))
