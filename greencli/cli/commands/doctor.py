"""`greencli doctor`: the troubleshooting checklist, each problem with its fix."""

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import STATUS_STYLE, styled
from greencli.cli.result import Result

if TYPE_CHECKING:
    from greencli.cli.context import AppContext
    from greencli.cli.output import Output
    from greencli.config.loader import Resolution
    from greencli.doctor.checks import CheckResult


def doctor(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the details of every check, passing ones too.")] = False,
    junit_xml: Annotated[
        Path | None,
        typer.Option("--junit-xml", metavar="PATH", help="Also write the results as a JUnit XML file (one testcase per check) for CI."),
    ] = None,
    report_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="text (default), json (same as --json) or github: text plus GitHub Actions annotations, "
            "and a job summary when GITHUB_STEP_SUMMARY is set.",
        ),
    ] = "text",
    probe_webhook: Annotated[
        bool,
        typer.Option("--probe-webhook", help="Also POST one sample notification to the instance's webhook URL, as Green API would, and judge the answer."),
    ] = False,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Offer to repair what doctor can (file permissions, .gitignore, notifications, a stuck instance, linking), then check again."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --fix: apply every fix without asking (for scripts).")] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="ID", help="Print what check ID means, why it fails and how to fix it; run nothing."),
    ] = None,
    json_output: JsonOption = False,
) -> Result:
    """Run the whole troubleshooting checklist.

    Each check is shown as it finishes. Exit 0 when nothing failed (warnings allowed), 1 when
    a check failed, 2 when the configuration itself is missing or malformed, 3 when Green API
    could not be reached or did not answer. It never sends a message and never checks a
    number: the free plan's quotas are precious.

    Example: greencli doctor --json   (or: greencli doctor --explain notifications)
    """
    from greencli.cli.reports.emit import check_report_options, emit_reports, refuse_files_in_use
    from greencli.doctor.checks import ORDER, TITLES, run_checks
    from greencli.doctor.document import counts, document, summary_words
    from greencli.doctor.verdict import exit_code

    json_output = check_report_options(report_format, json_output, junit_xml)
    app = use(ctx, json_output)
    out = app.output
    if explain is not None:
        return _explain(out, explain)
    timeout = min(app.timeout(), 10.0)
    instances = app.instances()
    if instances and (fix or probe_webhook):
        from greencli.errors import UsageError

        raise UsageError(
            f"--env-file names {len(instances)} files; {'--fix' if fix else '--probe-webhook'} works on one instance at a time.",
            "Run it with one --env-file for the instance to repair or probe.",
        )
    if instances:
        refuse_files_in_use(junit_xml, app.env_files(), app.cwd)
        return _doctor_several(app, instances, verbose, junit_xml, report_format, timeout)
    resolution = app.resolution()
    refuse_files_in_use(junit_xml, [resolution.env_file], app.cwd)
    title_width = max(len(title) for title in TITLES.values())
    reported: list[str] = []

    with out.steps() as steps:

        def show(result: "CheckResult") -> None:
            reported.append(result.id)
            if not out.json_mode:
                steps.done(lambda: _render_check(out, result, title_width, verbose))
            following = next((TITLES[i] for i in ORDER if i not in reported), None)
            steps.working(f"Checking: {following}…" if following else "")

        steps.working(f"Checking: {TITLES[ORDER[0]]}…")
        results = run_checks(
            resolution,
            app.cwd,
            partial(
                app.new_client,
                timeout=timeout,
                on_retry=lambda notice: (steps.working if steps.live else out.pause_note)(notice.message),
            ),
            timeout,
            on_result=show,
        )
    if probe_webhook:
        probed = _probe_webhook(app, resolution, results)
        results = [*results, probed]
        if not out.json_mode:
            _render_check(out, probed, title_width, verbose)
    fix_records = None
    if fix:
        from greencli.cli.commands.doctor_fix import run_fixes

        fix_records = run_fixes(app, results, resolution, yes, _link(ctx, app))
        if any(record["outcome"] == "applied" for record in fix_records):
            if not out.json_mode:
                out.blank()
                out.line(styled("Checking again:", "bold"))
            app.forget_resolution()
            resolution = app.resolution()
            results = run_checks(
                resolution, app.cwd, partial(app.new_client, timeout=timeout), timeout,
                on_result=lambda result: None if out.json_mode else _render_check(out, result, title_width, verbose),
            )
    data = document(resolution, results)
    if fix_records is not None:
        data["fixes"] = fix_records
    ok = data["ok"]
    tally = counts(results)

    def render() -> None:  # the checks were shown as they finished: the summary
        out.blank()
        summary = summary_words(data["summary"])
        out.line(styled(summary, "green" if ok and not tally["warn"] else ("yellow" if ok else "red")))

    emit_reports(out, data, junit_xml, "text")  # the JUnit file, in every output mode

    def render_with_annotations() -> None:
        render()
        emit_reports(out, data, None, report_format)  # --format github: annotations after the text

    return Result(data, render_with_annotations, exit_code(results))


def _probe_webhook(app: "AppContext", resolution: "Resolution", results: "list[CheckResult]") -> "CheckResult":
    from greencli.doctor.webhook_probe import check_webhook
    from greencli.errors import ApiError

    if any(r.status == "fail" and r.id in ("config", "format", "reachability", "credentials") for r in results):
        return check_webhook(None, "", "the instance could not be asked for its webhook URL")
    credentials = resolution.credentials()
    try:
        settings = app.client().get_settings()
    except ApiError as error:
        return check_webhook(None, credentials.instance_id, f"the settings could not be read ({error.message})")
    with app.output.spinner("Sending a sample notification to the webhook URL…"):
        return check_webhook(settings, credentials.instance_id)


def _link(ctx: typer.Context, app: "AppContext"):  # type: ignore[no-untyped-def]
    """The link fix: `greencli qr` itself, at the terminal."""

    def link() -> str:
        from greencli.cli.commands.qr import qr
        from greencli.cli.result import show

        show(app.output, qr(ctx, once=False, save=None, invert=False, phone=None, wait=150, json_output=False))
        return "the phone is linked"

    return link


def _render_check(out: "Output", result: "CheckResult", title_width: int, verbose: bool) -> None:
    """One check: symbol, title and message, then (for a problem) the fix, its details and
    where it is explained; long text wraps at word boundaries under the message column."""
    from greencli.doctor.explanations import command_for

    problem = result.status in ("warn", "fail")
    indent = " " * (len(out.symbol("pass")) + 1 + title_width + 2)
    first, *rest = out.wrap(result.message, indent)
    out.line(
        styled(f"{out.symbol(result.status)} ", STATUS_STYLE[result.status]),
        styled(f"{result.title:<{title_width}}  ", "bold" if problem else ""),
        first,
    )
    for line in rest:
        out.line(indent + line)
    if result.hint and problem and not out.quiet:
        for number, line in enumerate(out.wrap(f"→ {result.hint}", indent + "  ")):
            out.line(styled((indent if number == 0 else indent + "  ") + line, "cyan"))
    if verbose or problem:
        for detail in result.details:
            for number, line in enumerate(out.wrap(detail, indent + "    ")):
                out.line(styled((indent + "  " if number == 0 else indent + "    ") + line, "dim"))
    if problem and not out.quiet:
        out.line(styled(f"{indent}  more: {command_for(result.id)}", "dim"))


def _explain(out: "Output", check_id: str) -> Result:
    from greencli.doctor.explanations import sections
    from greencli.errors import UsageError

    known = sections()
    if check_id not in known:
        raise UsageError(
            f"There is no doctor check {check_id!r}.",
            f"Choose one of: {', '.join(known)}.",
        )
    return Result({"ok": True, "id": check_id, "explanation": known[check_id]}, lambda: out.raw(known[check_id]))


def _doctor_several(
    app: "AppContext", instances: "list[tuple[str, AppContext]]", verbose: bool, junit_xml: Path | None, report_format: str, timeout: float
) -> Result:
    """One row per instance, then what failed or warned in each; exit code by the combined rule."""
    from greencli.cli.reports import InstanceReport
    from greencli.cli.reports.emit import emit_many
    from greencli.doctor.checks import TITLES
    from greencli.doctor.document import counts, document
    from greencli.doctor.many import run_for_instances
    from greencli.doctor.verdict import combined, exit_code

    out = app.output
    resolutions = [instance.resolution() for _, instance in instances]
    with out.spinner(f"Checking {len(instances)} instances…"):
        all_results = run_for_instances(
            resolutions, app.cwd, partial(app.new_client, timeout=timeout), timeout
        )
    codes = [exit_code(results) for results in all_results]
    documents = [
        {"name": name, "envFile": str(instance.root_options.env_file), "exitCode": int(code), **document(resolution, results)}
        for (name, instance), resolution, results, code in zip(instances, resolutions, all_results, codes, strict=True)
    ]
    final = combined(codes)
    data = {"ok": final == 0, "schemaVersion": 1, "instances": documents}

    def render() -> None:
        rows = [("Instance", "ID", "State", "Failed", "Warnings")]
        for doc, results in zip(documents, all_results, strict=True):
            state = next((r for r in results if r.id == "state"), None)
            state_text = state.message.split(":", 1)[0] if state and state.status != "skip" else "-"
            tally = counts(results)
            rows.append((doc["name"], doc["instanceId"] or "-", state_text, str(tally["fail"]), str(tally["warn"])))
        out.table(rows)
        title_width = max(len(title) for title in TITLES.values())
        for doc, results in zip(documents, all_results, strict=True):
            problems = [r for r in results if r.status in ("warn", "fail")]
            if problems:
                out.blank()
                out.line(styled(f"{doc['name']} ({doc['envFile']}):", "bold"))
                for result in problems:
                    _render_check(out, result, title_width, verbose)
        out.blank()
        healthy = sum(1 for doc in documents if doc["ok"])
        out.line(styled(f"{healthy} of {len(documents)} instances passed", "green" if healthy == len(documents) else "red"))

    reports = [InstanceReport(doc["name"], doc) for doc in documents]
    emit_many(out, reports, junit_xml, "text")  # the JUnit file, in every output mode

    def render_with_annotations() -> None:
        render()
        emit_many(out, reports, None, report_format)  # --format github: annotations after the text

    return Result(data, render_with_annotations, final)
