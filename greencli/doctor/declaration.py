"""How a doctor check is declared: one `Check` per check, in the module of its theme
(greencli.doctor.checks), read by the runner (greencli.doctor.runner).

A declaration says what the check is called, what it reads (the API answers it needs), when it
runs (its stage), what must have passed first (the gate it needs), and how it judges (its run
function, a plain function of the `Evidence`). Its explanation is the section of
troubleshooting.md under the anchor `<a id="ID"></a>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from greencli.doctor.answers import Answers, Fetched, Read
from greencli.doctor.result import CheckResult, Verdict

if TYPE_CHECKING:
    from greencli.config.loader import Resolution
    from greencli.doctor.facts import InstanceFacts
    from greencli.greenapi.probes import HostProbe

T = TypeVar("T")


class Stage(Enum):
    """When a check runs. From a cold start the network costs two phases whatever the number
    of checks: every connection opened at once, then every API call at once."""

    LOCAL = "local"  # first, one after another, no network: the configuration
    BESIDE = "beside"  # alongside the network phases: local work that takes a while (git)
    PROBE = "probe"  # on a raw connection to a host; awaited when a gate needs it, else last
    ANSWER = "answer"  # judges the API answers it reads, once they are all in


class Gate(Enum):
    """What later checks wait for. When a check that opens a gate fails, the checks that need
    that gate (or a later one) are skipped, and say why."""

    CONFIGURED = "the configuration must be fixed first"
    REACHABLE = "the API host cannot be reached"
    ACCEPTED = "the credentials were not accepted"

    @property
    def rank(self) -> int:
        return list(Gate).index(self)


@dataclass(frozen=True)
class Evidence:
    """Everything a check may read: the configuration, the instance's facts (derived once),
    the host probes, the API's answers and the results of the checks before it."""

    resolution: Resolution
    cwd: Path
    answers: Answers = field(default_factory=Answers)
    known_facts: InstanceFacts | None = None  # None until the configuration is usable
    api_probe: Callable[[], HostProbe] | None = None
    media_probe: Callable[[], HostProbe] | None = None
    # The HTTP status getStateInstance gets from another Green API host, or None.
    ask_other_host: Callable[[str], int | None] = lambda url: None
    results: Mapping[str, CheckResult] = field(default_factory=dict)
    now: float = 0.0

    @property
    def facts(self) -> InstanceFacts:
        if self.known_facts is None:
            raise RuntimeError("a check that needs the instance's facts ran before the configuration passed")
        return self.known_facts

    def answer(self, read: Read[T]) -> Fetched[T]:
        return self.answers[read]

    def probe_api(self) -> HostProbe:
        if self.api_probe is None:
            raise RuntimeError("the API host was not probed")
        return self.api_probe()

    def probe_media(self) -> HostProbe:
        if self.media_probe is None:
            raise RuntimeError("the media host was not probed")
        return self.media_probe()


@dataclass(frozen=True)
class Check:
    id: str  # also the anchor of its section in troubleshooting.md (`doctor --explain ID`)
    title: str
    run: Callable[[Evidence], Verdict]
    stage: Stage
    reads: tuple[Read[Any], ...] = ()  # the API answers it reads (its time is the first one's)
    needs: Gate | None = None  # skipped unless this gate (and every earlier one) is open
    opens: Gate | None = None  # a failure closes this gate for the checks that need it
    # Why the checks behind a closed gate are skipped, when the gate's own words are not enough.
    stop_reason: Callable[[Evidence], str] | None = None
    # What it says when a gate it needs is closed, when its own words are better than the gate's.
    skipped_because: str | None = None
    # Said on stderr just before it runs: it acts outside greencli (doctor --probe-webhook).
    announce: str | None = None
    opt_in: bool = False  # run only when asked for (doctor --probe-webhook)

    def result(self, verdict: Verdict, duration_ms: int | None = None) -> CheckResult:

        return CheckResult.of(self.id, self.title, verdict, duration_ms)
