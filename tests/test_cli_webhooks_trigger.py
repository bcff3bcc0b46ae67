"""`greencli webhooks trigger` against a real local bot on 127.0.0.1.

Green API POSTs each notification and needs a 200 within 180 s; it does not follow redirects:
https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/
"""

from __future__ import annotations

import json

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import start
from tests.conftest import token_leaks
from tests.local_bot import Bot, bot_fixture  # noqa: F401 - the `bot` fixture


def test_a_bot_that_answers_200_at_once_passes(run_cli, bot: Bot) -> None:
    result = run_cli(["webhooks", "trigger", "--to", bot.url, "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["verdict"] == "pass" and document["status"] == 200
    [(method, path, headers, body)] = bot.requests
    assert (method, path) == ("POST", "/webhook")
    sent = json.loads(body)
    assert sent["typeWebhook"] == "incomingMessageReceived"
    assert sent["messageData"]["textMessageData"]["textMessage"].startswith("greencli test notification")
    assert headers["Content-Type"] == "application/json" and "Authorization" not in headers


def test_the_authorization_header_is_the_one_green_api_sends(run_cli, bot: Bot) -> None:
    secret = "my-webhook-secret-0123456789"
    result = run_cli(["webhooks", "trigger", "outgoingMessageStatus", "--to", bot.url, "--url-token", secret])
    assert result.exit_code == 0
    assert bot.requests[0][2]["Authorization"] == f"Bearer {secret}"
    assert json.loads(bot.requests[0][3])["typeWebhook"] == "outgoingMessageStatus"
    assert not token_leaks(result.stdout + result.stderr, secret)


def test_a_redirect_is_a_failed_delivery_that_names_where_it_pointed(run_cli, bot: Bot) -> None:
    bot.answer, bot.location = 301, "/webhook/"
    result = run_cli(["webhooks", "trigger", "--to", bot.url, "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["verdict"] == "fail" and "does not follow redirects" in document["message"]
    assert "/webhook/" in document["hint"]
    assert len(bot.requests) == 1  # not followed


def test_a_slow_bot_fails_at_the_deadline(run_cli, bot: Bot) -> None:
    bot.delay = 2.0
    result = run_cli(["webhooks", "trigger", "--to", bot.url, "--max-time", "1"])
    assert result.exit_code == 1
    assert "did not answer within 1 s" in result.stdout


def test_an_error_answer_fails_with_the_fix(run_cli, bot: Bot) -> None:
    bot.answer = 500
    result = run_cli(["webhooks", "trigger", "--to", bot.url])
    assert result.exit_code == 1
    assert "answered 500" in result.stdout and "Answer 200" in result.stdout


def test_nothing_listening_fails_plainly(run_cli) -> None:
    result = run_cli(["webhooks", "trigger", "--to", "http://127.0.0.1:9/webhook", "--json"])
    assert result.exit_code == 1
    assert "could not be reached" in json.loads(result.stdout)["message"]


def test_the_instance_webhook_url_and_token_are_used_by_default(run_cli, bot: Bot) -> None:
    secret = "instance-webhook-secret-42"
    settings = {**guide_settings(), "webhookUrl": bot.url, "webhookUrlToken": secret}
    sandbox = start(Options(state="authorized", settings=settings), rate_limits=False)
    try:
        env = {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}
        result = run_cli(["webhooks", "trigger", "stateInstanceChanged", "--json"], env=env)
    finally:
        sandbox.stop()
    assert result.exit_code == 0, result.stdout + result.stderr
    triggered = [r for r in bot.requests if json.loads(r[3]).get("typeWebhook") == "stateInstanceChanged"]
    assert triggered and triggered[0][2]["Authorization"] == f"Bearer {secret}"
    assert json.loads(triggered[0][3])["instanceData"]["idInstance"] == int(sandbox.instance.instance_id)
    assert not token_leaks(result.stdout + result.stderr, secret)


def test_usage_errors_come_before_anything_is_sent(run_cli, bot: Bot) -> None:
    unknown = run_cli(["webhooks", "trigger", "somethingElse", "--to", bot.url])
    assert unknown.exit_code == 2 and "There is no sample" in unknown.stderr
    no_url = run_cli(["webhooks", "trigger"])
    assert no_url.exit_code == 2
    assert not bot.requests


def test_an_instance_in_polling_mode_has_no_bot_to_send_to(run_cli) -> None:
    sandbox = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    try:
        env = {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}
        result = run_cli(["webhooks", "trigger", "--json"], env=env)
    finally:
        sandbox.stop()
    assert result.exit_code == 1  # found by asking the instance, so not a usage error
    assert json.loads(result.stdout)["error"]["code"] == "no_webhook_url"


def test_a_204_is_a_failed_delivery(run_cli, bot: Bot) -> None:
    bot.answer = 204
    result = run_cli(["webhooks", "trigger", "--to", bot.url])
    assert result.exit_code == 1 and "Green API expects 200" in result.stdout


def _sandbox_env(sandbox) -> dict[str, str]:  # noqa: ANN001
    return {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}


def test_samples_carry_the_instances_own_number_so_a_bot_filtering_on_it_fires(run_cli, bot: Bot) -> None:
    """getSettings' `wid` (https://green-api.com/en/docs/api/account/GetSettings/) fills
    instanceData.wid, and senderData.sender of an outgoing message: the official chatbot
    library's `from_sender` filter compares senderData.sender."""
    sandbox = start(Options(state="authorized", settings=guide_settings()), rate_limits=False)
    try:
        wid = sandbox.instance.settings["wid"]
        assert wid.endswith("@c.us")
        for kind in ("incomingMessageReceived", "outgoingAPIMessageReceived", "outgoingMessageReceived"):
            result = run_cli(["webhooks", "trigger", kind, "--to", bot.url, "--json"], env=_sandbox_env(sandbox))
            assert result.exit_code == 0, result.stdout + result.stderr
            assert not any("wid is empty" in note for note in json.loads(result.stdout)["notes"])
    finally:
        sandbox.stop()
    bodies = [json.loads(request[3]) for request in bot.requests]
    assert [body["instanceData"]["wid"] for body in bodies] == [wid, wid, wid]
    assert bodies[0]["senderData"]["sender"] != wid  # incoming: the other party
    assert bodies[1]["senderData"]["sender"] == wid and bodies[2]["senderData"]["sender"] == wid


def test_without_a_linked_number_the_sample_says_its_wid_is_empty(run_cli, bot: Bot) -> None:
    result = run_cli(["webhooks", "trigger", "--to", bot.url])
    assert result.exit_code == 0
    assert "instanceData.wid is empty" in result.stdout
    assert json.loads(bot.requests[0][3])["instanceData"]["wid"] == ""


def test_a_pass_says_green_api_posts_from_its_own_addresses(run_cli, bot: Bot) -> None:
    """Green API lists the addresses its pushes come from on
    https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/ ("Our public
    IP-addresses which we sent webhooks from"); the sample came from this machine."""
    document = json.loads(run_cli(["webhooks", "trigger", "--to", bot.url, "--json"]).stdout)
    assert any("technology-webhook-endpoint" in note and "this machine" in note for note in document["notes"])
    bot.answer = 500
    failing = json.loads(run_cli(["webhooks", "trigger", "--to", bot.url, "--json"]).stdout)
    assert not any("technology-webhook-endpoint" in note for note in failing["notes"])
