"""`doctor --fix`: offer each safe repair, apply what was agreed, then check again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from greencli.cli.output import styled
from greencli.cli.prompts import confirm

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.config.loader import Resolution
    from greencli.doctor.fixes import Fix
    from greencli.doctor.result import CheckResult

AFTER_RESTART = 60.0  # how long to wait for the instance to come back after settings or a reboot


def run_fixes(
    run: RunContext,
    results: Sequence[CheckResult],
    resolution: Resolution,
    yes: bool,
    link: Callable[[], str] | None,
) -> list[dict[str, Any]]:
    """Offer and apply the fixes for `results`; what happened to each, for the report."""
    from greencli.doctor.fixes import plan
    from greencli.errors import GreenCliError

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


def _decide(run: RunContext, fix: Fix, yes: bool) -> tuple[str, str]:
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
    if confirm(f"Fix: {fix.description}?", default=True):
        return "apply", ""
    return "declined", "left as it is"


def _wait_until_back(run: RunContext) -> None:
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
