"""doctor's local checks: the configuration and the credentials' shape, before any network."""

from __future__ import annotations

import json
from pathlib import Path

from greencli.config.loader import RootOptions, resolve
from greencli.doctor.checks.local import check_config, check_format
from tests.doctor_inputs import ID


def test_config_reports_sources_and_shadowing(tmp_path: Path, token: str) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    (tmp_path / ".env").chmod(0o600)
    resolution = resolve(RootOptions(), {"GREEN_API_INSTANCE_ID": "7103999999"}, tmp_path)
    result = check_config(resolution)
    assert result.status == "warn" and "overrides" in result.message
    assert "GREEN_API_TOKEN: from .env line 2" in result.details


def test_an_api_url_of_the_telegram_api_fails_the_format_check_before_any_request(run_cli, token: str) -> None:
    """The Telegram API's SDK defaults to https://4100.api.green-api.com/tgm
    (https://github.com/green-api/telegram_api_client_python, API.py): like /v3 (MAX), the
    wrong product for greencli."""
    result = run_cli(["doctor", "--json"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token,
                                                "GREEN_API_URL": "https://4100.api.green-api.com/tgm"})
    assert result.exit_code == 2
    checks = {check["id"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["format"]["status"] == "fail" and "Telegram" in checks["format"]["message"]
    assert checks["reachability"]["status"] == "skip"  # nothing was asked of that host


def test_the_telegram_hosts_are_a_warning(token: str) -> None:
    """https://green-api.com/en/telegram/docs/request-format/ sends its requests to
    4100.api.green-api.com; WhatsApp's pages never name it (observed, so only a warning)."""
    resolution = resolve(RootOptions(instance_id=ID, token=token, api_url="https://4100.api.green-api.com"), {}, Path("/nonexistent"),
                         read_env_file=False)
    verdict = check_format(resolution)
    assert verdict.status == "warn" and "Telegram" in verdict.message and "4100.api.green-api.com" in verdict.message
