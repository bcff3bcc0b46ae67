"""Project hygiene: whether anything in the project, or in its git history, exposes the token.

The .env that holds it must be private and out of git; no tracked file may hold it; and no
commit may hold it either: a token that one commit added and a later one removed is still in
every clone and every push. History is searched within a deadline (a long history must not
make doctor slow), and a search that runs out says "not checked" instead of passing. Rotation,
not rewriting history, is what makes a published token harmless (`greencli token rotate`).
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from greencli.config import git as gitrepo
from greencli.config import loader as config
from greencli.config.git_history import HistorySearch, Leak, find_in_history
from greencli.doctor.declaration import Check, Evidence, Stage
from greencli.doctor.result import Verdict, failed, passed, warned
from greencli.greenapi.credentials import token_problem

HISTORY_SECONDS = 2.0  # at most, for the search of git history (it runs beside the network)
ROTATE = "Rotate the token, so that what was published opens nothing: greencli token rotate"
NAMED = 3  # commits and files named in the message; the rest in the details


def check_hygiene(env_file: Path | None, token: str | None, cwd: Path, history_seconds: float = HISTORY_SECONDS) -> Verdict:
    """.env tracked or not ignored by git, readable by others; the token in a tracked file or
    in a commit of the history."""
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
                # Already listed in .gitignore (git ignores no tracked file): untracking is enough.
                ignore = "" if gitrepo.is_listed(target) else f" && {_ignore_command(target, shown)}"
                fails.append(
                    (f"{shown} is tracked by git: the token is in the repository",
                     f"git rm --cached {shown}{ignore}, commit, then rotate the token: greencli token rotate")
                )
            elif not gitrepo.is_ignored(target):
                warns.append((f"{shown} is not in .gitignore: one `git add .` away from being committed", _ignore_command(target, shown)))
    else:
        notes.append(f"no {shown} file (credentials come from elsewhere)")
    if top is None:
        notes.append("not a git repository")
    elif token and token_problem(token) is None:
        found = gitrepo.tracked_files_containing(top, token) or []
        leaked = [name for name in found if (top / name).resolve() != target.resolve()]
        if leaked:
            fails.append((f"the API token is written in tracked file{'s' if len(leaked) > 1 else ''}: {_some(leaked)}",
                          "Read it from the environment or the ignored .env instead, then rotate it: greencli token rotate"))
        history = find_in_history(top, token, history_seconds)
        if history is None:
            notes.append("git history: not checked (git could not read it)")
        elif not history.complete:
            notes.append(f"git history: not checked (searching it takes more than {history_seconds:g} s; "
                         "a commit that once held the token would still publish it)")
        elif history.leaks:
            fails.append((_history_message(history), ROTATE))
            notes.extend(_history_details(history.leaks))
    if fails:
        return failed(fails[0][0], fails[0][1], [m for m, _ in fails[1:] + warns] + notes)
    if warns:
        return warned(warns[0][0], warns[0][1], [m for m, _ in warns[1:]] + notes)
    message = f"{shown} is private and ignored by git" if target.is_file() and top is not None else "Nothing exposes the token"
    if any(note.startswith("git history: not checked") for note in notes):
        message += "; git history not checked"
    return passed(message, None, notes)


def _history_message(history: HistorySearch) -> str:
    """"the API token is in git history: commit a1b2c3d added it (config.py), e4f5a6b removed it"."""
    said = []
    for leak in history.leaks[:NAMED]:
        if leak.how == "message":
            said.append(f"commit {leak.commit}'s message holds it")
        else:
            said.append(f"commit {leak.commit} {leak.how} it ({leak.path})")
    more = len(history.leaks) - NAMED
    return ("the API token is in git history, which every clone and push publishes: " + "; ".join(said)
            + (f"; and {more} more" if more > 0 else ""))


def _history_details(leaks: list[Leak]) -> list[str]:
    return [f"git history: commit {leak.commit} {leak.how if leak.how != 'message' else 'holds it in its message'}"
            + (f" {leak.path}" if leak.path else "") for leak in leaks]


def _some(names: list[str]) -> str:
    return ", ".join(names[:NAMED]) + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")


def _ignore_command(target: Path, shown: str) -> str:
    """The shell line that adds `target` to the .gitignore beside it, anchored and escaped as
    `greencli init` writes it (a name like "#creds" or "!creds" would otherwise be a comment
    or a negation)."""
    line = gitrepo.gitignore_line(target.name) or f"/{target.name}"
    return f"echo {shlex.quote(line)} >> {shlex.quote(os.path.join(os.path.dirname(shown), '.gitignore'))}"


def _hygiene(evidence: Evidence) -> Verdict:
    resolution = evidence.resolution
    return check_hygiene(resolution.env_file, resolution.value(config.TOKEN), evidence.cwd)


CHECKS = (Check("hygiene", "Project hygiene", _hygiene, Stage.BESIDE),)
