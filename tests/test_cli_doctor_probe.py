"""`doctor --probe-webhook`: the opt-in check that POSTs one sample notification to the bot."""

from __future__ import annotations

import json

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import start
from tests.local_bot import Bot, bot_fixture  # noqa: F401 - the `bot` fixture


def _doctor(run_cli, settings: dict, *args: str):  # type: ignore[no-untyped-def]
    sandbox = start(Options(state="authorized", settings=settings), rate_limits=False)
    try:
        env = {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}
        return run_cli(["doctor", *args], env=env)
    finally:
        sandbox.stop()


def _webhook_check(result) -> dict:  # type: ignore[no-untyped-def]
    return next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "webhook")


def test_a_redirecting_bot_fails_the_probe(run_cli, bot: Bot) -> None:
    bot.answer, bot.location = 308, "https://elsewhere.example/webhook"
    result = _doctor(run_cli, {**guide_settings(), "webhookUrl": bot.url, "webhookUrlToken": "probe-secret-123"}, "--probe-webhook", "--json")
    check = _webhook_check(result)
    assert check["status"] == "fail" and "redirect" in check["message"]
    assert result.exit_code == 1
    probes = [r for r in bot.requests if json.loads(r[3]).get("messageData", {}).get("textMessageData", {}).get("textMessage", "").startswith("greencli test")]
    assert probes and probes[0][2]["Authorization"] == "Bearer probe-secret-123"


def test_a_healthy_bot_passes_and_polling_mode_is_skipped(run_cli, bot: Bot) -> None:
    passing = _doctor(run_cli, {**guide_settings(), "webhookUrl": bot.url}, "--probe-webhook", "--json")
    assert _webhook_check(passing)["status"] in ("pass", "warn")  # warn: a loopback URL is not public
    # The probe came from this machine; Green API posts from the addresses on its page.
    assert "https://green-api.com/en/docs/api/receiving/technology-webhook-endpoint/" in _webhook_check(passing)["message"]
    probe = next(json.loads(r[3]) for r in bot.requests if b"greencli test notification" in r[3])
    assert probe["instanceData"]["wid"].endswith("@c.us")  # the instance's own number, as pushes carry it
    polling = _doctor(run_cli, guide_settings(), "--probe-webhook", "--json")
    assert _webhook_check(polling)["status"] == "skip"


def test_without_the_option_nothing_is_posted(run_cli, bot: Bot) -> None:
    result = _doctor(run_cli, {**guide_settings(), "webhookUrl": bot.url}, "--json")
    assert all(c["id"] != "webhook" for c in json.loads(result.stdout)["checks"])
    assert not [r for r in bot.requests if b"greencli test notification" in r[3]]
