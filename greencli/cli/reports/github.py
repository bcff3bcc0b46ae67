"""Doctor's results as GitHub Actions workflow commands and a job summary.

Failures become `::error` and warnings `::warning` annotations, each with its fix. Escaping
follows the runner's rules for workflow commands
(https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions): in the
message `%`, CR and LF are percent-encoded; in property values also `:` and `,`. Without this,
a newline in a server's answer would end the command and start another one. Text from outside
inside a command cannot hold `##[` either (greencli.cli.workflow_commands).

The job summary is Markdown that GitHub renders: text from outside is written so that it stays
text (HTML escaped, Markdown's own characters and the `:` of a URL or the `@` of an address
backslash-escaped, so nothing becomes a link, an image or a tag).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from greencli.cli.output import visible
from greencli.cli.reports import InstanceReport
from greencli.cli.workflow_commands import inert_inside
from greencli.doctor.result import Status

_LEVEL = {Status.FAIL: "error", Status.WARN: "warning"}
_MARK = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}
# Markdown's punctuation, and what GitHub's autolinks start from: the ':' of a scheme and the
# '.' after "www" (backslash-escaped, they end the run an autolink is looked for in). An
# address's '@' is found even escaped, so a zero-width space (as an entity) goes before it.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()|~!:#<>])")
_WWW = re.compile(r"(?i)\b(www)\.")
_NO_ADDRESS = "&#8203;@"


def escape_data(text: str) -> str:
    return inert_inside(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_lines(reports: Sequence[InstanceReport]) -> list[str]:
    """One workflow command per failed or warning check."""
    several = len(reports) > 1
    lines = []
    for report in reports:
        for check in report.checks():
            level = _LEVEL.get(check.status)
            if level is None:
                continue
            title = f"greencli doctor: {check.title or check.id}"
            if several:
                title += f" ({report.name})"
            message = check.message
            if check.hint:
                message += f"\nFix: {check.hint}"
            lines.append(f"::{level} title={escape_property(title)}::{escape_data(message)}")
    return lines


def summary(reports: Sequence[InstanceReport]) -> str:
    """A Markdown job summary: one table row per check, per instance."""
    parts = ["## greencli doctor", ""]
    for report in reports:
        verdict = "healthy" if report.ok else "needs attention"
        parts.append(f"### {_cell(report.name)}: {verdict}")
        parts.append("")
        if report.unusable is not None:
            parts.append(f"Could not be checked: {_cell(report.unusable.message)}")
            parts.append("")
            continue
        parts.append(report.tally.words())
        parts.append("")
        parts.append("| | Check | Result | Fix |")
        parts.append("|---|---|---|---|")
        for check in report.results:
            fix = check.hint if check.status.is_problem else ""
            parts.append(f"| {_MARK[check.status]} | {_cell(check.title)} | {_cell(check.message)} | {_cell(fix or '')} |")
        parts.append("")
    return "\n".join(parts) + "\n"


def _cell(text: str) -> str:
    """Untrusted text (a server's answer) as inert Markdown: no HTML, links, images or table
    breaks; controls and bidi characters shown as escapes, as on a terminal."""
    text = " ".join(visible(str(text)).split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    return _WWW.sub(r"\1\\.", text).replace("@", _NO_ADDRESS)
