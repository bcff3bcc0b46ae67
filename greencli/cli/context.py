"""What every command shares: the root options, the output, the credentials and the client.

One `AppContext` lives on `ctx.obj` for one run. Credentials are resolved on first use, so
`--help` and `--version` work even when `.env` is broken. Heavy modules (requests, the client)
are imported only by the commands that call the API.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from greencli.cli.output import Output
    from greencli.config.loader import Resolution, RootOptions
    from greencli.greenapi.client import GreenApiClient, RetryNotice
    from greencli.greenapi.credentials import Credentials
    from greencli.sandbox.server import RunningSandbox

from greencli.errors import UsageError


def _record_json(ctx: typer.Context, value: bool) -> bool:
    if value:
        state = ctx.find_object(AppContext) or ctx.ensure_object(AppContext)
        state.give("json", True)
    return value


# Eager, as the global --json: known before other options are checked, so that their errors
# come out as the JSON document too.
JsonOption = Annotated[
    bool,
    typer.Option("--json", is_eager=True, callback=_record_json, help="Print one JSON document on stdout instead of text."),
]


class AppContext:
    def __init__(self) -> None:
        # The global options typed on the command line, before or after the command's name
        # (see greencli.cli.global_options); read once every option was parsed.
        self.given: dict[str, Any] = {}
        self._debug_handler: Any = None
        self.json_mode = False
        self.sandbox: RunningSandbox | None = None
        self.cwd = Path.cwd()
        self._output: Output | None = None
        self._resolution: Resolution | None = None
        self._client: GreenApiClient | None = None
        self._warned = False
        self._isolated = False  # one of several instances: credentials from its file alone

    def give(self, name: str, value: Any) -> None:
        """Record a global option (the later of two wins; --env-file files add up)."""
        if name == "env_file":
            value = [*self.given.get("env_file", []), *value]
        self.given[name] = value
        if name == "json" and value:
            self.json_mode = True
        if name == "debug" and value and self._debug_handler is None:
            self._debug_handler = _enable_debug_logging()

    @property
    def debug(self) -> bool:
        return bool(self.given.get("debug"))

    @property
    def quiet(self) -> bool:
        return bool(self.given.get("quiet"))

    @property
    def no_input(self) -> bool:
        return bool(self.given.get("no_input"))

    def may_prompt(self) -> bool:
        """Whether a question may be asked: a terminal on stdin, not in CI, no --no-input or --json."""
        return not self.no_input and not self.json_mode and can_prompt()

    @property
    def wants_sandbox(self) -> bool:
        return bool(self.given.get("sandbox"))

    @property
    def options(self) -> RootOptions:
        """The root options as given; with --sandbox, the sandbox's (started on first use)."""
        from greencli.config.loader import RootOptions

        given = self.given
        if self.wants_sandbox:
            sandbox = self.start_sandbox()
            return RootOptions(
                instance_id=sandbox.instance.instance_id,
                token=sandbox.instance.token,
                api_url=sandbox.url,
                timeout=given.get("timeout"),
                debug=self.debug,
                sandbox=True,
            )
        if self._isolated:  # one instance of several: its own file, nothing else
            return RootOptions(env_file=given["env_file"][0], timeout=given.get("timeout"), debug=self.debug)
        files = self.env_files()
        if len(files) > 1:
            raise UsageError(
                f"--env-file names {len(files)} files, but this command works on one instance.",
                "Give one --env-file; only doctor and check-state check several instances at once.",
            )
        return RootOptions(
            instance_id=given.get("instance_id"),
            token=given.get("token"),
            api_url=given.get("api_url"),
            env_file=files[0] if files else None,
            timeout=given.get("timeout"),
            debug=self.debug,
        )

    def env_files(self) -> list[Path]:
        """The --env-file files, globs expanded (several: one instance each)."""
        from greencli.config.env_files import expand

        return expand(self.given.get("env_file") or [], self.cwd)

    def instances(self) -> list[tuple[str, AppContext]]:
        """With several --env-file files: each instance's name and its own context; else []."""
        from greencli.config.env_files import instance_names

        files = self.env_files()
        if len(files) < 2:
            return []
        clashing = [f"--{name.replace('_', '-')}" for name in ("instance_id", "token", "api_url", "sandbox") if self.given.get(name)]
        if clashing:
            raise UsageError(
                f"{' and '.join(clashing)} would apply to every instance at once.",
                "With several --env-file files, each instance's credentials come from its own file.",
            )
        contexts = []
        for path in files:
            child = AppContext()
            child.given = {"env_file": [path], "timeout": self.given.get("timeout")}
            child.cwd = self.cwd
            child.json_mode = self.json_mode
            child._isolated = True
            contexts.append(child)
        return list(zip(instance_names(files), contexts, strict=True))

    @property
    def root_options(self) -> RootOptions:
        return self.options

    def start_sandbox(self) -> RunningSandbox:
        """--sandbox: a throw-away sandbox for this run, started when first needed."""
        if self.sandbox is None:
            clashing = [f"--{name.replace('_', '-')}" for name in ("instance_id", "token", "api_url", "env_file") if self.given.get(name) is not None]
            if clashing:
                raise UsageError(
                    f"--sandbox brings its own instance; {' and '.join(clashing)} cannot be combined with it.",
                    "Leave out --sandbox to use your instance, or the other options to use the sandbox.",
                )
            from greencli.sandbox.server import start_ready

            self.sandbox = start_ready()
            url = self.sandbox.url
            # Where it runs, and how to steer it meanwhile (e.g. a message in for `webhooks listen`).
            self.output.progress(
                f"Sandbox for this run at {url}; its control endpoint is {url}/sandbox "
                f"(POST {url}/sandbox/incoming with {{\"text\": \"hi\"}} brings a message in)."
            )
        return self.sandbox

    @property
    def output(self) -> Output:
        from greencli.cli.output import Output

        if self._output is None or self._output.json_mode != self.json_mode:
            self._output = Output(json_mode=self.json_mode, quiet=self.quiet)
        return self._output

    def resolution(self) -> Resolution:
        """Every credential with its source and every problem found (never raises)."""
        from greencli.config.loader import resolve

        if self._resolution is None:
            if self.wants_sandbox:  # --sandbox: its credentials only, nothing of the user's
                self._resolution = resolve(self.root_options, {}, self.cwd, read_env_file=False)
            elif self._isolated:  # GREEN_API_* in the environment would apply to every instance
                environ = {key: value for key, value in os.environ.items() if not key.startswith("GREEN_API_")}
                self._resolution = resolve(self.root_options, environ, self.cwd)
            else:
                self._resolution = resolve(self.root_options, os.environ, self.cwd)
        return self._resolution

    @contextmanager
    def output_kept(self) -> Iterator[None]:
        """Run a step of a larger command whose own output must not reach the terminal or
        stdout (setup --json prints one document): what it prints is dropped."""
        import io

        from greencli.cli.output import Output

        saved = (self._output, self.json_mode)
        self.json_mode = False
        self._output = Output(stdout=io.StringIO(), stderr=io.StringIO())
        try:
            yield
        finally:
            self._output, self.json_mode = saved

    def forget_resolution(self) -> None:
        """Read the credentials' sources again on next use (after doctor --fix changed files)."""
        self._resolution = None

    def credentials(self) -> Credentials:
        """Validated credentials; warnings go to stderr once; errors raise ConfigError."""
        resolution = self.resolution()
        credentials = resolution.credentials()
        if not self._warned:
            self._warned = True
            used = resolution.env_file
            if used is not None and self.given.get("env_file") is None and used.parent != self.cwd:
                # Found in a parent directory (up to the top of the git work tree): say which.
                self.output.progress(f"Using {os.path.relpath(used, self.cwd)} (found above the current directory).")
            for problem in resolution.warnings:
                self.output.warn(problem.message, problem.hint)
        return credentials

    def timeout(self) -> float:
        from greencli.config.loader import RootOptions, resolve_timeout

        # Only --timeout matters here: no need to resolve (or refuse) the credentials' sources.
        return resolve_timeout(RootOptions(timeout=self.given.get("timeout")), os.environ)

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

        timeout = self.timeout() if timeout is None else timeout  # a bad --timeout is reported first
        credentials = self.credentials() if credentials is None else credentials
        if on_retry is None:
            on_retry = lambda notice: self.output.pause_note(notice.message)  # noqa: E731
        if backoff is None:
            return GreenApiClient(credentials, timeout=timeout, on_retry=on_retry)
        return GreenApiClient(credentials, timeout=timeout, backoff=backoff, on_retry=on_retry)

    def close(self) -> None:
        if self._debug_handler is not None:  # the --debug log ends with its run
            import logging

            for name in ("urllib3", "greencli"):
                logging.getLogger(name).removeHandler(self._debug_handler)
                logging.getLogger(name).setLevel(logging.NOTSET)
            self._debug_handler = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def can_prompt() -> bool:
    """Whether greencli may ask the user something: a terminal on stdin, and not in CI."""
    if os.environ.get("CI"):
        return False
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def use(ctx: typer.Context, json_output: bool = False) -> AppContext:
    """The shared context for a command; records whether the command was asked for --json."""
    app = ctx.find_object(AppContext)
    if app is None:  # a command invoked outside `greencli.cli.app.main` (e.g. a bare CliRunner)
        app = AppContext()
        ctx.obj = app
    app.json_mode = app.json_mode or json_output  # the global --json may have come first
    return app


def _enable_debug_logging() -> Any:
    import logging

    from greencli.cli.output import safe
    from greencli.cli.workflow_commands import inert

    def redact_record(record: logging.LogRecord) -> bool:
        # Redact the message itself, not only its formatting: logging prints a record's raw
        # arguments when a handler fails, and those carry the URL with the token. Control
        # characters from a server (a header, a Location) are made visible too, and nothing
        # in it forms a CI runner's workflow command.
        record.msg, record.args = inert(safe(record.getMessage(), keep_newlines=True)), ()
        return True

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(redact_record)
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    handler.set_name("greencli-debug")
    for name in ("urllib3", "greencli"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    return handler
