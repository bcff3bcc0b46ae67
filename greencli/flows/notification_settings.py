"""Applying notification settings: read, send only what differs, read back, retry once.

Green API applies settings within up to 5 minutes and sometimes answers "saved" without
saving, so the settings are read back (every 2 s, for up to `verify_wait` seconds); what has
not stuck by then is sent once more (each write restarts the instance, so only once).
https://green-api.com/en/docs/api/recommendations/creating-and-configuring-an-instance/ (up to
5 minutes to apply), https://github.com/green-api/issues/issues/33 (repeat the call).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from greencli.flows import waiting
from greencli.flows.waiting import Spinner, no_spinner

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient

# The URL token may be hidden by getSettings: it cannot be read back.
UNREADABLE = frozenset({"webhookUrlToken"})


def desired_settings(
    types: tuple[str, ...], url: str | None = None, polling: bool = False, url_token: str | None = None
) -> dict[str, Any]:
    """The settings that switch `types` on, in push mode to `url` or in polling mode."""
    desired: dict[str, Any] = dict.fromkeys(types, "yes")
    if url is not None:
        desired["webhookUrl"] = url
    if polling:
        desired["webhookUrl"] = ""  # polling needs an empty URL
    if url_token is not None:
        desired["webhookUrlToken"] = url_token
    return desired


class SettingsChange(NamedTuple):
    changes: dict[str, Any]  # what differed and was sent
    unchanged: list[str]  # what was already as asked
    not_applied: list[str]  # what Green API had still not applied after the retry


def apply_settings(
    client: GreenApiClient,
    desired: dict[str, Any],
    verify_wait: float,
    spinner: Spinner = no_spinner,
    on_retry: Callable[[list[str]], None] = lambda keys: None,
) -> SettingsChange:
    """Send what differs from the current settings; `on_retry` hears what is sent once more."""
    current = client.get_settings()
    changes = {key: value for key, value in desired.items() if current.get(key) != value}
    unchanged = sorted(key for key in desired if key not in changes)
    if not changes:
        return SettingsChange({}, unchanged, [])

    def missing(settings: dict[str, Any]) -> list[str]:
        return sorted(key for key in changes if key not in UNREADABLE and settings.get(key) != changes[key])

    not_applied: list[str] = []
    for attempt in range(2):  # the write, and one retry of what did not stick
        client.set_settings(changes if attempt == 0 else {key: changes[key] for key in not_applied})
        with spinner("Reading the settings back…") as update:
            after, _ = waiting.poll(
                client.get_settings,
                lambda settings: not missing(settings),
                timeout=verify_wait,
                interval=2.0,
                first_delay=1.0,  # one getSettings a second
                on_value=lambda settings, left: update(
                    f"Waiting for Green API to apply {', '.join(missing(settings))} ({left:.0f} s left)…"
                ),
            )
        not_applied = missing(after)
        if not not_applied:
            break
        if attempt == 0:
            on_retry(not_applied)
    return SettingsChange(changes, unchanged, not_applied)
