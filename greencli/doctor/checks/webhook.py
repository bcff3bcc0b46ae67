"""`doctor --probe-webhook`: one sample notification to the instance's webhook URL, judged as
Green API would (the same as `webhooks trigger`). Opt-in: it POSTs to the user's server."""

from __future__ import annotations

from typing import Any

from greencli.doctor.answers import SETTINGS, Fetched
from greencli.doctor.declaration import Check, Evidence, Gate, Stage
from greencli.doctor.result import Status, Verdict, skipped
from greencli.flows.webhook_trigger import FROM_THIS_MACHINE, trigger
from greencli.greenapi.notification_samples import sample
from greencli.greenapi.webhook_url import CREDENTIALS_IN_URL, carries_credentials
from greencli.redaction import register

PROBE_WAIT = 30.0  # Green API waits 180 s; a bot that needs more than this is in trouble anyway


def check_webhook(settings: Fetched[dict[str, Any]], instance_id: str) -> Verdict:
    if settings.error is not None or settings.value is None:
        why = f" ({settings.error.message})" if settings.error is not None else ""
        return skipped(f"the settings could not be read{why}")
    url = str(settings.value.get("webhookUrl") or "")
    if not url:
        return skipped("polling mode, no webhook URL to send to")
    if carries_credentials(url):
        return skipped(f"the webhook URL {CREDENTIALS_IN_URL}")
    token = str(settings.value.get("webhookUrlToken") or "") or None
    register(token)
    wid = str(settings.value.get("wid") or "")  # the instance's own ID, as its pushes carry it
    verdict = trigger(url, sample("incomingMessageReceived", instance_id, wid), token, PROBE_WAIT)
    details = (f"POST {url} " + ("with Authorization: Bearer …" if token else "without an Authorization header"),
               f"answer: {verdict.delivery.status or verdict.delivery.failure} in {verdict.delivery.seconds:.2f} s")
    message = verdict.message
    if verdict.delivery.status == 200:  # it works from here; Green API posts from elsewhere
        message += " " + FROM_THIS_MACHINE
    return Verdict(Status(verdict.status), message, verdict.hint, details)


def _webhook(evidence: Evidence) -> Verdict:
    return check_webhook(evidence.answer(SETTINGS), evidence.facts.credentials.instance_id)


CHECKS = (
    Check("webhook", "Webhook delivery", _webhook, Stage.ANSWER, reads=(SETTINGS,), needs=Gate.ACCEPTED,
          skipped_because="the instance could not be asked for its webhook URL",
          announce="Sending a sample notification to the webhook URL…", opt_in=True),
)
