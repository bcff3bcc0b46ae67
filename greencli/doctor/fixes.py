"""`doctor --fix`: the repairs that are safe to make automatically, found and applied.

Each fix looks at the world again itself (the file's mode, git's view, the instance's settings
and state) rather than reading doctor's messages, and only for checks that warned or failed.
After fixes are applied, doctor runs the checks again and reports what is now fixed.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.config import git as gitrepo
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
        fixes.extend(_hygiene_fixes(env_file or cwd / ".env"))
    if client is not None and "notifications" in problems:
        fixes.extend(_notification_fixes(client))
    if client is not None and "state" in problems:
        fixes.extend(_state_fixes(client, link))
    return fixes


# -- the project's files --------------------------------------------------------------------


def _hygiene_fixes(env_file: Path) -> list[Fix]:
    if not env_file.is_file() or env_file.is_symlink():
        return []
    fixes = []
    mode = stat.S_IMODE(env_file.stat().st_mode)
    if mode & 0o077:
        fixes.append(Fix("env_permissions", "hygiene", f"chmod 600 {env_file.name} (now {mode:o}: others can read the token)", lambda: _chmod(env_file)))
    if gitrepo.work_tree(env_file.parent) is None:
        return fixes
    if gitrepo.is_tracked(env_file):
        fixes.append(
            Fix(
                "env_untracked",
                "hygiene",
                f"git rm --cached {env_file.name} (the file stays; git stops tracking it)",
                lambda: _untrack(env_file),
                warning="The token is in the repository's history: rotate it (`greencli token rotate`) after this, "
                "and before pushing if it was never pushed.",
            )
        )
    if not gitrepo.is_ignored(env_file):
        fixes.append(Fix("env_ignored", "hygiene", f"add {env_file.name} to .gitignore", lambda: _ignore(env_file)))
    return fixes


def _chmod(path: Path) -> str:
    os.chmod(path, 0o600)
    return f"{path.name} is now readable by you only (600)"


def _untrack(path: Path) -> str:
    done = subprocess.run(["git", "rm", "--cached", "--quiet", "--", path.name], cwd=path.parent, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise OSError(f"git rm --cached failed: {done.stderr.strip()[:200]}")
    return f"git no longer tracks {path.name} (commit the change)"


def _ignore(path: Path) -> str:
    if gitrepo.is_ignored(path):  # a tracked file reads as not ignored until it is untracked
        return f"{path.name} is already in .gitignore"
    outcome = gitrepo.ignore(path)
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
