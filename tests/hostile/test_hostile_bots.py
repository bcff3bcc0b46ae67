"""`webhooks trigger` and `doctor --probe-webhook` against bots that misbehave (issue 22).

A bot that drips its answer a byte a second (its status line included), or never answers, is
given up on at the command's deadline by the wall clock: a socket timeout restarts with every
byte and would wait forever. A webhook URL with `user:password@` is not sent to (what Green
API sends for it is not documented), and its password never reaches any output. A process limit
only guards the run; nothing here times greencli.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import start
from tests.hostile import server as hostile
from tests.hostile.runner import RSS_LIMIT_MIB, run_greencli
from tests.hostile.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.e2e

PASSWORD = "pa55-w0rd-nobody-may-see"


@pytest.mark.parametrize(
    "behaviour",
    [lambda: hostile.drip(1.0, headers_too=True), lambda: hostile.never_answers()],
    ids=["drip-status-line", "never-answers"],
)
def test_trigger_gives_up_on_a_slow_bot_at_its_deadline(bot, behaviour) -> None:  # noqa: ANN001
    bot.route("/hook", behaviour())
    run = run_greencli(["webhooks", "trigger", "--to", f"{bot.url}/hook", "--max-time", "2", "--json"], "http://127.0.0.1:9", limit=40,
                       GREEN_API_INSTANCE_ID="", GREEN_API_TOKEN="")
    assert run.exit_code == 1, run.stdout + run.stderr
    document = json.loads(run.stdout)
    assert document["verdict"] == "fail" and document["status"] is None
    assert "did not answer within 2 s" in document["message"]
    assert run.peak_mib < RSS_LIMIT_MIB
    assert len(bot.calls("/hook")) == 1  # one delivery, never repeated


def test_a_bot_that_answers_200_then_drips_its_body_has_answered(bot) -> None:  # noqa: ANN001
    bot.route("/hook", hostile.drip(1.0))  # the status line at once: Green API needs no more
    run = run_greencli(["webhooks", "trigger", "--to", f"{bot.url}/hook", "--max-time", "30", "--json"], "http://127.0.0.1:9", limit=40,
                       GREEN_API_INSTANCE_ID="", GREEN_API_TOKEN="")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["status"] == 200


def test_the_probe_gives_up_on_a_slow_bot_at_its_deadline(run_cli, bot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from greencli.doctor.checks import webhook

    monkeypatch.setattr(webhook, "PROBE_WAIT", 2.0)
    bot.route("/hook", hostile.drip(1.0, headers_too=True))
    sandbox = start(Options(state="authorized", settings={**guide_settings(), "webhookUrl": f"{bot.url}/hook"}), rate_limits=False)
    try:
        env = {"GREEN_API_INSTANCE_ID": sandbox.instance.instance_id, "GREEN_API_TOKEN": sandbox.instance.token, "GREEN_API_URL": sandbox.url}
        result = run_cli(["doctor", "--probe-webhook", "--json"], env=env)
    finally:
        sandbox.stop()
    check = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "webhook")
    assert check["status"] == "fail" and "did not answer within 2 s" in check["message"]
    assert result.exit_code == 1


def _settings_with_password(bot_url: str) -> dict[str, Any]:
    host = bot_url.split("://", 1)[1]
    return {"webhookUrl": f"http://bob:{PASSWORD}@{host}/hook", "webhookUrlToken": "url-token-0123456789", "incomingWebhook": "yes", "wid": "79001234567@c.us"}


def _everything(run, *files: Path) -> str:  # noqa: ANN001
    return run.stdout + run.stderr + "".join(path.read_text(encoding="utf-8") for path in files if path.exists())


@pytest.mark.parametrize("mode", ["plain", "json"])
def test_trigger_refuses_a_webhook_url_with_a_password_and_never_shows_it(bot, mode: str) -> None:  # noqa: ANN001
    bot.route("/hook", hostile.reply(200))
    with ScriptedServer({"getSettings": Reply(_settings_with_password(bot.url))}) as api:
        run = run_greencli(["webhooks", "trigger", *(["--json"] if mode == "json" else [])], api.url, limit=40)
    assert run.exit_code == 1, run.stdout + run.stderr
    assert PASSWORD not in run.stdout + run.stderr and "bob:****@" in run.stdout + run.stderr
    if mode == "json":
        assert json.loads(run.stdout)["error"]["code"] == "webhook_url_credentials"
    else:
        assert "user name and password" in run.stderr and "--url-token" in run.stderr
    assert bot.calls("/hook") == []  # nothing was sent with credentials Green API may not send


def test_doctor_never_shows_a_webhook_password_in_any_report(bot, tmp_path: Path) -> None:  # noqa: ANN001
    bot.route("/hook", hostile.reply(200))
    replies = {
        "getStateInstance": Reply({"stateInstance": "authorized"}),
        "getStatusInstance": Reply({"statusInstance": "online"}),
        "getSettings": Reply(_settings_with_password(bot.url)),
        "getWaSettings": Reply({"phone": "79001234567", "stateInstance": "authorized"}),
    }
    summary = tmp_path / "summary.md"
    with ScriptedServer(replies) as api:
        for args in (["doctor", "--probe-webhook", "--format", "github", "--junit-xml", "report.xml", "-v"],
                     ["doctor", "--probe-webhook", "--json", "--junit-xml", "report-json.xml"]):
            run = run_greencli(args, api.url, cwd=tmp_path, limit=60, GITHUB_STEP_SUMMARY=str(summary))
            everything = _everything(run, tmp_path / "report.xml", tmp_path / "report-json.xml", summary)
            assert PASSWORD not in everything, args
            assert "bob:****@" in everything
    assert bot.calls("/hook") == []  # the probe skipped it, saying why
    checks = json.loads(run.stdout)["checks"]
    probe = next(c for c in checks if c["id"] == "webhook")
    assert probe["status"] == "skip" and "user name and password" in probe["message"]
