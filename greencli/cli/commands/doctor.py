"""`greencli doctor`: the troubleshooting checklist, each problem with its fix."""

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from greencli.cli.context import DOCTOR_CALL_LIMIT, JsonOption, use
from greencli.cli.instances import several_instances
from greencli.cli.output import STATUS_STYLE, styled
from greencli.cli.result import Result

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.cli.output import Output
    from greencli.config.loader import Resolution
    from greencli.doctor.bundle import RunRecord
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
        from greencli.cli.commands.doctor_fix import run_fixes

        fix_records = run_fixes(run, results, resolution, yes, _link(ctx, run))
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


def _link(ctx: typer.Context, run: "RunContext"):  # type: ignore[no-untyped-def]
    """The link fix: `greencli qr` itself, at the terminal."""

    def link() -> str:
        from greencli.cli.commands.qr import qr
        from greencli.cli.result import show

        show(run.output, qr(ctx, once=False, save=None, invert=False, phone=None, wait=150, json_output=False))
        return "the phone is linked"

    return link


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
