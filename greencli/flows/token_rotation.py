"""Rotating the instance's API token without ever losing the new one.

Green API's updateApiToken (beta) answers `{"apiTokenInstance": "<new>"}` and the old token
stops working (https://green-api.com/en/docs/api/account/UpdateApiToken/). So everything that
can be checked is checked *before* the call: the token must come from a .env file greencli can
rewrite, and the directory's lock is taken (another process holding it stops the rotation
before it starts). Then, in this order:

1. The new token is checked with the loader's own rule (`token_problem`): one it refuses (a
   shell command, a line break, two characters) is written nowhere and the user is told to take
   the token from the console.
2. It is written into the .env (python-dotenv's parser finds the token line; every other byte
   stays), else into a new private (0600) file beside it, in the home directory or in the
   temporary directory, whose path the caller prints; else the caller shows it once.
3. One getStateInstance with the new token verifies it.

An answer lost after the request may have reached Green API is not a failure to rotate: the
error says that the old token may no longer work and how to find out.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.config import env_file_writer
from greencli.config.atomic_files import directory_lock
from greencli.config.loader import TOKEN, Resolution
from greencli.errors import ApiError, Interrupted, UsageError
from greencli.greenapi.credentials import token_problem

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient

LOCK_WAIT_SECONDS = 10.0
CONSOLE = "the instance's page at console.green-api.com"


class Rotation(NamedTuple):
    env_file: Path
    new_token: str  # never printed, except once when it could be saved nowhere
    saved_in_env_file: bool
    rescue_file: Path | None  # where the new token is when the .env could not be written
    verified_state: str | None  # getStateInstance with the new token; None if it failed
    verify_error: ApiError | None
    save_error: str | None = None  # why the .env could not be written

    @property
    def saved_nowhere(self) -> bool:
        return not self.saved_in_env_file and self.rescue_file is None


def writable_env_file(resolution: Resolution) -> Path:
    """The .env file the token came from, if greencli can rewrite it; else a UsageError that
    says how to rotate where the token really lives."""
    setting = resolution.settings[TOKEN]
    origin = setting.origin
    if origin is None or setting.value is None:
        raise UsageError(
            "There is no token to rotate: GREEN_API_TOKEN is not set.",
            "Run `greencli init` first.",
            code="missing_credentials",
        )
    if origin.kind == "sandbox":
        raise UsageError(
            "--sandbox runs this one command against a sandbox that stops when it ends: a new token "
            "would have nowhere to be kept.",
            "To try token rotate, run `greencli sandbox > sandbox.env` in another terminal, then "
            "`greencli --env-file sandbox.env token rotate`.",
            code="token_not_in_env_file",
        )
    if origin.kind != "env-file" or resolution.env_file is None:
        raise UsageError(
            f"The token comes from {origin} (not from a .env file), so greencli could not store "
            "a new one there: rotating now would lose it.",
            "Rotate it in the console (console.green-api.com) and update that secret, or run "
            "`greencli token rotate` where the token is in a .env file (`--env-file PATH`).",
            code="token_not_in_env_file",
        )
    path = resolution.env_file
    directory = path.parent
    if path.is_symlink():
        raise UsageError(
            f"{path} is a link: greencli rewrites a .env by replacing it, which would replace the link.",
            f"Point --env-file at the file itself ({path.resolve()}), then run `greencli token rotate` again.",
            code="env_file_not_writable",
        )
    if not os.access(path, os.W_OK) or not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(
            f"{path} cannot be rewritten (the file or its directory is not writable), so the new "
            "token could not be saved there.",
            f"Make both writable (chmod u+w {path} {directory}), then run `greencli token rotate` again.",
            code="env_file_not_writable",
        )
    return path


def rotate(client: GreenApiClient, env_file: Path) -> Rotation:
    """Rotate, save, verify. Raises when the rotation did not happen, when it may have happened
    but its answer was lost, and when the new token is one greencli refuses to write."""
    try:
        with directory_lock(env_file.parent, wait=LOCK_WAIT_SECONDS):
            new_token = _update(client, env_file)
            saved, rescue, save_error = _save(env_file, new_token)
    except TimeoutError:
        raise UsageError(
            f"Another process holds the lock on {env_file.parent} (another greencli writing its .env?); "
            "the token was not changed.",
            "Wait until it ends, then run `greencli token rotate` again.",
            code="env_file_locked",
        ) from None
    try:
        state = client.get_state_instance()  # the client now uses the new token
        return Rotation(env_file, new_token, saved, rescue, state if state is not None else "being created", None, save_error)
    except ApiError as error:
        return Rotation(env_file, new_token, saved, rescue, None, error, save_error)


def _update(client: GreenApiClient, env_file: Path) -> str:
    """The new token from updateApiToken (called once, never repeated), checked."""
    try:
        new_token = client.update_api_token()  # from here on, the old token no longer works
    except ApiError as error:
        if error.may_have_been_processed or error.code == "bad_response":
            raise _maybe_rotated(env_file, error) from None
        raise
    except KeyboardInterrupt:
        raise Interrupted(
            "Interrupted while Green API was rotating the token: it may have rotated it, so the old "
            f"token may no longer work; {env_file} was not changed.",
            _find_out(env_file),
        ) from None
    why = token_problem(new_token)
    if why:
        raise ApiError(
            f"Green API answered updateApiToken with a new token that {why}; greencli does not write "
            f"such a value, so {env_file} was not changed. The old token probably no longer works.",
            f"Copy apiTokenInstance from {CONSOLE} into {env_file} (GREEN_API_TOKEN=…), then run "
            "`greencli check-state`.",
            code="bad_response",
            status=200,
            method="updateApiToken",
            may_have_been_processed=True,
        )
    return new_token


def _maybe_rotated(env_file: Path, error: ApiError) -> ApiError:
    return ApiError(
        f"{error.message.rstrip('.')}. Green API may have rotated the token before its answer was lost, "
        f"so the old token may no longer work; {env_file} was not changed.",
        _find_out(env_file),
        code="rotation_uncertain",
        status=error.status,
        method="updateApiToken",
        may_have_been_processed=True,
        details={"cause": error.code},
    )


def _find_out(env_file: Path) -> str:
    return (
        "Run `greencli check-state`: if it says 401 Unauthorized, the token was rotated: copy the new "
        f"apiTokenInstance from {CONSOLE} into {env_file} (GREEN_API_TOKEN=…)."
    )


def _save(env_file: Path, token: str) -> tuple[bool, Path | None, str | None]:
    """Into the .env; else a private file, whose path is returned; else nowhere (the caller
    shows the token). The caller holds the directory's lock."""
    try:
        env_file_writer.write(env_file, {TOKEN: token}, follow_symlinks=False)
        return True, None, None
    except (OSError, ValueError) as error:  # a full disk, a file swapped for a link or a FIFO…
        why = getattr(error, "why", None) or (error.strerror if isinstance(error, OSError) else None) or str(error)
    return False, _keep_privately(token, env_file), why


def _keep_privately(token: str, env_file: Path) -> Path | None:
    """A new file readable by the user only, holding the token, or None when none can be
    written anywhere. A file that could not be written whole is removed, never left empty."""
    content = f"{TOKEN}={token}\n".encode()
    for directory in _private_places(env_file):
        try:  # mkstemp: a new name (O_EXCL, never through a link), mode 0600
            descriptor, name = tempfile.mkstemp(prefix=".greencli-new-token-", suffix=".env", dir=directory)
        except OSError:
            continue
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            return Path(name)
        except OSError:
            try:
                os.unlink(name)
            except OSError:
                pass
    return None


def _private_places(env_file: Path) -> list[Path]:
    places = [env_file.parent]
    try:
        places.append(Path.home())
    except (RuntimeError, KeyError):  # no home directory known
        pass
    try:
        places.append(Path(tempfile.gettempdir()))
    except OSError:  # no usable temporary directory either
        pass
    return places
