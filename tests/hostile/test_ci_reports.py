"""Reports a CI runner parses stay greencli's own (issue 22, "Reports that CI parses").

A hostile Green API (and hostile file names and env files) put workflow commands in every
field greencli prints: `##[stop-commands]` anywhere in a line, `::add-mask::` where word
wrapping may put it at a line start. Read as the Actions runner reads stdout and stderr
(tests/hostile/workflow_reader.py), only greencli's own annotations are commands, and they are
all there. The JUnit file parses with a strict XML parser whatever the server sent, and never
replaces the credentials; the job summary renders inert on GitHub's own Markdown renderer.
"""

from __future__ import annotations

import json
import os
import subprocess
import xml.dom.minidom
from pathlib import Path

import pytest
import xmlschema

from tests.e2e.conftest import greencli_command
from tests.hostile.scripted_server import Reply, ScriptedServer
from tests.hostile.workflow_reader import foreign_commands, is_greencli_annotation, read_commands

pytestmark = pytest.mark.e2e

TOKEN = "0123456789abcdef" * 3 + "ab"
INSTANCE = "1101000001"
SCHEMA = Path(__file__).parent.parent / "fixtures" / "junit.xsd"

STOP = "x##[stop-commands]pwned"
# Word wrapping at 60 columns would start a line with the command (indentation is trimmed).
WRAPPED = "word " * 14 + "::add-mask::wrapped " + "word " * 6 + "::set-output name=a::b"
JOINED = "#\u200d#[stop-commands]joined \u3000::add-mask::spaced"
PAYLOADS = [STOP, WRAPPED, JOINED, "line\r::warning::after a carriage return", "::STOP-COMMANDS::upper"]


def _env(server: ScriptedServer, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "GREEN_API_URL": server.url,
        "GREEN_API_INSTANCE_ID": INSTANCE,
        "GREEN_API_TOKEN": TOKEN,
        "NO_PROXY": "127.0.0.1,localhost",
        "GREENCLI_TIMEOUT": "5",
        "GITHUB_ACTIONS": "true",
    }
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [*greencli_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=90
    )
    assert "Traceback" not in completed.stderr and "unexpected error" not in completed.stdout + completed.stderr
    return completed


def _doctor_replies(text: str) -> dict[str, Reply | list[Reply]]:
    return {
        "getStateInstance": Reply({"stateInstance": text}),
        "getStatusInstance": Reply({"statusInstance": text}),
        "getSettings": Reply({"webhookUrl": f"https://bot.example/{text}", "incomingWebhook": "yes", "wid": text}),
        "getWaSettings": Reply({"phone": text, "stateInstance": text}),
    }


def _annotations(*streams: str) -> list[str]:
    return [c.properties["title"] for stream in streams for c in read_commands(stream) if is_greencli_annotation(c)]


@pytest.mark.parametrize("mode", ["plain", "rich"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=["stop", "wrapped", "joined", "cr", "upper"])
def test_doctor_for_github_shows_only_its_own_commands(payload: str, mode: str, tmp_path: Path) -> None:
    extra = {"FORCE_COLOR": "1", "COLUMNS": "60"} if mode == "rich" else {"NO_COLOR": "1"}
    with ScriptedServer(_doctor_replies(payload)) as server:
        completed = _run(["doctor", "--format", "github"], _env(server, **extra), tmp_path)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert foreign_commands(completed.stdout, completed.stderr) == []
    titles = _annotations(completed.stdout, completed.stderr)
    assert "greencli doctor: Instance state" in titles  # greencli's own annotation is intact
    state = next(c for c in read_commands(completed.stdout) if c.properties.get("title") == "greencli doctor: Instance state")
    assert "Green API reported a state" in state.data


@pytest.mark.parametrize(
    ("args", "replies"),
    [
        (["check-state"], {"getStateInstance": Reply({"stateInstance": STOP}), "getWaSettings": Reply({"phone": WRAPPED})}),
        (["webhooks", "show"], {"getSettings": Reply({"webhookUrl": JOINED, "incomingWebhook": "yes"})}),
        (["check-state"], {"getStateInstance": Reply(f"{STOP}\n{WRAPPED}".encode(), status=500, headers={"Content-Type": "text/plain"})}),
    ],
    ids=["check-state", "webhooks-show", "error-body"],
)
@pytest.mark.parametrize("mode", ["plain", "rich", "json"])
def test_under_github_actions_no_command_comes_from_the_server(args: list[str], replies: dict, mode: str, tmp_path: Path) -> None:
    extra = {"FORCE_COLOR": "1", "COLUMNS": "60"} if mode == "rich" else {"NO_COLOR": "1"}
    with ScriptedServer(replies) as server:
        completed = _run([*args, *(["--json"] if mode == "json" else [])], _env(server, **extra), tmp_path)
    assert read_commands(completed.stdout) == [] and read_commands(completed.stderr) == []
    if mode == "json" and completed.stdout.strip():
        json.loads(completed.stdout)  # still one JSON document


@pytest.mark.parametrize("mode", ["plain", "json"])
def test_a_notification_never_forms_a_command(mode: str, tmp_path: Path) -> None:
    text = f"{STOP}\n::add-mask::{TOKEN[:8]}\n  ::stop-commands::t"
    notification = {
        "receiptId": 7,
        "body": {
            "typeWebhook": "incomingMessageReceived",
            "timestamp": 1700000000,
            "senderData": {"chatId": "79001234567@c.us", "sender": "79001234567@c.us", "senderName": WRAPPED},
            "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": text}},
        },
    }
    replies = {
        "getSettings": Reply({"webhookUrl": "", "incomingWebhook": "yes"}),
        "receiveNotification": Reply(notification),
        "deleteNotification": Reply({"result": True}),
    }
    with ScriptedServer(replies) as server:
        completed = _run(["webhooks", "listen", "--count", "1", *(["--json"] if mode == "json" else [])], _env(server, NO_COLOR="1"), tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert read_commands(completed.stdout) == [] and read_commands(completed.stderr) == []
    if mode == "json":  # the data is unchanged: only its spelling avoids the command
        record = json.loads(completed.stdout.splitlines()[0])
        assert record["body"]["messageData"]["textMessageData"]["textMessage"] == text


def test_file_names_and_env_file_values_never_form_a_command(tmp_path: Path) -> None:
    with ScriptedServer(_doctor_replies("authorized")) as server:
        for name in ("::add-mask::named.env", "a##[stop-commands]b.env"):
            (tmp_path / name).write_text(f"GREEN_API_URL={server.url}\nGREEN_API_INSTANCE_ID={INSTANCE}\nGREEN_API_TOKEN={TOKEN}\n")
        (tmp_path / "broken.env").write_text(f"GREEN_API_URL=ftp://h/{STOP}\nGREEN_API_INSTANCE_ID=::add-mask::12\nGREEN_API_TOKEN={TOKEN}\n")
        env = {k: v for k, v in _env(server, NO_COLOR="1").items() if not k.startswith("GREEN_API_")}
        args = ["doctor", "--format", "github", "--env-file", "*.env"]
        completed = _run(args, env, tmp_path)
    assert completed.returncode == 2, completed.stdout + completed.stderr  # one configuration is unusable
    assert "named" in completed.stdout and "broken" in completed.stdout
    assert foreign_commands(completed.stdout, completed.stderr) == []
    assert any("(broken)" in title for title in _annotations(completed.stdout))


def test_the_junit_file_is_well_formed_xml_whatever_the_server_sends(tmp_path: Path) -> None:
    # Lone surrogates, the two non-characters XML excludes, NUL and ESC, in JSON escapes.
    raw = '"a\\ud800b\\ufffe\\uffff\\u0000\\u001b[2J\\udfffz ##[stop-commands]x"'
    replies = {
        "getStateInstance": Reply(f'{{"stateInstance": {raw}}}'.encode()),
        "getStatusInstance": Reply(f'{{"statusInstance": {raw}}}'.encode()),
        "getSettings": Reply({"webhookUrl": "", "incomingWebhook": "yes", "wid": ""}),
        "getWaSettings": Reply(f'{{"phone": {raw}}}'.encode()),
    }
    with ScriptedServer(replies) as server:
        for args in (["doctor", "--junit-xml", "plain.xml"], ["doctor", "--json", "--junit-xml", "json.xml"], ["doctor", "--format", "github", "--junit-xml", "github.xml"]):
            completed = _run(args, _env(server, NO_COLOR="1"), tmp_path)
            assert completed.returncode == 1, completed.stdout + completed.stderr
    for name in ("plain.xml", "json.xml", "github.xml"):
        data = (tmp_path / name).read_bytes()
        xml.dom.minidom.parseString(data)  # expat: strict XML 1.0, raises on any character XML cannot hold
        xmlschema.XMLSchema(SCHEMA).validate(data.decode("utf-8"))
        assert b"Green API reported a state" in data


@pytest.mark.parametrize("given", [".env", "./.env", "sub/../.env", "link.env"])
def test_the_junit_file_never_replaces_the_env_file_in_use(given: str, tmp_path: Path) -> None:
    with ScriptedServer(_doctor_replies("authorized")) as server:
        credentials = f"GREEN_API_URL={server.url}\nGREEN_API_INSTANCE_ID={INSTANCE}\nGREEN_API_TOKEN={TOKEN}\n"
        (tmp_path / ".env").write_text(credentials)
        (tmp_path / "sub").mkdir()
        env = {k: v for k, v in _env(server, NO_COLOR="1").items() if not k.startswith("GREEN_API_")}
        args = ["doctor", "--junit-xml", given] if given != "link.env" else ["--env-file", ".env", "doctor", "--junit-xml", str(tmp_path / ".env")]
        completed = _run(args, env, tmp_path)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "credentials" in completed.stderr and "--junit-xml" in completed.stderr
    assert (tmp_path / ".env").read_text() == credentials
    assert server.calls == []  # refused before any request


def test_the_junit_file_never_replaces_a_file_the_runner_acts_on(tmp_path: Path) -> None:
    github_env = tmp_path / "github_env"
    github_env.write_text("")
    with ScriptedServer(_doctor_replies("authorized")) as server:
        completed = _run(["doctor", "--junit-xml", str(github_env)], _env(server, NO_COLOR="1", GITHUB_ENV=str(github_env)), tmp_path)
    assert completed.returncode == 2 and "GITHUB_ENV" in completed.stderr
    assert github_env.read_text() == ""


def test_the_job_summary_renders_inert_on_github(tmp_path: Path) -> None:
    cmarkgfm = pytest.importorskip("cmarkgfm")  # a test dependency: GitHub's own renderer
    from cmarkgfm.cmark import Options

    payload = (
        "[click](https://evil.example/a) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)> "
        "<a href='https://evil.example/b'>b</a> www.evil.example https://evil.example/c bob@evil.example "
        "<https://evil.example/d> <script>alert(1)</script> | cell \u202eesrever"
    )
    summary = tmp_path / "summary.md"
    with ScriptedServer(_doctor_replies(payload)) as server:
        completed = _run(["doctor", "--format", "github"], _env(server, NO_COLOR="1", GITHUB_STEP_SUMMARY=str(summary)), tmp_path)
    assert completed.returncode == 1
    markdown = summary.read_text(encoding="utf-8")
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    for tag in ("<a ", "<img", "<script", "\u202e"):
        assert tag not in html, (tag, html)
    assert "evil.example/a" in html and "\\u202e" in html  # shown as text
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]  # the header too
    assert html.count("<tr>") == len(rows) and html.count("<td>") == 4 * (len(rows) - 1)  # no cell split off
    assert "<td>Instance state</td>" in html
