"""`greencli doctor`: the troubleshooting checklist, each problem with its fix."""

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.context import DOCTOR_CALL_LIMIT, JsonOption, use
from greencli.cli.instances import several_instances
from greencli.cli.output import STATUS_STYLE, styled
from greencli.cli.prompts import confirm
from greencli.cli.result import Result

if TYPE_CHECKING:
    from collections.abc import Sequence

    from greencli.cli.context import RunContext
    from greencli.cli.output import Output
    from greencli.config.loader import Resolution
    from greencli.doctor.bundle import RunRecord
    from greencli.doctor.fixes import Fix
    from greencli.doctor.result import CheckResult
    from greencli.doctor.runner import Checkup


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
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            metavar="PATH",
            help="Also write a zip for a Green API support ticket: the results, versions, the instance's settings and "
            "state history, the run's timings and errors; secrets masked (docs/ci.md says what it holds).",
        ),
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
    from greencli.cli.reports.emit import check_report_options, check_writable, refuse_files_in_use
    from greencli.doctor.bundle import RunRecord
    from greencli.doctor.checks import ORDER, TITLES
    from greencli.doctor.runner import run_checks

    run_record = RunRecord()  # for --bundle: when it started, its retries
    json_output = check_report_options(report_format, json_output, junit_xml)
    if bundle is not None:
        check_writable(bundle, "--bundle")
    run = use(ctx, json_output)
    out = run.output
    if explain is not None:
        return _explain(out, explain)
    timeout = min(run.timeout, DOCTOR_CALL_LIMIT)
    instances = several_instances(run)
    if instances and (fix or probe_webhook or bundle is not None):
        from greencli.errors import UsageError

        one = "--fix" if fix else "--probe-webhook" if probe_webhook else "--bundle"
        raise UsageError(
            f"--env-file names {len(instances)} files; {one} works on one instance at a time.",
            "Run it with one --env-file for the instance to repair, probe or bundle.",
        )
    if instances:
        refuse_files_in_use(junit_xml, [instance.env_file() for _, instance in instances], run.cwd)
        return _doctor_several(run, instances, verbose, junit_xml, report_format, timeout)
    resolution = run.resolution()
    refuse_files_in_use(junit_xml, [resolution.env_file], run.cwd)
    refuse_files_in_use(bundle, [resolution.env_file], run.cwd, "--bundle")
    title_width = max(len(title) for title in TITLES.values())
    opt_in = ("webhook",) if probe_webhook else ()
    order = [*ORDER, *opt_in]
    reported: list[str] = []

    with out.steps() as steps:

        def show(result: "CheckResult") -> None:
            reported.append(result.id)
            if not out.json_mode:
                steps.done(lambda: _render_check(out, result, title_width, verbose))
            following = next((TITLES[i] for i in order if i not in reported), None)
            steps.working(f"Checking: {following}…" if following else "")

        steps.working(f"Checking: {TITLES[order[0]]}…")
        checkup = run_checks(
            resolution,
            run.cwd,
            partial(
                run.new_client,
                timeout=timeout,
                on_retry=lambda notice: (steps.working if steps.live else out.pause_note)(run_record.retried(notice.message)),
            ),
            timeout,
            on_result=show,
            on_progress=lambda text: steps.working(text) if steps.live else out.progress(text),
            opt_in=opt_in,
        )
    results = checkup.results
    fix_records = None
    if fix:
        fix_records = _run_fixes(run, results, resolution, yes)
        if any(record["outcome"] == "applied" for record in fix_records):
            if not out.json_mode:
                out.blank()
                out.line(styled("Checking again:", "bold"))
            run.forget_resolution()
            resolution = run.resolution()
            checkup = run_checks(
                resolution, run.cwd, partial(run.new_client, timeout=timeout, on_retry=lambda notice: out.pause_note(run_record.retried(notice.message))), timeout,
                on_result=lambda result: None if out.json_mode else _render_check(out, result, title_width, verbose),
            )
            results = checkup.results
    outcome = _report(out, resolution, results, fix_records, junit_xml, report_format)
    if bundle is None or outcome.data is None:
        return outcome
    _write_bundle(bundle, outcome.data, resolution, checkup, run_record)

    def render_and_say_where() -> None:
        outcome.render()
        out.line(f"Wrote {bundle} for a Green API support ticket (secrets masked; readable by you only).")

    return Result({**outcome.data, "bundle": str(bundle)}, render_and_say_where, outcome.exit_code)


def _write_bundle(path: Path, data: "dict[str, Any]", resolution: "Resolution", checkup: "Checkup", run_record: "RunRecord") -> None:
    from greencli.doctor import bundle
    from greencli.errors import UsageError

    files = bundle.contents(data, resolution, checkup.results, checkup.answers, run_record)
    try:
        bundle.write(path, bundle.archive(files, run_record.started))
    except OSError as error:
        raise UsageError(f"--bundle {path} could not be written ({error.strerror or error}).", "Choose another path.", code="invalid_path") from None


# -- --fix ------------------------------------------------------------------------------------

AFTER_RESTART = 60.0  # how long to wait for the instance to come back after settings or a reboot


def _run_fixes(run: "RunContext", results: "Sequence[CheckResult]", resolution: "Resolution", yes: bool) -> list[dict[str, Any]]:
    """--fix: offer the safe repairs for `results` and apply those agreed to (never without a
    yes, given here or at the terminal); what happened to each, for the report."""
    from greencli.doctor.fixes import plan
    from greencli.errors import GreenCliError

    def link() -> str:  # the link fix: the QR code at the terminal, as `greencli qr` shows it
        from greencli.cli.linking import link_phone

        link_phone(run)
        return "the phone is linked"

    out = run.output
    client = None
    if not any(r.status == "fail" and r.id in ("config", "format", "credentials", "reachability") for r in results):
        client = run.client
    fixes = plan(results, resolution.env_file, run.cwd, client, link)
    records: list[dict[str, Any]] = []
    if not fixes:
        out.progress("doctor --fix: nothing here that greencli can repair by itself.")
        return records
    if not out.json_mode:
        out.blank()
        out.line(styled("Fixes:", "bold"))
    for fix in fixes:
        outcome, message = _decide(run, fix, yes)
        if outcome == "apply":
            try:
                message = fix.apply()
                outcome = "applied"
            except (GreenCliError, OSError) as error:
                outcome, message = "failed", str(getattr(error, "message", error))
        records.append({"id": fix.id, "check": fix.check_id, "description": fix.description, "outcome": outcome, "message": message})
        if not out.json_mode:
            status = {"applied": "pass", "failed": "fail"}.get(outcome, "skip")
            out.status_line(status, message if outcome == "applied" else f"{fix.description}: {message}")
    if client is not None and any(r["outcome"] == "applied" and r["id"] in ("notifications", "reboot") for r in records):
        _wait_until_back(run)
    return records


def _decide(run: "RunContext", fix: "Fix", yes: bool) -> tuple[str, str]:
    """apply, or why not: never without a yes, given here or at the terminal."""
    out = run.output
    if fix.interactive_only and not run.may_prompt():
        return "skipped", "needs a person at a terminal (run `greencli qr`)"
    if fix.warning and not out.json_mode:
        out.warn(fix.warning)
    if yes:
        return "apply", ""
    if not run.may_prompt():
        return "skipped", "not applied: confirm with --yes, or run at a terminal"
    if confirm(run.output, f"Fix: {fix.description}?", default=True):
        return "apply", ""
    return "declined", "left as it is"


def _wait_until_back(run: "RunContext") -> None:
    """Settings and reboots restart the instance: check again once it is authorized (or not
    after a while, when the re-check will say so)."""
    from greencli.errors import ApiError
    from greencli.flows.waiting import poll

    def state() -> str | None:
        try:
            return run.client().get_state_instance()
        except ApiError:
            return None

    with run.output.spinner("Waiting for the instance to restart…"):
        poll(state, lambda value: value == "authorized", timeout=AFTER_RESTART, interval=2.0, first_delay=1.0)


def _report(
    out: "Output",
    resolution: "Resolution",
    results: "list[CheckResult]",
    fix_records: "list[dict[str, Any]] | None",
    junit_xml: Path | None,
    report_format: str,
) -> Result:
    """The checks were shown as they finished: the summary, the JSON document and CI reports."""
    from greencli.cli.reports import InstanceReport
    from greencli.cli.reports.emit import emit_many
    from greencli.config.loader import API_URL, INSTANCE_ID
    from greencli.doctor.document import document
    from greencli.doctor.result import Tally
    from greencli.doctor.verdict import exit_code

    data = document(resolution, results)
    if fix_records is not None:
        data["fixes"] = fix_records
    tally = Tally.of(results)
    ok = tally.failed == 0

    def render() -> None:
        out.blank()
        out.line(styled(tally.words(), "green" if ok and not tally.warnings else ("yellow" if ok else "red")))

    instance_id = resolution.value(INSTANCE_ID)
    report = InstanceReport(instance_id or "instance", results, instance_id, resolution.value(API_URL))
    emit_many(out, [report], junit_xml, "text")  # the JUnit file, in every output mode

    def render_with_annotations() -> None:
        render()
        emit_many(out, [report], None, report_format)  # --format github: annotations after the text

    return Result(data, render_with_annotations, exit_code(results))


def _render_check(out: "Output", result: "CheckResult", title_width: int, verbose: bool) -> None:
    """One check: symbol, title and message, then (for a problem) the fix, its details and
    where it is explained; long text wraps at word boundaries under the message column."""
    from greencli.doctor.explanations import command_for

    problem = result.status.is_problem
    indent = " " * (len(out.symbol("pass")) + 1 + title_width + 2)
    first, *rest = out.wrap(result.message, indent)
    out.line(
        styled(f"{out.symbol(result.status.value)} ", STATUS_STYLE[result.status.value]),
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
    run: "RunContext", instances: "list[tuple[str, RunContext]]", verbose: bool, junit_xml: Path | None, report_format: str, timeout: float
) -> Result:
    """One row per instance, then what failed or warned in each; exit code by the combined rule."""
    from greencli.cli.reports import InstanceReport
    from greencli.cli.reports.emit import emit_many
    from greencli.config.loader import API_URL, INSTANCE_ID
    from greencli.doctor.checks import TITLES
    from greencli.doctor.document import document, several
    from greencli.doctor.many import run_for_instances
    from greencli.doctor.result import Tally
    from greencli.doctor.verdict import combined, exit_code

    out = run.output
    resolutions = [instance.resolution() for _, instance in instances]
    with out.spinner(f"Checking {len(instances)} instances…"):
        checkups = run_for_instances(resolutions, run.cwd, partial(run.new_client, timeout=timeout), timeout)
    codes = [exit_code(checkup.results) for checkup in checkups]
    reports = [
        InstanceReport(name, checkup.results, resolution.value(INSTANCE_ID), resolution.value(API_URL))
        for (name, _), resolution, checkup in zip(instances, resolutions, checkups, strict=True)
    ]
    env_files = [str(instance.env_file()) for _, instance in instances]
    final = combined(codes)
    data = several(final == 0, [
        {"name": report.name, "envFile": env_file, "exitCode": int(code), **document(resolution, report.results)}
        for report, env_file, resolution, code in zip(reports, env_files, resolutions, codes, strict=True)
    ])

    def render() -> None:
        rows = [("Instance", "ID", "State", "Failed", "Warnings")]
        for report, checkup in zip(reports, checkups, strict=True):
            tally = Tally.of(report.results)
            rows.append((report.name, report.instance_id or "-", checkup.state_label or "-", str(tally.failed), str(tally.warnings)))
        out.table(rows)
        title_width = max(len(title) for title in TITLES.values())
        for report, env_file in zip(reports, env_files, strict=True):
            problems = [result for result in report.results if result.status.is_problem]
            if problems:
                out.blank()
                out.line(styled(f"{report.name} ({env_file}):", "bold"))
                for result in problems:
                    _render_check(out, result, title_width, verbose)
        out.blank()
        healthy = sum(1 for report in reports if report.ok)
        out.line(styled(f"{healthy} of {len(reports)} instances passed", "green" if healthy == len(reports) else "red"))

    emit_many(out, reports, junit_xml, "text")  # the JUnit file, in every output mode

    def render_with_annotations() -> None:
        render()
        emit_many(out, reports, None, report_format)  # --format github: annotations after the text

    return Result(data, render_with_annotations, final)
