"""`greencli qr` against the sandbox when the instance drops to `starting` while codes are shown
(after about five minutes of QR requests: Green API forum, topic 142,
https://green-api.com/en/forum/post/142)."""

from __future__ import annotations

import json
import subprocess

from tests.e2e.conftest import Sandbox, greencli_command
from tests.hostile.server import wait_until


def test_without_a_terminal_qr_names_the_starting_instance_and_reboots_nothing(fresh_sandbox: Sandbox) -> None:
    process = subprocess.Popen(
        [*greencli_command(), "--no-input", "qr", "--json", "--wait", "120"],
        cwd=fresh_sandbox.workdir,
        env=fresh_sandbox.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(lambda: len(fresh_sandbox.requests_for("qr")) >= 1, seconds=30)
        fresh_sandbox.control("POST", "/state", {"state": "starting"})
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1, err
    error = json.loads(out)["error"]
    assert error["code"] == "instance_starting"
    assert "greencli reboot" in error["hint"]
    assert fresh_sandbox.requests_for("reboot") == []
