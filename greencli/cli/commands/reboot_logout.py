"""`greencli reboot` and `greencli logout`: the guide's "restart the instance" and "rescan"."""

from typing import Annotated

import typer

from greencli.cli.context import JsonOption, RunContext, use
from greencli.cli.prompts import confirm
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")]


def reboot(
    ctx: typer.Context,
    yes: YesOption = False,
    wait: Annotated[
        float | None,
        typer.Option("--wait", metavar="SECONDS", min=1, callback=finite_seconds, help="Follow the restart until authorized again, for at most SECONDS (e.g. 300)."),
    ] = None,
    json_output: JsonOption = False,
) -> Result:
    """Restart the instance (the fix for a long `starting`).

    The phone stays linked; the instance shows `starting` for up to 5 minutes. Declining the
    question exits 1 and changes nothing.

    Example: greencli reboot --yes --wait 300
    """
    return _run(
        ctx,
        yes,
        json_output,
        action="reboot",
        wait=wait,
        question="Restart instance {instance}{phone}? It is unavailable for up to 5 minutes",
        message="Rebooting: the instance shows `starting` for up to 5 minutes.",
        next_step="Follow it with `greencli check-state --wait 300`. If it stays `starting` longer, "
        "contact Green API support.",
    )


def logout(ctx: typer.Context, yes: YesOption = False, json_output: JsonOption = False) -> Result:
    """Unlink the phone from the instance.

    Use it before linking the phone again, or another phone. Declining the question exits 1
    and changes nothing.

    Example: greencli logout --yes && greencli qr
    """
    return _run(
        ctx,
        yes,
        json_output,
        action="logout",
        question="Unlink {linked} from instance {instance}? The bot stops until a phone is linked again",
        message="Logged out: no phone is linked now.",
        next_step="Link a phone again with `greencli qr` (a new QR code can take a minute to appear).",
    )


def _run(
    ctx: typer.Context,
    yes: bool,
    json_output: bool,
    *,
    action: str,
    question: str,
    message: str,
    next_step: str,
    wait: float | None = None,
) -> Result:
    """Confirm, call the account method named `action`, and say what happens next."""
    from greencli.errors import ExitCode, NotFine
    from greencli.flows.account import change_account, follow_restart

    run = use(ctx, json_output)
    out = run.output
    if not _confirmed(run, yes, question):
        return Result(None, lambda: out.progress("Cancelled: nothing was changed."), ExitCode.NOT_FINE)
    client = run.client()
    change_account(client, action)
    data: dict[str, object] = {"ok": True, "action": action, "next": next_step}
    if wait is None:
        return Result(data, lambda: out.status_line("pass", message, hint=next_step))
    state, seconds = follow_restart(client, wait, spinner=out.spinner)
    data.update(stateInstance=state, seconds=round(seconds))
    if state != "authorized":
        from greencli.greenapi.states import describe_state

        raise NotFine(
            f"The instance is {describe_state(state).label} {seconds:.0f} s after the reboot, not yet authorized.",
            "A restart can take up to 5 minutes: `greencli check-state --wait 300` follows it; "
            "if it stays `starting` longer, contact Green API support.",
            code="reboot_pending",
        )
    return Result(data, lambda: out.status_line("pass", f"Restarted: authorized again after {seconds:.0f} s."))


def _confirmed(run: RunContext, yes: bool, question: str) -> bool:
    """Ask before changing the instance, naming it and its phone."""
    from greencli.errors import UsageError
    from greencli.flows.linking import linked_phone

    credentials = run.credentials()  # bad credentials are reported before asking anything
    if yes:
        return True
    if not run.may_prompt():
        raise UsageError(
            "This command changes the instance and needs confirmation.",
            "Add --yes to confirm without a prompt.",
            code="confirmation_required",
        )
    phone = linked_phone(run.client())
    text = question.format(
        instance=credentials.instance_id,
        phone=f" (linked to {phone})" if phone else "",
        linked=phone or "the phone",
    )
    return confirm(run.output, f"{text}. Continue?", default=False)
