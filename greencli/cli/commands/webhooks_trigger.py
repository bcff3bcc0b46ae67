"""`greencli webhooks trigger`: send the bot a sample notification, as Green API would."""

from typing import Annotated, Any

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import styled
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds

NO_WID = (
    "instanceData.wid is empty: no linked phone is known (no credentials, or the instance is not authorized), "
    "so a bot that filters on its own number will not match this sample."
)


def trigger(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(metavar="[TYPE]", help="incomingMessageReceived (default), outgoingMessageReceived, outgoingAPIMessageReceived, outgoingMessageStatus or stateInstanceChanged."),
    ] = "incomingMessageReceived",
    to: Annotated[str | None, typer.Option("--to", metavar="URL", help="POST here instead of the instance's webhook URL.")] = None,
    url_token: Annotated[
        str | None, typer.Option("--url-token", metavar="TOKEN", help="Authorization token to send (default: the instance's webhookUrlToken).")
    ] = None,
    max_time: Annotated[
        float,
        typer.Option("--max-time", metavar="SECONDS", min=1, max=180, callback=finite_seconds, help="How long to wait for the bot's answer (Green API waits 180 s)."),
    ] = 180,
    json_output: JsonOption = False,
) -> Result:
    """POST a sample notification to your bot and judge its answer as Green API would.

    The body and the Authorization header (Bearer <webhookUrlToken>) are what Green API sends.
    Green API needs a 200 and waits up to 180 s (and, as observed, does not follow redirects); anything else is
    named in plain words. Without --to, the instance's webhook URL is used.

    Example: greencli webhooks trigger --to http://localhost:8000/webhook
    """
    import math

    from greencli.errors import ExitCode, UsageError
    from greencli.flows.webhook_trigger import FROM_THIS_MACHINE, refuse_credentials_in_url
    from greencli.flows.webhook_trigger import trigger as send_sample
    from greencli.greenapi.credentials import check_url_shape
    from greencli.greenapi.notification_samples import KINDS, sample
    from greencli.redaction import register

    run = use(ctx, json_output)
    out = run.output
    if kind not in KINDS:
        raise UsageError(f"There is no sample of {kind!r}.", f"Choose one of: {', '.join(KINDS)}.", code="usage_error")
    if not math.isfinite(max_time):
        raise UsageError("--max-time must be a number of seconds.", "For example: --max-time 30", code="usage_error")
    if to is not None and (why := check_url_shape(to)):
        raise UsageError(f"--to {why}.", "For example: --to http://localhost:8000/webhook", code="invalid_url")
    register(url_token)

    instance_id, wid, url, token = "1101000001", "", to, url_token
    try:
        credentials = run.credentials()
    except UsageError:
        if to is None:
            raise  # the webhook URL can only come from the instance's settings
        credentials = None
    if credentials is not None:
        client = run.client()
        instance_id = credentials.instance_id
        settings = client.get_settings()
        url = url or str(settings.get("webhookUrl") or "") or None
        token = token or str(settings.get("webhookUrlToken") or "") or None
        # The instance's own WhatsApp ID, as its pushes carry it (getSettings' `wid`, "" while
        # no phone is linked: https://green-api.com/en/docs/api/account/GetSettings/).
        wid = str(settings.get("wid") or "")
    register(token)
    if not url:  # found by asking the instance: not a usage error
        from greencli.errors import NotFine

        raise NotFine(
            "The instance has no webhook URL (polling mode), so there is no bot to send to.",
            "Give the bot's address with --to URL, or set it: greencli webhooks enable --url URL",
            code="no_webhook_url",
        )
    refuse_credentials_in_url(url)
    body = sample(kind, instance_id, wid)
    with out.spinner(f"Sending a sample {kind} to {url}…"):
        verdict = send_sample(url, body, token, max_time)

    delivery = verdict.delivery
    data: dict[str, Any] = {
        "ok": verdict.status != "fail",
        "url": url,
        "typeWebhook": kind,
        "authorization": bool(token),
        "status": delivery.status,
        "seconds": round(delivery.seconds, 3),
        "verdict": verdict.status,
        "message": verdict.message,
        "hint": verdict.hint,
    }

    notes = [FROM_THIS_MACHINE] if delivery.status == 200 else []
    if not wid:
        notes.append(NO_WID)
    data["notes"] = notes

    def render() -> None:
        out.status_line(verdict.status, verdict.message, hint=verdict.hint)
        out.line(styled(f"{out.indent}Sent {kind} to {url}" + (" with Authorization: Bearer …" if token else " without an Authorization header"), "dim"))
        for note in notes:
            for line in out.wrap(note, out.indent):
                out.line(styled(f"{out.indent}{line}", "dim"))

    return Result(data, render, ExitCode.NOT_FINE if verdict.status == "fail" else ExitCode.OK)
