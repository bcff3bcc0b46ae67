"""What doctor knows about an instance before asking it anything, derived once per run from
the configuration and handed to every check: which hosts it uses and how they are reached."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from greencli.config import loader as config
from greencli.greenapi.credentials import (
    Credentials,
    is_green_api_host,
    is_universal_host,
    media_url_for,
    universal_api_url,
)
from greencli.greenapi.probes import ProxyRoute, proxy_for


@dataclass(frozen=True)
class InstanceFacts:
    credentials: Credentials
    configured: bool  # GREEN_API_URL was given (not greencli's default, the universal host)
    green_api_host: bool  # one of Green API's own hosts (not a sandbox, a proxy or a typo)
    # The universal host: a temporary bridge
    # (https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/).
    universal: bool
    universal_api_url: str  # the universal host in the same domain spelling as the apiUrl
    media_url: str  # where file uploads go
    media_origin: str  # why there, in words
    api_proxy: ProxyRoute | None  # the proxy requests to the API host go through
    media_proxy: ProxyRoute | None

    @property
    def api_url(self) -> str:
        return self.credentials.api_url

    @property
    def api_host(self) -> str:
        return urlsplit(self.credentials.api_url).hostname or ""

    @property
    def media_is_api_host(self) -> bool:
        """A sandbox or a proxy serving both: the media host is not probed twice."""
        return self.media_url == self.credentials.api_url

    @property
    def own_green_api_host(self) -> bool:
        """An instance's own Green API host (its apiUrl from the console), not the universal one."""
        return self.green_api_host and not self.universal


def facts_of(resolution: config.Resolution) -> InstanceFacts:
    """The facts of a resolution whose credentials are complete and well formed."""
    credentials = resolution.credentials()
    api_setting = resolution.settings[config.API_URL]
    configured = api_setting.origin is not None and api_setting.origin.kind != "default"
    media_url, media_origin = media_url_for(credentials)
    return InstanceFacts(
        credentials=credentials,
        configured=configured,
        green_api_host=is_green_api_host(credentials.api_url),
        universal=is_universal_host(credentials.api_url),
        universal_api_url=universal_api_url(credentials.api_url),
        media_url=media_url,
        media_origin=media_origin,
        api_proxy=proxy_for(credentials.api_url),
        media_proxy=proxy_for(media_url),
    )
