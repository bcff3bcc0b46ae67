"""`greencli webhooks enable|disable|show|listen`: notification settings, and a local listener."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.commands.webhooks_listen import listen
from greencli.cli.commands.webhooks_trigger import trigger
from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.context import RunContext

app = typer.Typer(
    help="Switch notifications on or off, show or listen to them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

StatusOption = Annotated[bool, typer.Option("--status", help="Also delivery statuses (outgoingWebhook).")]
VerifyOption = Annotated[
    float,
    typer.Option("--verify-wait", metavar="SECONDS", min=0, callback=finite_seconds, help="How long to read the settings back, waiting for Green API to apply them (never written twice)."),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every notification type (enable leaves out deviceWebhook: out of service).")]
RESTART_NOTE = "The instance restarts to apply settings; changes can take up to 5 minutes."


def _types(status: bool, all_types: bool, enabling: bool) -> tuple[str, ...]:
    from greencli.greenapi.notification_settings import ALL_TYPES, ENABLE_ALL_TYPES, GUIDE_TYPES, STATUS_TYPE

    if all_types:
        # deviceWebhook is "temporarily out of service" (https://green-api.com/en/docs/api/account/SetSettings/):
        # never switched on; switched off like the rest.
        return ENABLE_ALL_TYPES if enabling else ALL_TYPES
    return GUIDE_TYPES + ((STATUS_TYPE,) if status else ())


@app.command("enable")
def enable(
    ctx: typer.Context,
    status: StatusOption = False,
    all_types: AllOption = False,
    url: Annotated[str | None, typer.Option("--url", metavar="URL", help="Push mode: Green API POSTs notifications to this URL.")] = None,
    polling: Annotated[bool, typer.Option("--polling", help="Polling mode: clear the URL so `webhooks listen` and bots can poll.")] = False,
    url_token: Annotated[
        str | None, typer.Option("--url-token", metavar="TOKEN", help="Authorization value Green API sends to the URL (never shown).")
    ] = None,
    verify_wait: VerifyOption = 20,
    json_output: JsonOption = False,
) -> Result:
    """Switch on the notifications a bot needs.

    The setup guide's four types (incoming, outgoing from the phone, outgoing through the API,
    state). Only what differs is sent; nothing at all when everything is already on.

    Example: greencli webhooks enable --url https://bot.example.com/green
    """
    from greencli.errors import UsageError
    from greencli.greenapi.credentials import check_url_shape
    from greencli.greenapi.webhook_url import reachability_findings
    from greencli.redaction import register

    run = use(ctx, json_output)
    if url is not None and polling:
        raise UsageError("--url and --polling contradict each other.", "Choose push mode (--url) or polling mode (--polling).")
    if url is not None:
        url = url.strip()
        why = check_url_shape(url)
        if why:
            raise UsageError(f"The webhook URL {why}.", "Give a full URL such as https://bot.example.com/green-api.", code="invalid_url")
    if url_token is not None:
        register(url_token)
    run.client()  # bad credentials are reported before warnings about the URL
    if url is not None:
        for finding in reachability_findings(url):
            run.output.warn(f"The webhook URL {finding.message}.")
    from greencli.flows.notification_settings import desired_settings

    return _apply(run, desired_settings(_types(status, all_types, enabling=True), url, polling, url_token), "enable", verify_wait)


@app.command("disable")
def disable(
    ctx: typer.Context,
    status: StatusOption = False,
    all_types: AllOption = False,
    verify_wait: VerifyOption = 20,
    json_output: JsonOption = False,
) -> Result:
    """Switch the same notification types off.

    The webhook URL is left as it is.

    Example: greencli webhooks disable --all
    """
    run = use(ctx, json_output)
    return _apply(run, dict.fromkeys(_types(status, all_types, enabling=False), "no"), "disable", verify_wait)


@app.command("show")
def show(ctx: typer.Context, json_output: JsonOption = False) -> Result:
    """Show every notification switch and the delivery mode.

    Also whether a URL token is set (never the token itself).
    """
    from greencli.greenapi.notification_settings import ALL_TYPES, DESCRIPTIONS, GUIDE_TYPES, is_on

    run = use(ctx, json_output)
    out = run.output
    settings = run.client().get_settings()
    webhook_url = str(settings.get("webhookUrl") or "")
    token_set = bool(settings.get("webhookUrlToken"))
    switches = {name: is_on(settings, name) for name in ALL_TYPES}
    data = {
        "ok": True,
        "mode": "push" if webhook_url else "polling",
        "webhookUrl": webhook_url or None,
        "webhookUrlTokenSet": token_set,
        "notifications": switches,
        "guideTypesOn": all(switches[name] for name in GUIDE_TYPES),
    }

    def render() -> None:
        mode = f"push to {webhook_url}" if webhook_url else "polling (receiveNotification; no webhook URL)"
        out.fields([("Mode", mode), ("URL token", "set" if token_set else "not set")])
        out.blank()
        width = max(len(name) for name in ALL_TYPES)
        for name in ALL_TYPES:
            on = switches[name]
            mark = styled("on ", "green") if on else styled("off", "dim")
            needed = styled("  (the guide needs it)", "yellow") if name in GUIDE_TYPES and not on else ""
            out.line(f"  {name:<{width}}  ", mark, styled(f"  {DESCRIPTIONS[name]}", "dim"), needed)
        if not data["guideTypesOn"]:
            out.blank()
            out.line(styled("→ Switch on what the guide needs: greencli webhooks enable", "cyan"))

    return Result(data, render)


def _apply(run: "RunContext", desired: dict[str, Any], action: str, verify_wait: float) -> Result:
    """Apply the settings through the flow; report what changed, or fail with what did not stick."""
    from greencli.errors import NotFine
    from greencli.flows.notification_settings import apply_settings

    out = run.output
    change = apply_settings(
        run.client(),
        desired,
        verify_wait,
        spinner=out.spinner,
        on_unanswered=lambda error: out.warn(
            f"{error.message} The settings may have been saved: reading them back instead of writing "
            "again (every write restarts the instance)."
        ),
    )
    changes, unchanged, not_applied = change
    if not changes:
        return Result(
            {"ok": True, "changed": {}, "unchanged": unchanged, "notApplied": []},
            lambda: out.status_line("pass", "Nothing to change: every setting is already as asked (no restart needed)."),
        )

    shown = {key: ("(set)" if key == "webhookUrlToken" else value) for key, value in changes.items()}
    if not_applied:
        raise NotFine(
            f"Green API has not applied {', '.join(not_applied)} yet; greencli did not write them again "
            "(every write restarts the instance).",
            f"Settings can take up to 5 minutes to apply: check with `greencli webhooks show` "
            f"in a few minutes, and run `greencli webhooks {action}` again later if they are still "
            f"{'on' if action == 'disable' else 'not as asked'}.",
            code="settings_not_applied",
            details={"changed": shown, "notApplied": not_applied},
        )

    def render() -> None:
        out.status_line("pass", f"Changed {len(changes)} setting{'s' if len(changes) != 1 else ''}:")
        for key, value in shown.items():
            out.line(f"{out.indent}{key} → {value!r}" if key.startswith("webhookUrl") else f"{out.indent}{key} → {value}")
        out.next_step(f"{RESTART_NOTE} `greencli check-state --wait 300` follows it.")

    return Result({"ok": True, "changed": shown, "unchanged": unchanged, "notApplied": [], "note": RESTART_NOTE}, render)


app.command("listen")(listen)  # modules of their own: they are not about settings
app.command("trigger")(trigger)
