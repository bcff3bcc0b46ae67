"""flows.listening: receive, hand over, delete; passing trouble is retried, the rest ends it."""

from __future__ import annotations

import stat

import pytest

from greencli.errors import ApiError, NotFine, ReaderGone
from greencli.flows.forwarding import Forwarder
from greencli.flows.listening import Handover, SetAsideFailed, listen, polling_settings, until_it_works
from tests.mocked_api import methods, url


def shown_all(handover: Handover) -> bool:
    return True


def test_each_notification_is_handed_over_before_it_is_deleted(api, client, token) -> None:
    order: list[str] = []
    api.get(url("receiveNotification", token), json={"receiptId": 7, "body": {"typeWebhook": "a"}})
    api.get(url("receiveNotification", token), body="null", content_type="application/json")
    api.get(url("receiveNotification", token), json={"receiptId": 8, "body": {"typeWebhook": "b"}})
    api.delete(url("deleteNotification", token) + "/7", json={"result": True})
    api.delete(url("deleteNotification", token) + "/8", json={"result": True})

    def show(handover: Handover) -> bool:
        order.append(f"show {handover.notification.receipt_id} {handover.forwarded}")
        order.append(methods(api)[-1])  # nothing was deleted before the handover
        return True

    listen(client, show, count=2, receive_timeout=5)
    assert order == ["show 7 None", "receiveNotification", "show 8 None", "receiveNotification"]
    assert methods(api).count("deleteNotification") == 2


def test_a_notification_the_reader_did_not_take_stays_and_listening_stops(api, client, token) -> None:
    ended: list[tuple[int, int]] = []
    api.get(url("receiveNotification", token), json={"receiptId": 1, "body": {}})
    api.get(url("receiveNotification", token), json={"receiptId": 2, "body": {}})
    api.delete(url("deleteNotification", token) + "/1", json={"result": True})
    taken = iter([True, False])
    listen(client, lambda handover: next(taken), count=5, receive_timeout=5, on_end=lambda *counts: ended.append(counts))
    assert methods(api) == ["receiveNotification", "deleteNotification", "receiveNotification"]
    assert ended == [(1, 0)]


def test_a_reader_gone_while_waiting_ends_listening_without_a_delete(api, client, token) -> None:
    ended: list[tuple[int, int]] = []

    def reader_left(call):  # noqa: ANN001, ANN202 - what StdoutReader.run does when the reader leaves
        raise ReaderGone

    listen(client, shown_all, count=None, receive_timeout=5, waiting=reader_left, on_end=lambda *counts: ended.append(counts))
    assert methods(api) == []
    assert ended == [(0, 0)]


def test_only_a_200_from_the_bot_delivers(api, client, token) -> None:
    # Green API counts a webhook delivered on HTTP 200 only (greenapi.md §11 "Delivered = HTTP 200";
    # https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/).
    handovers: list[Handover] = []
    failures: list[str] = []
    api.post("http://127.0.0.1:8000/hook", status=204)
    api.post("http://127.0.0.1:8000/hook", status=200)
    api.get(url("receiveNotification", token), json={"receiptId": 3, "body": {"typeWebhook": "x"}})
    api.delete(url("deleteNotification", token) + "/3", json={"result": True})
    listen(
        client,
        lambda handover: handovers.append(handover) or True,
        count=1,
        receive_timeout=5,
        forwarder=Forwarder("http://127.0.0.1:8000/hook", "abc", 5),
        on_forward_failure=lambda reason, retry_in: failures.append(reason),
        sleep=lambda seconds: None,
    )
    assert [handover.forwarded for handover in handovers] == [200]
    assert failures == ["http://127.0.0.1:8000/hook answered 204; Green API counts only 200 as delivered"]
    posts = [call for call in api.calls if call.request.url.startswith("http://127.0.0.1:8000")]
    assert len(posts) == 2
    assert posts[0].request.headers["Authorization"] == "Bearer abc"


def test_a_forwarded_notification_is_deleted_even_when_the_reader_left(api, client, token) -> None:
    api.post("http://127.0.0.1:8000/hook", status=200)
    api.get(url("receiveNotification", token), json={"receiptId": 3, "body": {}})
    api.delete(url("deleteNotification", token) + "/3", json={"result": True})
    listen(client, lambda handover: False, count=5, receive_timeout=5, forwarder=Forwarder("http://127.0.0.1:8000/hook", None, 5))
    called = [call.request.url.split("/")[4] if "waInstance" in call.request.url else "bot" for call in api.calls]
    assert called == ["receiveNotification", "bot", "deleteNotification"]  # the bot has it; then listening stops


POISON = [
    (b"[" * 100 + b"]" * 100, "nested more than 64 levels deep"),
    (b'{"n": ' + b"7" * 5000 + b"}", "a number of more than"),
    (b'{"typeWebhook": "\xff\xfe"}', "not UTF-8 text"),
    (b'{"a": tru}', "not valid JSON"),
]


@pytest.mark.parametrize(("body", "why"), POISON, ids=["deep", "5000-digits", "not-utf8", "garbled"])
def test_an_unreadable_notification_is_set_aside_whole_then_deleted(api, client, token, body: bytes, why: str) -> None:
    handovers: list[Handover] = []
    api.get(url("receiveNotification", token), body=b'{"receiptId": 9, "body": ' + body + b"}", content_type="application/json")
    api.delete(url("deleteNotification", token) + "/9", json={"result": True})
    listen(client, lambda handover: handovers.append(handover) or True, count=1, receive_timeout=5)
    [handover] = handovers
    assert why in (handover.notification.unreadable or "")
    saved = handover.set_aside
    assert saved is not None and saved.read_bytes() == body
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert methods(api) == ["receiveNotification", "deleteNotification"]


def test_an_unreadable_notification_is_forwarded_as_its_exact_bytes(api, client, token) -> None:
    body = b'{"typeWebhook": "\xff", "deep": ' + b"[" * 80 + b"]" * 80 + b"}"
    api.post("http://127.0.0.1:8000/hook", status=200)
    api.get(url("receiveNotification", token), body=b'{"receiptId": 4, "body": ' + body + b"}", content_type="application/json")
    api.delete(url("deleteNotification", token) + "/4", json={"result": True})
    handovers: list[Handover] = []
    listen(client, lambda handover: handovers.append(handover) or True, count=1, receive_timeout=5, forwarder=Forwarder("http://127.0.0.1:8000/hook", None, 5))
    assert handovers[0].set_aside is None and handovers[0].forwarded == 200
    assert api.calls[1].request.body == body


def test_an_unreadable_notification_that_cannot_be_set_aside_stays(api, client, token, tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where greencli's state directory would go")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    api.get(url("receiveNotification", token), body=b'{"receiptId": 9, "body": ' + b"[" * 100 + b"]" * 100 + b"}", content_type="application/json")
    with pytest.raises(SetAsideFailed) as caught:
        listen(client, shown_all, count=1, receive_timeout=5)
    assert caught.value.exit_code == 74
    assert "It stays in the queue" in caught.value.message
    assert methods(api) == ["receiveNotification"]


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
        shown_all,
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
        listen(client, shown_all, count=1, receive_timeout=5, sleep=lambda s: None)
    assert caught.value.code == "unauthorized"
    assert methods(api) == ["receiveNotification"]


def test_polling_is_impossible_while_a_webhook_url_is_set(api, client, token) -> None:
    api.get(url("getSettings", token), json={"webhookUrl": "https://bot.example.com/hook"})
    with pytest.raises(NotFine) as caught:
        polling_settings(client)
    assert caught.value.code == "polling_impossible"
