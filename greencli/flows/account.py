"""Restarting the instance, or unlinking its phone.

https://green-api.com/en/docs/api/account/Reboot/ and .../Logout/: each answers whether it
happened (isReboot, isLogout).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from greencli.errors import ErrorCode, NotFine
from greencli.flows import waiting
from greencli.flows.waiting import Spinner, no_spinner
from greencli.greenapi.states import describe_state

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient

def change_account(client: GreenApiClient, action: str) -> None:
    """Call `reboot` or `logout`; NotFine when Green API answers that it did not happen."""
    done = client.reboot() if action == "reboot" else client.logout()
    if not done:
        code: ErrorCode = "reboot_failed" if action == "reboot" else "logout_failed"
        raise NotFine(f"Green API answered that the {action} did not happen.", "Wait a minute and try again.", code=code)


SETTLE_SECONDS = 15  # still authorized this long after a reboot: it restarted between two looks


def follow_restart(
    client: GreenApiClient,
    wait: float,
    spinner: Spinner = no_spinner,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[str | None, float]:
    """Poll the state (once a second, its rate limit) until the instance is back to authorized;
    the last state and the seconds it took.

    Right after a reboot the state can still read authorized; it counts as back once it was
    seen otherwise (`starting`), or has read authorized for SETTLE_SECONDS.
    """
    started = clock()
    left_authorized = False

    def back(state: str | None) -> bool:
        nonlocal left_authorized
        if state != "authorized":
            left_authorized = True
            return False
        return left_authorized or clock() - started >= SETTLE_SECONDS

    with spinner("Following the restart…") as update:
        state, _ = waiting.poll(
            client.get_state_instance,
            back,
            timeout=wait,
            on_value=lambda value, left: update(f"Following the restart: {describe_state(value).label}", left),
        )
    return state, clock() - started
