"""The forwarder behind `webhooks listen --forward-to` POSTs what Green API would push
(HTTP mocked with `responses`)."""

from __future__ import annotations

import json

import responses

from greencli.flows.forwarding import Forwarder

BOT = "http://127.0.0.1:8000/webhook"
NOTE = {"typeWebhook": "incomingMessageReceived", "messageData": {"textMessageData": {"textMessage": "привет"}}}


@responses.activate
def test_sends_bearer_webhook_token_and_the_json_body() -> None:
    # Authorization: Bearer <webhookUrlToken>: greenapi.md §5.4 (green-api/greenapi-integration
    # src/core/guard.ts reads "<scheme> <token>"; receivers compare with `Bearer ${token}`).
    responses.post(BOT, status=200)
    forwarder = Forwarder(BOT, "bot-secret", timeout=2)
    assert forwarder.deliver(NOTE, lambda *_: None) == 200
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Bearer bot-secret"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == json.dumps(NOTE).encode("utf-8")  # as the sandbox writes it (no raw text given)


@responses.activate
def test_passes_green_apis_own_bytes_through() -> None:
    raw = '{"typeWebhook":"incomingMessageReceived",  "messageData":{"textMessageData":{"textMessage":"привет"}}}'.encode()
    responses.post(BOT, status=200)
    Forwarder(BOT, "bot-secret", timeout=2).deliver(json.loads(raw), lambda *_: None, raw=raw)
    assert responses.calls[0].request.body == raw


@responses.activate
def test_no_token_no_authorization_header() -> None:
    responses.post(BOT, status=200)
    Forwarder(BOT, None, timeout=2).deliver(NOTE, lambda *_: None)
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_a_redirect_is_a_failed_delivery_not_followed() -> None:
    responses.post(BOT, status=302, headers={"Location": "http://elsewhere.invalid/"})
    responses.post(BOT, status=200)
    failures: list[str] = []
    forwarder = Forwarder(BOT, "bot-secret", timeout=2)
    assert forwarder.deliver(NOTE, lambda reason, _: failures.append(reason), sleep=lambda _: None) == 200
    assert [call.request.url for call in responses.calls] == [BOT, BOT]
    assert len(failures) == 1
    assert failures[0].startswith(f"{BOT} answered 302, a redirect to http://elsewhere.invalid/;")



@responses.activate
def test_other_2xx_answers_are_failed_deliveries() -> None:
    # Only a 200 delivers (greenapi.md §11 "Delivered = HTTP 200": a notification leaves Green API's
    # queue after a 200 within 180 s; https://green-api.com/en/docs/api/recommendations/working-with-incomming-webhooks/).
    for status in (201, 202, 204):
        responses.post(BOT, status=status)
    responses.post(BOT, status=200)
    failures: list[str] = []
    assert Forwarder(BOT, None).deliver(NOTE, lambda reason, _: failures.append(reason), sleep=lambda _: None) == 200
    assert failures == [f"{BOT} answered {status}; Green API counts only 200 as delivered" for status in (201, 202, 204)]


def test_the_bot_gets_as_long_as_green_api_gives_a_webhook() -> None:
    # Green API waits up to 180 s for a webhook's answer:
    # https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/
    assert Forwarder(BOT, None).timeout == 180
