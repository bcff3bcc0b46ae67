"""flows.state_and_phone: the state and the phone at once, and waiting for authorization."""

from __future__ import annotations

from greencli.flows.state_and_phone import state_and_phone, wait_until_authorized
from tests.mocked_api import methods, url


def test_waiting_asks_once_a_second_until_authorized(api, client, token, instant_polls) -> None:
    for state in ("notAuthorized", "starting", "authorized"):
        api.get(url("getStateInstance", token), json={"stateInstance": state})
    assert wait_until_authorized(client, wait=60) == "authorized"
    assert instant_polls.sleeps == [1.0, 1.0]


def test_waiting_gives_up_with_the_last_state(api, client, token, instant_polls) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    assert wait_until_authorized(client, wait=3) == "notAuthorized"
    assert methods(api).count("getStateInstance") == 4  # at 0, 1, 2 and 3 s


def test_the_phone_is_asked_with_the_state_and_read_when_wanted(api, client, token) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.get(url("getWaSettings", token), json={"phone": "79001234567"})
    state, phone = state_and_phone(client)
    assert state == "authorized" and phone()["phone"] == "79001234567"
