"""The run context: what the parts of one greencli run share.

One RunContext lives on the parser's context (`ctx.obj`) for one run; every command gets it
from `use(ctx)` and calls it `run`. It holds the run's settings (the global options, frozen),
its output, and, made when first needed (so that --help and --version work even when .env is
broken), the credentials with their sources, the timeout and the API client. The rest of a
run's plumbing has a module each beside this one: several instances (instances.py), the
--sandbox sandbox (run_sandbox.py), the --debug log (debug_log.py) and questions asked at the
terminal (prompts.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli.cli.prompts import can_prompt
from greencli.cli.run_settings import RunSettings
from greencli.errors import UsageError

if TYPE_CHECKING:
    import logging

    from greencli.cli.output import Output
    from greencli.config.loader import Resolution, RootOptions
    from greencli.greenapi.client import GreenApiClient, RetryNotice
    from greencli.greenapi.credentials import Credentials
    from greencli.sandbox.server import RunningSandbox

# doctor, and the doctor that ends setup, give each API call at most this long whatever
# --timeout says: the checks run side by side and the checklist should answer within seconds; a
# host slower than that is itself a finding (the reachability check measures it).
DOCTOR_CALL_LIMIT = 10.0

# Every command's own --json (listed in its help; the global one is accepted too).
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of text.")]


class RunContext:
    def __init__(self, settings: RunSettings | None = None, cwd: Path | None = None, *, isolated: bool = False) -> None:
        self.settings = settings or RunSettings()  # replaced, never changed, as the parser reads on
        self.json_mode = False
        self.command_started = False  # set by use(): every option was read
        self.cwd = cwd or Path.cwd()
        # One instance of several (--env-file given several times): its credentials come from
        # its own file alone.
        self.isolated = isolated
        self.sandbox: RunningSandbox | None = None
        self.debug_log: logging.Handler | None = None  # --debug: see debug_log.py
        self._output: Output | None = None
        self._resolution: Resolution | None = None
        self._client: GreenApiClient | None = None
        self._timeout: float | None = None
        self._warned = False

    # -- the output and the terminal ---------------------------------------------------------

    @property
    def output(self) -> Output:
        from greencli.cli.output import Output

        if self._output is None or self._output.json_mode != self.json_mode:
            self._output = Output(json_mode=self.json_mode, quiet=self.settings.quiet)
        return self._output

    def may_prompt(self) -> bool:
        """Whether a question may be asked: a terminal on stdin, not in CI, no --no-input or --json."""
        return not self.settings.no_input and not self.json_mode and can_prompt()

    # -- credentials -------------------------------------------------------------------------

    def env_file(self) -> Path | None:
        """The --env-file file, if one was given (several: refused, this command works on one)."""
        if self.isolated:
            return self.settings.env_files[0]
        from greencli.config.env_files import expand

        files = expand(self.settings.env_files, self.cwd)
        if len(files) > 1:
            raise UsageError(
                f"--env-file names {len(files)} files, but this command works on one instance.",
                "Give one --env-file; only doctor and check-state check several instances at once.",
            )
        return files[0] if files else None

    def credential_options(self) -> RootOptions:
        """What the loader starts from: the options given; with --sandbox, the sandbox's
        (started on first use)."""
        from greencli.config.loader import RootOptions

        if self.settings.sandbox:
            if self.sandbox is None:  # started on first use, stopped by close()
                from greencli.cli.run_sandbox import start_sandbox

                self.sandbox = start_sandbox(self.settings, self.output)
            sandbox = self.sandbox
            return RootOptions(sandbox.instance.instance_id, sandbox.instance.token, sandbox.url, sandbox=True)
        if self.isolated:
            return RootOptions(env_file=self.env_file())
        settings = self.settings
        return RootOptions(settings.instance_id, settings.token, settings.api_url, self.env_file())

    def resolution(self) -> Resolution:
        """Every credential with its source and every problem found (never raises)."""
        from greencli.config.loader import resolve

        if self._resolution is None:
            if self.settings.sandbox:  # --sandbox: its credentials only, nothing of the user's
                self._resolution = resolve(self.credential_options(), {}, self.cwd, read_env_file=False)
            elif self.isolated:  # GREEN_API_* in the environment would apply to every instance
                environ = {key: value for key, value in os.environ.items() if not key.startswith("GREEN_API_")}
                self._resolution = resolve(self.credential_options(), environ, self.cwd)
            else:
                self._resolution = resolve(self.credential_options(), os.environ, self.cwd)
        return self._resolution

    def forget_resolution(self) -> None:
        """Read the credentials' sources again on next use (after files were changed)."""
        self._resolution = None

    def credentials(self) -> Credentials:
        """Validated credentials; warnings go to stderr once; errors raise ConfigError."""
        resolution = self.resolution()
        credentials = resolution.credentials()
        if not self._warned:
            self._warned = True
            used = resolution.env_file
            if used is not None and not self.settings.env_files and used.parent != self.cwd:
                # Found in a parent directory (up to the top of the git work tree): say which.
                self.output.progress(f"Using {os.path.relpath(used, self.cwd)} (found above the current directory).")
            for problem in resolution.warnings:
                self.output.warn(problem.message, problem.hint)
        return credentials

    # -- the API -----------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        """Seconds one API call may take: --timeout, else GREENCLI_TIMEOUT, else 10 (settled on
        first use; a bad value is a usage error then)."""
        if self._timeout is None:
            from greencli.config.loader import RootOptions, resolve_timeout

            self._timeout = resolve_timeout(RootOptions(timeout=self.settings.timeout), os.environ)
        return self._timeout

    def client(self) -> GreenApiClient:
        """The run's client, for the run's credentials (built once)."""
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def new_client(
        self,
        credentials: Credentials | None = None,
        *,
        timeout: float | None = None,
        backoff: float | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> GreenApiClient:
        """The one place a client is built: the run's (see `client`), one for credentials not yet
        written anywhere (init), or one with its own limits (doctor's probe of another host).
        Retries are told on stderr unless `on_retry` says otherwise. The caller closes it."""
        from greencli.greenapi.client import GreenApiClient

        timeout = self.timeout if timeout is None else timeout  # a bad --timeout is reported first
        credentials = self.credentials() if credentials is None else credentials
        if on_retry is None:
            on_retry = lambda notice: self.output.pause_note(notice.message)  # noqa: E731
        if backoff is None:
            return GreenApiClient(credentials, timeout=timeout, on_retry=on_retry)
        return GreenApiClient(credentials, timeout=timeout, backoff=backoff, on_retry=on_retry)

    def close(self) -> None:
        if self.debug_log is not None:
            from greencli.cli import debug_log

            debug_log.stop(self.debug_log)
            self.debug_log = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def use(ctx: typer.Context, json_output: bool = False) -> RunContext:
    """The run context for a command, every option read; `json_output`: the command's own --json."""
    run = ctx.find_object(RunContext)
    if run is None:  # a command invoked outside `greencli.cli.app.main` (e.g. a bare CliRunner)
        run = RunContext()
        ctx.obj = run
    run.command_started = True
    run.json_mode = run.json_mode or run.settings.json or json_output
    if run.settings.debug and run.debug_log is None:
        from greencli.cli import debug_log

        run.debug_log = debug_log.start()
    return run
