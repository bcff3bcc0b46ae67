"""`webhooks listen` against a hostile queue and a hostile bot (127.0.0.1 only).

What must hold: no notification is lost (each is deleted only after it was shown, and
forwarded with a 2xx when forwarding), none is reported forwarded without a 2xx, one bad
notification never blocks the queue, and a second listener on the same instance is refused.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile import server as hostile
from tests.hostile.runner import RSS_LIMIT_MIB, finish, run_greencli, start

pytestmark = pytest.mark.e2e

TEXT = '{{"typeWebhook": "incomingMessageReceived", "timestamp": {stamp}, "idMessage": "M{n}", "senderData": {{"chatId": "79001234567@c.us"}}, "messageData": {{"typeMessage": "textMessage", "textMessageData": {{"textMessage": "hello {n}"}}}}}}'


def strict_lines(text: str) -> list[dict]:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} in greencli's JSON output")

    return [json.loads(line, parse_constant=refuse) for line in text.splitlines() if line.strip()]


def posted_ids(bot) -> list[str]:  # noqa: ANN001
    ids = []
    for verb, _, body in bot.calls("/webhook"):
        assert verb == "POST"
        ids.append(json.loads(body).get("idMessage") if body.startswith(b"{") else None)
    return ids


def test_poison_notifications_are_shown_forwarded_and_deleted(api, bot) -> None:
    queue = hostile.NotificationQueue(api)
    for n, stamp in enumerate(["1e300", "NaN", "-Infinity", "1e999", "1700000000"], start=1):
        queue.add(n, TEXT.format(stamp=stamp, n=n))
    queue.add(6, '"not even an object"')
    bot.route("/webhook", hostile.reply(200, b"ok"))
    run = run_greencli(
        ["--timeout", "2", "webhooks", "listen", "--count", "6", "--json", "--forward-to", f"{bot.url}/webhook"],
        api.url,
    )
    assert run.exit_code == 0, run.stderr
    records = strict_lines(run.stdout)  # no NaN or Infinity reaches the output
    assert [record["receiptId"] for record in records] == [1, 2, 3, 4, 5, 6]
    assert all(record["forwardStatus"] == 200 for record in records)
    assert queue.deleted == [1, 2, 3, 4, 5, 6]
    assert posted_ids(bot) == ["M1", "M2", "M3", "M4", "M5", None]
    assert run.peak_mib < RSS_LIMIT_MIB


def test_poison_notifications_in_plain_output(api) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, TEXT.format(stamp="1e300", n=1))
    queue.add(2, "[1, [2, [3]]]")
    run = run_greencli(["--timeout", "2", "webhooks", "listen", "--count", "2"], api.url)
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "hello 1" in lines[0]
    assert lines[1].startswith("(a notification greencli cannot summarise)")
    assert queue.deleted == [1, 2]


def test_a_redirecting_bot_is_a_failed_delivery(api, bot) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, TEXT.format(stamp=1700000000, n=1))
    elsewhere = f"{bot.url}/stolen"
    bot.route("/webhook", hostile.sequence(hostile.redirect(307, elsewhere), hostile.redirect(301, elsewhere), hostile.reply(200)))
    bot.route("/stolen", hostile.reply(200))
    run = run_greencli(
        ["--timeout", "2", "webhooks", "listen", "--count", "1", "--forward-to", f"{bot.url}/webhook"], api.url
    )
    assert run.exit_code == 0, run.stderr
    assert bot.calls("/stolen") == []  # neither the body nor the Authorization went there
    assert len(bot.calls("/webhook")) == 3
    assert f"answered 307, a redirect to {elsewhere}" in run.stderr
    assert queue.deleted == [1]


@pytest.mark.parametrize(
    "stall",
    [
        hostile.drip(0.5, headers_too=True),  # no status yet at the deadline
        hostile.never_answers(),
        hostile.endless_chunked(),  # a 200 whose answer never ends
        hostile.drip(0.5),  # a 200, then its body a byte at a time, past the deadline
        hostile.status_line_only(),  # "HTTP/1.1 200 OK", then the connection closes
        hostile.cut_short(),  # a 200 whose body stops short of its Content-Length
    ],
    ids=["drip", "silent", "endless", "drip-after-200", "status-line-only", "cut-short"],
)
def test_an_answer_that_is_not_a_complete_200_is_not_a_delivery(api, bot, stall) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, TEXT.format(stamp=1700000000, n=1))
    bot.route("/webhook", hostile.sequence(stall, hostile.reply(200, b"ok")))
    run = run_greencli(
        ["webhooks", "listen", "--count", "1", "--json", "--forward-to", f"{bot.url}/webhook", "--forward-timeout", "1"],
        api.url,
    )
    assert run.exit_code == 0, run.stderr
    assert len(bot.calls("/webhook")) == 2  # the first answer failed: sent once more, then delivered
    assert strict_lines(run.stdout)[0]["forwardStatus"] == 200
    assert queue.deleted == [1]
    assert run.peak_mib < RSS_LIMIT_MIB


def test_a_bot_that_never_answers_2xx_keeps_the_notification(api, bot, tmp_path) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, TEXT.format(stamp=1700000000, n=1))
    bot.route("/webhook", hostile.reply(500, b"no"))
    process = start(["--timeout", "1", "webhooks", "listen", "--count", "1", "--forward-to", f"{bot.url}/webhook"], api.url, tmp_path)
    assert hostile.wait_until(lambda: len(bot.calls("/webhook")) >= 2)
    process.terminate()
    run = finish(process, tmp_path, limit=20)
    assert "forwarded" not in run.stdout
    assert queue.deleted == []


def test_deep_json_in_the_queue_ends_listen_with_exit_3(api) -> None:
    hostile.NotificationQueue(api)
    api.route("receiveNotification", hostile.deep_json(100_000))
    run = run_greencli(["--timeout", "1", "webhooks", "listen", "--count", "1", "--json"], api.url)
    assert run.exit_code == 3
    assert strict_lines(run.stdout)[-1]["error"]["code"] == "bad_response"
    assert "Traceback" not in run.stderr


def test_a_delete_that_did_not_take_is_reported(api) -> None:
    queue = hostile.NotificationQueue(api)
    queue.delete_result = False
    queue.add(1, TEXT.format(stamp=1700000000, n=1))
    run = run_greencli(["--timeout", "2", "webhooks", "listen", "--count", "1"], api.url)
    assert run.exit_code == 0
    assert "did not delete notification 1" in run.stderr
    assert "1 of 1 notification was not deleted" in run.stderr


def test_a_second_listener_on_the_same_instance_is_refused(api, tmp_path) -> None:
    hostile.NotificationQueue(api)
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    first = start(["webhooks", "listen", "--receive-timeout", "5"], api.url, first_dir)
    try:
        assert hostile.wait_until(lambda: len(api.calls("receiveNotification")) >= 1)
        second = run_greencli(["webhooks", "listen", "--json"], api.url, cwd=second_dir)
    finally:
        first.terminate()
        finish(first, first_dir, limit=20)
    assert second.exit_code == 1
    error = json.loads(second.stdout)["error"]
    assert error["code"] == "listener_running"
    assert f"PID {first.pid}" in error["message"]
    # Once the first has stopped, a listener may start again.
