"""Checks of the instance's WhatsApp account: its state, its connection, the linked phone and
how often the link dropped lately."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greencli.doctor.answers import STATE, STATE_HISTORY, STATUS, WA_SETTINGS, Fetched
from greencli.doctor.declaration import Check, Evidence, Gate, Stage
from greencli.doctor.result import Status, Verdict, failed, passed, skipped, warned
from greencli.greenapi.states import describe_state, format_phone

if TYPE_CHECKING:
    from greencli.greenapi.client import StateChange

LINK_DROPS = 3  # link drops within LINK_WINDOW before doctor calls the link unstable
LINK_WINDOW = 24 * 3600


def check_state(state: Fetched[str | None], history: Fetched[list[StateChange]] | None = None, now: float = 0.0) -> Verdict:
    """The state and its fix; the state history (when read) tells a link that was lost from
    one that never was."""
    if state.error is not None:
        return failed(state.error.message, state.error.hint)
    info = describe_state(state.value)
    hint = info.action
    changes = history.value if history is not None and history.error is None and history.value else []
    if state.value == "notAuthorized" and any(change.state == "authorized" for change in changes):
        # An instance can read notAuthorized while still linked; a reboot brings it back
        # (https://github.com/green-api/issues/issues/777).
        hint = ("It was linked before: if the phone still lists this device under Linked devices, run `greencli reboot` "
                "first (an instance can read notAuthorized while still linked, and a reboot restores it: Green API "
                "issue 777); otherwise link it again: `greencli qr`.")
    if state.value == "yellowCard" and any(change.state == "notAuthorized" and now - _seconds(change.timestamp) <= LINK_WINDOW
                                           for change in changes):
        # After authorization is lost an instance may read yellowCard in error
        # (https://github.com/green-api/issues/issues/1062).
        hint = ("The link dropped in the last 24 hours, and after authorization is lost an instance can read yellowCard "
                "in error (Green API issue 1062): if the phone no longer lists this device under Linked devices, link it "
                "again with `greencli qr`. Otherwise stop bulk sending, run `greencli reboot` and wait for the restriction to lift.")
    # Not authorized means nothing can be sent or received yet: a failure, even when it passes.
    return Verdict(Status.PASS if info.authorized else Status.FAIL, f"{info.label}: {info.meaning}", hint)


def _while(state: str | None) -> str:
    """Why an instance that is not authorized may lack a connection or a phone."""
    if state in (None, "notAuthorized"):
        return "no phone is linked"
    return f"the instance is {describe_state(state).label}"


def check_socket(status: Fetched[str], state: str | None) -> Verdict:
    if status.error is not None:
        return warned(f"Could not read the connection status: {status.error.message}")
    value = status.value
    if value == "online":
        return passed("online: the instance is connected to WhatsApp")
    if state != "authorized":
        return Verdict(Status.SKIP, f"{value}: expected while {_while(state)} (see Instance state)")
    return warned(f"{value}: the instance reports no connection to WhatsApp (this status can be inaccurate)",
                  "If messages stop, keep the phone online and run `greencli reboot`.")


def check_phone(wa: Fetched[dict[str, Any]], state: str | None) -> Verdict:
    if wa.error is not None:
        return Verdict(Status.WARN if state == "authorized" else Status.SKIP, f"Could not read the linked phone: {wa.error.message}")
    phone = format_phone(wa.value.get("phone") if isinstance(wa.value, dict) else None)
    if phone:
        return passed(f"Linked to {phone}" + ("" if state == "authorized" else f" ({_while(state)})"))
    if state != "authorized":
        return skipped(f"no phone reported while {_while(state)} (see Instance state)")
    return warned("The instance is authorized but reports no phone number", "Run `greencli check-state` again in a minute.")


def check_link(history: Fetched[list[StateChange]], now: float) -> Verdict:
    """How often the link dropped in the last day, from GetStateInstanceHistory
    (https://green-api.com/en/docs/api/account/GetStateInstanceHistory/)."""
    if history.error is not None:
        if history.error.code == "not_found":
            return skipped("this server does not offer GetStateInstanceHistory")
        return warned(f"Could not read the state history: {history.error.message}")
    recent = [change for change in history.value or () if now - _seconds(change.timestamp) <= LINK_WINDOW]
    drops = [change for change in recent if change.state in ("notAuthorized", "blocked")]
    details = [f"{len(recent)} state change{'s' if len(recent) != 1 else ''} in the last 24 hours"]
    if not drops:
        return passed("The link has not dropped in the last 24 hours", None, details)
    plural = "s" if len(drops) != 1 else ""
    if len(drops) < LINK_DROPS:
        return passed(f"The link dropped {len(drops)} time{plural} in the last 24 hours", None, details)
    # Usual causes: a phone offline for about 14 days unlinks the device (https://github.com/green-api/issues/issues/205),
    # regional blocks (https://github.com/green-api/issues/issues/517), linked-device locks
    # (https://green-api.com/en/docs/faq/if-your-instance-is-blocked/).
    blocked = sum(1 for change in drops if change.state == "blocked")
    if blocked:
        details.append(f"{blocked} of them blocked")
    return warned(f"The link dropped {len(drops)} times in the last 24 hours",
                  "Usual causes: the phone offline for long (keep it charged and online), a regional block "
                  "of WhatsApp on the phone's or the server's network, or a linked-device lock "
                  "(`greencli reboot`, or `greencli logout` and a new scan).", details)


def _seconds(timestamp: float) -> float:
    return timestamp / 1000 if timestamp > 10**11 else timestamp  # milliseconds, just in case


def _state(evidence: Evidence) -> str | None:
    return evidence.answer(STATE).value


CHECKS = (
    Check("state", "Instance state", lambda evidence: check_state(evidence.answer(STATE), evidence.answer(STATE_HISTORY), evidence.now),
          Stage.ANSWER, reads=(STATE, STATE_HISTORY), needs=Gate.ACCEPTED),
    Check("socket", "WhatsApp connection", lambda evidence: check_socket(evidence.answer(STATUS), _state(evidence)),
          Stage.ANSWER, reads=(STATUS,), needs=Gate.ACCEPTED),
    Check("phone", "Linked phone", lambda evidence: check_phone(evidence.answer(WA_SETTINGS), _state(evidence)),
          Stage.ANSWER, reads=(WA_SETTINGS,), needs=Gate.ACCEPTED),
    Check("link", "Link stability", lambda evidence: check_link(evidence.answer(STATE_HISTORY), evidence.now),
          Stage.ANSWER, reads=(STATE_HISTORY,), needs=Gate.ACCEPTED),
)
