"""The instance state and the linked phone, asked at the same time.

check-state shows the phone only when the instance is authorized, but waiting for the state
before asking would cost a round trip more than the state alone: both are asked at once, each on
its own connection, and the phone's answer is read only when it is wanted.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from greencli.flows import weather
from greencli.flows.waiting import Spinner, no_spinner
from greencli.greenapi.states import describe_state
from greencli.redaction import in_this_run

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient


def state_and_phone(client: GreenApiClient) -> tuple[str | None, Callable[[], dict[str, Any]]]:
    """getStateInstance's state, and a function giving getWaSettings' answer (or raising its
    ApiError). getStateInstance's own error is raised as it is."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wa-settings") as pool:
        settings = pool.submit(in_this_run(client.get_wa_settings))  # its errors masked by the run
        try:
            state = client.get_state_instance()
        except BaseException:
            settings.cancel()
            raise
    return state, settings.result


def wait_until_authorized(client: GreenApiClient, wait: float, spinner: Spinner = no_spinner) -> str | None:
    """Ask for the state once a second (getStateInstance's rate limit) until it is authorized or
    `wait` seconds pass; the last state."""
    # One 5xx or timeout does not end the wait: it is shown and waited out (flows.weather).
    with spinner("Waiting for the instance to be authorized…") as update:
        state, _, _ = weather.poll_through(
            client.get_state_instance,
            lambda value: value == "authorized",
            timeout=wait,
            intervals=[1.0],  # the method's rate limit
            on_value=lambda value, left: update(f"Waiting for authorization: state is {describe_state(value).label}", left),
            on_hiccup=lambda error, left: update(f"{error.message} Trying again…", left),
        )
    return state
