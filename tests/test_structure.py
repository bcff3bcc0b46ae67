"""The shape of the package, checked so it cannot drift back: no module over 450 lines, types
checked strictly, no import circle. The import rules themselves (the layers, the sandbox apart,
no circle at any depth) are import-linter's contracts in pyproject.toml, which CI runs
(`lint-imports` in .ci/run) with mypy."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
MAX_LINES = 450  # a module longer than this holds more than one job: split it by job


def test_no_module_is_longer_than_450_lines() -> None:
    lengths = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines()) for path in (ROOT / "greencli").rglob("*.py")}
    assert {path: lines for path, lines in lengths.items() if lines > MAX_LINES} == {}


def test_ci_runs_mypy_strict_on_greencli() -> None:
    section = PYPROJECT.split("\n[tool.mypy]\n", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^strict = true$", section, re.M)
    assert re.search(r'^files = \["greencli"\]$', section, re.M)
    assert re.search(r"^\.venv/bin/mypy\b", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)


def test_import_linter_forbids_import_circles_at_every_depth() -> None:
    assert re.search(r'^type = "acyclic_siblings"\nancestors = \["greencli"\]$', PYPROJECT, re.M)
    assert re.search(r"^\.venv/bin/lint-imports$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)
