"""Rotating the instance's API token without ever losing the new one.

Green API's updateApiToken (beta) issues a new token and the old one stops working at once
(https://green-api.com/en/docs/api/account/UpdateApiToken/). So everything that can be checked
is checked *before* the call: the token must come from a .env file greencli can rewrite.
After the call the new token is written atomically into that file (0600, other lines kept);
if that write fails, the token is kept in a 0600 file beside it (or in the home directory) and
the caller is told where, never what.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.config import env_file_writer
from greencli.config.atomic_files import write_atomically
from greencli.config.loader import TOKEN, Resolution
from greencli.errors import ApiError, UsageError

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient


class Rotation(NamedTuple):
    env_file: Path
    new_token: str  # never printed: callers show it masked
    saved_in_env_file: bool
    rescue_file: Path | None  # where the new token is when the .env could not be written
    verified_state: str | None  # getStateInstance with the new token; None if it failed
    verify_error: ApiError | None


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
    """Rotate, save, verify. Raises only when the rotation itself did not happen."""
    new_token = client.update_api_token()  # from here on, the old token no longer works
    saved, rescue = _save(env_file, new_token)
    try:
        state = client.get_state_instance()  # the client now uses the new token
        return Rotation(env_file, new_token, saved, rescue, state if state is not None else "being created", None)
    except ApiError as error:
        return Rotation(env_file, new_token, saved, rescue, None, error)


def _save(env_file: Path, token: str) -> tuple[bool, Path | None]:
    try:
        env_file_writer.write(env_file, {TOKEN: token})
        return True, None
    except OSError:
        pass
    line = f"{TOKEN}={token}\n".encode()
    for directory in (env_file.parent, Path.home()):
        try:
            descriptor, name = tempfile.mkstemp(prefix=".greencli-new-token-", suffix=".env", dir=directory)
            os.close(descriptor)
            write_atomically(Path(name), line, mode=0o600)
            return False, Path(name)
        except OSError:
            continue
    return False, None
