"""`greencli token rotate` end to end: the installed greencli against the sandbox, whose
updateApiToken behaves as Green API documents it (the old token stops working at once):
https://green-api.com/en/docs/api/account/UpdateApiToken/
"""

from __future__ import annotations

import os
import stat

import requests

from tests.e2e.conftest import Sandbox, assert_no_token


def test_after_rotation_env_holds_a_new_working_token_and_the_old_one_fails(fresh_sandbox: Sandbox) -> None:
    sandbox = fresh_sandbox
    old = sandbox.token
    env_file = sandbox.workdir / ".env"
    env_file.write_text(f"GREEN_API_URL={sandbox.url}\nGREEN_API_INSTANCE_ID={sandbox.instance_id}\nGREEN_API_TOKEN={old}\nBOT_PORT=8000\n")
    os.chmod(env_file, 0o600)
    env = {key: value for key, value in sandbox.env().items() if not key.startswith("GREEN_API_")}

    run = sandbox.run("token", "rotate", "--yes", env=env)
    assert run.exit_code == 0, run.stderr
    text = env_file.read_text()
    new = next(line.split("=", 1)[1] for line in text.splitlines() if line.startswith("GREEN_API_TOKEN="))
    assert new != old and "BOT_PORT=8000" in text
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert_no_token(new, run.stdout, run.stderr)  # neither token is printed (the old one: by run())

    # Methods other than the getStateInstance greencli just made, so no rate limit answers.
    base = f"{sandbox.url}/waInstance{sandbox.instance_id}"
    assert requests.get(f"{base}/getSettings/{new}", timeout=5).status_code == 200
    assert requests.get(f"{base}/getWaSettings/{old}", timeout=5).status_code == 401

    check = sandbox.run("webhooks", "show", "--json", env=env, check_token=False)
    assert check.exit_code == 0, check.stderr  # greencli works with what it wrote
    assert_no_token(new, check.stdout, check.stderr)
