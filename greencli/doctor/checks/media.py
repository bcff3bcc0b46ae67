"""The media host: UploadFile and SendFileByUpload go there, not to apiUrl
(https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/). Last in the
report: probed alongside the API host, awaited only at the end."""

from __future__ import annotations

from greencli.doctor.checks.connection import OWN_HOSTS_HINT
from greencli.doctor.declaration import Check, Evidence, Gate, Stage
from greencli.doctor.facts import InstanceFacts
from greencli.doctor.result import CheckResult, Status, Verdict, failed, passed, skipped, warned
from greencli.greenapi.probes import HostProbe


def check_media(facts: InstanceFacts, probe: HostProbe, api: CheckResult | None = None) -> Verdict:
    """`api` is the reachability check's result, for a media host that is the API host."""
    details = [f"media host: {facts.media_origin}", *probe.details]
    if facts.media_is_api_host:  # a sandbox or proxy serving both: not probed twice
        if api is None or api.status == Status.FAIL:
            return skipped("the media host is the API host (see API host reachable)")
        return passed(f"{facts.api_host} is also the media host (see API host reachable)", None, details)
    if probe.failure is not None:
        hint = (probe.hint or "").replace("GREEN_API_URL", "GREEN_API_MEDIA_URL") if facts.credentials.media_url else f"{OWN_HOSTS_HINT}."
        # A network failure, like the API host's: an outage.
        return failed(f"{probe.message}: sending files will fail (they go to the media host, not to the API host)", hint, details, outage=True)
    if probe.plain_http:
        return warned(f"{probe.host} answers, but over plain http: the token travels unencrypted",
                      "Use the https:// mediaUrl from the console.", details)
    if not facts.credentials.media_url and facts.own_green_api_host:
        return warned(f"{probe.message}, but GREEN_API_MEDIA_URL is not set, so files go through the universal media host",
                      "Copy mediaUrl from the instance's page at console.green-api.com into GREEN_API_MEDIA_URL.", details)
    return passed(probe.message, None, details)


def _media(evidence: Evidence) -> Verdict:
    return check_media(evidence.facts, evidence.probe_media(), evidence.results.get("reachability"))


CHECKS = (Check("media", "Media host reachable", _media, Stage.PROBE, needs=Gate.CONFIGURED),)
