"""`greencli sandbox`: a local Green API emulator, serving until stopped."""

import json
import signal
import threading
from typing import Annotated

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.seconds import finite_seconds
from greencli.greenapi.states import STATES

# As the sandbox knows them (greencli.sandbox.instance.STATES, too heavy to import for --help):
# Green API's states, and "new", an instance still being created.
STATE_CHOICES = ("new", *STATES)


def sandbox(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", metavar="PORT", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 0,
    state: Annotated[
        str,
        typer.Option("--state", metavar="STATE", help=f"Starting state: {', '.join(STATE_CHOICES)}."),
    ] = "notAuthorized",
    guide: Annotated[
        bool,
        typer.Option("--guide-settings", help="Start with the setup guide's notifications already on."),
    ] = False,
    auto_scan: Annotated[
        float | None,
        typer.Option("--auto-scan", metavar="SECONDS", min=0, callback=finite_seconds, help="Act as if the phone scans the QR this long after it is first shown."),
    ] = None,
    plan: Annotated[
        str, typer.Option("--plan", metavar="PLAN", help="developer (free: 3 chats, 100 checks a month) or business.")
    ] = "developer",
    instance_id: Annotated[
        str | None, typer.Option("--sandbox-instance-id", metavar="ID", help="Instance ID to emulate (default 1101000001).")
    ] = None,
    token: Annotated[
        str | None, typer.Option("--sandbox-token", metavar="TOKEN", help="Token to accept (default: a new random one).")
    ] = None,
    push_retry: Annotated[
        float,
        typer.Option(
            "--push-retry",
            metavar="SECONDS",
            min=0,
            callback=finite_seconds,
            help="With a webhook URL set, wait this long before pushing a failed notification again (Green API: 60).",
        ),
    ] = 60.0,
    journal_lag: Annotated[
        float,
        typer.Option(
            "--journal-lag",
            metavar="SECONDS",
            min=0,
            callback=finite_seconds,
            help="Show sent and received messages in the journals this late (Green API: up to about 120).",
        ),
    ] = 0.0,
    quota: Annotated[
        list[str] | None,
        typer.Option(
            "--quota",
            metavar="METHOD=N",
            help="A monthly call limit for a method, e.g. getMessage=5 (repeatable; default: the plan's).",
        ),
    ] = None,
    no_rate_limits: Annotated[
        bool, typer.Option("--no-rate-limits", help="Do not answer 429 when a method is called too often.")
    ] = False,
    tls: Annotated[
        bool,
        typer.Option("--tls", help="Serve HTTPS with a throw-away CA (needs `pip install 'greencli[tls]'`); prints SSL_CERT_FILE and REQUESTS_CA_BUNDLE lines that trust it."),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Serve a local Green API emulator until stopped.

    It listens on 127.0.0.1 only and first prints GREEN_API_URL, GREEN_API_INSTANCE_ID and
    GREEN_API_TOKEN lines for another shell or your own bot (with --tls, also the CA file to
    trust, which is deleted when the sandbox stops). Ctrl-C stops it.

    Example: greencli sandbox --port 7700 --auto-scan 5 > sandbox.env
    """
    from greencli.errors import UsageError
    from greencli.greenapi.credentials import is_digits
    from greencli.sandbox.instance import Options, default_settings, guide_settings
    from greencli.sandbox.server import start

    run = use(ctx, json_output)
    out = run.output
    if run.settings.sandbox:
        raise UsageError(
            "--sandbox runs one command against a throw-away sandbox; it cannot be combined "
            "with `greencli sandbox`.",
            "Run `greencli sandbox` alone to serve a sandbox until stopped.",
        )
    if state not in STATE_CHOICES:
        raise UsageError(f"--state must be one of: {', '.join(STATE_CHOICES)}.", "For example: --state new", code="usage_error")
    if plan not in ("developer", "business"):
        raise UsageError("--plan must be developer or business.", "For example: --plan business", code="usage_error")
    if instance_id is not None and not is_digits(instance_id):
        raise UsageError("--sandbox-instance-id must be digits only.", "For example: --sandbox-instance-id 1101000001", code="usage_error")
    if token is not None:
        from greencli.greenapi.credentials import TOKEN_EXPECTED, token_problem

        why = token_problem(token)  # the rule every client of the sandbox applies
        if why:
            raise UsageError(f"--sandbox-token {why}; greencli would refuse it ({TOKEN_EXPECTED}).", None, code="usage_error")
    limits = None
    if quota:
        from greencli.sandbox.quotas import plan_quotas

        limits = plan_quotas(plan)
        for item in quota:
            name, _, value = item.partition("=")
            if not name.strip() or not value.strip().isdigit():
                raise UsageError(f"--quota {item!r} is not METHOD=N.", "For example: --quota getMessage=5", code="usage_error")
            limits[name.strip()] = int(value)

    options = Options(
        state=state,
        auto_scan=auto_scan,
        plan=plan,
        settings=guide_settings() if guide else default_settings(),
        push_retry_seconds=push_retry,
        journal_lag_seconds=journal_lag,
        quota_limits=limits,
    )
    if instance_id:
        options.instance_id = instance_id
    if token:
        options.token = token
    certificates = None
    if tls:
        from greencli.sandbox.tls import Certificates, MissingTrustme

        try:
            certificates = Certificates()
        except MissingTrustme:
            raise UsageError(
                "--tls needs the trustme library, which is not installed.",
                "Install the extra: pip install 'greencli[tls]'",
                code="usage_error",
            ) from None
    try:
        running = start(options, port=port, rate_limits=not no_rate_limits, certificates=certificates)
    except OSError as error:
        if certificates is not None:
            certificates.close()
        raise UsageError(
            f"Cannot listen on 127.0.0.1:{port}: {error.strerror or error}.",
            "Pick another port with --port, or --port 0 for any free one.",
            code="port_unavailable",
        ) from None
    run.sandbox = running  # stopped by the context when the command ends

    values = {
        "GREEN_API_URL": running.url,
        "GREEN_API_INSTANCE_ID": options.instance_id,
        "GREEN_API_TOKEN": options.token,
    }
    if certificates is not None:
        # Python's ssl, curl and OpenSSL read SSL_CERT_FILE; requests reads REQUESTS_CA_BUNDLE.
        values["SSL_CERT_FILE"] = values["REQUESTS_CA_BUNDLE"] = str(certificates.ca_file)
    # The sandbox's own token is not a secret: printing it is the point of this command.
    if json_output:
        out.raw(json.dumps({**values, "controlUrl": f"{running.url}/sandbox"}) + "\n")
    else:
        out.raw("".join(f"{name}={value}\n" for name, value in values.items()))
        out.progress(
            f"Green API sandbox on {running.url} — instance {options.instance_id}, state {state}, "
            f"{plan} plan. Control endpoint: {running.url}/sandbox (see docs/sandbox.md). "
            "Ctrl-C stops it."
        )
        if certificates is not None:
            out.progress(
                f"HTTPS with a throw-away CA: trust it with SSL_CERT_FILE={certificates.ca_file} "
                f"(curl: --cacert {certificates.ca_file}); the file is deleted when the sandbox stops."
            )

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    while not stopped.wait(0.5):
        pass
