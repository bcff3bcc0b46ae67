"""What every command shares: the root options, the output, the credentials and the client.

One `AppContext` lives on `ctx.obj` for one run. Credentials are resolved on first use, so
`--help` and `--version` work even when `.env` is broken. Heavy modules (requests, the client)
are imported only by the commands that call the API.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from greencli.cli.output import Output
    from greencli.config.loader import Credentials, Resolution, RootOptions
    from greencli.greenapi.client import GreenApiClient
    from greencli.sandbox.server import RunningSandbox

JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout instead of text."),
]


class AppContext:
    def __init__(self) -> None:
        self.options: RootOptions | None = None  # set by the root callback
        self.json_mode = False
        self.sandbox: RunningSandbox | None = None
        self.cwd = Path.cwd()
        self._output: Output | None = None
        self._resolution: Resolution | None = None
        self._client: GreenApiClient | None = None
        self._warned = False

    @property
    def root_options(self) -> RootOptions:
        from greencli.config.loader import RootOptions

        return self.options or RootOptions()

    @property
    def output(self) -> Output:
        from greencli.cli.output import Output

        if self._output is None or self._output.json_mode != self.json_mode:
            self._output = Output(json_mode=self.json_mode)
        return self._output

    def resolution(self) -> Resolution:
        """Every credential with its source and every problem found (never raises)."""
        from greencli.config.loader import resolve

        if self._resolution is None:
            if self.sandbox is not None:  # --sandbox: its credentials only, nothing of the user's
                self._resolution = resolve(self.root_options, {}, self.cwd, read_env_file=False)
            else:
                self._resolution = resolve(self.root_options, os.environ, self.cwd)
        return self._resolution

    def credentials(self) -> Credentials:
        """Validated credentials; warnings go to stderr once; errors raise ConfigError."""
        resolution = self.resolution()
        credentials = resolution.credentials()
        if not self._warned:
            self._warned = True
            for problem in resolution.warnings:
                self.output.warn(problem.message, problem.hint)
        return credentials

    def timeout(self) -> float:
        from greencli.config.loader import resolve_timeout

        return resolve_timeout(self.root_options, os.environ)

    def client(self) -> GreenApiClient:
        if self._client is None:
            from greencli.greenapi.client import GreenApiClient

            timeout = self.timeout()
            self._client = GreenApiClient(self.credentials(), timeout=timeout)
        return self._client

    def close(self) -> None:
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
    app.json_mode = json_output
    return app
