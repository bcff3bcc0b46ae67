"""doctor reports each check as it finishes, wraps at word boundaries, explains any check from
the installed package, and tells an outage (exit 3) from a broken instance (exit 1)."""

from __future__ import annotations

import json
import re

import pytest

from greencli.doctor.checks import ORDER, TITLES
from greencli.doctor.explanations import command_for, sections
from greencli.doctor.result import CheckResult, Status
from greencli.doctor.runner import InOrder, run_checks


def test_results_are_handed_on_in_order_as_soon_as_those_before_are_in() -> None:
    seen: list[str] = []
    results = InOrder(ORDER, lambda result: seen.append(result.id))
    results["state"] = CheckResult("state", "", Status.PASS, "")
    assert seen == []  # config has not finished yet
    results["config"] = CheckResult("config", "", Status.PASS, "")
    assert seen == ["config"]
    for check_id in ("format", "hygiene", "reachability", "credentials"):
        results[check_id] = CheckResult(check_id, "", Status.PASS, "")
    assert seen == ["config", "format", "hygiene", "reachability", "credentials", "state"]


def test_run_checks_reports_every_check_once_in_order(tmp_path) -> None:
    from greencli.config.loader import RootOptions, resolve

    seen: list[str] = []
    resolution = resolve(RootOptions(), {}, tmp_path, read_env_file=False)  # nothing configured
    results = run_checks(resolution, tmp_path, lambda credentials: None, 1.0, on_result=lambda r: seen.append(r.id)).results
    assert seen == list(ORDER) == [r.id for r in results]


def test_each_check_is_printed_as_it_finishes(run_cli) -> None:
    result = run_cli(["doctor"])
    titles = [line[5:].split("  ")[0] for line in result.stdout.splitlines() if line[:4] in ("ok  ", "warn", "FAIL", "skip")]
    assert titles == [TITLES[check_id] for check_id in ORDER]  # the opt-in webhook probe is not run


@pytest.mark.parametrize("check_id", ORDER)
def test_every_check_is_explained_from_the_package(run_cli, check_id) -> None:
    result = run_cli(["doctor", "--explain", check_id])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"## {check_id} — {TITLES[check_id]}")
    assert "Fix" in result.stdout


def test_explaining_an_unknown_check_names_the_known_ones(run_cli) -> None:
    result = run_cli(["doctor", "--explain", "nope"])
    assert result.exit_code == 2
    assert "notifications" in result.stderr and result.stderr.startswith("error: ")


def test_the_json_docs_field_is_a_command_that_works(run_cli) -> None:
    document = json.loads(run_cli(["doctor", "--json"]).stdout)
    for check in document["checks"]:
        assert check["docs"] == command_for(check["id"])
        assert check["id"] in sections()
    command = document["checks"][0]["docs"].split()[1:]
    assert run_cli(command).exit_code == 0


def test_an_unreachable_api_is_exit_3_not_1(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["doctor", "--json"], env=env)
    assert result.exit_code == 3
    failed = [c["id"] for c in json.loads(result.stdout)["checks"] if c["status"] == "fail"]
    assert failed == ["reachability"]


def test_long_lines_wrap_at_word_boundaries_under_the_message_column(run_cli, tmp_path) -> None:
    (tmp_path / ".env").write_text("GREEN_API_INSTANCE_ID=1101000001\n")  # the token is missing
    result = run_cli(["doctor"], env={"FORCE_COLOR": "1", "COLUMNS": "80"})
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    lines = plain.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), plain
    message_column = len("✓ ") + max(len(t) for t in TITLES.values()) + 2
    hint = [i for i, line in enumerate(lines) if "→ Run `greencli init`" in line][0]
    continuation = lines[hint + 1]
    assert continuation.startswith(" " * (message_column + 2)) and not continuation[message_column + 2].isspace()
    words = set(re.findall(r"[A-Za-z]+", "Run `greencli init` to write it to .env, set GREEN_API_TOKEN in the environment"))
    printed = set(re.findall(r"[A-Za-z]+", " ".join(lines[hint : hint + 4])))
    assert words <= printed  # no word was cut in two
