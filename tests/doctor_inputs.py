"""What doctor's checks are handed, built for their tests: a fetched answer, the instance's facts
for some credentials, an API error, a host probe, the state history, the settings."""

from __future__ import annotations

from pathlib import Path

from greencli.config.loader import RootOptions, resolve
from greencli.doctor.answers import Fetched
from greencli.doctor.facts import InstanceFacts, facts_of
from greencli.errors import ApiError
from greencli.greenapi.probes import HostProbe

ID = "7103000001"


def fetched(value=None, error: ApiError | None = None) -> Fetched:
    return Fetched(value, error)


def facts(token: str, api_url: str, media_url: str | None = None, configured: bool = True) -> InstanceFacts:
    """The facts doctor derives once per run, for these credentials."""
    environ = {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}
    if configured:
        environ["GREEN_API_URL"] = api_url
    if media_url:
        environ["GREEN_API_MEDIA_URL"] = media_url
    found = facts_of(resolve(RootOptions(), environ, Path("/nonexistent"), read_env_file=False))
    assert found.api_url == api_url
    return found


def api_error(code: str, status: int | None = None) -> ApiError:
    return ApiError(f"{code} happened", "do something", code=code, status=status)


def probe_result(host: str, failure: str | None = None, **kw) -> HostProbe:
    return HostProbe(host, 443, failure, f"{host} {'failed' if failure else 'reachable'}", "check", [], **kw)


NOW = 1_800_000_000


def history(*states_ago: tuple[str, int]) -> Fetched:
    from greencli.greenapi.client import StateChange

    return fetched([StateChange(state, NOW - ago, "79001234567@c.us") for state, ago in states_ago])


def settings(**values: object) -> Fetched:
    """A getSettings answer holding `values`."""
    return Fetched(dict(values))
