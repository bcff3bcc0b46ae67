"""--sandbox: a throw-away sandbox for one run, started when the run first needs credentials
and stopped when the run ends (RunContext.close)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greencli.errors import UsageError

if TYPE_CHECKING:
    from greencli.cli.context import RunContext
    from greencli.sandbox.server import RunningSandbox


def sandbox_for(run: RunContext) -> RunningSandbox:
    """The run's sandbox, started on first use; refused with credentials it would ignore."""
    if run.sandbox is None:
        settings = run.settings
        given = {"--instance-id": settings.instance_id, "--token": settings.token, "--api-url": settings.api_url,
                 "--env-file": settings.env_files or None}
        clashing = [name for name, value in given.items() if value is not None]
        if clashing:
            raise UsageError(
                f"--sandbox brings its own instance; {' and '.join(clashing)} cannot be combined with it.",
                "Leave out --sandbox to use your instance, or the other options to use the sandbox.",
            )
        from greencli.sandbox.server import start_ready

        run.sandbox = start_ready()
        url = run.sandbox.url
        # Where it runs, and how to steer it meanwhile (e.g. a message in for `webhooks listen`).
        run.output.progress(
            f"Sandbox for this run at {url}; its control endpoint is {url}/sandbox "
            f"(POST {url}/sandbox/incoming with {{\"text\": \"hi\"}} brings a message in)."
        )
    return run.sandbox
