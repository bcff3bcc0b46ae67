"""`greencli webhooks listen`: notifications by polling, printed or forwarded to a local bot,
each deleted from the queue only once delivered (flows/listening.py)."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.context import use
from greencli.cli.output import styled
from greencli.cli.seconds import finite_seconds

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.flows.listening import Handover
    from greencli.greenapi.client import Notification


def listen(
    ctx: typer.Context,
    forward_to: Annotated[
        str | None, typer.Option("--forward-to", metavar="URL", help="POST each notification to your local bot, as Green API would.")
    ] = None,
    forward_timeout: Annotated[
        float,
        typer.Option(
            "--forward-timeout", metavar="SECONDS", min=1, callback=finite_seconds,
            help="How long to wait for the bot's answer, as Green API waits for a webhook's.",
        ),
    ] = 180,
    count: Annotated[int | None, typer.Option("--count", metavar="N", min=1, help="Stop after N notifications.")] = None,
    receive_timeout: Annotated[
        int, typer.Option("--receive-timeout", metavar="SECONDS", min=5, max=60, help="Long-poll wait per request (5-60).")
    ] = 20,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per line, one per notification.")] = False,
) -> None:
    """Print (and forward) notifications as they arrive.

    It polls, so no public URL is needed. A notification is deleted only once delivered:
    answered with a complete 200 by the bot, or else printed and taken by stdout's reader
    (`| head -2` deletes two, then listen stops). One greencli cannot read is forwarded as it
    is, or saved to a private file whose path is printed. One listener per instance at a time.

    Example: greencli webhooks listen --forward-to http://localhost:8000/webhook
    """
    from greencli.errors import UsageError

    run = use(ctx, json_output)
    run.output.json_lines = json_output
    if forward_to is not None:
        from greencli.greenapi.credentials import check_url_shape

        why = check_url_shape(forward_to)
        if why:
            raise UsageError(f"--forward-to {why}.", "For example: --forward-to http://localhost:8000/webhook", code="invalid_url")
    lock = _one_listener(run)
    try:
        _listen(run, forward_to, forward_timeout, count, receive_timeout, json_output)
    finally:
        lock.release()


def _one_listener(run: "RunContext") -> Any:
    """Refuse to start while another greencli listener polls the same instance."""
    from greencli.config.listener_lock import ListenerLock, ListenerRunning, lock_path
    from greencli.config.private_dirs import NotPrivate
    from greencli.errors import NotFine

    credentials = run.credentials()
    try:
        return ListenerLock(lock_path(credentials.api_url, credentials.instance_id)).acquire()
    except ListenerRunning as running:
        who = f" (PID {running.pid})" if running.pid else ""
        raise NotFine(
            f"Another `greencli webhooks listen`{who} is already polling instance {credentials.instance_id}: "
            "two listeners would each get some of the notifications, and neither all of them.",
            f"Stop the other listener{who} first, then start this one.",
            code="listener_running",
        ) from None
    except (OSError, NotPrivate) as error:
        # The lock is a courtesy check: without it, listening still deletes only what it delivered.
        run.output.warn(
            f"Listening without the one-listener lock ({error}): a second listener on this instance would not be noticed.",
            "Give greencli a private directory: XDG_RUNTIME_DIR or ~/.cache, owned by you, mode 0700.",
        )
        return _NoLock()


class _NoLock:
    def release(self) -> None:
        pass


def _listen(
    run: "RunContext", forward_to: str | None, forward_timeout: float, count: int | None, receive_timeout: int, json_output: bool
) -> None:
    from greencli.cli.stdout_reader import StdoutReader
    from greencli.flows.listening import Handover, polling_settings
    from greencli.flows.listening import listen as listen_flow
    from greencli.greenapi.notification_settings import is_on

    out = run.output
    client = run.client()
    settings = polling_settings(client)
    if not is_on(settings, "incomingWebhook"):
        out.warn("Incoming-message notifications are off: no incoming message will arrive.", "Run: greencli webhooks enable")
    reader = StdoutReader(out.stdout)

    def show(handover: Handover) -> bool:
        """Print it; whether stdout's reader is still there, and, when the line is the
        delivery (nothing forwarded), whether the reader took it."""
        _show_one(run, handover, json_output)
        out.stdout.flush()
        if out.reader_gone():
            return False
        return not reader.gone() if handover.forwarded is not None else reader.took_everything()

    def not_deleted(notification: "Notification") -> None:
        out.warn(
            f"Green API did not delete notification {notification.receipt_id} (deleteNotification "
            "answered result: false): it may arrive again, or another program took it first.",
            "If it repeats, check that no other bot or listener polls this instance.",
        )

    def ended(delivered: int, undeleted: int) -> None:
        if undeleted:
            were = "notification was" if delivered == 1 else "notifications were"
            out.warn(f"{undeleted} of {delivered} {were} not deleted from the queue.")

    forwarder = None
    if forward_to is not None:
        from greencli.flows.forwarding import Forwarder

        forwarder = Forwarder(forward_to, str(settings.get("webhookUrlToken") or "") or None, forward_timeout)
    out.progress(
        f"Listening for notifications (instance {client.credentials.instance_id}, polling)"
        + (f", forwarding to {forward_to}" if forward_to else "")
        + ". Ctrl-C stops; a notification not yet delivered stays in the queue."
    )
    listen_flow(
        client,
        show,
        count=count,
        receive_timeout=receive_timeout,
        forwarder=forwarder,
        waiting=reader.run,
        on_retry=lambda error, pause: out.warn(f"{error.message} Trying again in {pause:g} s."),
        on_forward_failure=lambda reason, retry_in: out.warn(f"Forwarding failed: {reason}; retrying in {retry_in:g} s."),
        on_not_deleted=not_deleted,
        on_end=ended,
    )


def _show_one(run: "RunContext", handover: "Handover", json_output: bool) -> None:
    """One notification on stdout: a JSON line, or a one-line summary."""
    from greencli.greenapi.notification_summary import one_line

    out = run.output
    notification, forwarded, saved = handover
    if json_output:
        record: dict[str, Any] = {"receiptId": notification.receipt_id}
        if notification.unreadable is None:
            record["body"] = notification.body
        else:
            record.update(unreadable=notification.unreadable, bytes=len(notification.raw_body or b""))
        if saved is not None:
            record["savedTo"] = str(saved)
        if forwarded is not None:
            record["forwardStatus"] = forwarded
        out.json_line(record)
        return
    if notification.unreadable is None:
        summary = one_line(notification.body)
    else:
        summary = (
            f"(notification {notification.receipt_id} greencli cannot read: {notification.unreadable}; "
            f"{len(notification.raw_body or b''):,} bytes)"
        )
    where = f"  → saved to {saved}" if saved is not None else f"  → forwarded ({forwarded})" if forwarded is not None else ""
    out.line(summary, styled(where, "dim"))
