"""`greencli doctor`: the troubleshooting checklist, each problem with its fix."""

from pathlib import Path
from typing import Annotated

import typer

from greencli.cli.context import JsonOption, use
from greencli.cli.output import STATUS_STYLE, styled


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
    json_output: JsonOption = False,
) -> None:
    """Run the whole troubleshooting checklist.

    Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when the
    configuration itself is missing or malformed. It never sends a message and never checks a
    number: the free plan's quotas are precious.

    Example: greencli doctor --json
    """
    from greencli.cli.reports.emit import check_report_options, emit_reports
    from greencli.doctor.checks import DOCS, run_checks
    from greencli.greenapi.client import GreenApiClient

    json_output = check_report_options(report_format, json_output, junit_xml)
    app = use(ctx, json_output)
    out = app.output
    timeout = min(app.timeout(), 10.0)
    resolution = app.resolution()
    with out.spinner("Running checks…") as update:
        results = run_checks(
            resolution,
            app.cwd,
            lambda credentials: GreenApiClient(credentials, timeout=timeout),
            timeout,
            on_progress=update,
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

    def render() -> None:
        width = max(len(r.title) for r in results)
        indent = " " * (len(out.symbol("pass")) + 1 + width + 2)  # under the message column
        for result in results:
            out.line(
                styled(f"{out.symbol(result.status)} ", STATUS_STYLE[result.status]),
                styled(f"{result.title:<{width}}  ", "bold" if result.status in ("warn", "fail") else ""),
                result.message,
            )
            if result.hint and result.status in ("warn", "fail"):
                out.line(styled(f"{indent}→ {result.hint}", "cyan"))
            if verbose or result.status in ("warn", "fail"):
                for detail in result.details:
                    out.line(styled(f"{indent}  {detail}", "dim"))
        out.blank()
        summary = f"{counts['pass']} passed, {counts['warn']} warning{'s' if counts['warn'] != 1 else ''}, {counts['fail']} failed"
        if counts["skip"]:
            summary += f", {counts['skip']} skipped"
        out.line(styled(summary, "green" if ok and not counts["warn"] else ("yellow" if ok else "red")))
        if not ok or counts["warn"]:
            out.line(styled(f"Each check is explained in greencli's {DOCS} (the section named by its id).", "dim"))

    out.result(data, render)
    emit_reports(out, data, junit_xml, report_format)
    # The contract's exit 2: the configuration is wrong before any request could be made.
    config_failed = any(r.status == "fail" and r.id in ("config", "format") for r in results)
    raise typer.Exit(2 if config_failed else (0 if ok else 1))
