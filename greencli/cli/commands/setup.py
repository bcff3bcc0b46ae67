"""`greencli setup`: the whole guide in one command, resuming where the instance stands.

credentials → link → notifications → wait for the settings to apply → (a test message) →
doctor. Each step is done, skipped (and why) or failed (and the fix). Re-running it on an
instance that is set up changes nothing: no setSettings, no message, exit 0.
"""

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from greencli.cli.context import DOCTOR_CALL_LIMIT, JsonOption, RunContext, use
from greencli.cli.output import styled
from greencli.cli.prompts import confirm
from greencli.cli.result import Result

if TYPE_CHECKING:
    from greencli.greenapi.phone_numbers import Recipient

APPLY_WAIT = 300.0  # settings apply within up to 5 minutes (SetSettings page)


class Step(NamedTuple):
    name: str
    outcome: str  # done, skipped or failed
    message: str
    hint: str | None = None


def setup(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option("--url", metavar="URL", help="Push mode: Green API POSTs notifications to this URL.")] = None,
    polling: Annotated[bool, typer.Option("--polling", help="Polling mode: no webhook URL (the default for a new instance).")] = False,
    url_token: Annotated[
        str | None, typer.Option("--url-token", metavar="TOKEN", help="Authorization value Green API sends to the URL (never shown).")
    ] = None,
    send_test: Annotated[
        str | None, typer.Option("--send-test", metavar="PHONE", help="Finish with a test message to this number.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before changing settings (for scripts).")] = False,
    json_output: JsonOption = False,
) -> Result:
    """Run the setup guide end to end, from credentials to a passing doctor.

    Asks for the credentials when there are none (as init does), links the phone unless it is
    linked, switches on the guide's four notification types in one setSettings unless they are
    on, waits for the settings to apply, optionally sends a test message, and ends with
    doctor's summary. Safe to run again: what is done is skipped.

    Example: greencli setup --send-test +79001234567
    """
    from greencli.doctor.document import summary_words
    from greencli.errors import ExitCode, UsageError
    from greencli.greenapi.credentials import check_url_shape
    from greencli.redaction import register

    run = use(ctx, json_output)
    out = run.output
    if url is not None and polling:
        raise UsageError("--url and --polling contradict each other.", "Choose push mode (--url) or polling mode (--polling).")
    if url is not None and (why := check_url_shape(url)):
        raise UsageError(f"The webhook URL {why}.", "Give a full URL such as https://bot.example.com/green-api.", code="invalid_url")
    register(url_token)
    recipient = None
    if send_test is not None:  # a number that cannot be sent to is refused before anything is done
        from greencli.greenapi.phone_numbers import check_refusal, parse_recipient

        recipient = parse_recipient(send_test)
        refusal = check_refusal(recipient)
        if refusal is not None:
            raise refusal
    steps: list[Step] = []

    def record(step: Step) -> Step:
        steps.append(step)
        if not out.json_mode:
            status = {"done": "pass", "skipped": "skip", "failed": "fail"}[step.outcome]
            indent = out.indent + " " * 15  # under the message column
            first, *rest = out.wrap(f"{step.outcome}: {step.message}", indent)
            out.status_line(status, styled(f"{step.name:<14} ", "bold"), first)
            for line in rest:
                out.line(indent + line)
            if step.hint:
                out.line(styled(f"{indent}→ {step.hint}", "cyan"))
        return step

    steps_to_run: list[Callable[[], Step]] = [
        lambda: _credentials(run),
        lambda: _link(run),
        lambda: _notifications(run, url, polling, url_token, yes),
        lambda: _settings_applied(run, steps),
        lambda: _test_message(run, recipient, send_test),
    ]
    for step in steps_to_run:
        if record(step()).outcome == "failed":
            break
    doctor_ok, summary = _doctor(run) if steps[-1].outcome != "failed" else (False, None)
    data: dict[str, Any] = {"ok": doctor_ok, "steps": [step._asdict() for step in steps], "doctor": summary}

    def render() -> None:
        if summary is not None:
            out.blank()
            out.status_line(
                "pass" if doctor_ok else "fail",
                f"doctor: {summary_words(summary)}",
                hint=None if doctor_ok else "Run `greencli doctor` for the details and `greencli doctor --fix` for the repairs.",
            )

    return Result(data, render, ExitCode.OK if doctor_ok else ExitCode.NOT_FINE)


def _credentials(run: RunContext) -> Step:
    from greencli.cli.credentials_setup import write_credentials

    resolution = run.resolution()
    if not resolution.errors:
        where = resolution.settings["GREEN_API_TOKEN"].origin
        return Step("Credentials", "skipped", f"found ({where})")
    if not run.may_prompt():
        raise resolution.errors[0].error()
    written = write_credentials(run, force=False, no_check=False, token_stdin=False)
    run.forget_resolution()
    return Step("Credentials", "done", f"written to {written.path}")


def _link(run: RunContext) -> Step:
    from greencli.cli.linking import LINK_WAIT, link_phone
    from greencli.errors import GreenCliError
    from greencli.greenapi.states import describe_state, format_phone

    client = run.client()
    state = client.get_state_instance()
    if state == "authorized":
        phone = format_phone(client.get_wa_settings().get("phone"))
        return Step("Link", "skipped", f"already linked{' as ' + phone if phone else ''}")
    if state not in ("notAuthorized", None):
        info = describe_state(state)
        return Step("Link", "failed", f"the instance is {info.label}: {info.meaning}", info.action)
    if run.json_mode or not run.may_prompt():
        # Nobody may be looking at this output: say on stderr what is being waited for.
        run.output.line(f"Waiting up to {LINK_WAIT:.0f} s for the phone to be linked: `greencli qr` shows the QR code, "
                        "`greencli qr --phone NUMBER` gives a pairing code.", err=True)
    try:
        # With --json stdout carries setup's one document: the codes are not drawn there.
        linked = link_phone(run, LINK_WAIT, show=not run.json_mode)
    except GreenCliError as error:  # setup still reports the steps before it
        run.output.progress(error.message)
        return Step("Link", "failed", "the phone was not linked", "Run `greencli qr` (or `greencli qr --phone NUMBER`), then `greencli setup` again.")
    return Step("Link", "done", f"the phone is linked{' as ' + linked.phone if linked.phone else ''}")


def _notifications(run: RunContext, url: str | None, polling: bool, url_token: str | None, yes: bool) -> Step:
    from greencli.flows.notification_settings import desired_settings
    from greencli.greenapi.notification_settings import GUIDE_TYPES

    client = run.client()
    current = client.get_settings()
    desired = desired_settings(GUIDE_TYPES, url, polling, url_token)
    changes = {key: value for key, value in desired.items() if current.get(key) != value}
    if not changes:
        return Step("Notifications", "skipped", "the guide's four types are already on")
    said = []
    switched = [key for key in changes if key in GUIDE_TYPES]
    if switched:
        said.append(f"switched on {', '.join(switched)}")
    if "webhookUrl" in changes:
        said.append(f"webhookUrl set to {changes['webhookUrl'] or '(none: polling)'}")
    if "webhookUrlToken" in changes:
        said.append("webhookUrlToken set")
    shown = ", ".join(said)
    if not yes:
        if not run.may_prompt():  # never change the instance without a yes
            return Step("Notifications", "failed", f"not changed ({shown} is needed)", "Run again with --yes to let setup change the settings.")
        if not confirm(run.output, "Switch on the guide's notifications? The instance restarts", default=True):
            return Step("Notifications", "failed", "left as they are", "Run `greencli webhooks enable` when ready.")
    # One setSettings, never repeated: every call restarts the instance
    # (https://green-api.com/en/docs/api/account/SetSettings/).
    client.set_settings(changes)
    return Step("Notifications", "done", f"{shown} (the instance restarts to apply them)")


def _settings_applied(run: RunContext, steps: list[Step]) -> Step:
    from greencli.errors import ApiError
    from greencli.flows.waiting import poll
    from greencli.greenapi.notification_settings import GUIDE_TYPES, is_on

    if steps[-1].outcome != "done":
        return Step("Apply", "skipped", "nothing was changed")
    client = run.client()

    def applied() -> bool:
        # The state first: settings are read only once the instance is back from its restart.
        try:
            return client.get_state_instance() == "authorized" and all(is_on(client.get_settings(), name) for name in GUIDE_TYPES)
        except ApiError:
            return False  # restarting: it answers again in a moment

    with run.output.spinner("Waiting for Green API to apply the settings (up to 5 minutes)…") as say:
        # Paced well under the methods' one call a second: getSettings was called just before.
        _, done = poll(applied, lambda value: value, timeout=APPLY_WAIT, interval=2.0, first_delay=2.0,
                       on_value=lambda value, left: say("Waiting for Green API to apply the settings…", left))
    if not done:
        return Step("Apply", "failed", "the settings have not applied yet", "Settings can take up to 5 minutes: run `greencli setup` again later.")
    return Step("Apply", "done", "the instance is back and the settings are in effect")


def _test_message(run: RunContext, recipient: "Recipient | None", phone: str | None) -> Step:
    from greencli.errors import GreenCliError
    from greencli.flows.test_message import SentBefore, send_test_once

    if recipient is None:
        return Step("Test message", "skipped", "no --send-test PHONE")
    try:
        sent = send_test_once(run.client(), recipient)
    except GreenCliError as error:  # setup still reports the steps before it
        return Step("Test message", "failed", f"not sent: {error.message}", error.hint)
    if isinstance(sent, SentBefore):
        return Step("Test message", "skipped", f"already sent to {phone} (message ID {sent.id_message}, in {sent.where})")
    return Step("Test message", "done", f"sent to {phone} (message ID {sent.id_message})")


def _doctor(run: RunContext) -> tuple[bool, dict[str, int]]:
    from greencli.doctor.document import document
    from greencli.doctor.runner import run_checks

    timeout = min(run.timeout, DOCTOR_CALL_LIMIT)
    with run.output.spinner("Running doctor…"):
        results = run_checks(run.resolution(), run.cwd, partial(run.new_client, timeout=timeout), timeout).results
    data = document(run.resolution(), results)
    return data["ok"], data["summary"]
