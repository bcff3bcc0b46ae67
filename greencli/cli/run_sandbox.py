"""--sandbox: a throw-away sandbox for one run, started when the run first needs credentials
and stopped when the run ends (RunContext.close)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greencli.errors import UsageError

if TYPE_CHECKING:
    from greencli.cli.output import Output
    from greencli.cli.run_settings import RunSettings
    from greencli.sandbox.server import RunningSandbox


def start_sandbox(settings: RunSettings, output: Output) -> RunningSandbox:
    """A sandbox for the run, started now; refused with credentials it would ignore."""
    given = {"--instance-id": settings.instance_id, "--token": settings.token, "--api-url": settings.api_url,
             "--env-file": settings.env_files or None}
    clashing = [name for name, value in given.items() if value is not None]
    if clashing:
        raise UsageError(
            f"--sandbox brings its own instance; {' and '.join(clashing)} cannot be combined with it.",
            "Leave out --sandbox to use your instance, or the other options to use the sandbox.",
        )
    from greencli.sandbox.server import start_ready

    sandbox = start_ready()
    url = sandbox.url
    # Where it runs, and how to steer it meanwhile (e.g. a message in for `webhooks listen`).
    output.progress(
        f"Sandbox for this run at {url}; its control endpoint is {url}/sandbox "
        f"(POST {url}/sandbox/incoming with {{\"text\": \"hi\"}} brings a message in)."
    )
    return sandbox
