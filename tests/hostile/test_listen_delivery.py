"""`webhooks listen` deletes only what it delivered (127.0.0.1 only).

Delivered means: taken by the program reading stdout, or forwarded to the bot and answered
with a complete HTTP 200 within the forward timeout. Every case counts deletes against
deliveries: a reader that leaves after two lines, a slow bot, bodies greencli cannot read,
and a lock directory another local user (or a loose umask) got to first.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

import pytest

from tests.hostile import server as hostile
from tests.hostile.runner import ID, RSS_LIMIT_MIB, pipe_into, run_greencli

pytestmark = pytest.mark.e2e

TEXT = '{{"typeWebhook": "incomingMessageReceived", "idMessage": "M{n}", "senderData": {{"chatId": "79001234567@c.us"}}, "messageData": {{"typeMessage": "textMessage", "textMessageData": {{"textMessage": "hello {n}"}}}}}}'


def queue_of(api: hostile.HostileServer, size: int, **options: float) -> hostile.NotificationQueue:
    queue = hostile.NotificationQueue(api, **options)
    for n in range(1, size + 1):
        queue.add(n, TEXT.format(n=n))
    return queue


# -- a reader that goes away ----------------------------------------------------------------


@pytest.mark.parametrize("count", [["--count", "5"], []], ids=["count-5", "no-count"])
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_head_2_deletes_the_two_it_read_and_listen_ends(api, tmp_path, count: list[str], json_flag: list[str]) -> None:
    queue = queue_of(api, 5)
    run = pipe_into(["head", "-2"], ["webhooks", "listen", *count, *json_flag], api.url, tmp_path)
    assert run.exit_code == 0, run.stderr  # the code it would have had: a closed pipe is no error
    assert len(run.read.splitlines()) == 2
    assert queue.deleted == [1, 2]
    assert [receipt for receipt, _ in queue.pending] == [3, 4, 5]  # still there for the next run
    for noise in ("Traceback", "Broken pipe", "error:"):
        assert noise not in run.stderr
    assert run.peak_mib < RSS_LIMIT_MIB


def test_head_1_ends_listen(api, tmp_path) -> None:
    # An empty queue holds each receive until the server stops: a listener that waited for the
    # next notification would outlive the run's limit and fail the test.
    queue = queue_of(api, 1, empty_wait=3600)
    run = pipe_into(["head", "-1"], ["webhooks", "listen", "--receive-timeout", "60"], api.url, tmp_path)
    assert run.exit_code == 0, run.stderr
    assert queue.deleted == [1]
    assert len(api.calls("receiveNotification")) <= 2  # no extra call to find out that the reader left


# Reads one line, then leaves when the test says so (a file appears).
LEAVES_ON_CUE = "import os, sys, time\nprint(sys.stdin.readline(), end='', flush=True)\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.01)\n"


def test_a_reader_leaving_during_the_long_poll_ends_it_at_once(api, tmp_path) -> None:
    import sys
    import threading

    queue = queue_of(api, 1, empty_wait=3600)
    cue = tmp_path / "leave"

    def cue_when_waiting() -> None:
        hostile.wait_until(lambda: len(api.calls("receiveNotification")) == 2, seconds=30)
        cue.touch()

    cuer = threading.Thread(target=cue_when_waiting)
    cuer.start()
    run = pipe_into([sys.executable, "-c", LEAVES_ON_CUE, str(cue)], ["webhooks", "listen", "--receive-timeout", "60"], api.url, tmp_path)
    cuer.join()
    assert run.exit_code == 0, run.stderr
    assert run.read.count("hello 1") == 1
    assert queue.deleted == [1]
    assert len(api.calls("receiveNotification")) == 2  # the one in progress was given up, none more made


def test_a_stdout_closed_from_the_start_deletes_nothing(api, tmp_path) -> None:
    import subprocess

    from tests.hostile.runner import environment, greencli_command

    queue = queue_of(api, 3)
    reading, writing = os.pipe()
    os.close(reading)
    try:
        done = subprocess.run(
            [*greencli_command(), "webhooks", "listen", "--count", "3"], stdout=writing, stderr=subprocess.PIPE,
            env=environment(api.url), cwd=tmp_path, timeout=60, check=False,
        )
    finally:
        os.close(writing)
    assert done.returncode == 0, done.stderr
    assert queue.deleted == []
    assert b"Traceback" not in done.stderr


def test_forwarding_into_head_deletes_only_what_the_bot_took(api, bot, tmp_path) -> None:
    queue = queue_of(api, 5)
    bot.route("/webhook", hostile.reply(200, b"ok"))
    run = pipe_into(["head", "-2"], ["webhooks", "listen", "--forward-to", f"{bot.url}/webhook"], api.url, tmp_path)
    assert run.exit_code == 0, run.stderr
    posted = [json.loads(body)["idMessage"] for _, _, body in bot.calls("/webhook")]
    # The bot's 200 is the delivery; stdout is a log. Each one the bot took is deleted, none other.
    assert queue.deleted == [int(message[1:]) for message in posted]
    assert 2 <= len(posted) <= 3


def test_with_a_bot_an_unread_stdout_is_only_a_log(api, bot, tmp_path) -> None:
    # Forwarding, the bot's 200 is the delivery: a pipe nobody reads yet (but still open) holds
    # the log lines and does not hold up the bot.
    import subprocess

    from tests.hostile.runner import environment, greencli_command

    queue = queue_of(api, 3)
    bot.route("/webhook", hostile.reply(200, b"ok"))
    process = subprocess.Popen(
        [*greencli_command(), "webhooks", "listen", "--count", "3", "--forward-to", f"{bot.url}/webhook"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(api.url), cwd=tmp_path,
    )
    assert hostile.wait_until(lambda: queue.deleted == [1, 2, 3], seconds=30)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert len(out.splitlines()) == 3


# -- the bot --------------------------------------------------------------------------------


def test_a_slow_bot_is_waited_for_not_sent_the_notification_again(api, bot) -> None:
    # Green API waits up to 180 s for a webhook's answer (technology-webhook-endpoint page);
    # so does the forwarder by default, whatever --timeout says. A bot that thinks for 3 s under
    # --timeout 1 gets the notification once (the 12 s of the report, shortened).
    queue = queue_of(api, 1)
    bot.route("/webhook", hostile.delayed(3, hostile.reply(200, b"ok")))
    run = run_greencli(["--timeout", "1", "webhooks", "listen", "--count", "1", "--forward-to", f"{bot.url}/webhook"], api.url)
    assert run.exit_code == 0, run.stderr
    assert len(bot.calls("/webhook")) == 1
    assert queue.deleted == [1]
    assert "Forwarding failed" not in run.stderr


def test_forward_timeout_sets_how_long_the_bot_is_waited_for(api, bot) -> None:
    queue = queue_of(api, 1)
    bot.route("/webhook", hostile.sequence(hostile.delayed(3, hostile.reply(200, b"late")), hostile.reply(200, b"ok")))
    run = run_greencli(
        ["webhooks", "listen", "--count", "1", "--forward-to", f"{bot.url}/webhook", "--forward-timeout", "1"], api.url
    )
    assert run.exit_code == 0, run.stderr
    assert len(bot.calls("/webhook")) == 2
    assert "did not answer within 1 s" in run.stderr
    assert queue.deleted == [1]


@pytest.mark.parametrize("status", [201, 202, 204])
def test_only_a_200_is_a_delivery(api, bot, status: int) -> None:
    # greenapi.md §11 "Delivered = HTTP 200" (FAQ on slow webhooks; recommendations/working-with-incomming-webhooks).
    queue = queue_of(api, 1)
    bot.route("/webhook", hostile.sequence(hostile.reply(status), hostile.reply(status), hostile.reply(200)))
    run = run_greencli(["webhooks", "listen", "--count", "1", "--json", "--forward-to", f"{bot.url}/webhook"], api.url)
    assert run.exit_code == 0, run.stderr
    assert len(bot.calls("/webhook")) == 3
    assert f"answered {status}; Green API counts only 200 as delivered" in run.stderr
    assert json.loads(run.stdout)["forwardStatus"] == 200
    assert queue.deleted == [1]


# -- bodies greencli cannot read ------------------------------------------------------------

POISON = {
    "nested-100": b"[" * 100 + b"]" * 100,
    "nested-100000": b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "5000-digits": b'{"typeWebhook": "incomingMessageReceived", "timestamp": ' + b"7" * 5000 + b"}",
    "not-utf8": b'{"typeWebhook": "incomingMessageReceived", "text": "\xff\xfe\xc3"}',
}


@pytest.mark.parametrize("name", POISON)
def test_an_unreadable_notification_is_set_aside_then_deleted(api, tmp_path, name: str) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, POISON[name])
    queue.add(2, TEXT.format(n=2))
    state = tmp_path / "state"
    run = run_greencli(["webhooks", "listen", "--count", "2", "--json"], api.url, XDG_STATE_HOME=str(state))
    assert run.exit_code == 0, run.stderr
    first, second = (json.loads(line) for line in run.stdout.splitlines())
    assert first["receiptId"] == 1 and "body" not in first and first["unreadable"]
    saved = Path(first["savedTo"])
    assert saved.parent == state / "greencli"
    assert saved.read_bytes() == POISON[name]  # exactly as Green API sent it: nothing lost
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert second["body"]["idMessage"] == "M2"  # the queue moved on
    assert queue.deleted == [1, 2]
    assert run.peak_mib < RSS_LIMIT_MIB


def test_an_unreadable_notification_in_plain_output_names_its_file(api, tmp_path) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(7, POISON["nested-100"])
    run = run_greencli(["webhooks", "listen", "--count", "1"], api.url, XDG_STATE_HOME=str(tmp_path))
    assert run.exit_code == 0, run.stderr
    [line] = run.stdout.splitlines()
    assert line.startswith("(notification 7 greencli cannot read: it is nested more than 64 levels deep; 200 bytes)")
    saved = line.split("saved to ", 1)[1]
    assert Path(saved).read_bytes() == POISON["nested-100"]
    assert queue.deleted == [7]


@pytest.mark.parametrize("name", POISON)
def test_an_unreadable_notification_is_forwarded_as_its_exact_bytes(api, bot, tmp_path, name: str) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, POISON[name])
    bot.route("/webhook", hostile.reply(200, b"ok"))
    state = tmp_path / "state"
    run = run_greencli(
        ["webhooks", "listen", "--count", "1", "--json", "--forward-to", f"{bot.url}/webhook"], api.url, XDG_STATE_HOME=str(state)
    )
    assert run.exit_code == 0, run.stderr
    [(_, _, posted)] = bot.calls("/webhook")
    assert posted == POISON[name]
    assert json.loads(run.stdout)["forwardStatus"] == 200
    assert queue.deleted == [1]
    assert not state.exists()  # the bot has it: nothing set aside


def test_a_notification_that_cannot_be_set_aside_stays_and_listen_exits_74(api, tmp_path) -> None:
    queue = hostile.NotificationQueue(api)
    queue.add(1, POISON["nested-100"])
    blocked = tmp_path / "state"
    blocked.write_text("not a directory")
    run = run_greencli(["webhooks", "listen", "--count", "1", "--json"], api.url, XDG_STATE_HOME=str(blocked))
    assert run.exit_code == 74
    assert json.loads(run.stdout.splitlines()[-1])["error"]["code"] == "set_aside_failed"
    assert queue.deleted == []


# -- the one-listener lock ------------------------------------------------------------------


def lock_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("greencli/listen-*.lock"))


def test_a_lock_squatted_at_the_old_tmp_path_does_not_block_listen(api, tmp_path) -> None:
    # Before, the lock lived at /tmp/greencli-UID-listen-ID-HOST.lock: any local user could create
    # it first and hold it. Now it is in a private directory; the squatted file is ignored.
    queue = queue_of(api, 1)
    host = hashlib.sha256(api.url.encode()).hexdigest()[:12]
    squatted = Path(tempfile.gettempdir()) / f"greencli-{os.getuid()}-listen-{ID}-{host}.lock"
    descriptor = os.open(squatted, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        run = run_greencli(["webhooks", "listen", "--count", "1"], api.url, XDG_RUNTIME_DIR="")
    finally:
        os.close(descriptor)
        squatted.unlink()
    assert run.exit_code == 0, run.stderr
    assert queue.deleted == [1]


def test_a_runtime_dir_open_to_others_is_not_used(api, tmp_path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    cache = tmp_path / "cache"
    queue = queue_of(api, 1)
    run = run_greencli(["webhooks", "listen", "--count", "1"], api.url, XDG_RUNTIME_DIR=str(shared), XDG_CACHE_HOME=str(cache))
    assert run.exit_code == 0, run.stderr
    assert queue.deleted == [1]
    assert lock_files(shared) == [] and not (shared / "greencli").exists()
    assert len(lock_files(cache)) == 1
    assert stat.S_IMODE((cache / "greencli").stat().st_mode) == 0o700


def test_a_lock_directory_of_ours_left_open_is_closed_before_use(api, tmp_path) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    (runtime / "greencli").mkdir()
    (runtime / "greencli").chmod(0o777)  # made under a loose umask, say
    planted = runtime / "greencli" / "planted"
    planted.write_text("someone else's")
    queue = queue_of(api, 1)
    host = hashlib.sha256(api.url.encode()).hexdigest()[:12]
    (runtime / "greencli" / f"listen-{ID}-{host}.lock").symlink_to(planted)  # left while it was open
    run = run_greencli(["webhooks", "listen", "--count", "1"], api.url, XDG_RUNTIME_DIR=str(runtime))
    assert run.exit_code == 0, run.stderr
    assert queue.deleted == [1]
    assert stat.S_IMODE((runtime / "greencli").stat().st_mode) == 0o700
    assert planted.read_text() == "someone else's"  # the link was not followed
    [lock] = lock_files(runtime)
    assert not lock.is_symlink() and stat.S_IMODE(lock.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a directory another user's needs root")
def test_a_lock_directory_owned_by_another_user_is_not_used_and_does_not_block(api, tmp_path) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    theirs = runtime / "greencli"
    theirs.mkdir()
    theirs.chmod(0o777)
    os.chown(theirs, 65534, 65534)
    queue = queue_of(api, 1)
    run = run_greencli(["webhooks", "listen", "--count", "1"], api.url, XDG_RUNTIME_DIR=str(runtime))
    assert run.exit_code == 0, run.stderr
    assert queue.deleted == [1]
    assert "belongs to another user" in run.stderr
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o777 and list(theirs.iterdir()) == []  # left as it was


def test_two_listeners_sharing_the_private_directory_still_exclude_each_other(api, tmp_path) -> None:
    from tests.hostile.runner import finish, start

    queue_of(api, 0)
    first = start(["webhooks", "listen", "--receive-timeout", "5"], api.url, tmp_path)
    try:
        assert hostile.wait_until(lambda: len(api.calls("receiveNotification")) >= 1)
        second = run_greencli(["webhooks", "listen", "--json"], api.url)
    finally:
        first.terminate()
        finish(first, tmp_path, limit=20)
    assert second.exit_code == 1
    assert json.loads(second.stdout)["error"]["code"] == "listener_running"
