"""What each instance state means, and what to do about it."""

from __future__ import annotations

from typing import NamedTuple

WAIT_HINT = "`greencli check-state --wait 300` polls until it is authorized."


class StateInfo(NamedTuple):
    state: str | None
    label: str
    meaning: str
    action: str | None
    authorized: bool
    severity: str  # "pass", "warn" or "fail"


_KNOWN: dict[str, tuple[str, str | None, str]] = {
    "notAuthorized": (
        "No phone is linked to this instance yet.",
        "Link the phone: run `greencli qr` (or `greencli qr --phone NUMBER` for a pairing code).",
        "fail",
    ),
    "authorized": (
        "A phone is linked; the instance can send and receive messages.",
        None,
        "pass",
    ),
    # Stuck in starting after WhatsApp outages: https://github.com/green-api/issues/issues/715
    # and https://github.com/green-api/issues/issues/828 (reboot; logout and link again).
    "starting": (
        "The instance is starting (after a reboot, a settings change or maintenance); "
        "this can take up to 5 minutes.",
        f"Wait: {WAIT_HINT} If it lasts more than 5 minutes (instances can stay starting after "
        "WhatsApp outages: Green API issues 715 and 828), run `greencli reboot`; if that does not "
        "help, `greencli logout` and link the phone again.",
        "warn",
    ),
    # Either a linked-device lock or a ban of the account itself
    # (https://green-api.com/en/docs/faq/if-your-instance-is-blocked/).
    "blocked": (
        "WhatsApp has blocked this instance: either a lock on the linked device, or a ban of "
        "the phone number itself.",
        "A linked-device lock is lifted by `greencli reboot`, or by `greencli logout` and a new "
        "scan (`greencli qr`). If it stays blocked, the number is banned: that cannot be fixed "
        "through the API; appeal to WhatsApp from the phone and tell Green API support.",
        "fail",
    ),
    # yellowCard reported after authorization was lost: https://github.com/green-api/issues/issues/1062
    "yellowCard": (
        "WhatsApp has restricted sending from linked devices for spam-like activity; "
        "new messages wait in the queue.",
        "Stop bulk sending, run `greencli reboot`, send a few messages from the phone itself, "
        "and wait for the restriction to lift. If the phone no longer lists this device under "
        "Linked devices, authorization was lost and yellowCard may be wrong (Green API issue "
        "1062): link it again with `greencli qr`.",
        "fail",
    ),
    "sleepMode": (
        "The phone is off or offline (an outdated state).",
        "Turn the phone on and connect it to the internet; the instance recovers within "
        "5 minutes.",
        "fail",
    ),
}


# Every state getStateInstance answers, in the order a new instance meets them (before them it
# answers null while the instance is being created). https://green-api.com/en/docs/api/account/GetStateInstance/
STATES = tuple(_KNOWN)


def describe_state(state: str | None) -> StateInfo:
    if state is None:
        return StateInfo(
            None,
            "being created",
            "The instance is still being created (up to 5 minutes after it was created).",
            "Wait a few minutes and run `greencli check-state` again: notAuthorized means it is "
            "ready, and `greencli qr` links the phone.",
            False,
            "warn",
        )
    if state in _KNOWN:
        meaning, action, severity = _KNOWN[state]
        return StateInfo(state, state, meaning, action, state == "authorized", severity)
    return StateInfo(
        state,
        state,
        f"Green API reported a state greencli does not know: {state!r}.",
        "Look at the instance in the console at console.green-api.com; `greencli doctor` "
        "checks the rest.",
        False,
        "fail",
    )


def format_phone(phone: object) -> str | None:
    """'79001234567' -> '+79001234567'; empty or not text stays None."""
    if not phone or not isinstance(phone, str):
        return None
    digits = phone.split("@")[0].split(":")[0]
    return f"+{digits}" if digits.isdigit() else phone
