"""Getting the credentials into .env: asked for at the terminal (or taken from the options, the
environment or a pipe), checked with Green API, and written to .env (mode 600) with its
.gitignore line. `greencli init` is this; `greencli setup` begins with it when there are none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.cli.prompts import ask, confirm

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.cli.output import Output
    from greencli.greenapi.credentials import Credentials


class WrittenCredentials(NamedTuple):
    path: Path
    shown: str  # the path as the user would type it, from the current directory
    credentials: Credentials
    checked: bool  # checked with Green API (not --no-check)
    state: str | None  # the instance's state when checked
    gitignore: str  # what became of the .gitignore line: added, already ignored, tracked…


def write_credentials(run: RunContext, force: bool, no_check: bool, token_stdin: bool) -> WrittenCredentials:
    """Ask for (or take) the credentials, check them, and write them to .env."""
    from greencli.config import env_file_writer as envwriter
    from greencli.config import loader as config
    from greencli.config.atomic_files import directory_lock
    from greencli.config.env_file_reading import EnvFileRefused
    from greencli.errors import ApiError, ConfigError, UsageError
    from greencli.greenapi.credentials import DEFAULT_API_URL, Credentials

    out = run.output
    if run.settings.sandbox:
        raise UsageError(
            "--sandbox starts a sandbox for one command only: a .env pointing at it would stop "
            "working the moment init ends.",
            "Run `greencli sandbox > sandbox.env` in another terminal and use "
            "`greencli --env-file sandbox.env …`, or run init for your real instance.",
            code="usage_error",
        )
    interactive = run.may_prompt() and not token_stdin
    target = _target(out, run.env_file(), run.cwd, force, interactive)
    shown = os.path.relpath(target, run.cwd)

    if target.exists() and not force:
        raise _exists(shown)
    _check_writable(target, shown)  # before any question or request

    # Options, then the environment, through the one loader; the file init updates is read below.
    given = config.resolve(run.credential_options(), os.environ, run.cwd, read_env_file=False)
    values = {variable: given.given(variable) for variable in (config.INSTANCE_ID, config.TOKEN, config.API_URL)}
    if token_stdin:
        if run.settings.token:
            raise UsageError("--token and --token-stdin contradict each other.", "Give the token one way.")
        token = _read_token_from_stdin()
        values[config.TOKEN] = token.strip() if token else None
    kept: dict[str, str] = {}  # --force: what the file holds, for what was not given
    if force and target.exists():
        _check_readable(target, shown)  # before any question or request
        kept = {key: value.strip() for key, (value, _line) in config.read_env_file(target, shown).values.items() if value.strip()}
        if not interactive:
            values = {key: value or kept.get(key) for key, value in values.items()}

    if not interactive:
        missing = [key for key in (config.INSTANCE_ID, config.TOKEN) if not values[key]]
        if missing:
            raise ConfigError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set, and "
                "there is no terminal to ask on.",
                "Pass --instance-id and --token (or --token-stdin), or set GREEN_API_INSTANCE_ID and "
                "GREEN_API_TOKEN (and GREEN_API_URL) in the environment.",
                code="missing_credentials",
            )
    # Nobody to ask for the apiUrl: say which host is used, rather than fail on it in silence.
    universal_host = not interactive and not values[config.API_URL]
    if universal_host:
        out.warn(
            f"No API URL given (--api-url or GREEN_API_URL): greencli uses the universal host {DEFAULT_API_URL}.",
            f"Your instance has its own apiUrl on its page at console.green-api.com: {_API_URL_HINT}",
        )
    for attempt in range(MAX_ATTEMPTS):
        if interactive:
            _ask(values, out, kept)
        values[config.API_URL] = (values[config.API_URL] or DEFAULT_API_URL).rstrip("/")
        problems = config.check_values(values[config.INSTANCE_ID], values[config.TOKEN], values[config.API_URL])
        errors = [p for p in problems if p.level == "error"]
        if errors and interactive and attempt + 1 < MAX_ATTEMPTS:
            for problem in errors:  # ask again for the wrong values only
                out.warn(problem.message, problem.hint)
                values[problem.variable or config.TOKEN] = None
            continue
        if errors:
            raise errors[0].error()
        for problem in problems:
            out.warn(problem.message, problem.hint)
        credentials = Credentials(
            instance_id=values[config.INSTANCE_ID] or "",
            token=values[config.TOKEN] or "",
            api_url=values[config.API_URL] or DEFAULT_API_URL,
        )
        try:
            state = None if no_check else _check(run, credentials, out)
        except ApiError as error:
            if universal_host and error.code in _WRONG_HOST:
                raise ApiError(
                    error.message,
                    f"greencli tried the universal host {DEFAULT_API_URL} because no API URL was given: {_API_URL_HINT}",
                    code=error.code,
                    status=error.status,
                    method=error.method,
                    details=error.details,
                ) from None
            if not interactive or error.code not in ("unauthorized", "forbidden", "not_found") or attempt + 1 == MAX_ATTEMPTS:
                raise
            # Green API does not say which of the two is wrong; the token is the usual one.
            out.warn(f"{error.message}", "Type the token again (the instance ID is kept; Ctrl-C to stop).")
            values[config.TOKEN] = None
            continue
        break
    checked = not no_check

    written = {key: value for key, value in values.items() if value}
    # One run at a time in this directory: without --force the file is created exclusively
    # (a run that loses the race says so, and overwrites nothing); with --force the update
    # and the .gitignore line happen under the directory's lock.
    with directory_lock(target.parent):
        try:
            if force:
                envwriter.write(target, written)
            else:
                envwriter.create(target, written)
        except FileExistsError:
            raise _exists(shown) from None
        except OSError as error:
            raise _unwritable(shown, error) from None
        except ValueError as error:  # a file changed since it was read, or one greencli cannot rewrite safely
            raise UsageError(
                f"{shown} {error}" if isinstance(error, EnvFileRefused) else f"Cannot update {shown} safely: {error}.",
                error.hint if isinstance(error, EnvFileRefused) else
                f"Set the GREEN_API_* lines in {shown} by hand, or move it aside and run `greencli init` again.",
                code="env_file_error",
            ) from None
        gitignore = _gitignore(target, shown, out)

    return WrittenCredentials(target, shown, credentials, checked, state, gitignore)


MAX_ATTEMPTS = 3
_API_URL_HINT = "pass it with --api-url (e.g. --api-url https://7103.api.greenapi.com) or set GREEN_API_URL."
# What a host that is not the instance's looks like: no answer at all, or a refusal of the ID.
_WRONG_HOST = frozenset({"dns_failed", "connection_failed", "timeout", "tls_error", "proxy_error", "forbidden", "not_found", "redirected"})


def _target(out: Output, env_file: Path | None, cwd: Path, force: bool, interactive: bool) -> Path:
    """Where .env goes: --env-file; with --force, the .env commands read now; else the project's
    root (the top of the git work tree, where every command finds it), offered when asking is
    possible; else the current directory."""
    from greencli.config import loader as config

    if env_file is not None:
        return env_file if env_file.is_absolute() else cwd / env_file
    nearest = config.nearest_env_file(cwd)
    if nearest is not None:
        return nearest  # updated with --force, refused without it: never a second .env
    root = config.project_root(cwd)
    if root is None or root == cwd:
        return cwd / ".env"
    at_root = root / ".env"
    if interactive and not confirm(
        out,
        f"Write .env at the project's root ({os.path.relpath(at_root, cwd)}), where every command "
        "in the project finds it?",
        default=True,
    ):
        return cwd / ".env"
    return at_root


def _read_token_from_stdin() -> str:
    import sys

    from greencli.errors import UsageError

    token = sys.stdin.readline().strip()
    if not token:
        raise UsageError("--token-stdin read no token from standard input.", 'Pipe it in: printf %s "$TOKEN" | greencli init --token-stdin')
    from greencli.redaction import register

    register(token)
    return token


def _check(run: RunContext, credentials: Credentials, out: Output) -> str | None:
    with run.new_client(credentials) as client:
        with out.spinner("Checking the credentials with Green API…"):
            return client.get_state_instance()


def _ask(values: dict[str, str | None], out: Output, kept: dict[str, str]) -> None:
    """Ask for each value not given (the current .env's as the default, with --force)."""
    from greencli.config import loader as config
    from greencli.greenapi.credentials import DEFAULT_API_URL, is_digits, token_problem
    from greencli.redaction import mask

    if all(values[key] for key in (config.INSTANCE_ID, config.TOKEN)) and values[config.API_URL]:
        return
    out.line(
        "Find these on the instance's page at console.green-api.com "
        "(idInstance, apiTokenInstance, apiUrl).",
        err=True,
    )
    while not values[config.INSTANCE_ID] or not is_digits(values[config.INSTANCE_ID]):  # type: ignore[arg-type]
        if values[config.INSTANCE_ID]:
            out.warn("The instance ID is digits only, like 1101000001.")
        values[config.INSTANCE_ID] = ask(out, "Instance ID (idInstance)", default=kept.get(config.INSTANCE_ID)).strip()
    while not values[config.TOKEN] or token_problem(values[config.TOKEN]):  # type: ignore[arg-type]
        if values[config.TOKEN]:
            out.warn(f"That token {token_problem(values[config.TOKEN])}; copy apiTokenInstance again.")  # type: ignore[arg-type]
        current = kept.get(config.TOKEN)
        label = f"API token (apiTokenInstance, hidden; Enter keeps {mask(current)})" if current else "API token (apiTokenInstance, hidden)"
        typed = ask(out, label, hide_input=True, default="" if current else None, show_default=False).strip()
        values[config.TOKEN] = typed or current
    if not values[config.API_URL]:
        values[config.API_URL] = ask(out, "API URL (apiUrl)", default=kept.get(config.API_URL, DEFAULT_API_URL)).strip()


def _exists(shown: str) -> Exception:
    from greencli.errors import UsageError

    return UsageError(
        f"{shown} already exists; greencli will not overwrite it.",
        "Run `greencli init --force` to update its GREEN_API_* lines (other lines are kept).",
        code="env_file_exists",
    )


def _unwritable(shown: str, error: OSError) -> Exception:
    from greencli.errors import UsageError

    return UsageError(
        f"Cannot write {shown}: {error.strerror or error}.",
        "Run init in a directory you can write to, or name another file with --env-file PATH.",
        code="env_file_unwritable",
    )


def _check_readable(target: Path, shown: str) -> None:
    """Fail before any request when the .env to update is not one greencli reads (a FIFO, a
    device, over 1 MiB): its lines could not be kept."""
    from greencli.config.env_file_reading import EnvFileRefused, read_env_bytes
    from greencli.errors import ConfigError

    try:
        read_env_bytes(target)
    except EnvFileRefused as refused:
        raise ConfigError(f"{shown} {refused.why}", refused.hint, code="env_file_error") from None
    except OSError:
        pass  # reported with the write, as before


def _check_writable(target: Path, shown: str) -> None:
    """Fail before any request when the .env could not be written: a file is created in its
    directory and removed (permission bits alone do not tell, e.g. for root or read-only mounts)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=target.parent, prefix=".greencli-"):
            pass
    except OSError as error:
        raise _unwritable(shown, error) from None


def _gitignore(target: Path, shown: str, out: Output) -> str:
    """Keep the .env out of git, and report only what git itself confirms."""
    from greencli.config import git as gitrepo

    if gitrepo.work_tree(target.parent) is None:
        return "not a git repository"
    if gitrepo.is_tracked(target):
        out.warn(
            f"{shown} is tracked by git, so the token would be committed.",
            f"Run: git rm --cached {shown}  (then commit, and rotate the token if it was pushed)",
        )
        return "tracked"
    if gitrepo.is_ignored(target):
        return "already ignored"
    gitignore = os.path.join(os.path.dirname(shown), ".gitignore")
    line = gitrepo.gitignore_line(target.name)
    try:
        outcome = gitrepo.ignore(target)
    except OSError as error:
        outcome = f"unwritable: {error.strerror or error}"
    if outcome == "added" and gitrepo.is_ignored(target):
        return "added"
    if outcome == "symlink":
        out.warn(
            f"{gitignore} is a symbolic link; greencli does not write through it, so {shown} is not ignored by git.",
            f"Add this line to the file it points to: {line}",
        )
    elif outcome == "inexpressible":
        out.warn(f"{shown} has a line break in its name, which .gitignore cannot express; it is not ignored by git.", "Choose another name with --env-file.")
    elif outcome.startswith("unwritable"):
        out.warn(f"Could not add {shown} to {gitignore} ({outcome.split(': ', 1)[1]}); it is not ignored by git.", f"Add this line to {gitignore}: {line}")
    else:  # written or listed, and git still does not ignore it: a later rule un-ignores it
        out.warn(
            f"{gitignore} lists {line}, but git still does not ignore {shown} (another rule un-ignores it).",
            f"See which rule: git check-ignore -v --no-index {shown}",
        )
    return "not ignored"


