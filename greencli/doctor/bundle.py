"""`greencli doctor --bundle PATH`: one zip file to attach to a ticket with Green API's support.

What it holds (README.txt inside says the same):

- doctor.json: doctor's JSON document, as `greencli doctor --json` prints it;
- versions.json: greencli's version, Python's, and the operating system;
- instance.json: the instance ID and the API host, and nothing else from the configuration;
- settings.json: the instance's settings (getSettings) as doctor read them;
- state-history.json: the instance's state history (GetStateInstanceHistory);
- run.json: when the run started and how long it took, each API call with its time and error,
  the retries the client made, and each check's time and outcome.

The token, the webhookUrlToken and the user name and password of any URL are masked (to their
first and last 4 characters, or ****), and every text passes through the run's redactor, which
knows every token this run saw. The file is written whole or not at all, readable by its owner
only, and never through or over a link.
"""

from __future__ import annotations

import io
import json
import platform
import re
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from greencli import __version__, redaction
from greencli.config import atomic_files
from greencli.config.loader import API_URL, INSTANCE_ID, Resolution
from greencli.doctor.answers import SETTINGS, STATE_HISTORY, Answers, Fetched
from greencli.doctor.result import CheckResult

MODE = 0o600
# The user information of any URL in any text (`https://user:password@host`).
_URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@?#\"']+@")

README = """greencli doctor --bundle: what this archive holds

doctor.json         doctor's results, as `greencli doctor --json` prints them
versions.json       greencli's version, Python's, and the operating system
instance.json       the instance ID and the API host (nothing else from the configuration)
settings.json       the instance's settings (getSettings), as doctor read them
state-history.json  the instance's state history (GetStateInstanceHistory)
run.json            when doctor ran, each API call with its time and error, the retries,
                    each check's time and outcome

The API token, the webhookUrlToken and the user name and password of any URL are masked.
"""


@dataclass
class RunRecord:
    """What the run did besides its results: when it started, how long it took, its retries."""

    started: float = field(default_factory=time.time)
    started_monotonic: float = field(default_factory=time.monotonic)
    retries: list[str] = field(default_factory=list)

    def retried(self, message: str) -> str:
        """Remember a retry notice; give it back (to be shown as well)."""
        self.retries.append(message)
        return message


def contents(
    document: dict[str, Any], resolution: Resolution, results: Sequence[CheckResult], answers: Answers, record: RunRecord
) -> dict[str, bytes]:
    """The archive's files by name, every secret masked."""
    parts: dict[str, Any] = {
        "doctor.json": document,
        "versions.json": {
            "greencli": __version__,
            "python": platform.python_version(),
            "pythonImplementation": platform.python_implementation(),
            "system": platform.platform(),
        },
        "instance.json": {"instanceId": resolution.value(INSTANCE_ID), "apiHost": _host(resolution.value(API_URL))},
        "settings.json": _answer(answers[SETTINGS], _masked_settings),
        "state-history.json": _answer(
            answers[STATE_HISTORY],
            lambda changes: [{"state": change.state, "timestamp": change.timestamp, "phone": change.phone} for change in changes],
        ),
        "run.json": {
            "started": datetime.fromtimestamp(record.started, timezone.utc).isoformat(timespec="seconds"),
            "durationMs": int((time.monotonic() - record.started_monotonic) * 1000),
            "calls": [
                {"method": read.method, "durationMs": timed.elapsed_ms, "error": _error(timed.fetched)}
                for read, timed in answers.made()
            ],
            "retries": record.retries,
            "checks": [
                {"id": result.id, "status": result.status.value, "durationMs": result.duration_ms, "outage": result.outage}
                for result in results
            ],
        },
    }
    files = {"README.txt": README.encode("utf-8")}
    for name, data in parts.items():
        text = redaction.redact(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        files[name] = _URL_USERINFO.sub(r"\1****@", text).encode("utf-8")
    return files


def archive(files: dict[str, bytes], when: float) -> bytes:
    """A zip file of `files`, each dated `when`."""
    stamp = datetime.fromtimestamp(when).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"greencli-bundle/{name}", date_time=stamp)
            info.external_attr = (MODE | 0o100000) << 16  # a regular file, owner-only
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, data)
    return buffer.getvalue()


def write(path: Path, data: bytes) -> None:
    """Write the archive whole (a temporary file renamed over `path`), mode 0600. The rename
    replaces a link put there meanwhile rather than write through it; the caller refused a
    link that was there before."""
    atomic_files.write_atomically(path, data, MODE)


def _answer(fetched: Fetched[Any], shown: Any) -> Any:
    if fetched.error is not None:
        return {"error": _error(fetched)}
    if fetched.value is None:
        return {"error": {"message": "not read in this run (an earlier check failed, see doctor.json)"}}
    return shown(fetched.value)


def _error(fetched: Fetched[Any]) -> dict[str, Any] | None:
    error = fetched.error
    if error is None:
        return None
    return {"code": error.code, "status": error.status, "message": error.message, "hint": error.hint}


def _masked_settings(settings: dict[str, Any]) -> dict[str, Any]:
    shown = dict(settings)
    secret = shown.get("webhookUrlToken")
    if isinstance(secret, str) and secret:
        redaction.register(secret)
        shown["webhookUrlToken"] = redaction.mask(secret)
    for key, value in shown.items():
        if isinstance(value, str) and "://" in value:
            shown[key] = _without_credentials(value)
    return shown


def _without_credentials(url: str) -> str:
    """`url` with its user name and password (if any) as ****."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.netloc.rsplit("@", 1)[1]
    except (ValueError, IndexError):
        return "****"
    for secret in (parts.username, parts.password):
        redaction.register(secret)
    return urlunsplit((parts.scheme, f"****@{host}", parts.path, parts.query, parts.fragment))


def _host(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")

