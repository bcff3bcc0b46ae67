"""`greencli doctor`: the troubleshooting checklist, each problem with its fix."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import STATUS_STYLE, styled

if TYPE_CHECKING:
    from greencli.cli.output import Output
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
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="ID", help="Print what check ID means, why it fails and how to fix it; run nothing."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Run the whole troubleshooting checklist.

    Each check is shown as it finishes. Exit 0 when nothing failed (warnings allowed), 1 when
    a check failed, 2 when the configuration itself is missing or malformed, 3 when Green API
    could not be reached or did not answer. It never sends a message and never checks a
    number: the free plan's quotas are precious.

    Example: greencli doctor --json   (or: greencli doctor --explain notifications)
    """
    from greencli.cli.reports.emit import check_report_options, emit_reports
    from greencli.doctor.checks import ORDER, TITLES, run_checks
    from greencli.greenapi.client import GreenApiClient

    json_output = check_report_options(report_format, json_output, junit_xml)
    app = use(ctx, json_output)
    out = app.output
    if explain is not None:
        _explain(out, explain)
        return
    timeout = min(app.timeout(), 10.0)
    resolution = app.resolution()
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
            lambda credentials: GreenApiClient(credentials, timeout=timeout),
            timeout,
            on_result=show,
        )
    counts = {status: sum(1 for r in results if r.status == status) for status in ("pass", "warn", "fail", "skip")}
    ok = counts["fail"] == 0
    data = {
        "ok": ok,
        "schemaVersion": 1,
        "instanceId": resolution.value("GREEN_API_INSTANCE_ID"),
        "apiUrl": resolution.value("GREEN_API_URL"),
        "summary": {"passed": counts["pass"], "warnings": counts["warn"], "failed": counts["fail"], "skipped": counts["skip"]},
        "checks": [r.to_json() for r in results],
    }

    def render() -> None:  # the checks were shown as they finished: the summary
        out.blank()
        summary = f"{counts['pass']} passed, {counts['warn']} warning{'s' if counts['warn'] != 1 else ''}, {counts['fail']} failed"
        if counts["skip"]:
            summary += f", {counts['skip']} skipped"
        out.line(styled(summary, "green" if ok and not counts["warn"] else ("yellow" if ok else "red")))

    out.result(data, render)
    emit_reports(out, data, junit_xml, report_format)
    # The contract's exit 2: the configuration is wrong before any request could be made.
    # 3 when Green API could not be reached or did not answer: CI can tell an outage from a
    # broken instance (1).
    config_failed = any(r.status == "fail" and r.id in ("config", "format") for r in results)
    outage = any(r.status == "fail" and r.outage for r in results)
    raise typer.Exit(2 if config_failed else 3 if outage else (0 if ok else 1))


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


def _explain(out: "Output", check_id: str) -> None:
    from greencli.doctor.explanations import sections
    from greencli.errors import UsageError

    known = sections()
    if check_id not in known:
        raise UsageError(
            f"There is no doctor check {check_id!r}.",
            f"Choose one of: {', '.join(known)}.",
        )
    if out.json_mode:
        out.json_document({"ok": True, "id": check_id, "explanation": known[check_id]})
    else:
        out.raw(known[check_id])
