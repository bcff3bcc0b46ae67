"""`webhooks trigger`: send one sample notification to the bot and judge the answer as Green
API would.

Green API POSTs each notification and waits up to 180 s for an HTTP 200, and a failed delivery
is retried every 60 s; that it does not follow redirects is observed (the docs are silent), so a slow or failing bot receives its
notifications minutes late (https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/
and .../recommendations/working-with-incomming-webhooks/).
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from greencli.errors import NotFine
from greencli.flows.forwarding import GREEN_API_WAIT, Delivery, post_once
from greencli.greenapi.webhook_url import CREDENTIALS_IN_URL, carries_credentials
from greencli.redaction import register

SLOW = 5.0  # an answer slower than this works, but delays every notification behind it


class Verdict(NamedTuple):
    status: str  # "pass", "warn" or "fail"
    message: str
    hint: str | None
    delivery: Delivery


# Green API publishes the addresses its pushes come from ("Our public IP-addresses which we
# sent webhooks from", https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/);
# the list changes, so it is pointed to, not copied.
FROM_THIS_MACHINE = (
    "This sample came from this machine; Green API's pushes come from the addresses listed at "
    "https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/, so a firewall in front "
    "of the bot must let those in."
)


def refuse_credentials_in_url(url: str) -> None:
    """A webhook URL with `user:password@` (set in the console) is not sent to: what Green API
    sends for it is not documented, so a test of it would prove nothing."""
    if carries_credentials(url):
        register(urlsplit(url).password)
        raise NotFine(
            f"The webhook URL {url} {CREDENTIALS_IN_URL}, so greencli does not send to it.",
            "Put the secret in the webhook URL token instead: greencli webhooks enable --url https://HOST/PATH --url-token SECRET",
            code="webhook_url_credentials",
        )


def trigger(url: str, body: dict[str, Any], webhook_token: str | None, max_time: float = GREEN_API_WAIT) -> Verdict:
    delivery = post_once(url, body, webhook_token, max_time)
    return judge(url, delivery, max_time)


def judge(url: str, delivery: Delivery, max_time: float = GREEN_API_WAIT) -> Verdict:
    took = f"{delivery.seconds:.2f} s"
    if delivery.failure == "timeout":
        return Verdict(
            "fail",
            f"The bot did not answer within {max_time:g} s (Green API waits {GREEN_API_WAIT:g} s, then sends it again in 60 s).",
            "Answer 200 at once and do the work afterwards (a queue or a background task).",
            delivery,
        )
    if delivery.failure == "tls":
        return Verdict(
            "fail",
            f"TLS with the bot failed ({delivery.detail}): Green API's delivery fails the same way.",
            "Serve a certificate from a public CA that matches the host name (e.g. Let's Encrypt).",
            delivery,
        )
    if delivery.failure is not None:
        return Verdict(
            "fail",
            f"The bot could not be reached ({delivery.detail}).",
            "Check that the server runs and that the URL, port and firewall are right.",
            delivery,
        )
    status = delivery.status
    if status is not None and 300 <= status < 400:
        where = f" to {delivery.location}" if delivery.location else ""
        return Verdict(
            "fail",
            f"The bot answered {status}, a redirect{where}: Green API does not follow redirects (observed; its docs are silent), so it counts as a failed delivery.",
            f"Set the final URL as the webhook URL{': ' + delivery.location if delivery.location else ''} (often a missing or extra trailing slash, or http → https).",
            delivery,
        )
    if status != 200:  # a 204 too: only a 200 counts as delivered
        return Verdict(
            "fail",
            f"The bot answered {status}; Green API expects 200 and sends the notification again in 60 s otherwise.",
            "Answer 200 to every notification, including types the bot ignores.",
            delivery,
        )
    if delivery.seconds > SLOW:
        return Verdict(
            "warn",
            f"The bot answered 200, but after {took}: every notification behind this one waits as long.",
            "Answer 200 at once and do the work afterwards.",
            delivery,
        )
    return Verdict("pass", f"The bot answered 200 in {took} (Green API waits up to {GREEN_API_WAIT:g} s).", None, delivery)
