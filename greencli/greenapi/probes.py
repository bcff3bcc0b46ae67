"""Raw socket probes of a host: DNS, TCP and TLS, each timed, and in words why one failed.

doctor's reachability and media checks read them (greencli.doctor.checks.connection and
.media). Through a proxy only the proxy can be tried: it is named instead of the host.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from greencli.greenapi.connections import ConnectFailure, Opened, open_connection
from greencli.greenapi.trust import Trust


class ProxyRoute(NamedTuple):
    """The proxy requests to a host go through, from the *_PROXY variables."""

    variable: str  # HTTPS_PROXY or HTTP_PROXY
    host: str
    port: int


def proxy_for(url: str) -> ProxyRoute | None:
    """The proxy that requests to `url` go through, or None (none set, or NO_PROXY lists it)."""
    parts = urlsplit(url)
    proxy = getproxies().get(parts.scheme)
    if not proxy or proxy_bypass(parts.hostname or ""):
        return None
    proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return ProxyRoute(f"{parts.scheme.upper()}_PROXY", proxy_parts.hostname or "", proxy_parts.port or 8080)


class HostProbe(NamedTuple):
    """DNS, TCP and TLS to one host, each timed. `failure` is None when all went through;
    otherwise "dns", "timeout", "reset", "refused", "tls" or "proxy"."""

    host: str
    port: int
    failure: str | None
    message: str  # what failed, or what went through
    hint: str | None
    details: list[str]
    via_proxy: bool = False
    plain_http: bool = False


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def probe_proxy(url: str, route: ProxyRoute, timeout: float) -> HostProbe:
    """Through a proxy only the proxy is tried, and named."""
    host, port = _host_and_port(url)
    try:
        socket.create_connection((route.host, route.port), timeout=timeout).close()
    except OSError:
        return HostProbe(host, port, "proxy", f"Cannot connect to the proxy {route.host}:{route.port} ({route.variable})",
                         f"Check {route.variable}, or add {host} to NO_PROXY.", [], via_proxy=True)
    return HostProbe(host, port, None, f"{host} is reached through the proxy {route.host}:{route.port}", None,
                     [f"direct DNS/TCP/TLS checks skipped: requests go through {route.variable}"], via_proxy=True)


def probe_from(url: str, attempt: Callable[[], Opened]) -> HostProbe:
    """One timed connection attempt (DNS, TCP, TLS) as a HostProbe."""
    host, port = _host_and_port(url)
    try:
        opened = attempt()
    except ConnectFailure as failure:
        return HostProbe(host, port, failure.kind, failure.message, failure.hint, failure.details)
    details = [f"DNS {host} → {opened.address} in {opened.dns_ms:.0f} ms", f"TCP connect in {opened.tcp_ms:.0f} ms"]
    steps = f"DNS {opened.dns_ms:.0f} ms, TCP {opened.tcp_ms:.0f} ms"
    if opened.tls_version is not None:
        details.append(f"TLS {opened.tls_version} in {opened.tls_ms:.0f} ms")
        steps += f", TLS {opened.tls_ms:.0f} ms"
    plain = opened.tls_version is None and host not in ("127.0.0.1", "localhost", "::1")
    return HostProbe(host, port, None, f"{host}:{port} reachable ({steps})", None, details, plain_http=plain)


def probe_host(url: str, timeout: float, proxy: ProxyRoute | None, ca: Trust | None = None) -> HostProbe:
    """Open one connection to `url`'s host and close it again; `proxy` as `proxy_for` found it;
    `ca` the CA bundle an env file names (see trust.trust)."""
    if proxy is not None:
        return probe_proxy(url, proxy, timeout)

    def attempt() -> Opened:
        opened = open_connection(url, timeout, chosen=ca)
        opened.sock.close()
        return opened

    return probe_from(url, attempt)
