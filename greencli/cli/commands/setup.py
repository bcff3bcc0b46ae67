"""`greencli setup`: the whole guide in one command, resuming where the instance stands.

credentials → link → notifications → wait for the settings to apply → (a test message) →
doctor. Each step is done, skipped (and why) or failed (and the fix). Re-running it on an
instance that is set up changes nothing: no setSettings, no message, exit 0.
"""

import sys
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, NamedTuple

import typer

from greencli.cli.context import DOCTOR_CALL_LIMIT, JsonOption, RunContext, use
from greencli.cli.output import styled
from greencli.cli.prompts import confirm
from greencli.cli.result import Result

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

    steps_to_run = [
        lambda: _credentials(ctx, run),
        lambda: _link(ctx, run),
        lambda: _notifications(run, url, polling, url_token, yes),
        lambda: _settings_applied(run, steps),
        lambda: _test_message(ctx, run, send_test),
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


def _quietly(run: RunContext, step: Callable[[], object]) -> int:
    """Run a command's own code as a step: on a terminal it draws as usual (a QR code);
    with --json its output is dropped, so setup prints one document. Its exit code."""
    from greencli.cli.result import show
    from greencli.errors import GreenCliError

    try:
        if run.json_mode:
            with run.output_kept():
                return show(run.output, step())
        return show(run.output, step())
    except typer.Exit as exit_:
        return int(exit_.exit_code or 0)
    except GreenCliError as error:  # the step failed; setup still reports the steps before it
        run.output.progress(f"{error.message}")
        return int(error.exit_code)


def _credentials(ctx: typer.Context, run: RunContext) -> Step:
    from greencli.errors import ConfigError

    resolution = run.resolution()
    if not resolution.errors:
        where = resolution.settings["GREEN_API_TOKEN"].origin
        return Step("Credentials", "skipped", f"found ({where})")
    if not run.may_prompt():
        first = resolution.errors[0]
        raise ConfigError(first.message, first.hint, code=first.code)
    from greencli.cli.commands.init import init

    init(ctx, force=False, no_check=False, token_stdin=False, json_output=False)
    run.forget_resolution()
    return Step("Credentials", "done", f"written to {run.resolution().env_file}")


def _link(ctx: typer.Context, run: RunContext) -> Step:
    from greencli.greenapi.states import describe_state, format_phone

    client = run.client()
    state = client.get_state_instance()
    if state == "authorized":
        phone = format_phone(client.get_wa_settings().get("phone"))
        return Step("Link", "skipped", f"already linked{' as ' + phone if phone else ''}")
    if state not in ("notAuthorized", None):
        info = describe_state(state)
        return Step("Link", "failed", f"the instance is {info.label}: {info.meaning}", info.action)
    from greencli.cli.commands.qr import qr

    if run.json_mode or not run.may_prompt():
        # Nobody may be looking at this output: say on stderr what is being waited for.
        print("Waiting up to 150 s for the phone to be linked: `greencli qr` shows the QR code, "
              "`greencli qr --phone NUMBER` gives a pairing code.", file=sys.stderr, flush=True)
    code = _quietly(run, lambda: qr(ctx, once=False, save=None, invert=False, phone=None, wait=150, json_output=False))
    if code != 0:
        return Step("Link", "failed", "the phone was not linked", "Run `greencli qr` (or `greencli qr --phone NUMBER`), then `greencli setup` again.")
    return Step("Link", "done", "the phone is linked")


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
        if not confirm("Switch on the guide's notifications? The instance restarts", default=True):
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

    with run.output.spinner("Waiting for Green API to apply the settings (up to 5 minutes)…"):
        # Paced well under the methods' one call a second: getSettings was called just before.
        _, done = poll(applied, lambda value: value, timeout=APPLY_WAIT, interval=2.0, first_delay=2.0)
    if not done:
        return Step("Apply", "failed", "the settings have not applied yet", "Settings can take up to 5 minutes: run `greencli setup` again later.")
    return Step("Apply", "done", "the instance is back and the settings are in effect")


def _test_message(ctx: typer.Context, run: RunContext, phone: str | None) -> Step:
    if phone is None:
        return Step("Test message", "skipped", "no --send-test PHONE")
    from greencli.cli.commands.send_test import send_test

    code = _quietly(run, lambda: send_test(ctx, phone=phone, message=None, no_check=False, wait=None, json_output=False))
    if code != 0:
        return Step("Test message", "failed", "not sent", f"Run `greencli send-test {phone}` for the details.")
    return Step("Test message", "done", f"sent to {phone}")


def _doctor(run: RunContext) -> tuple[bool, dict[str, int]]:
    from greencli.doctor.document import document
    from greencli.doctor.runner import run_checks

    timeout = min(run.timeout, DOCTOR_CALL_LIMIT)
    with run.output.spinner("Running doctor…"):
        results = run_checks(run.resolution(), run.cwd, partial(run.new_client, timeout=timeout), timeout).results
    data = document(run.resolution(), results)
    return data["ok"], data["summary"]
