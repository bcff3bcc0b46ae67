"""action.yml, the GitHub Action: valid by GitHub's schemas, and its steps run for real.

The schemas are check-jsonschema's vendored copies (`vendor.github-actions` and
`vendor.github-workflows`), so validating needs no network. The steps run as the runner runs a
composite action (tests/e2e/composite_action.py): the install step once per run, from greencli's
repository as users reach it (tests/e2e/greencli_repository.py), installing offline from the
wheelhouse; then the doctor step against the sandbox on 127.0.0.1 for each case.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import xmlschema
import yaml

from tests.conftest import token_leaks
from tests.e2e.composite_action import ActionRun, CompositeAction, StepRun, parse_outputs
from tests.e2e.greencli_repository import PROJECT, Repository, greencli_repository, locked, shared_dir  # noqa: F401 - fixtures
from tests.git_repo import GitRepo
from tests.test_reports import SCHEMA as JUNIT_SCHEMA

pytestmark = pytest.mark.e2e


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    script = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "check_jsonschema"]
    return subprocess.run([*command, "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True, timeout=120)


# -- the schemas ------------------------------------------------------------------------------


def test_action_yml_is_valid_by_the_github_actions_schema() -> None:
    checked = check_jsonschema("vendor.github-actions", PROJECT / "action.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_schema_check_does_reject_a_broken_action(tmp_path: Path) -> None:
    broken = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
    del broken["runs"]["steps"][0]["shell"]  # a composite run step must name its shell
    (tmp_path / "action.yml").write_text(yaml.safe_dump(broken))
    assert check_jsonschema("vendor.github-actions", tmp_path / "action.yml").returncode == 1


def workflows_in(markdown: Path) -> list[str]:
    return [block for block in re.findall(r"```yaml\n(.*?)```", markdown.read_text(encoding="utf-8"), re.S) if "\njobs:" in block]


def test_the_sample_workflows_in_docs_ci_md_are_valid_by_the_workflow_schema(tmp_path: Path) -> None:
    workflows = workflows_in(PROJECT / "docs" / "ci.md")
    uses_the_action = [text for text in workflows if re.search(r"uses: [\w-]+/greencli@", text)]
    assert uses_the_action, "docs/ci.md shows no workflow that uses the action"
    files = []
    for number, text in enumerate(workflows):
        files.append(tmp_path / f"workflow-{number}.yml")
        files[-1].write_text(text)
    checked = check_jsonschema("vendor.github-workflows", *files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    inputs = set(yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))["inputs"])
    for text in uses_the_action:  # the inputs it gives are the action's own
        for step in (step for job in yaml.safe_load(text)["jobs"].values() for step in job["steps"]):
            if "greencli@" in step.get("uses", ""):
                assert set(step.get("with", {})) <= inputs


# -- the steps, run ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def installed(greencli_repository: Repository, shared_dir: Path) -> tuple[CompositeAction, ActionRun, Path]:  # noqa: F811
    """The action at greencli's repository, its install step run once for every worker."""
    action = CompositeAction(greencli_repository.path)
    runner_temp = shared_dir / f"runner-temp-{greencli_repository.revision[:12]}"
    record = runner_temp / "install.json"
    with locked(shared_dir / "action-lock"):
        if not record.exists():
            runner_temp.mkdir(exist_ok=True)
            env = {**os.environ, **greencli_repository.install_env}
            run = action.run({}, runner_temp, runner_temp, env, steps=slice(0, 1))
            assert not run.failed, run.stdout + run.stderr
            record.write_text(json.dumps({"id": run.steps[0].id, "outputs": run.steps[0].outputs}))
    saved = json.loads(record.read_text())
    return action, ActionRun(steps=[StepRun(saved["id"], 0, "", "", saved["outputs"])]), runner_temp


@pytest.fixture
def workspace(tmp_path: Path) -> GitRepo:
    """The job's workspace: a checkout of the user's repository."""
    repo = GitRepo(tmp_path / "workspace")
    repo.write(".gitignore", "*.env\n.env\n")
    repo.commit("a bot")
    return repo


def run_doctor(installed, workspace: GitRepo, inputs: dict[str, str], env: dict[str, str]) -> tuple[ActionRun, Path]:  # type: ignore[no-untyped-def]
    action, earlier, runner_temp = installed
    summary = workspace.path.parent / "step-summary.md"
    summary.touch()
    runner = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(workspace.path)}
    step_temp = workspace.path.parent / "runner-temp"
    step_temp.mkdir(exist_ok=True)
    base = {key: value for key, value in os.environ.items() if not key.startswith("GREEN_API_")}
    run = action.run(inputs, workspace.path, step_temp, {**base, **runner, **env}, steps=slice(1, None), earlier=earlier)
    return run, summary


def write_env(workspace: GitRepo, name: str, sandbox_env: dict[str, str], mode: int) -> None:
    text = "".join(f"{key}={value}\n" for key, value in sandbox_env.items())
    workspace.write(name, text, mode=mode)


def no_secret(token: str, *texts: str) -> None:
    for text in texts:
        assert not token_leaks(text, token)


def junit(path: Path) -> ElementTree.Element:
    text = path.read_text(encoding="utf-8")
    xmlschema.XMLSchema(JUNIT_SCHEMA).validate(text)
    return ElementTree.fromstring(text)


def test_a_warning_is_annotated_and_passes_unless_warnings_fail_the_job(installed, workspace: GitRepo, local_sandbox) -> None:
    from greencli.sandbox.instance import guide_settings

    sandbox_env, running = local_sandbox(settings=guide_settings())
    write_env(workspace, "prod.env", sandbox_env, mode=0o644)  # readable by others: a warning

    run, summary = run_doctor(installed, workspace, {"env-files": "prod.env"}, {})
    assert not run.failed, run.stdout + run.stderr
    assert run.outputs["exit-code"] == "0"
    report = Path(run.outputs["report"])
    assert report == workspace.path / "greencli-doctor.xml" and report.is_absolute()
    suite = junit(report).find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert any("WARNING: prod.env can be read by other users" in (out.text or "") for out in suite.iter("system-out"))
    assert "::warning title=greencli doctor%3A Project hygiene::prod.env can be read by other users" in run.stdout
    assert "Project hygiene" in summary.read_text()

    strict, _ = run_doctor(installed, workspace, {"env-files": "prod.env", "fail-on-warnings": "true"}, {})
    assert strict.failed and strict.steps[-1].exit_code == 1
    assert strict.outputs["exit-code"] == "0"  # doctor's own code: warnings are not failures
    assert "::error title=greencli doctor::1 warning(s), and fail-on-warnings is true" in strict.stdout
    no_secret(running.instance.token, run.stdout, run.stderr, strict.stdout, strict.stderr, report.read_text(), summary.read_text())


def test_a_failed_check_fails_the_job_with_an_error_annotation_and_a_junit_failure(installed, workspace: GitRepo, local_sandbox) -> None:
    from greencli.sandbox.instance import guide_settings

    sandbox_env, running = local_sandbox(state="notAuthorized", settings=guide_settings())
    run, summary = run_doctor(installed, workspace, {"junit-xml": "reports/doctor.xml"}, sandbox_env)  # credentials from the environment
    assert run.failed and run.steps[-1].exit_code == 1
    assert run.outputs == {"exit-code": "1", "report": str(workspace.path / "reports" / "doctor.xml")}
    assert "::error title=greencli doctor%3A Instance state::notAuthorized: No phone is linked" in run.stdout
    failures = [case.get("name") for case in junit(Path(run.outputs["report"])).iter("testcase") if case.find("failure") is not None]
    assert failures == ["state: Instance state"]
    no_secret(running.instance.token, run.stdout, run.stderr, summary.read_text())


def test_several_env_files_by_glob_and_by_line_are_one_testsuite_each(installed, workspace: GitRepo, local_sandbox) -> None:
    from greencli.sandbox.instance import guide_settings

    sandbox_env, running = local_sandbox(settings=guide_settings())
    for name in ("envs/shop.env", "envs/support.env", "staging.env"):
        write_env(workspace, name, sandbox_env, mode=0o600)
    run, _ = run_doctor(installed, workspace, {"env-files": "envs/*.env\n  staging.env  \n"}, {})
    assert not run.failed, run.stdout + run.stderr
    assert run.outputs["exit-code"] == "0"
    suites = [suite.get("name") for suite in junit(Path(run.outputs["report"])).iter("testsuite")]
    assert suites == ["greencli doctor: shop", "greencli doctor: support", "greencli doctor: staging"]
    no_secret(running.instance.token, run.stdout, run.stderr)


def test_an_input_cannot_run_as_shell_code(installed, workspace: GitRepo, local_sandbox) -> None:
    from greencli.sandbox.instance import guide_settings

    sandbox_env, _ = local_sandbox(settings=guide_settings())
    marker = workspace.path.parent / "pwned"
    run, _ = run_doctor(installed, workspace, {"env-files": f"$(touch {marker})", "fail-on-warnings": f"`touch {marker}`"}, sandbox_env)
    assert len(run.steps) == 2 and run.outputs["exit-code"] == "2"  # no such file: a usage error
    assert not marker.exists()


def test_outputs_are_read_in_both_of_githubs_forms() -> None:
    assert parse_outputs("a=1\nb<<EOF\nline one\nline=two\nEOF\nc=x=y\n") == {"a": "1", "b": "line one\nline=two", "c": "x=y"}
