"""Checking a well-formed webhook URL: can Green API's servers reach it?

Whether it is well formed at all is `greencli.greenapi.credentials.check_url_shape`.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class UrlFinding:
    level: str  # "error" (unusable) or "warning" (works, but probably not as meant)
    message: str


def reachability_findings(url: str, resolve: bool = False) -> list[UrlFinding]:
    """Warnings about a well-formed URL: plain http, and hosts Green API cannot reach.

    With `resolve`, the host name is looked up too (doctor does; `webhooks enable` does not).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    findings: list[UrlFinding] = []
    private = _private_reason(host)
    if private:
        findings.append(UrlFinding("error", f"points at {private}, which Green API's servers cannot reach"))
    elif resolve:
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
        except (OSError, UnicodeError):
            findings.append(UrlFinding("error", f"names a host that does not resolve ({host})"))
        else:
            inner = sorted(a for a in addresses if _private_reason(a))
            if inner and len(inner) == len(addresses):
                findings.append(UrlFinding("error", f"resolves to a private address ({inner[0]}), which Green API cannot reach"))
    if parts.scheme == "http":
        findings.append(UrlFinding("warning", "uses plain http: notifications (and the URL token) travel unencrypted; use https"))
    if carries_credentials(url):
        findings.append(UrlFinding("warning", CREDENTIALS_IN_URL))
    return findings


# Green API's pages name one way to authenticate its pushes, webhookUrlToken, "the webhook
# authorization header" (https://green-api.com/en/docs/api/account/GetSettings/); they say
# nothing of a user name and password in the URL.
CREDENTIALS_IN_URL = (
    "carries a user name and password: Green API documents only the webhook URL token (the "
    "Authorization header of each push), not whether it sends credentials written in the URL"
)


def carries_credentials(url: str) -> bool:
    """Whether `url` has user information (`user:password@host`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.username is not None or parts.password is not None


def _private_reason(host: str) -> str | None:
    lowered = host.lower().rstrip(".")
    if lowered in ("localhost",) or lowered.endswith((".localhost", ".local", ".internal", ".lan")):
        return f"{host} (this machine or the local network)"
    try:
        address = ipaddress.ip_address(lowered.strip("[]"))
    except ValueError:
        return None
    if address.is_loopback:
        return f"{host} (this machine)"
    if address.is_private or address.is_link_local or address.is_unspecified or address.is_reserved:
        return f"{host} (a private address)"
    return None
