"""The test messages `greencli setup --send-test` has sent, remembered per user, instance and chat.

A small JSON file in the user's private state directory (config/private_dirs.py:
$XDG_STATE_HOME/greencli, else ~/.local/state/greencli; the file 0600): what outlasts a reboot
but is not a setting. It holds message IDs and times, never a token. A file that cannot be read or written
is not an error: the record is a courtesy (greencli.flows.test_message says what it is for).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import NamedTuple

from greencli.config.atomic_files import directory_lock, write_atomically
from greencli.config.private_dirs import NotPrivate, state_directory

FILE_NAME = "test-messages.json"


class SentTest(NamedTuple):
    id_message: str
    sent_at: float  # seconds since the epoch


def _key(api_url: str, instance_id: str, chat_id: str) -> str:
    return f"{api_url.rstrip('/')} {instance_id} {chat_id}"


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded(api_url: str, instance_id: str, chat_id: str) -> SentTest | None:
    """The test message recorded for this chat of this instance, if any."""
    try:
        directory = state_directory()
    except (OSError, NotPrivate):
        return None
    entry = _read(directory / FILE_NAME).get(_key(api_url, instance_id, chat_id))
    if not isinstance(entry, dict):
        return None
    id_message, sent_at = entry.get("idMessage"), entry.get("sentAt")
    if not isinstance(id_message, str) or not isinstance(sent_at, (int, float)):
        return None
    return SentTest(id_message, float(sent_at))


def record(api_url: str, instance_id: str, chat_id: str, id_message: str) -> None:
    """Remember a test message sent to this chat (best effort: a failure is silent)."""
    try:
        directory = state_directory()
        with directory_lock(directory, wait=5.0):
            data = _read(directory / FILE_NAME)
            data[_key(api_url, instance_id, chat_id)] = {"idMessage": id_message, "sentAt": time.time()}
            write_atomically(directory / FILE_NAME, json.dumps(data, indent=1).encode("utf-8"), mode=0o600)
    except (OSError, TimeoutError, NotPrivate):
        pass
