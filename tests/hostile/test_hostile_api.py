"""The installed greencli against a Green API that misbehaves on purpose (127.0.0.1 only).

Every case must end (a generous process limit guards the run; nothing here times greencli),
with the documented exit code, and with the child's peak resident memory under the limit.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from tests.hostile import server as hostile
from tests.hostile.runner import RSS_LIMIT_MIB, run_greencli

pytestmark = pytest.mark.e2e


def strict_json(text: str):  # noqa: ANN201
    def refuse(name: str) -> None:
        raise ValueError(f"{name} in greencli's JSON output")

    return json.loads(text, parse_constant=refuse)


def assert_contained(run) -> None:  # noqa: ANN001
    assert run.peak_mib < RSS_LIMIT_MIB, f"peak RSS {run.peak_mib:.0f} MiB"
    assert "Traceback" not in run.stdout + run.stderr
    assert "unexpected error" not in run.stderr


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        (lambda: hostile.gzip_bomb(1024), "bad_response"),  # 1 MB on the wire, 1 GiB inflated
        (lambda: hostile.huge_body(64 * hostile.MIB), "bad_response"),
        (lambda: hostile.endless_chunked(), "bad_response"),
        (lambda: hostile.drip(0.5), "timeout"),  # the body, one byte at a time
        (lambda: hostile.drip(0.5, headers_too=True), "timeout"),  # the status line too
        (lambda: hostile.never_answers(), "timeout"),
        (lambda: hostile.deep_json(100_000), "bad_response"),
        (lambda: hostile.reply(200, b'{"stateInstance": NaN}'), "bad_response"),
        (lambda: hostile.reply(200, b'{"stateInstance": "authorized", "x": 1e999}'), "bad_response"),
        (lambda: hostile.redirect(307, "http://127.0.0.1:9/elsewhere"), "redirected"),
        (lambda: hostile.reply(200, b'{"stateInstance": "authorized"}', content_type="application/json; charset=x-no-such"), "bad_response"),
    ],
    ids=["gzip-bomb", "huge-body", "endless-chunked", "drip-body", "drip-headers", "never-answers",
         "deep-json", "nan", "overflowing-number", "redirect", "unknown-charset"],
)
def test_check_state_ends_with_exit_3(api, behaviour, code: str) -> None:
    api.route("getStateInstance", behaviour())
    run = run_greencli(["--timeout", "1", "check-state", "--json"], api.url, limit=30)
    assert run.exit_code == 3, run.stderr
    assert strict_json(run.stdout)["error"]["code"] == code
    assert_contained(run)


def test_a_call_that_never_answers_is_not_retried_past_timeout(api) -> None:
    api.route("getStateInstance", hostile.never_answers())
    run = run_greencli(["--timeout", "1", "check-state"], api.url)
    assert run.exit_code == 3
    assert len(api.calls("getStateInstance")) == 1  # a read timeout uses the call's whole deadline
    assert re.search(r"within 1(\.\d)? s", run.stderr)  # says how long it really waited
    assert_contained(run)


def test_doctor_says_how_long_it_waited(api) -> None:
    api.route("getStateInstance", hostile.never_answers())
    run = run_greencli(["--timeout", "1", "doctor", "--json"], api.url)
    assert run.exit_code == 3  # Green API did not answer
    checks = {check["id"]: check for check in strict_json(run.stdout)["checks"]}
    assert checks["credentials"]["status"] == "fail"
    assert re.search(r"within 1(\.\d)? s", checks["credentials"]["message"])
    assert_contained(run)


def test_one_poisoned_doctor_call_fails_its_check_alone(api) -> None:
    api.route("getStateInstance", hostile.json_reply({"stateInstance": "authorized"}))
    api.route("getStatusInstance", hostile.json_reply({"statusInstance": "online"}))
    api.route("getWaSettings", hostile.json_reply({"phone": "79001234567", "stateInstance": "authorized"}))
    api.route("getSettings", hostile.deep_json(100_000))
    api.route("showMessagesQueue", hostile.json_reply([]))
    api.route("getWebhooksCount", hostile.json_reply({"count": 0}))
    run = run_greencli(["--timeout", "2", "doctor", "--json"], api.url)
    assert run.exit_code == 1
    checks = {check["id"]: check for check in strict_json(run.stdout)["checks"]}
    assert checks["notifications"]["status"] == "fail"
    assert checks["socket"]["status"] == "pass" and checks["phone"]["status"] == "pass"
    assert_contained(run)


def test_retries_and_retry_after_waits_are_shown(api) -> None:
    api.route(
        "getStateInstance",
        hostile.sequence(
            hostile.reply(503, b"{}"),
            hostile.reply(429, b"{}", {"Retry-After": "1"}),
            hostile.json_reply({"stateInstance": "authorized"}),
        ),
    )
    run = run_greencli(["--timeout", "5", "check-state"], api.url)
    assert run.exit_code == 0, run.stderr
    assert "Green API answered 503 for getStateInstance; retrying in" in run.stderr
    assert "waiting 1 s as asked by Retry-After" in run.stderr


def test_a_retry_after_longer_than_timeout_is_not_waited(api) -> None:
    api.route("getStateInstance", hostile.reply(429, b"{}", {"Retry-After": "30"}))
    run = run_greencli(["--timeout", "1", "check-state", "--json"], api.url)
    assert run.exit_code == 3
    assert strict_json(run.stdout)["error"]["code"] == "rate_limited"
    assert len(api.calls("getStateInstance")) == 1


@pytest.mark.parametrize("side", [12_000, 3_000])
def test_qr_bomb_is_refused_before_decoding(api, tmp_path, side: int) -> None:
    png = hostile.white_png(side, side)
    api.route("qr", hostile.json_reply({"type": "qrCode", "message": base64.b64encode(png).decode()}))
    run = run_greencli(["--timeout", "2", "qr", "--once"], api.url, cwd=tmp_path)
    assert run.exit_code == 3, run.stderr
    assert f"{side}×{side} pixels" in run.stderr
    assert "DecompressionBomb" not in run.stderr
    assert_contained(run)


def test_an_oversized_qr_answer_is_refused_by_its_size(api, tmp_path) -> None:
    noise = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2048  # 512 KB: no QR code is that large
    api.route("qr", hostile.json_reply({"type": "qrCode", "message": base64.b64encode(noise).decode()}))
    run = run_greencli(["--timeout", "2", "qr", "--once", "--json"], api.url, cwd=tmp_path)
    assert run.exit_code == 3
    assert strict_json(run.stdout)["error"]["code"] == "bad_response"
    assert_contained(run)
