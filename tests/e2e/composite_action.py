"""Running a composite GitHub Action's steps on this machine, as the runner does.

Each `run:` step is written to a file and run with the runner's command for `shell: bash`
(`bash --noprofile --norc -eo pipefail FILE`), in the workspace, with the step's `env:` and the
files the runner provides (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP). Expressions are
evaluated for the only forms the action may use: `inputs.NAME` (with the action's defaults),
`github.action_path` and `steps.ID.outputs.NAME`; any other expression fails the test, so the
action cannot grow one this runner would get wrong.
(https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions)
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"


@dataclass
class StepRun:
    id: str
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(step.exit_code != 0 for step in self.steps)

    @property
    def stdout(self) -> str:
        return "".join(step.stdout for step in self.steps)

    @property
    def stderr(self) -> str:
        return "".join(step.stderr for step in self.steps)


class CompositeAction:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.metadata: dict[str, Any] = yaml.safe_load((directory / "action.yml").read_text(encoding="utf-8"))
        assert self.metadata["runs"]["using"] == "composite"
        self.steps: list[dict[str, Any]] = self.metadata["runs"]["steps"]

    def run(
        self,
        inputs: Mapping[str, str],
        workspace: Path,
        runner_temp: Path,
        env: Mapping[str, str],
        *,
        steps: slice = slice(None),
        earlier: ActionRun | None = None,
    ) -> ActionRun:
        """Run the action's steps (or a slice of them, after `earlier`'s), stopping at the
        first that fails, as the runner does."""
        unknown = set(inputs) - set(self.metadata["inputs"])
        assert not unknown, f"the action has no inputs {unknown}"
        values = {name: spec.get("default", "") for name, spec in self.metadata["inputs"].items()} | dict(inputs)
        run = ActionRun(steps=list(earlier.steps) if earlier else [])
        for number, step in enumerate(self.steps[steps]):
            assert step.get("shell") == "bash" and "run" in step, f"only bash run steps are emulated: {step}"
            context = self._context(values, run)
            step_id = step.get("id", f"step{number}")
            output_file = runner_temp / f"output-{step_id}"
            output_file.write_text("")
            script = runner_temp / f"script-{step_id}.sh"
            script.write_text(_evaluate(step["run"], context))
            step_env = {
                **env,
                **{key: _evaluate(str(value), context) for key, value in (step.get("env") or {}).items()},
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_ACTION_PATH": str(self.directory),
                "RUNNER_TEMP": str(runner_temp),
            }
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace, env=step_env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
            )
            run.steps.append(StepRun(step_id, done.returncode, done.stdout, done.stderr, parse_outputs(output_file.read_text())))
            if done.returncode != 0:
                break
        context = self._context(values, run)
        run.outputs = {name: _evaluate(spec["value"], context) for name, spec in self.metadata.get("outputs", {}).items()}
        return run

    def _context(self, inputs: Mapping[str, str], run: ActionRun) -> dict[str, str]:
        context = {f"inputs.{name}": str(value) for name, value in inputs.items()}
        context["github.action_path"] = str(self.directory)
        for step in run.steps:
            context.update({f"steps.{step.id}.outputs.{name}": value for name, value in step.outputs.items()})
        return context


def _evaluate(text: str, context: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        assert re.fullmatch(rf"inputs\.{_NAME}|github\.action_path|steps\.{_NAME}\.outputs\.{_NAME}", expression), (
            f"an expression this runner does not evaluate: {expression}"
        )
        return context.get(expression, "")  # like GitHub: an output never set is empty

    return _EXPRESSION.sub(value, text)


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: `name=value`, and `name<<DELIMITER` … `DELIMITER`."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs
