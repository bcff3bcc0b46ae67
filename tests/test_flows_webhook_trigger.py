"""How `webhooks trigger` judges a bot's answer, as Green API would (200 within 180 s, no
redirects): https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/"""

from __future__ import annotations

import pytest

from greencli.flows.forwarding import Delivery
from greencli.flows.webhook_trigger import judge
from greencli.greenapi.notification_samples import KINDS, sample


@pytest.mark.parametrize(
    ("delivery", "status"),
    [
        (Delivery(200, 0.05), "pass"),
        (Delivery(200, 12.0), "warn"),  # works, but holds up every notification behind it
        (Delivery(204, 0.05), "fail"),  # Green API asks for 200 and sends anything else again
        (Delivery(302, 0.05, "https://bot.example/webhook/"), "fail"),
        (Delivery(401, 0.05), "fail"),
        (Delivery(None, 180.0, failure="timeout"), "fail"),
        (Delivery(None, 0.2, failure="tls", detail="CERTIFICATE_VERIFY_FAILED"), "fail"),
        (Delivery(None, 0.01, failure="connection", detail="ConnectionError"), "fail"),
    ],
)
def test_verdicts(delivery: Delivery, status: str) -> None:
    verdict = judge("https://bot.example/webhook", delivery)
    assert verdict.status == status
    assert verdict.message
    assert (verdict.hint is None) == (status == "pass")


@pytest.mark.parametrize("kind", KINDS)
def test_samples_carry_the_envelope_green_api_sends(kind: str) -> None:
    body = sample(kind, "1101000001", "79001234567@c.us", now=1_700_000_000)
    assert body["typeWebhook"] == kind
    assert body["instanceData"] == {"idInstance": 1101000001, "wid": "79001234567@c.us", "typeInstance": "whatsapp"}
    assert body["timestamp"] == 1_700_000_000


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        sample("somethingElse", "1101000001")
