"""`doctor --fix`: the repairs that are safe to make automatically, found and applied.

Each fix looks at the world again itself (the file's mode, git's view, the instance's settings
and state) rather than reading doctor's messages, and only for checks that warned or failed.
After fixes are applied, doctor runs the checks again and reports what is now fixed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.config import git as gitrepo
from greencli.config.file_identity import (
    ChangedSincePlanned,
    Identity,
    identity,
    open_directory,
    open_planned_file,
    still_the_same,
)
from greencli.doctor.result import CheckResult
from greencli.errors import ApiError
from greencli.greenapi.notification_settings import GUIDE_TYPES, is_on

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient


class Fix(NamedTuple):
    id: str
    check_id: str  # the doctor check it repairs
    description: str  # what it will do, shown before it is done
    apply: Callable[[], str]  # does it; returns what was done
    warning: str | None = None  # said before asking (e.g. a token that must be rotated)
    interactive_only: bool = False  # needs a person at the terminal (linking a phone)


def plan(
    results: Sequence[CheckResult],
    env_file: Path | None,
    cwd: Path,
    client: Callable[[], GreenApiClient] | None,
    link: Callable[[], str] | None = None,
) -> list[Fix]:
    """The fixes for the checks in `results` that warned or failed, in doctor's order."""
    problems = {result.id for result in results if result.status in ("warn", "fail")}
    fixes: list[Fix] = []
    if "hygiene" in problems:
        fixes.extend(hygiene_fixes(env_file or cwd / ".env"))
    if client is not None and "notifications" in problems:
        fixes.extend(_notification_fixes(client))
    if client is not None and "state" in problems:
        fixes.extend(_state_fixes(client, link))
    return fixes


# -- the project's files --------------------------------------------------------------------
# Each fix acts on exactly what it planned: the directory and the file are identified when the
# plan is made and checked again, on the opened descriptors, when it is applied (a symlink
# swapped in meanwhile is never followed; config/file_identity.py).


def hygiene_fixes(env_file: Path) -> list[Fix]:
    """chmod 600, git rm --cached and the .gitignore line, as `env_file` needs them now."""
    if not env_file.is_file() or env_file.is_symlink():
        return []
    directory = identity(env_file.parent, follow_symlinks=True)
    planned = identity(env_file)
    fixes = []
    mode = stat.S_IMODE(env_file.lstat().st_mode)
    if mode & 0o077:
        fixes.append(
            Fix(
                "env_permissions",
                "hygiene",
                f"chmod 600 {env_file.name} (now {mode:o}: others can read the token)",
                lambda: _chmod(env_file, directory, planned),
            )
        )
    top = gitrepo.work_tree(env_file.parent)
    if top is None:
        return fixes
    tracked = gitrepo.is_tracked(env_file)
    if tracked:
        fixes.append(
            Fix(
                "env_untracked",
                "hygiene",
                f"git rm --cached {env_file.name} (the file stays; git stops tracking it)",
                lambda: _untrack(env_file, directory, planned, top),
                warning="The token is in the repository's history: rotate it (`greencli token rotate`) after this, "
                "and before pushing if it was never pushed.",
            )
        )
    # A tracked file is never "ignored"; what matters is whether .gitignore already lists it.
    if not (gitrepo.is_listed(env_file) if tracked else gitrepo.is_ignored(env_file)):
        fixes.append(
            Fix("env_ignored", "hygiene", f"add {env_file.name} to .gitignore", lambda: _ignore(env_file, directory))
        )
    return fixes


def _chmod(path: Path, directory: Identity | None, planned: Identity | None) -> str:
    folder = open_directory(path.parent, directory)
    try:
        descriptor = open_planned_file(folder, path.name, planned, path.name)
    finally:
        os.close(folder)
    try:
        os.fchmod(descriptor, 0o600)  # the opened file: no name is looked up again
    finally:
        os.close(descriptor)
    return f"{path.name} is now readable by you only (600)"


def _untrack(path: Path, directory: Identity | None, planned: Identity | None, top: Path) -> str:
    still_the_same(path, directory, planned)
    if gitrepo.work_tree(path.parent) != top:
        raise ChangedSincePlanned(f"{path.parent} is no longer in the work tree {top}; nothing was changed")
    gitrepo.untrack(path)
    return f"git no longer tracks {path.name} (commit the change)"


def _ignore(path: Path, directory: Identity | None) -> str:
    if gitrepo.is_ignored(path):  # a tracked file reads as not ignored until it is untracked
        return f"{path.name} is already in .gitignore"
    outcome = gitrepo.ignore(path, directory)
    if outcome == "already listed" and gitrepo.is_tracked(path):
        return f"{path.name} is already in .gitignore"
    if outcome != "added" or not gitrepo.is_ignored(path):
        raise OSError(f"could not add {path.name} to .gitignore ({outcome})")
    return f"{path.name} added to .gitignore"


# -- the instance ---------------------------------------------------------------------------


def _notification_fixes(client: Callable[[], GreenApiClient]) -> list[Fix]:
    try:
        settings = client().get_settings()
    except ApiError:
        return []
    off = [name for name in GUIDE_TYPES if not is_on(settings, name)]
    if not off:
        return []  # the problem is the URL, which only the user can choose

    def enable() -> str:
        # One setSettings with only what differs: each call restarts the instance
        # (https://green-api.com/en/docs/api/account/SetSettings/).
        client().set_settings(dict.fromkeys(off, "yes"))
        return f"switched on {', '.join(off)} (the instance restarts; settings apply within up to 5 minutes)"

    count = f"the {len(off)} notification types the guide needs" if len(off) > 1 else off[0]
    return [Fix("notifications", "notifications", f"switch on {count} (the instance restarts)", enable)]


def _state_fixes(client: Callable[[], GreenApiClient], link: Callable[[], str] | None) -> list[Fix]:
    try:
        state = client().get_state_instance()
    except ApiError:
        return []
    if state == "starting":

        def reboot() -> str:
            if not client().reboot():
                raise OSError("Green API answered that the reboot did not happen")
            return "rebooting: the instance shows `starting` for up to 5 minutes"

        return [Fix("reboot", "state", "reboot the instance (it has been starting; a reboot is Green API's fix)", reboot)]
    if state in ("notAuthorized", None) and link is not None:
        return [Fix("link", "state", "link the phone: scan a QR code (or enter a pairing code) now", link, interactive_only=True)]
    return []
