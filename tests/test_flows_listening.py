"""flows.listening: receive, hand over, delete; passing trouble is retried, the rest ends it."""

from __future__ import annotations

import pytest

from greencli.errors import ApiError, NotFine
from greencli.flows.listening import listen, polling_settings, until_it_works
from tests.mocked_api import methods, url


def test_each_notification_is_handed_over_before_it_is_deleted(api, client, token) -> None:
    order: list[str] = []
    api.get(url("receiveNotification", token), json={"receiptId": 7, "body": {"typeWebhook": "a"}})
    api.get(url("receiveNotification", token), body="null", content_type="application/json")
    api.get(url("receiveNotification", token), json={"receiptId": 8, "body": {"typeWebhook": "b"}})
    api.delete(url("deleteNotification", token) + "/7", json={"result": True})
    api.delete(url("deleteNotification", token) + "/8", json={"result": True})

    def handle(notification, forwarded) -> None:
        order.append(f"handle {notification.receipt_id} {forwarded}")
        order.append(methods(api)[-1])  # nothing was deleted before the handover

    listen(client, handle, count=2, receive_timeout=5)
    assert order == ["handle 7 None", "receiveNotification", "handle 8 None", "receiveNotification"]
    assert methods(api).count("deleteNotification") == 2


def test_a_server_error_is_retried_with_growing_pauses(api, client, token) -> None:
    pauses: list[float] = []
    heard: list[str] = []
    receive = url("receiveNotification", token)
    for _ in range(3):
        api.get(receive, status=500, json={"message": "oops"})
    api.get(receive, json={"receiptId": 1, "body": {}})
    api.delete(url("deleteNotification", token) + "/1", json={"result": True})
    listen(
        client,
        lambda notification, forwarded: None,
        count=1,
        receive_timeout=5,
        on_retry=lambda error, pause: heard.append(error.code),
        sleep=pauses.append,
    )
    assert pauses == [1.0, 2.0, 4.0]
    assert heard == ["server_error"] * 3


def test_pauses_stop_growing_at_thirty_seconds() -> None:
    pauses: list[float] = []
    failures = iter(range(7))

    def flaky() -> str:
        if next(failures, None) is not None:
            raise ApiError("down", code="timeout")
        return "done"

    assert until_it_works(flaky, lambda error, pause: None, pauses.append) == "done"
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_an_error_no_retry_can_fix_ends_the_listener(api, client, token) -> None:
    api.get(url("receiveNotification", token), status=401)
    with pytest.raises(ApiError) as caught:
        listen(client, lambda notification, forwarded: None, count=1, receive_timeout=5, sleep=lambda s: None)
    assert caught.value.code == "unauthorized"
    assert methods(api) == ["receiveNotification"]


def test_forwarded_notifications_carry_the_receivers_status(api, client, token) -> None:
    handled: list[int | None] = []
    api.post("http://127.0.0.1:8000/hook", status=201)
    api.get(url("receiveNotification", token), json={"receiptId": 3, "body": {"typeWebhook": "x"}})
    api.delete(url("deleteNotification", token) + "/3", json={"result": True})
    listen(
        client,
        lambda notification, forwarded: handled.append(forwarded),
        count=1,
        receive_timeout=5,
        forward_to="http://127.0.0.1:8000/hook",
        webhook_token="abc",
    )
    assert handled == [201]
    forward = next(call for call in api.calls if call.request.url.startswith("http://127.0.0.1:8000"))
    assert forward.request.headers["Authorization"] == "Bearer abc"


def test_polling_is_impossible_while_a_webhook_url_is_set(api, client, token) -> None:
    api.get(url("getSettings", token), json={"webhookUrl": "https://bot.example.com/hook"})
    with pytest.raises(NotFine) as caught:
        polling_settings(client)
    assert caught.value.code == "polling_impossible"
