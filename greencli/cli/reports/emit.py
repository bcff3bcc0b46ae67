"""Writing doctor's CI reports next to its usual output: --junit-xml and --format github."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from greencli.cli.output import Output
from greencli.cli.reports import InstanceReport
from greencli.errors import UsageError
from greencli.redaction import redact

FORMATS = ("text", "json", "github")


def check_report_options(report_format: str, json_output: bool, junit_xml: Path | None) -> bool:
    """Validate --format and --junit-xml before any request; return whether output is JSON."""
    if report_format not in FORMATS:
        raise UsageError(
            f"--format must be one of {', '.join(FORMATS)}, not {report_format!r}.",
            "For example: greencli doctor --format github",
            code="usage_error",
        )
    if json_output and report_format not in ("text", "json"):
        raise UsageError(f"--json and --format {report_format} contradict each other.", "Choose one of them.", code="usage_error")
    if junit_xml is not None:
        check_writable(junit_xml)
    return json_output or report_format == "json"


def emit_many(out: Output, reports: Sequence[InstanceReport], junit_xml: Path | None, report_format: str) -> None:
    if junit_xml is not None:
        from greencli.cli.reports import junit
        from greencli.config.atomic_files import write_atomically

        write_atomically(junit_xml, redact(junit.render(reports).decode("utf-8")).encode("utf-8"))
    if report_format == "github":
        from greencli.cli.reports import github

        for line in github.annotation_lines(reports):
            out.workflow_command(line)
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            try:
                with open(summary_file, "a", encoding="utf-8") as handle:
                    handle.write(redact(github.summary(reports)))
            except OSError as error:  # the annotations and the result still stand
                out.warn(f"Could not write the job summary to GITHUB_STEP_SUMMARY ({error.strerror or error}).")


# Files the Actions runner reads after the step and acts on (environment variables, outputs,
# PATH entries, state): a report written over one would let its text set them
# (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
_RUNNER_FILES = ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY")


def refuse_files_in_use(junit_xml: Path | None, env_files: Sequence[Path | None], cwd: Path, option: str = "--junit-xml") -> None:
    """--junit-xml (or --bundle) never replaces the env file the credentials come from
    (`doctor --junit-xml .env` would put XML in place of the token), nor a file the CI runner
    acts on."""
    if junit_xml is None:
        return
    target = junit_xml if junit_xml.is_absolute() else cwd / junit_xml
    for env_file in env_files:
        if env_file is not None and _same_file(target, env_file if env_file.is_absolute() else cwd / env_file):
            raise UsageError(
                f"{option} {junit_xml} is the env file this run reads its credentials from; the report would replace them.",
                f"Give the report a file of its own, e.g. {option} {_EXAMPLE[option]}",
                code="invalid_path",
            )
    for variable in _RUNNER_FILES:
        runner_file = os.environ.get(variable)
        if runner_file and _same_file(target, Path(runner_file)):
            raise UsageError(
                f"{option} {junit_xml} is the file named by {variable}, which the CI runner reads and acts on.",
                f"Give the report a file of its own, e.g. {option} {_EXAMPLE[option]}",
                code="invalid_path",
            )


def _same_file(one: Path, other: Path) -> bool:
    try:
        if one.exists() and other.exists():
            return os.path.samefile(one, other)
        return os.path.realpath(one) == os.path.realpath(other)
    except OSError:
        return False


_EXAMPLE = {"--junit-xml": "doctor.xml", "--bundle": "greencli-support.zip"}


def check_writable(path: Path, option: str = "--junit-xml") -> None:
    """A report file may replace only a plain file, in a directory that can be written."""
    example = f"{option} {_EXAMPLE[option]}"
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{option} {path} is a directory.", f"Give a file name, e.g. {example}", code="invalid_path")
    # The report replaces the file whole (written beside it, then renamed): a link or a
    # device there would be replaced by a plain file, so only a plain file is overwritten.
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UsageError(
            f"{option} {path} is not a plain file (a link or a device), and greencli would replace it.",
            f"Give the path of a plain file, e.g. {example}",
            code="invalid_path",
        )
    if not directory.is_dir() or not os.access(directory, os.W_OK):
        raise UsageError(
            f"{option} {path}: the directory {directory} does not exist or is not writable.",
            "Create it first, or choose another path.",
            code="invalid_path",
        )
