"""--debug: the HTTP layer's and greencli's own log on stderr for one run, redacted."""

from __future__ import annotations

import logging
import sys

_LOGGERS = ("urllib3", "greencli")


def start() -> logging.Handler:
    """Log to stderr until `stop` is given the handler this returns (the run keeps it)."""
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
    return handler


def stop(handler: logging.Handler) -> None:
    """The --debug log ends with its run."""
    for name in _LOGGERS:
        logging.getLogger(name).removeHandler(handler)
        logging.getLogger(name).setLevel(logging.NOTSET)
