"""Checks of how the instance tells a bot what happens: the notification settings and the
webhook URL, and whether delivery statuses are on."""

from __future__ import annotations

from typing import Any

from greencli.doctor.answers import SETTINGS, Fetched
from greencli.doctor.declaration import Check, Gate, Stage
from greencli.doctor.result import Verdict, failed, passed, skipped, warned
from greencli.greenapi.notification_settings import GUIDE_TYPES, STATUS_NOTIFICATION_TYPES, STATUS_TYPE, is_on


def check_notifications(settings: Fetched[dict[str, Any]], resolve_urls: bool = True) -> Verdict:
    from greencli.greenapi.webhook_url import reachability_findings

    if settings.error is not None:
        return failed(f"Could not read the settings: {settings.error.message}", settings.error.hint)
    values = settings.value or {}
    off = [name for name in GUIDE_TYPES if not is_on(values, name)]
    url = str(values.get("webhookUrl") or "")
    mode = f"push to {url}" if url else "polling (no webhook URL)"
    details = [f"mode: {mode}", f"URL token: {'set' if values.get('webhookUrlToken') else 'not set'}"]
    if "incomingWebhook" in off:
        return failed("Incoming-message notifications are off: nothing will ever arrive", "greencli webhooks enable", details + [f"off: {', '.join(off)}"])
    if url:
        findings = reachability_findings(url, resolve=resolve_urls)
        errors = [f for f in findings if f.level == "error"]
        if errors:
            return failed(f"The webhook URL {errors[0].message}",
                          "Give a public https URL (greencli webhooks enable --url https://your-public-host/path), "
                          "or poll locally: greencli webhooks enable --polling", details + [f.message for f in findings[1:]])
        if findings:
            return warned(f"The webhook URL {findings[0].message}",
                          "Use a public https URL (greencli webhooks enable --url https://…), or poll locally: greencli webhooks enable --polling",
                          details + [f.message for f in findings[1:]])
    if off:
        return warned(f"The guide's notifications are not all on (off: {', '.join(off)})", "greencli webhooks enable", details)
    return passed(f"The guide's four notification types are on; {mode}", None, details)


def check_statuses(settings: Fetched[dict[str, Any]]) -> Verdict:
    """Delivery statuses follow the documented rule: the journals show them with outgoingWebhook
    on (https://green-api.com/en/docs/api/journals/GetMessage/); their notifications ask for
    outgoingWebhook, outgoingMessageWebhook and outgoingAPIMessageWebhook
    (https://green-api.com/en/docs/api/receiving/notifications-format/outgoing-message/OutgoingMessageStatus/).
    Informational when off: many bots do not track delivery."""
    if settings.error is not None:
        return skipped("the settings could not be read (see Notifications)")
    values = settings.value or {}
    if not is_on(values, STATUS_TYPE):
        return passed(f"Delivery statuses are off ({STATUS_TYPE} = no): a bot that tracks delivery hears nothing; "
                      "`greencli webhooks enable --status` switches them on",
                      "greencli webhooks enable --status")
    off = [name for name in STATUS_NOTIFICATION_TYPES if not is_on(values, name)]
    if off:
        return warned(f"Delivery statuses reach the journals, but not a bot: their notifications also need {' and '.join(off)} "
                      f"(off)", "greencli webhooks enable --status",
                      [f"on: {STATUS_TYPE} (enough for getMessage and lastOutgoingMessages)",
                       f"the outgoingMessageStatus notification asks for {', '.join(STATUS_NOTIFICATION_TYPES)}"])
    return passed("Delivery statuses are on (sent, delivered, read)")


CHECKS = (
    Check("notifications", "Notifications", lambda evidence: check_notifications(evidence.answer(SETTINGS)),
          Stage.ANSWER, reads=(SETTINGS,), needs=Gate.ACCEPTED),
    Check("statuses", "Delivery statuses", lambda evidence: check_statuses(evidence.answer(SETTINGS)),
          Stage.ANSWER, reads=(SETTINGS,), needs=Gate.ACCEPTED),
)
