"""The docs cannot go stale: the reference matches --help, every command and option they
mention exists, every doctor check and error code is documented, CI runs the README's command."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from greencli.cli.app import Commands, app
from tests.commands_doc import DOC, SHIPPED_TROUBLESHOOTING, TROUBLESHOOTING, render

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_command_reference_matches_help() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "docs/commands.md is stale: run `python -m tests.commands_doc`"


def test_the_troubleshooting_page_is_the_text_greencli_ships() -> None:
    assert TROUBLESHOOTING.read_text(encoding="utf-8") == SHIPPED_TROUBLESHOOTING.read_text(encoding="utf-8"), (
        "edit greencli/doctor/troubleshooting.md, then run `python -m tests.commands_doc`"
    )


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    main_job, tests = blocks[0].strip(), blocks[1].strip()
    assert "greencli --sandbox doctor" in main_job
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_doctor_check_has_its_troubleshooting_section() -> None:
    from greencli.doctor.checks import REGISTRY

    text = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    for check in REGISTRY:
        assert f'<a id="{check.id}"></a>' in text, check.id


def test_every_error_code_is_documented_and_every_documented_code_exists() -> None:
    from greencli.errors import ERROR_CODES  # the closed set mypy holds every raise to

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    documented = {code for row in re.findall(r"^\| ([^|]+) \|", table, re.M) for code in re.findall(r"`([a-z_]+)`", row)}
    assert sorted(ERROR_CODES - documented) == [], "undocumented error codes"
    assert sorted(documented - ERROR_CODES) == [], "documented codes greencli never gives"


def _options_by_command() -> dict[tuple[str, ...], set[str]]:
    """Every command path and the options it accepts (root options under the empty path)."""
    root = typer.main.get_command(app)
    context = typer.Context(root)

    def accepted(command: typer.core.TyperCommand) -> set[str]:
        return {opt for p in command.get_params(context) for opt in p.opts + p.secondary_opts}

    table: dict[tuple[str, ...], set[str]] = {(): accepted(root)}
    for name in Commands.table:
        command = root.get_command(context, name)
        table[(name,)] = accepted(command)
        for sub in getattr(command, "commands", {}) or {}:
            table[(name, sub)] = accepted(command.commands[sub])
    return table


ROOT_OPTIONS_WITH_VALUE = {"--instance-id", "--token", "--api-url", "--env-file", "--timeout"}


def _invocations(text: str) -> list[str]:
    """`greencli …` command lines: commands in code blocks, and inline code."""
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"^\s*(\$ |- run: |- |run: )?", "", line)
            line = re.sub(r"^(?:(?:set [+-]e; )|[A-Z_]+=\S* )*", "", line)
            if line.startswith("greencli ") or line == "greencli":
                found.append(re.split(r"\s(?:\||;|&&|#|>|2>)", line)[0])
    found += [
        re.split(r"\s(?:\||;|&&|#|>|2>)", code)[0]  # `greencli … | head -2`: the pipeline's reader is not greencli's
        for code in re.findall(r"`(greencli[^`]*)`", text)
        if not code.startswith("greencli/")
    ]
    return found


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_command_and_option_in_the_docs_exists(path: Path) -> None:
    if path.name == "commands.md":
        return  # generated from --help itself
    options = _options_by_command()
    for invocation in _invocations(path.read_text(encoding="utf-8")):
        try:
            words = shlex.split(invocation.replace("…", "x"))
        except ValueError:
            words = invocation.split()
        words = words[1:]
        command: tuple[str, ...] = ()
        index = 0
        while index < len(words):
            word = words[index]
            if word.startswith("-"):
                option = word.split("=")[0]
                scope = options[command]
                if option not in scope and option not in options[()]:
                    pytest.fail(f"{path.name}: `{invocation}` uses {option}, which {' '.join(('greencli',) + command)} does not have")
                if option in ROOT_OPTIONS_WITH_VALUE and "=" not in word:
                    index += 1
            elif (*command, word) in options:
                command = (*command, word)
            elif not command and word not in ("COMMAND", "x") and re.fullmatch(r"[a-z-]+", word):
                pytest.fail(f"{path.name}: `{invocation}` names a command greencli does not have: {word}")
            index += 1


def test_the_readme_shows_what_the_sandbox_doctor_prints(run_cli) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```console\n(✓ Configuration .*?)```", readme, re.S).group(1)
    printed = run_cli(["--sandbox", "doctor"], env={"FORCE_COLOR": "1", "COLUMNS": "120"}).stdout
    printed = re.sub(r"\x1b\[[0-9;]*m", "", printed)

    def normal(text: str) -> str:
        return re.sub(r"127\.0\.0\.1:\d+|DNS \d+ ms, TCP \d+ ms", "…", text).strip()

    assert normal(shown) == normal(printed), "README.md: paste what `COLUMNS=120 greencli --sandbox doctor` prints"
