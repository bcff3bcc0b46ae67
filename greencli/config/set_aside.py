"""Keeping a notification greencli cannot read, so that it can be deleted from the queue
without being lost (`webhooks listen`'s dead-letter files).

Each one is a file of its own holding the body exactly as Green API sent it, in greencli's
private state directory (private_dirs.py), mode 0600, written whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from greencli.config.atomic_files import create_exclusively
from greencli.config.private_dirs import state_directory


def set_aside(instance_id: str, receipt_id: int, body: bytes) -> Path:
    """Write `body` to a new private file and return its path; OSError (or NotPrivate)
    when it cannot be written, and then nothing is left behind."""
    directory = state_directory()
    stem = f"unreadable-notification-{instance_id}-{receipt_id}"
    for attempt in range(1, 1000):
        path = directory / (f"{stem}.json" if attempt == 1 else f"{stem}-{attempt}.json")
        try:
            create_exclusively(path, body, 0o600)
        except FileExistsError:
            continue  # the same receipt set aside before (its delete did not take)
        return path
    raise FileExistsError(f"{directory} holds too many copies of {stem}")
