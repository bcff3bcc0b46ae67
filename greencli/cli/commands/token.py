"""`greencli token rotate`: the guide's "rotate tokens regularly", done safely; `greencli token scan`: the token kept out of commits."""

from pathlib import Path
from typing import Annotated

import typer

from greencli.cli.context import JsonOption, RunContext, use
from greencli.cli.output import styled
from greencli.cli.prompts import confirm
from greencli.cli.result import Result

app = typer.Typer(help="Manage the instance's API token: rotate it, find it in files.", no_args_is_help=True, rich_markup_mode=None, add_completion=False)



@app.callback()
def token() -> None:
    """Manage the instance's API token: rotate it, find it in files."""


WARNING = "Bots that use the old token stop working until they are given the new one."


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")] = False,
    json_output: JsonOption = False,
) -> Result:
    """Replace the API token with a new one and save it to the .env it came from.

    Green API's updateApiToken (beta): the old token stops working at once. The new token is
    written atomically to .env (mode 600, only the token line changes) and checked with one
    call; if .env cannot be written it goes to a private file whose path is printed, and only
    if nothing can be written is it shown, once. Refused when the token does not come from a
    writable .env (an environment variable or a CI secret): rotate those in the console.

    Example: greencli token rotate --yes
    """
    from greencli.errors import ExitCode, NotFine
    from greencli.flows.token_rotation import rotate as rotate_token
    from greencli.flows.token_rotation import writable_env_file
    from greencli.redaction import mask

    run = use(ctx, json_output)
    out = run.output
    credentials = run.credentials()
    env_file = writable_env_file(run.resolution())
    if not _confirmed(run, yes, credentials.instance_id):
        return Result(None, lambda: out.progress("Cancelled: the token was not changed."), ExitCode.NOT_FINE)
    with out.spinner("Asking Green API for a new token…"):
        rotation = rotate_token(run.client(), env_file)

    if rotation.saved_nowhere:
        # The old token is dead and nothing could be written: this is the only copy.
        out.raw(f"GREEN_API_TOKEN={rotation.new_token}\n", err=True)
        raise NotFine(
            f"The token was rotated, but neither {env_file} nor a private file could be written "
            f"({rotation.save_error}): the new token is shown above, once. Copy it now.",
            f"Put that line into {env_file}. The old token no longer works.",
            code="env_not_updated",
            details={"rescueFile": None, "shownOnStderr": True},
        )
    if not rotation.saved_in_env_file:
        raise NotFine(
            f"The token was rotated, but {env_file} could not be written ({rotation.save_error}): "
            f"the new token is in {rotation.rescue_file} (readable by you only).",
            f"Put it into {env_file} as GREEN_API_TOKEN=…, then delete {rotation.rescue_file}. "
            "The old token no longer works.",
            code="env_not_updated",
            details={"rescueFile": str(rotation.rescue_file)},
        )
    data = {
        "ok": rotation.verify_error is None,
        "instanceId": credentials.instance_id,
        "envFile": str(env_file),
        "token": mask(rotation.new_token),
        "verified": rotation.verify_error is None,
        "stateInstance": rotation.verified_state,
        "note": WARNING,
    }

    def render() -> None:
        out.status_line("pass", f"Rotated the token of instance {credentials.instance_id}; saved to {env_file} (readable by you only)")
        out.fields([(f"{out.indent}New token", mask(rotation.new_token))])
        if rotation.verify_error is None:
            out.line(f"{out.indent}Verified: Green API accepts the new token (state: {rotation.verified_state}).")
        else:
            out.warn(f"The new token could not be verified: {rotation.verify_error.message}", "Run `greencli check-state` in a minute.")
        out.line(styled(f"{out.indent}→ {WARNING} Update their configuration and restart them.", "cyan"))

    return Result(data, render, ExitCode.API if rotation.verify_error is not None else ExitCode.OK)


@app.command("scan")
def scan(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILES]...", help="Files or directories to scan (default: every file git tracks or would add here).", show_default=False),
    ] = None,
    json_output: JsonOption = False,
) -> Result:
    """Find Green API tokens in files before they are committed (the pre-commit hook runs it).

    Reports, by file and line and with the token masked: a token in a Green API URL
    (/waInstance<ID>/<method>/<token>), a GREEN_API_TOKEN or apiTokenInstance set to a token,
    the instance's own token anywhere, and an env file with the token that git does not ignore.
    Placeholders (your-token-here, ${GREEN_API_TOKEN}) and files git ignores pass. Exit 0 when
    nothing is found, 1 when a token is.

    Example: greencli token scan bot.py config.yaml
    """
    from greencli.config.loader import TOKEN
    from greencli.config.token_scan import files_to_scan
    from greencli.config.token_scan import scan as scan_files
    from greencli.errors import ExitCode

    run = use(ctx, json_output)
    out = run.output
    resolution = run.resolution()
    found = scan_files(files_to_scan(files or [], run.cwd), run.cwd, [resolution.value(TOKEN)])
    ignored = sum(1 for skipped in found.skipped if skipped.why == "ignored by git")
    data = {
        "ok": found.ok,
        "scanned": len(found.scanned),
        "findings": [
            {"file": f.file, "line": f.line, "kind": f.kind, "token": f.masked, "message": f.message, "hint": f.hint}
            for f in found.findings
        ],
        "skipped": [{"file": s.file, "why": s.why} for s in found.skipped],
    }

    def render() -> None:
        width = max((len(f"{f.file}:{f.line}") for f in found.findings), default=0)
        for finding in found.findings:
            out.status_line("fail", styled(f"{f'{finding.file}:{finding.line}':<{width}}", "bold"), f"  {finding.message}")
        for hint in dict.fromkeys(finding.hint for finding in found.findings):
            out.next_step(hint)
        plural = "s" if len(found.scanned) != 1 else ""
        passed = f" ({ignored} ignored by git)" if ignored else ""
        if found.ok:
            out.status_line("pass", f"No Green API token in {len(found.scanned)} file{plural} scanned{passed}.")
        else:
            files_with = len({finding.file for finding in found.findings})
            out.line(f"{len(found.findings)} token{'s' if len(found.findings) != 1 else ''} found in {files_with} of {len(found.scanned)} file{plural} scanned{passed}.")

    return Result(data, render, ExitCode.OK if found.ok else ExitCode.NOT_FINE)


def _confirmed(run: RunContext, yes: bool, instance_id: str) -> bool:
    from greencli.errors import UsageError

    if yes:
        return True
    if not run.may_prompt():
        raise UsageError(
            "Rotating the token needs confirmation: the old token stops working at once.",
            "Add --yes to confirm without a prompt.",
            code="confirmation_required",
        )
    run.output.warn(WARNING)
    return confirm(run.output, f"Rotate the token of instance {instance_id}?", default=False)
