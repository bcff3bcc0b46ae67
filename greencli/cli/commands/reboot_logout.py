"""`greencli reboot` and `greencli logout`: the guide's "restart the instance" and "rescan"."""

from typing import Annotated

import typer

from greencli.cli.context import AppContext, JsonOption, use
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
) -> None:
    """Restart the instance (the fix for a long `starting`).

    The phone stays linked; the instance shows `starting` for up to 5 minutes. Declining the
    question exits 1 and changes nothing.

    Example: greencli reboot --yes --wait 300
    """
    _run(
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


def logout(ctx: typer.Context, yes: YesOption = False, json_output: JsonOption = False) -> None:
    """Unlink the phone from the instance.

    Use it before linking the phone again, or another phone. Declining the question exits 1
    and changes nothing.

    Example: greencli logout --yes && greencli qr
    """
    _run(
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
) -> None:
    """Confirm, call the account method named `action`, and say what happens next."""
    from greencli.errors import NotFine

    app = use(ctx, json_output)
    _confirm(app, yes, question)
    client = app.client()
    done = getattr(client, action)()
    if not done:
        raise NotFine(f"Green API answered that the {action} did not happen.", "Wait a minute and try again.", code=f"{action}_failed")
    out = app.output
    data: dict[str, object] = {"ok": True, "action": action, "next": next_step}
    if wait is None:
        out.result(data, lambda: out.status_line("pass", message, hint=next_step))
        return
    state, seconds = _follow_restart(app, wait)
    data.update(stateInstance=state, seconds=round(seconds))
    if state != "authorized":
        from greencli.greenapi.states import describe_state

        raise NotFine(
            f"The instance is {describe_state(state).label} {seconds:.0f} s after the reboot, not yet authorized.",
            "A restart can take up to 5 minutes: `greencli check-state --wait 300` follows it; "
            "if it stays `starting` longer, contact Green API support.",
            code="reboot_pending",
        )
    out.result(data, lambda: out.status_line("pass", f"Restarted: authorized again after {seconds:.0f} s."))


SETTLE_SECONDS = 15  # still authorized this long after a reboot: it restarted between two looks


def _follow_restart(app: AppContext, wait: float) -> tuple[str | None, float]:
    """Poll the state (once a second, its rate limit) until the instance is back to authorized.

    Right after a reboot the state can still read authorized; it counts as back once it was
    seen otherwise (`starting`), or has read authorized for SETTLE_SECONDS.
    """
    import time

    from greencli.flows.waiting import poll
    from greencli.greenapi.states import describe_state

    client = app.client()
    started = time.monotonic()
    left_authorized = False

    def back(state: str | None) -> bool:
        nonlocal left_authorized
        if state != "authorized":
            left_authorized = True
            return False
        return left_authorized or time.monotonic() - started >= SETTLE_SECONDS

    with app.output.spinner("Following the restart…") as update:
        state, _ = poll(
            client.get_state_instance,
            back,
            timeout=wait,
            on_value=lambda value, left: update(f"Following the restart: {describe_state(value).label} ({left:.0f} s left)"),
        )
    return state, time.monotonic() - started


def _confirm(app: AppContext, yes: bool, question: str) -> None:
    """Ask before changing the instance, naming it and its phone; declining exits 1."""
    from greencli.errors import UsageError

    credentials = app.credentials()  # bad credentials are reported before asking anything
    if yes:
        return
    if not app.may_prompt():
        raise UsageError(
            "This command changes the instance and needs confirmation.",
            "Add --yes to confirm without a prompt.",
            code="confirmation_required",
        )
    phone = _linked_phone(app)
    text = question.format(
        instance=credentials.instance_id,
        phone=f" (linked to {phone})" if phone else "",
        linked=phone or "the phone",
    )
    if not typer.confirm(f"{text}. Continue?", default=False, err=True):
        app.output.progress("Cancelled: nothing was changed.")
        raise typer.Exit(1)


def _linked_phone(app: AppContext) -> str | None:
    from greencli.errors import ApiError
    from greencli.greenapi.states import format_phone

    try:
        return format_phone(app.client().get_wa_settings().get("phone"))
    except ApiError:
        return None
