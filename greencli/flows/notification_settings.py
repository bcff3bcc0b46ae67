"""Applying notification settings: read, send only what differs, once, then read back.

Every setSettings call reboots the instance, and settings take up to 5 minutes to apply
(https://green-api.com/en/docs/api/account/SetSettings/). So one run writes at most once: not
again when the read-back still differs (a rare write that did not take, as in
https://github.com/green-api/issues/issues/33, is re-applied by the user, later and on purpose),
and not again after an ambiguous failure (a 5xx or a timeout may have been applied: the
settings are read back instead).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from greencli.errors import ApiError
from greencli.flows import weather
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
    not_applied: list[str]  # what Green API had still not applied when the read-back ended


def apply_settings(
    client: GreenApiClient,
    desired: dict[str, Any],
    verify_wait: float,
    spinner: Spinner = no_spinner,
    on_unanswered: Callable[[ApiError], None] = lambda error: None,
) -> SettingsChange:
    """Send what differs from the current settings in one setSettings, then read them back for
    up to `verify_wait` seconds. `on_unanswered` hears a write whose answer was lost (it is read
    back, never sent again)."""
    current = client.get_settings()
    changes = {key: value for key, value in desired.items() if current.get(key) != value}
    unchanged = sorted(key for key in desired if key not in changes)
    if not changes:
        return SettingsChange({}, unchanged, [])

    def missing(settings: dict[str, Any]) -> list[str]:
        return sorted(key for key in changes if key not in UNREADABLE and settings.get(key) != changes[key])

    unanswered: ApiError | None = None
    try:
        client.set_settings(changes)
    except ApiError as error:
        if not error.may_have_been_processed:
            raise  # refused (4xx) or never sent: nothing changed
        unanswered = error
        on_unanswered(error)
    with spinner("Reading the settings back…") as update:
        after, _, _ = weather.poll_through(
            client.get_settings,
            lambda settings: not missing(settings),
            timeout=verify_wait,
            intervals=[2.0],
            first_delay=1.0,  # one getSettings a second
            on_value=lambda settings, left: update(f"Waiting for Green API to apply {', '.join(missing(settings))}…", left),
            on_hiccup=lambda error, left: update(f"{error.message} Reading again…", left),
        )
    not_applied = missing(after)
    if unanswered is not None and not_applied:
        # The write failed and the read-back shows it did not take: Green API's error stands
        # (exit 3), with what was read back; still not written again.
        raise ApiError(
            f"{unanswered.message} The settings read back show {', '.join(not_applied)} not applied.",
            "greencli does not write settings twice in one run (every write restarts the instance): "
            "run the command again in a few minutes.",
            code=unanswered.code,
            status=unanswered.status,
            method="setSettings",
            details={"notApplied": not_applied},
        ) from unanswered
    return SettingsChange(changes, unchanged, not_applied)
