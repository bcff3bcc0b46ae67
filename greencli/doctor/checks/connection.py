"""Checks of the way to the instance: the API host answers a connection, and Green API accepts
the instance ID and token there."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from greencli.doctor.answers import STATE, Fetched
from greencli.doctor.declaration import Check, Evidence, Gate, Stage
from greencli.doctor.facts import InstanceFacts
from greencli.doctor.result import Verdict, failed, passed, warned
from greencli.errors import ApiError, ErrorCode
from greencli.greenapi.failures import is_transient
from greencli.greenapi.probes import HostProbe

# A firewall that blocks the universal host answers with resets or silence: Green API told a
# user it sits in Moscow and some EU firewalls block it, and the fix was the instance's own
# host (https://github.com/t0mer/green-api-custom-notifier/issues/16).
BRIDGE_NOTE = ("the universal host is a temporary bridge: slower than the instance's own host, "
               "and blocked by some firewalls")
OWN_HOSTS_HINT = ("Copy apiUrl and mediaUrl from the instance's page at console.green-api.com into "
                  "GREEN_API_URL and GREEN_API_MEDIA_URL (`greencli init --force`)")


def reachability_of(probe: HostProbe, facts: InstanceFacts, media: Callable[[], HostProbe] | None = None) -> Verdict:
    """On the universal host (a temporary bridge,
    https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/), warn; when it
    resets or times out, tell a blocked universal host from a network that reaches no Green API
    host, by the media host probed at the same time (`media`, awaited only then)."""
    if probe.failure is not None:
        if facts.universal and probe.failure in ("timeout", "reset"):
            other = media() if media is not None else None
            if other is not None and other.failure is None and not other.via_proxy:
                return failed(f"{probe.message}, while {other.host} answers: this network blocks Green API's universal host",
                              f"{BRIDGE_NOTE[0].upper()}{BRIDGE_NOTE[1:]}. {OWN_HOSTS_HINT}.", probe.details, outage=True)
            return failed(f"{probe.message}: {BRIDGE_NOTE}, or this network blocks Green API",
                          f"{OWN_HOSTS_HINT}; if the instance's own host fails too, check the firewall or proxy.", probe.details, outage=True)
        return failed(probe.message, probe.hint, probe.details, outage=True)
    if probe.plain_http:
        return warned(f"{probe.host} answers, but over plain http: the token travels unencrypted",
                      "Use the https:// apiUrl from the console.", probe.details)
    if facts.universal:
        where = "no GREEN_API_URL is set, so greencli uses" if not facts.configured else "GREEN_API_URL is"
        return warned(f"{probe.message}, but {where} the universal host {probe.host}: {BRIDGE_NOTE}",
                      f"{OWN_HOSTS_HINT}.", probe.details)
    return passed(probe.message, None, probe.details)


def check_credentials(state: Fetched[str | None], facts: InstanceFacts, probe: Callable[[str], int | None]) -> Verdict:
    """Was the token accepted? For a 403, try to tell a wrong instance ID from a wrong host; for
    no answer, a host that is down or blocked from an instance that is down."""
    error = state.error
    instance_id = facts.credentials.instance_id
    if error is None:
        return passed(f"Green API accepted instance {instance_id} and its token")
    if error.code == "unauthorized":
        # An instance deleted long ago may answer 401 instead of its 400
        # (https://github.com/green-api/issues/issues/1002).
        return failed("The token was rejected (401)",
                      "Copy apiTokenInstance again from the instance's page at console.green-api.com into GREEN_API_TOKEN "
                      "(`greencli init --force`); an instance deleted long ago answers 401 too (Green API issue 1002).")
    if error.code == "instance_expired":
        # The documented 400 (https://green-api.com/en/docs/api/common-errors/). New or just paid-for
        # instances read expired for a few minutes (https://github.com/green-api/issues/issues/197),
        # and new Developer instances can stay so (https://github.com/green-api/issues/issues/997).
        return failed(f"Instance {instance_id} has expired: Green API answered 400 \"Instance account is expired\"",
                      "Renew it in the console at console.green-api.com. Just created or paid for? It can read expired for a "
                      "few minutes (Green API issue 197): run `greencli doctor` again in a minute; a new Developer instance that "
                      "stays expired is a known fault (issue 997): contact Green API support.")
    if error.code == "instance_deleted":
        return failed(f"Instance {instance_id} has been deleted: Green API answered 400 \"Instance is deleted\"",
                      "Create a new instance in the console at console.green-api.com and copy its credentials "
                      "(`greencli init --force`).")
    if error.code == "forbidden":
        return _diagnose_forbidden(facts, probe)
    if error.status is None:  # no answer at all: the credentials could not be checked
        return _diagnose_no_answer(error, facts, probe)
    # A 5xx, 429 or 400 is an answer about something else: not a verdict on the credentials.
    return failed(f"Green API answered {error.status}, so the credentials could not be checked: {error.message}", error.hint,
                  outage=unanswered(error))


def _diagnose_forbidden(facts: InstanceFacts, probe: Callable[[str], int | None]) -> Verdict:
    """403: a wrong idInstance or a host that does not serve it
    (https://green-api.com/en/docs/api/common-errors/). Hosts cannot be derived from the ID, so
    the only other host asked is the documented universal one, and only from an instance's own
    Green API host (never from a sandbox or proxy: the token goes to Green API's hosts only)."""
    host = facts.api_host
    instance_id = facts.credentials.instance_id
    if facts.own_green_api_host:
        universal = facts.universal_api_url
        other = urlsplit(universal).hostname
        status = probe(universal)
        if status == 200:
            return failed(f"Instance {instance_id} is not served by {host} (403), but the universal host {other} accepts it",
                          "GREEN_API_URL is not this instance's apiUrl: copy apiUrl and mediaUrl from the instance's page at console.green-api.com.")
        if status in (401, 403):
            return failed(f"Neither {host} nor the universal host {other} knows instance {instance_id} (403)",
                          "Check GREEN_API_INSTANCE_ID: copy idInstance from the console (the instance may also have been deleted).")
    return failed(f"Green API refused instance {instance_id} at {host} (403): the instance ID or the host is wrong",
                  "Check GREEN_API_INSTANCE_ID (idInstance), and copy apiUrl and mediaUrl from the instance's page at console.green-api.com into GREEN_API_URL and GREEN_API_MEDIA_URL.")


def _diagnose_no_answer(error: ApiError, facts: InstanceFacts, probe: Callable[[str], int | None]) -> Verdict:
    """A reset or a timeout after the host was reachable. From an instance's own host, the
    universal host tells "this host is down or blocked" (it answers) from "the instance is down"
    (it does not answer either); on the universal host itself, name both causes."""
    host = facts.api_host
    lead = f"Green API did not answer, so the credentials could not be checked: {error.message}"
    if error.code not in ("timeout", "connection_failed") or not facts.green_api_host:
        return failed(lead, error.hint, outage=True)
    if facts.universal:
        return failed(f"{lead} Either {BRIDGE_NOTE} (a firewall may cut it), or the instance is down",
                      f"{OWN_HOSTS_HINT}; if the instance's own host does not answer either, run `greencli reboot` later or contact Green API support.",
                      outage=True)
    universal = facts.universal_api_url
    status = probe(universal)
    other = urlsplit(universal).hostname
    if status == 200:
        return failed(f"{lead} The universal host {other} answers for this instance: it is up, and {host} is down or blocked from this network",
                      "Check the firewall or proxy for this host; meanwhile the universal host works (GREEN_API_URL=" + universal + ").",
                      outage=True)
    if status is None:
        return failed(f"{lead} The universal host {other} does not answer for this instance either: the instance itself seems down",
                      "Wait a few minutes and run `greencli doctor` again; if it lasts, `greencli reboot` or Green API support.", outage=True)
    return failed(lead, error.hint, outage=True)


def unanswered(error: ApiError) -> bool:
    """No answer, or one that says the service itself is failing for now (a transient status:
    5xx, 499, 429 after retries). An unreadable 200 is an answer."""
    return error.status is None or (error.status != 200 and is_transient(error))


_GONE: dict[ErrorCode, str] = {"instance_expired": "the instance has expired", "instance_deleted": "the instance has been deleted"}


def why_stopped(error: ApiError | None) -> str:
    """Why the checks after a failed credentials check are skipped."""
    if error is None or error.status is None:
        return "Green API did not answer"
    if error.code in _GONE:
        return _GONE[error.code]
    if error.status in (401, 403):
        return "the credentials were not accepted"
    return f"Green API answered {error.status}"


def _credentials(evidence: Evidence) -> Verdict:
    return check_credentials(evidence.answer(STATE), evidence.facts, evidence.ask_other_host)


CHECKS = (
    Check("reachability", "API host reachable", lambda evidence: reachability_of(evidence.probe_api(), evidence.facts, evidence.probe_media),
          Stage.PROBE, needs=Gate.CONFIGURED, opens=Gate.REACHABLE),
    Check("credentials", "Credentials accepted", _credentials, Stage.ANSWER, reads=(STATE,), needs=Gate.REACHABLE, opens=Gate.ACCEPTED,
          stop_reason=lambda evidence: why_stopped(evidence.answer(STATE).error)),
)
