"""--debug: the HTTP layer's and greencli's own log on stderr for one run, redacted."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from greencli.cli.context import RunContext

_LOGGERS = ("urllib3", "greencli")


def start(run: RunContext) -> None:
    """Log to stderr until the run ends (see `stop`); once per run."""
    if run.debug_log is not None:
        return
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
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    run.debug_log = handler


def stop(run: RunContext) -> None:
    """The --debug log ends with its run."""
    if run.debug_log is None:
        return
    for name in _LOGGERS:
        logging.getLogger(name).removeHandler(run.debug_log)
        logging.getLogger(name).setLevel(logging.NOTSET)
    run.debug_log = None
