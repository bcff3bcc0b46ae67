"""Checks of this machine and project, before any network: the configuration, the shape of
the credentials, and whether anything exposes the token."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from greencli.config import git as gitrepo
from greencli.config import loader as config
from greencli.doctor.declaration import Check, Evidence, Gate, Stage
from greencli.doctor.result import Verdict, failed, passed, skipped, warned


def check_config(resolution: config.Resolution) -> Verdict:
    settings = resolution.settings
    details = []
    for variable in config.VARIABLES:
        setting = settings[variable]
        if setting.value is not None:
            details.append(f"{variable}: from {setting.origin}")
    problems = [p for p in resolution.problems if p.code in ("missing_credentials", "env_file_error", "shadowed_variable", "duplicate_variable")]
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return failed(errors[0].message, errors[0].hint, details + [p.message for p in errors[1:]])
    sources = sorted({str(settings[v].origin) for v in (config.INSTANCE_ID, config.TOKEN) if settings[v].origin})
    message = f"Credentials found ({', '.join(sources)})"
    warnings = [p for p in problems if p.level == "warning"]
    if warnings:
        return warned(warnings[0].message, warnings[0].hint, details + [p.message for p in warnings[1:]])
    return passed(message, None, details)


def check_format(resolution: config.Resolution) -> Verdict:
    codes = ("invalid_instance_id", "unusual_instance_id", "invalid_token", "unusual_token", "invalid_api_url", "host_mismatch")
    problems = [p for p in resolution.problems if p.code in codes]
    if resolution.value(config.INSTANCE_ID) is None or resolution.value(config.TOKEN) is None:
        if not problems:
            return skipped("credentials are missing (see Configuration)")
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return failed(errors[0].message, errors[0].hint, [p.message for p in problems[1:]])
    if problems:
        return warned(problems[0].message, problems[0].hint, [p.message for p in problems[1:]])
    return passed("Instance ID, token and API URL look right")


def check_hygiene(env_file: Path | None, token: str | None, cwd: Path) -> Verdict:
    """.env tracked or not ignored by git, readable by others, the token in a tracked file."""
    target = env_file or cwd / ".env"
    shown = os.path.relpath(target, cwd) if target.is_relative_to(cwd) else str(target)
    top = gitrepo.work_tree(target.parent if target.parent.exists() else cwd)
    fails: list[tuple[str, str]] = []
    warns: list[tuple[str, str]] = []
    notes: list[str] = []
    if target.is_file():
        mode = stat.S_IMODE(target.stat().st_mode)
        if mode & 0o077:
            warns.append((f"{shown} can be read by other users (mode {mode:o})", f"chmod 600 {shown}"))
        if top is not None:
            if gitrepo.is_tracked(target):
                fails.append(
                    (f"{shown} is tracked by git: the token is in the repository",
                     f"git rm --cached {shown} && {_ignore_command(target, shown)}, commit, then rotate the token in the console")
                )
            elif not gitrepo.is_ignored(target):
                warns.append((f"{shown} is not in .gitignore: one `git add .` away from being committed", _ignore_command(target, shown)))
    else:
        notes.append(f"no {shown} file (credentials come from elsewhere)")
    if top is not None and token:
        found = gitrepo.tracked_files_containing(top, token) or []
        leaked = [name for name in found if (top / name).resolve() != target.resolve()]
        if leaked:
            fails.append(
                (f"the API token is written in tracked file{'s' if len(leaked) > 1 else ''}: {', '.join(leaked[:3])}",
                 "Remove it from those files (read it from the environment or .env instead), then rotate the token in the console")
            )
    elif top is None:
        notes.append("not a git repository")
    if fails:
        return failed(fails[0][0], fails[0][1], [m for m, _ in fails[1:] + warns] + notes)
    if warns:
        return warned(warns[0][0], warns[0][1], [m for m, _ in warns[1:]] + notes)
    message = f"{shown} is private and ignored by git" if target.is_file() and top is not None else "Nothing exposes the token"
    return passed(message, None, notes)


def _ignore_command(target: Path, shown: str) -> str:
    """The shell line that adds `target` to the .gitignore beside it, anchored and escaped as
    `greencli init` writes it (a name like "#creds" or "!creds" would otherwise be a comment
    or a negation)."""
    line = gitrepo.gitignore_line(target.name) or f"/{target.name}"
    return f"echo {shlex.quote(line)} >> {shlex.quote(os.path.join(os.path.dirname(shown), '.gitignore'))}"


def _hygiene(evidence: Evidence) -> Verdict:
    resolution = evidence.resolution
    return check_hygiene(resolution.env_file, resolution.value(config.TOKEN), evidence.cwd)


CHECKS = (
    Check("config", "Configuration", lambda evidence: check_config(evidence.resolution), Stage.LOCAL, opens=Gate.CONFIGURED),
    Check("format", "Credential format", lambda evidence: check_format(evidence.resolution), Stage.LOCAL, opens=Gate.CONFIGURED),
    Check("hygiene", "Project hygiene", _hygiene, Stage.BESIDE),
)
