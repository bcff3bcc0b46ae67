"""`greencli reboot` and `greencli logout`: the guide's "restart the instance" and "rescan"."""

from typing import Annotated

import typer

from greencli.cli.context import AppContext, JsonOption, use

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")]


def reboot(ctx: typer.Context, yes: YesOption = False, json_output: JsonOption = False) -> None:
    """Restart the instance (the fix for a long `starting`).

    The phone stays linked; the instance shows `starting` for up to 5 minutes.

    Example: greencli reboot --yes
    """
    _run(
        ctx,
        yes,
        json_output,
        action="reboot",
        question="Restart the instance? It is unavailable for up to 5 minutes",
        message="Rebooting: the instance shows `starting` for up to 5 minutes.",
        next_step="Follow it with `greencli check-state --wait 300`. If it stays `starting` longer, "
        "contact Green API support.",
    )


def logout(ctx: typer.Context, yes: YesOption = False, json_output: JsonOption = False) -> None:
    """Unlink the phone from the instance.

    Use it before linking the phone again, or another phone.

    Example: greencli logout --yes && greencli qr
    """
    _run(
        ctx,
        yes,
        json_output,
        action="logout",
        question="Unlink the phone? The bot stops until a phone is linked again",
        message="Logged out: no phone is linked now.",
        next_step="Link a phone again with `greencli qr` (a new QR code can take a minute to appear).",
    )


def _run(ctx: typer.Context, yes: bool, json_output: bool, *, action: str, question: str, message: str, next_step: str) -> None:
    """Confirm, call the account method named `action`, and say what happens next."""
    from greencli.errors import NotFine

    app = use(ctx, json_output)
    _confirm(app, yes, question)
    done = getattr(app.client(), action)()
    if not done:
        raise NotFine(f"Green API answered that the {action} did not happen.", "Wait a minute and try again.", code=f"{action}_failed")
    out = app.output

    out.result({"ok": True, "action": action, "next": next_step}, lambda: out.status_line("pass", message, hint=next_step))


def _confirm(app: AppContext, yes: bool, question: str) -> None:
    from greencli.errors import UsageError

    app.credentials()  # bad credentials are reported before asking anything
    if yes:
        return
    if not app.may_prompt():
        raise UsageError(
            "This command changes the instance and needs confirmation.",
            "Add --yes to confirm without a prompt.",
            code="confirmation_required",
        )
    if not typer.confirm(f"{question}. Continue?", default=False, err=True):
        app.output.progress("Cancelled: nothing was changed.")
        raise typer.Exit(1)
