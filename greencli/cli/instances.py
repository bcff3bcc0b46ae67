"""Several instances in one run: `--env-file` given several times (or a glob), for doctor and
check-state. Each instance gets a run context of its own, whose credentials come from its file
alone."""

from __future__ import annotations

from greencli.cli.context import RunContext
from greencli.cli.run_settings import RunSettings
from greencli.errors import UsageError


def several_instances(run: RunContext) -> list[tuple[str, RunContext]]:
    """With several --env-file files: each instance's name and its own context; else []."""
    from greencli.config.env_files import expand, instance_names

    files = expand(run.settings.env_files, run.cwd)
    if len(files) < 2:
        return []
    settings = run.settings
    given = {"--instance-id": settings.instance_id, "--token": settings.token, "--api-url": settings.api_url,
             "--sandbox": settings.sandbox}
    clashing = [name for name, value in given.items() if value]
    if clashing:
        raise UsageError(
            f"{' and '.join(clashing)} would apply to every instance at once.",
            "With several --env-file files, each instance's credentials come from its own file.",
        )
    contexts = []
    for path in files:
        child = RunContext(RunSettings(env_files=(path,), timeout=settings.timeout), run.cwd, isolated=True)
        child.json_mode = run.json_mode
        contexts.append(child)
    return list(zip(instance_names(files), contexts, strict=True))
