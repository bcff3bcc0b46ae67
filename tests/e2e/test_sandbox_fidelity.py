"""The sandbox follows Green API's pages, not our guesses (issue 24): rate limits only where the
rate-limiter page lists one, 429 with and without Retry-After, the documented 400s on demand,
no pushes while the instance is not authorized."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import RunningSandbox, start
from tests.local_bot import Bot, bot_fixture  # noqa: F401 - the `bot` fixture

pytestmark = pytest.mark.e2e


@pytest.fixture
def running() -> Iterator[RunningSandbox]:
    sandbox = start(Options(state="authorized", settings=guide_settings(), push_retry_seconds=0.05))
    try:
        yield sandbox
    finally:
        sandbox.stop()


def call(sandbox: RunningSandbox, verb: str, method: str, body: object = None) -> requests.Response:
    url = f"{sandbox.url}/waInstance{sandbox.instance.instance_id}/{method}/{sandbox.instance.token}"
    return requests.request(verb, url, json=body, timeout=10)


def test_429_comes_with_and_without_retry_after(running: RunningSandbox) -> None:
    # https://green-api.com/en/docs/api/ratelimiter/: getSettings 1 a second, no Retry-After promised.
    answers = [call(running, "GET", "getSettings") for _ in range(5)]
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) >= 2
    headers = [a.headers.get("Retry-After") for a in refused]
    assert None in headers and "1" in headers


@pytest.mark.parametrize(("verb", "method"), [("GET", "getMessagesCount"), ("GET", "getWebhooksCount"), ("GET", "GetStateInstanceHistory")])
def test_methods_the_rate_limiter_page_does_not_list_have_no_limit(running: RunningSandbox, verb: str, method: str) -> None:
    assert [call(running, verb, method).status_code for _ in range(5)] == [200] * 5


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("starting", "instance in starting process try later"),
        ("expired", "Instance account is expired. Renew your instance from personal area"),
        ("deleted", "Instance is deleted"),
    ],
)
def test_the_documented_400s_are_reachable_through_faults(running: RunningSandbox, kind: str, text: str) -> None:
    # https://green-api.com/en/docs/api/common-errors/
    control = f"{running.url}/sandbox/faults"
    assert requests.post(control, json={"kind": kind, "method": "getStateInstance", "times": 1}, timeout=10).status_code == 200
    answer = call(running, "GET", "getStateInstance")
    assert (answer.status_code, answer.text) == (400, text)
    assert call(running, "GET", "getStateInstance").status_code in (200, 429)  # once only


def test_no_pushes_while_not_authorized_then_the_queue_goes_out(running: RunningSandbox, bot: Bot) -> None:
    # receiving/technology-webhook-endpoint: notifications wait in the queue until they can be sent.
    instance = running.instance
    instance.set_state("notAuthorized")
    instance.update_settings({"webhookUrl": bot.url})
    instance.incoming_message("79001112233@c.us", "waits")
    delivered = threading.Event()
    original = instance.notifications.delete

    def deleted(receipt: int) -> bool:
        delivered.set()
        return original(receipt)

    instance.notifications.delete = deleted  # type: ignore[method-assign]
    assert not delivered.wait(0.6)
    waiting = len(instance.notifications)  # the state change to notAuthorized, and the message
    assert bot.requests == [] and waiting == 2
    instance.set_state("authorized")  # one more: the state change to authorized
    for _ in range(waiting + 1):
        assert delivered.wait(10)
        delivered.clear()
    assert b'"waits"' in bot.requests[1][3]
