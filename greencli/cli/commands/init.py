"""`greencli init`: ask for the credentials, check them against the API, write .env."""

from typing import Annotated, Any

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.result import Result


def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option("--force", help="Update an existing .env (its other lines are kept)."),
    ] = False,
    no_check: Annotated[
        bool,
        typer.Option("--no-check", help="Write .env without checking the credentials first."),
    ] = False,
    token_stdin: Annotated[
        bool,
        typer.Option("--token-stdin", help="Read the token from standard input (kept out of argv and shell history)."),
    ] = False,
    json_output: JsonOption = False,
) -> Result:
    """Check the credentials and write them to .env (mode 600).

    Values come from the global options, the environment and, with --force, the .env being
    updated; anything missing is asked for (the token hidden), and a value Green API or the
    format check rejects is asked for again, alone. In a git work tree .env goes to the
    project's root (the top of the work tree, where every command finds it) and into .gitignore.

    Example: greencli init   (or: printf %s "$TOKEN" | greencli init --instance-id ID --token-stdin)
    """
    from greencli.cli.credentials_setup import write_credentials
    from greencli.greenapi.states import describe_state
    from greencli.redaction import mask

    run = use(ctx, json_output)
    out = run.output
    written = write_credentials(run, force, no_check, token_stdin)
    credentials = written.credentials
    next_steps = _next_steps(written.state if written.checked else "unchecked")
    data: dict[str, Any] = {
        "ok": True,
        "path": str(written.path),
        "instanceId": credentials.instance_id,
        "apiUrl": credentials.api_url,
        "token": mask(credentials.token),
        "checked": written.checked,
        "stateInstance": written.state,
        "gitignore": written.gitignore,
        "next": next_steps,
    }

    def render() -> None:
        out.status_line("pass", f"Wrote {written.shown} (readable by you only)")
        out.fields(
            [
                (f"{out.indent}Instance", credentials.instance_id),
                (f"{out.indent}Token", mask(credentials.token)),
                (f"{out.indent}API URL", credentials.api_url),
                (f"{out.indent}State", describe_state(written.state).label if written.checked else "not checked (--no-check)"),
                (f"{out.indent}.gitignore", written.gitignore),
            ]
        )
        if out.quiet:
            return
        out.blank()
        out.line(styled("Next:", "bold"))
        for step in next_steps:
            out.line(f"  {step}")

    return Result(data, render)


def _next_steps(state: str | None) -> list[str]:
    if state == "authorized":
        return [
            "greencli webhooks enable   # switch on the notifications a bot needs",
            "greencli doctor            # check the whole setup",
        ]
    if state == "notAuthorized":
        return [
            "greencli qr                # link the phone (or: greencli qr --phone NUMBER)",
            "greencli webhooks enable   # switch on the notifications a bot needs",
        ]
    if state is None:  # a new instance, still being created (up to 5 minutes)
        return [
            "greencli check-state   # shows notAuthorized once the instance is created (up to 5 minutes)",
            "greencli qr            # then link the phone",
        ]
    return [
        "greencli check-state   # what the instance's state means and what to do",
        "greencli doctor        # check the whole setup",
    ]
