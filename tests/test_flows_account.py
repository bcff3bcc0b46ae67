"""flows.account: reboot and logout, and following a restart until authorized again."""

from __future__ import annotations

import pytest
import responses

from greencli.errors import NotFine
from greencli.flows import account
from greencli.flows.account import change_account, follow_restart
from tests.mocked_api import methods, url


@pytest.mark.parametrize(("action", "field"), [("reboot", "isReboot"), ("logout", "isLogout")])
def test_the_method_is_called_once_and_a_no_is_not_fine(api, client, token, action: str, field: str) -> None:
    api.get(url(action, token), json={field: True})
    change_account(client, action)
    api.replace(responses.GET, url(action, token), json={field: False})
    with pytest.raises(NotFine) as caught:
        change_account(client, action)
    assert caught.value.code == f"{action}_failed"
    assert methods(api) == [action, action]


def test_a_restart_counts_as_done_once_the_state_left_authorized_and_came_back(api, client, token, instant_polls) -> None:
    for state in ("authorized", "starting", "starting", "authorized"):
        api.get(url("getStateInstance", token), json={"stateInstance": state})
    state, _seconds = follow_restart(client, wait=60)
    assert state == "authorized"
    assert methods(api).count("getStateInstance") == 4


def test_a_restart_not_back_in_time_gives_the_last_state(api, client, token, instant_polls) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "starting"})
    state, _seconds = follow_restart(client, wait=3)
    assert state == "starting"


def test_authorized_throughout_counts_as_back_after_the_settle_time(api, client, token, instant_polls) -> None:
    """A reboot can happen between two looks: authorized for SETTLE_SECONDS is back too."""
    ticks = iter(range(0, 1000, 5))
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    state, seconds = follow_restart(client, wait=60, clock=lambda: float(next(ticks)))
    assert state == "authorized" and seconds >= account.SETTLE_SECONDS
