"""The run behind `greencli doctor`, driven by the registry (greencli.doctor.checks).

The configuration first (no network); then, at once, the checks that run beside the network
(project hygiene), the connections to the API host (the reachability check times the first)
and every API answer any check reads, each on its own connection. From a cold start that is
the physical floor of three round trips (TCP, TLS, one request) however many calls are made.
The results read as if gated: a check whose gate closed (an unusable configuration, an
unreachable host, refused credentials) is shown as skipped, and says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from greencli.config import loader as config
from greencli.doctor.answers import STATE, Answers, Read, Timed, fetch
from greencli.doctor.checks import REGISTRY
from greencli.doctor.declaration import Check, Evidence, Gate, Stage
from greencli.doctor.facts import InstanceFacts, facts_of
from greencli.doctor.result import CheckResult, Status, Verdict, failed, skipped
from greencli.errors import ApiError
from greencli.greenapi.connections import warm
from greencli.greenapi.credentials import Credentials
from greencli.greenapi.probes import HostProbe, probe_from, probe_host
from greencli.greenapi.states import describe_state
from greencli.redaction import in_this_run

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient

PROBE_TIMEOUT = 5.0  # at most, for a connection attempt of a probe


class MakeClient(Protocol):
    """How doctor gets a client: the run's factory (greencli.cli.context.RunContext.new_client)
    set to doctor's timeout; the 403 probe of another host asks for its own, shorter limits."""

    def __call__(self, credentials: Credentials, *, timeout: float | None = None, backoff: float | None = None) -> GreenApiClient: ...


@dataclass(frozen=True)
class Checkup:
    """One instance's results in report order, and the state it was found in."""

    results: list[CheckResult]
    # The instance's state as the state check named it, or None when it was not checked.
    state_label: str | None = None
    # The API's answers the checks read (for `doctor --bundle`); empty when none were asked.
    answers: Answers = field(default_factory=Answers)


def run_checks(
    resolution: config.Resolution,
    cwd: Path,
    make_client: MakeClient,
    timeout: float,
    on_progress: Callable[[str], None] = lambda text: None,
    on_result: Callable[[CheckResult], None] = lambda result: None,
    opt_in: Collection[str] = (),
) -> Checkup:
    """Run every check (and the opt-in ones named); `on_result` gets each result as soon as it
    and all before it are done; `on_progress` what a check announces before it runs."""
    checks = [check for check in REGISTRY if not check.opt_in or check.id in opt_in]
    run = _Run(checks, InOrder([check.id for check in checks], on_result), Evidence(resolution, cwd))
    run.stage(Stage.LOCAL)
    if Gate.CONFIGURED in run.closed:
        run.stage(Stage.BESIDE)
        return run.finish()
    facts = facts_of(resolution)
    client = make_client(facts.credentials)
    reads = reads_of(checks)
    # The connections the calls will use; those opened at start-up (greencli.cli.warm_start)
    # are already on their way. None: requests go through a proxy, which is checked instead.
    first = warm(facts.api_url, len(reads), min(timeout, PROBE_TIMEOUT), ca=facts.credentials.ca)
    probes_started = time.monotonic()
    media = _probe_media(facts, min(timeout, PROBE_TIMEOUT))

    def probe_api() -> HostProbe:
        if first is None:
            return probe_host(facts.api_url, min(timeout, PROBE_TIMEOUT), facts.api_proxy, facts.credentials.ca)
        return probe_from(facts.api_url, first.result)

    def call(read: Read[Any]) -> Timed[Any] | None:
        """The answer, or None when no connection could be opened (nothing was sent)."""
        started = time.monotonic()
        if first is not None and first.exception() is not None:
            return None
        fetched = fetch(lambda: read.call(client))
        return Timed(fetched, int((time.monotonic() - started) * 1000))

    run.evidence = replace(
        run.evidence, known_facts=facts, api_probe=probe_api, media_probe=media.result,
        ask_other_host=lambda url: _ask_other_host(url, facts, timeout, make_client),
    )
    beside = [check for check in checks if check.stage == Stage.BESIDE]
    gates = [check for check in checks if check.stage == Stage.PROBE and check.opens is not None]
    with ThreadPoolExecutor(max_workers=len(reads) + len(beside) + len(gates)) as pool:
        started = {check.id: pool.submit(in_this_run(run.judge), check) for check in beside + gates}
        calls = {read: pool.submit(in_this_run(call), read) for read in reads}
        for check in beside + gates:
            run.settle(check, started[check.id].result())
        made = {read: future.result() for read, future in calls.items()}
    answers = Answers({read: timed for read, timed in made.items() if timed is not None})
    run.evidence = replace(run.evidence, answers=answers, now=time.time())
    for check in checks:
        if check.stage == Stage.ANSWER and run.runs(check):
            if check.announce:
                on_progress(check.announce)
            elapsed = answers.elapsed_ms(check.reads[0]) if check.reads else None
            run.settle(check, run.judge(check, elapsed))
    for check in checks:  # the probes no gate waited for (the media host): last, as reported
        if check.stage == Stage.PROBE and run.runs(check):
            result = run.judge(check)
            result.duration_ms = int((time.monotonic() - probes_started) * 1000)
            run.settle(check, result)
    return run.finish()


class _Run:
    """The results so far, the gates closed so far, and the evidence the checks read."""

    def __init__(self, checks: Sequence[Check], results: InOrder, evidence: Evidence) -> None:
        self.checks = checks
        self.results = results
        self.closed: dict[Gate, str] = {}  # why the checks behind each closed gate are skipped
        self.evidence = replace(evidence, results=results)

    def runs(self, check: Check) -> bool:
        return check.id not in self.results and self.blocked(check) is None

    def blocked(self, check: Check) -> str | None:
        """Why `check` cannot run (a gate it needs is closed), or None."""
        if check.needs is None:
            return None
        why = next((self.closed[gate] for gate in Gate if gate.rank <= check.needs.rank and gate in self.closed), None)
        return check.skipped_because or why if why is not None else None

    def stage(self, stage: Stage) -> None:
        """Run a stage's checks one after another, in order."""
        for check in self.checks:
            if check.stage == stage and self.runs(check):
                self.settle(check, self.judge(check))

    def judge(self, check: Check, duration_ms: int | None = None) -> CheckResult:
        started = time.monotonic()
        verdict = guarded(lambda: check.run(self.evidence))
        return check.result(verdict, duration_ms if duration_ms is not None else int((time.monotonic() - started) * 1000))

    def settle(self, check: Check, result: CheckResult) -> None:
        if check.opens is not None and result.status == Status.FAIL and check.opens not in self.closed:
            self.closed[check.opens] = check.stop_reason(self.evidence) if check.stop_reason is not None else check.opens.value
        self.results[check.id] = result

    def finish(self) -> Checkup:
        for check in self.checks:
            if check.id not in self.results:
                self.results[check.id] = check.result(skipped(self.blocked(check) or "not run"))
        results = [self.results[check.id] for check in self.checks]
        state = self.results.get("state")
        label = None
        if state is not None and state.status != Status.SKIP:
            label = describe_state(self.evidence.answer(STATE).value).label
        return Checkup(results, label, self.evidence.answers)


def reads_of(checks: Iterable[Check]) -> list[Read[Any]]:
    """Every API answer the checks read, each once, in the order first read."""
    reads: list[Read[Any]] = []
    for check in checks:
        reads.extend(read for read in check.reads if read not in reads)
    return reads


_SAME_HOST = HostProbe("", 0, None, "", None, [])


def _probe_media(facts: InstanceFacts, timeout: float) -> Future[HostProbe]:
    """The media host, probed alongside the API host; awaited only at the end, or when the
    universal API host resets or times out (to tell a blocked bridge from a blocked network)."""
    media: Future[HostProbe] = Future()
    if facts.media_is_api_host:
        media.set_result(_SAME_HOST)  # the reachability check covers it: no extra connection
        return media
    pool = ThreadPoolExecutor(max_workers=1)
    media = pool.submit(in_this_run(probe_host), facts.media_url, timeout, facts.media_proxy, facts.credentials.ca)
    pool.shutdown(wait=False)
    return media


def _ask_other_host(api_url: str, facts: InstanceFacts, timeout: float, make_client: MakeClient) -> int | None:
    """The HTTP status getStateInstance gets from another Green API host, or None."""
    credentials = facts.credentials
    other = Credentials(credentials.instance_id, credentials.token, api_url)
    with make_client(other, timeout=min(timeout, PROBE_TIMEOUT), backoff=0) as client:
        try:
            client.get_state_instance()
            return 200
        except ApiError as error:
            return error.status


class InOrder(dict[str, CheckResult]):
    """Results by check id that hands each one on in report order, as soon as those before it
    are in. Checks may finish in any order (some run at once); the report reads top to bottom."""

    def __init__(self, order: Sequence[str], on_result: Callable[[CheckResult], None]) -> None:
        super().__init__()
        self.order = order
        self.on_result = on_result
        self.reported = 0

    def __setitem__(self, check_id: str, result: CheckResult) -> None:
        super().__setitem__(check_id, result)
        while self.reported < len(self.order) and self.order[self.reported] in self:
            self.on_result(self[self.order[self.reported]])
            self.reported += 1


def guarded(run: Callable[[], Verdict]) -> Verdict:
    """Run one check; if it breaks on something unforeseen, that check fails, not doctor."""
    from greencli.redaction import redact

    try:
        return run()
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - one broken check must not hide the others, whatever it raises
        return failed(f"This check could not run: {type(error).__name__}: {redact(str(error))[:200]}",
                      "Run `greencli --debug doctor` and report it; the other checks still stand.")
