"""doctor's account checks: the instance's state, its WhatsApp connection, the linked phone, link
drops."""

from __future__ import annotations

import pytest

from greencli.doctor.answers import Fetched
from greencli.doctor.checks.account import check_link, check_phone, check_socket, check_state
from tests.doctor_inputs import NOW, api_error, fetched, history


@pytest.mark.parametrize(
    ("state", "status", "hint_words"),
    [
        ("authorized", "pass", None),
        ("notAuthorized", "fail", "greencli qr"),
        ("starting", "fail", "greencli reboot"),
        ("blocked", "fail", "support"),
        ("yellowCard", "fail", "greencli reboot"),
        ("sleepMode", "fail", "phone on"),
        (None, "fail", "notAuthorized means it is ready"),
        ("somethingNew", "fail", "console"),
    ],
)
def test_every_state_has_its_status_and_fix(state, status, hint_words) -> None:
    result = check_state(fetched(state))
    assert result.status == status
    if hint_words:
        assert hint_words in result.hint


def test_link_stability_several_drops_in_a_day_name_the_usual_causes() -> None:
    # https://green-api.com/en/docs/api/account/GetStateInstanceHistory/
    drops = history(("authorized", 60), ("notAuthorized", 600), ("authorized", 3600), ("blocked", 7200), ("authorized", 9000), ("notAuthorized", 20000))
    result = check_link(drops, NOW)
    assert result.status == "warn" and "3 times" in result.message
    for cause in ("phone offline", "regional block", "linked-device lock"):
        assert cause in result.hint


def test_link_stability_ignores_older_drops_and_passes_a_few() -> None:
    assert check_link(history(("notAuthorized", 600), ("notAuthorized", 3 * 86400), ("notAuthorized", 4 * 86400), ("notAuthorized", 5 * 86400)), NOW).status == "pass"
    assert check_link(history(), NOW).message == "The link has not dropped in the last 24 hours"
    assert check_link(fetched(error=api_error("not_found", 404)), NOW).status == "skip"
    assert check_link(fetched(error=api_error("server_error", 500)), NOW).status == "warn"


def test_socket_status_is_advisory_only() -> None:
    assert check_socket(fetched("offline"), "authorized").status == "warn"
    assert check_socket(fetched("online"), "authorized").status == "pass"
    assert "the instance is starting" in check_socket(fetched("offline"), "starting").message


def test_a_phone_linked_to_a_restricted_instance_is_still_named() -> None:
    result = check_phone(fetched({"phone": "79001234567"}), "yellowCard")
    assert result.status == "pass" and "+79001234567" in result.message and "yellowCard" in result.message
    assert "no phone is linked" in check_phone(fetched({"phone": ""}), "notAuthorized").message


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
