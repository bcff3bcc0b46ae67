"""doctor on what Green API users actually hit: each case with its source (Green API's pages
and its issue tracker), named in the test's docstring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greencli.config.loader import RootOptions, resolve
from greencli.doctor.answers import Fetched
from greencli.doctor.checks.account import check_state
from greencli.doctor.checks.local import check_format
from greencli.doctor.checks.notifications import check_statuses
from greencli.doctor.checks.queues import DELAY_MAXIMUM_MS, check_incoming, check_queue
from greencli.greenapi.client import StateChange

ID = "1101000001"
NOW = 1_800_000_000
ON = "yes"


def settings(**values: object) -> Fetched[dict[str, object]]:
    return Fetched(dict(values))


# -- the wrong product -----------------------------------------------------------------------


def test_an_api_url_of_the_telegram_api_fails_the_format_check_before_any_request(run_cli, token: str) -> None:
    """The Telegram API's SDK defaults to https://4100.api.green-api.com/tgm
    (https://github.com/green-api/telegram_api_client_python, API.py): like /v3 (MAX), the
    wrong product for greencli."""
    result = run_cli(["doctor", "--json"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token,
                                                "GREEN_API_URL": "https://4100.api.green-api.com/tgm"})
    assert result.exit_code == 2
    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["format"]["status"] == "fail" and "Telegram" in checks["format"]["message"]
    assert checks["reachability"]["status"] == "skip"  # nothing was asked of that host


def test_the_telegram_hosts_are_a_warning(token: str) -> None:
    """https://green-api.com/en/telegram/docs/request-format/ sends its requests to
    4100.api.green-api.com; WhatsApp's pages never name it (observed, so only a warning)."""
    resolution = resolve(RootOptions(instance_id=ID, token=token, api_url="https://4100.api.green-api.com"), {}, Path("/nonexistent"),
                         read_env_file=False)
    verdict = check_format(resolution)
    assert verdict.status == "warn" and "Telegram" in verdict.message and "4100.api.green-api.com" in verdict.message


# -- a send delay above the documented maximum -----------------------------------------------


@pytest.mark.parametrize(("delay", "status"), [(5000, "pass"), (DELAY_MAXIMUM_MS, "pass"), (DELAY_MAXIMUM_MS + 1, "warn"), (3_600_000, "warn")])
def test_a_send_delay_above_the_documented_maximum_with_messages_queued_warns(delay: int, status: str) -> None:
    """delaySendMessagesMilliseconds: at most 600,000 ms on newer copies of
    https://green-api.com/he/docs/api/send-messages-delay/ ; the English page,
    https://green-api.com/en/docs/api/send-messages-delay/ , allows 86,400,000 ms and says a
    message above it is not sent. doctor warns above the lower, and only with messages queued."""
    verdict = check_queue(Fetched(3), True, settings(delaySendMessagesMilliseconds=delay))
    assert verdict.status == status
    if status == "warn":
        assert f"{delay:,} ms" in verdict.message and "600,000 ms" in verdict.message and "may never drain" in verdict.message
        assert verdict.hint is not None and "300,000" in verdict.hint
        assert any("86,400,000" in detail for detail in verdict.details)
    assert check_queue(Fetched(0), True, settings(delaySendMessagesMilliseconds=delay)).status == "pass"  # nothing waits


def test_above_even_the_older_maximum_the_details_say_the_message_is_not_sent() -> None:
    """https://green-api.com/en/docs/api/send-messages-delay/: above 86,400,000 ms "the message
    will not be sent"."""
    verdict = check_queue(Fetched(1), True, settings(delaySendMessagesMilliseconds="90000000"))
    assert verdict.status == "warn" and any("not sent" in detail for detail in verdict.details)
    stuck = check_queue(Fetched(1), False, settings(delaySendMessagesMilliseconds=90_000_000))
    assert stuck.status == "fail" and "not authorized" in stuck.message and stuck.details  # the delay is named too


# -- the states Green API's tracker knows ----------------------------------------------------


def history(*records: tuple[str, int]) -> Fetched[list[StateChange]]:
    return Fetched([StateChange(state, NOW - ago, "79001234567@c.us") for state, ago in records])


def test_not_authorized_after_being_linked_suggests_a_reboot_first() -> None:
    """https://github.com/green-api/issues/issues/777: an instance read notAuthorized while
    still linked, and a reboot brought it back."""
    was_linked = check_state(Fetched("notAuthorized"), history(("notAuthorized", 60), ("authorized", 86400 * 3)), NOW)
    assert was_linked.status == "fail" and "greencli reboot" in (was_linked.hint or "") and "777" in (was_linked.hint or "")
    new = check_state(Fetched("notAuthorized"), history(("notAuthorized", 60)), NOW)
    assert "greencli qr" in (new.hint or "") and "reboot" not in (new.hint or "")  # a new instance: just link it


def test_yellow_card_right_after_the_link_dropped_says_it_may_be_wrong() -> None:
    """https://github.com/green-api/issues/issues/1062: after authorization is lost an instance
    can report yellowCard in error."""
    dropped = check_state(Fetched("yellowCard"), history(("yellowCard", 30), ("notAuthorized", 600), ("authorized", 7200)), NOW)
    assert "1062" in (dropped.hint or "") and "greencli qr" in (dropped.hint or "") and "Linked devices" in (dropped.hint or "")
    assert (dropped.hint or "").startswith("The link dropped in the last 24 hours")
    plain = check_state(Fetched("yellowCard"), history(("yellowCard", 30)), NOW)
    assert "greencli reboot" in (plain.hint or "") and "1062" in (plain.hint or "")  # still named, after the usual fix


def test_starting_names_whatsapp_outages_and_the_reboot_that_ends_them() -> None:
    """https://github.com/green-api/issues/issues/715 (and 828): instances stuck in starting
    after WhatsApp's servers were unavailable; the workaround is a reboot, then logout."""
    verdict = check_state(Fetched("starting"))
    hint = verdict.hint or ""
    assert "715" in hint and "outages" in hint and "greencli reboot" in hint and "greencli logout" in hint


# -- incoming notifications piling up in push mode -------------------------------------------


def test_many_notifications_with_a_webhook_url_say_how_to_clear_them() -> None:
    """https://github.com/green-api/issues/issues/1107: clearWebhooksQueue fails while a webhook
    URL is set; the workaround is to remove the URL first."""
    push = settings(webhookUrl="https://bot.example.com/hook")
    many = check_incoming(Fetched(120), push)
    hint = many.hint or ""
    assert many.status == "warn" and "1107" in hint and "clearWebhooksQueue" in hint
    assert hint.index("webhooks enable --polling") < hint.index("clear the queue") < hint.index("webhooks enable --url")
    few = check_incoming(Fetched(3), push)
    assert few.status == "warn" and "clearWebhooksQueue" not in (few.hint or "")


# -- delivery statuses, by the documented rule ------------------------------------------------


def test_statuses_follow_the_documented_rule() -> None:
    """The journals show statuses with outgoingWebhook on
    (https://green-api.com/en/docs/api/journals/GetMessage/); the outgoingMessageStatus
    notification asks for outgoingWebhook, outgoingMessageWebhook and outgoingAPIMessageWebhook
    (https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessageStatus/)."""
    all_three = check_statuses(settings(outgoingWebhook=ON, outgoingMessageWebhook=ON, outgoingAPIMessageWebhook=ON))
    assert all_three.status == "pass" and all_three.message.startswith("Delivery statuses are on")
    journals_only = check_statuses(settings(outgoingWebhook=ON, outgoingMessageWebhook=ON, outgoingAPIMessageWebhook="no"))
    assert journals_only.status == "warn" and "outgoingAPIMessageWebhook" in journals_only.message
    assert journals_only.hint == "greencli webhooks enable --status"
    off = check_statuses(settings(outgoingWebhook="no", outgoingMessageWebhook=ON, outgoingAPIMessageWebhook=ON))
    assert off.status == "pass" and "outgoingWebhook = no" in off.message  # informational: not every bot tracks delivery


# -- an expired or deleted instance ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "words", "stopped"),
    [
        ("expired", "instance_expired", "has expired", "the instance has expired"),
        ("deleted", "instance_deleted", "has been deleted", "the instance has been deleted"),
    ],
)
def test_an_expired_or_deleted_instance_is_named_as_such(run_cli, kind: str, code: str, words: str, stopped: str) -> None:
    """The documented 400s of https://green-api.com/en/docs/api/common-errors/ ("Instance
    account is expired. Renew your instance from personal area", "Instance is deleted"); new
    instances can read expired for a while (https://github.com/green-api/issues/issues/197,
    https://github.com/green-api/issues/issues/997). Not "the credentials could not be checked"."""
    from greencli.sandbox.faults import parse_fault
    from greencli.sandbox.instance import Options, guide_settings
    from greencli.sandbox.server import start

    running = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    running.sandbox.faults.add(parse_fault({"kind": kind}))  # the documented 400 and its text
    try:
        env = {"GREEN_API_URL": running.url, "GREEN_API_INSTANCE_ID": running.instance.instance_id,
               "GREEN_API_TOKEN": running.instance.token}
        result = run_cli(["doctor", "--json"], env=env)
        state = run_cli(["check-state", "--json"], env=env)
    finally:
        running.stop()
    assert result.exit_code == 1  # the instance's fault, not an outage
    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    credentials = checks["credentials"]
    assert credentials["status"] == "fail" and words in credentials["message"]
    assert "could not be checked" not in credentials["message"]
    assert "console.green-api.com" in credentials["hint"]
    if kind == "expired":
        assert "197" in credentials["hint"] and "997" in credentials["hint"]
    assert checks["state"]["message"] == f"skipped: {stopped}"
    assert json.loads(state.stdout)["error"]["code"] == code  # every command names it with its own code
