"""How `webhooks trigger` judges a bot's answer, as Green API would (200 within 180 s, no
redirects): https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/"""

from __future__ import annotations

import pytest

from greencli.flows.forwarding import Delivery, connection_failure, post_once
from greencli.flows.webhook_trigger import judge
from greencli.greenapi.notification_samples import KINDS, sample
from tests.local_bot import bot_fixture  # noqa: F401 - the `bot` fixture


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
        (Delivery(None, 0.01, failure="connection", detail="the connection was refused"), "fail"),
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


def test_the_header_is_green_apis_even_with_credentials_in_the_url_or_netrc(tmp_path, monkeypatch, bot) -> None:  # noqa: ANN001
    """requests would send Basic credentials from `user:password@` or ~/.netrc instead."""
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login netrc-user password netrc-password\n")
    (tmp_path / ".netrc").chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    with_userinfo = bot.url.replace("http://", "http://bob:secret-password@")
    assert post_once(with_userinfo, {"typeWebhook": "x"}, "url-token", 5).status == 200
    assert post_once(bot.url, {"typeWebhook": "x"}, None, 5).status == 200
    assert bot.requests[0][2]["Authorization"] == "Bearer url-token"
    assert "Authorization" not in bot.requests[1][2]


def test_a_failed_connection_is_told_in_words_not_class_names() -> None:
    delivery = post_once("http://127.0.0.1:9/webhook", {"typeWebhook": "x"}, None, 5)
    assert delivery.failure == "connection" and delivery.detail == "the connection was refused"
    verdict = judge("http://127.0.0.1:9/webhook", delivery)
    assert "Error" not in verdict.message and "refused" in verdict.message


def test_connection_failures_are_named_from_their_cause() -> None:
    import socket

    import requests

    def wrapped(cause: BaseException) -> requests.ConnectionError:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise requests.ConnectionError("pool: Max retries exceeded") from inner
        except requests.ConnectionError as outer:
            return outer

    assert connection_failure(wrapped(socket.gaierror(-2, "Name or service not known"))) == "its host name does not resolve"
    assert connection_failure(wrapped(ConnectionResetError(104, "Connection reset by peer"))) == "the connection failed: connection reset by peer"
    assert connection_failure(requests.ConnectionError("?")) == "the connection failed"


def test_samples_carry_the_instances_own_number_where_green_api_puts_it() -> None:
    """instanceData.wid is the instance's own ID in every notification; senderData.sender is
    the other party of an incoming message and the instance itself for an outgoing one
    (.../notifications-format/incoming-message/TextMessage/, .../outgoing-message/Webhook-OutgoingMessageReceived/)."""
    own = "79001234567@c.us"
    incoming = sample("incomingMessageReceived", "1101000001", own)
    assert incoming["instanceData"]["wid"] == own and incoming["senderData"]["sender"] not in ("", own)
    for kind in ("outgoingMessageReceived", "outgoingAPIMessageReceived"):
        outgoing = sample(kind, "1101000001", own)
        assert outgoing["senderData"]["sender"] == own and outgoing["senderData"]["chatId"] != own
