"""`doctor --probe-webhook`: one sample notification to the instance's webhook URL, judged as
Green API would (the same as `webhooks trigger`). Opt-in: it POSTs to the user's server."""

from __future__ import annotations

from typing import Any

from greencli.doctor.checks import TITLES, CheckResult
from greencli.flows.webhook_trigger import FROM_THIS_MACHINE, trigger
from greencli.greenapi.notification_samples import sample
from greencli.greenapi.webhook_url import CREDENTIALS_IN_URL, carries_credentials
from greencli.redaction import register

PROBE_WAIT = 30.0  # Green API waits 180 s; a bot that needs more than this is in trouble anyway


def check_webhook(settings: dict[str, Any] | None, instance_id: str, why_not: str | None = None) -> CheckResult:
    def result(status: str, message: str, hint: str | None = None, details: list[str] | None = None) -> CheckResult:
        return CheckResult("webhook", TITLES["webhook"], status, message, hint, details or [])

    if settings is None:
        return result("skip", f"skipped: {why_not or 'the settings could not be read'}")
    url = str(settings.get("webhookUrl") or "")
    if not url:
        return result("skip", "skipped: polling mode, no webhook URL to send to")
    if carries_credentials(url):
        return result("skip", f"skipped: the webhook URL {CREDENTIALS_IN_URL}")
    token = str(settings.get("webhookUrlToken") or "") or None
    register(token)
    wid = str(settings.get("wid") or "")  # the instance's own ID, as its pushes carry it
    verdict = trigger(url, sample("incomingMessageReceived", instance_id, wid), token, PROBE_WAIT)
    details = [f"POST {url} " + ("with Authorization: Bearer …" if token else "without an Authorization header"), f"answer: {verdict.delivery.status or verdict.delivery.failure} in {verdict.delivery.seconds:.2f} s"]
    message = verdict.message
    if verdict.delivery.status == 200:  # it works from here; Green API posts from elsewhere
        message += " " + FROM_THIS_MACHINE
    return result(verdict.status, message, verdict.hint, details)
