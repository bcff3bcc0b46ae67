"""What Green API's credentials look like: the instance ID, the token and the host URLs.

Shapes only; where the values come from is `greencli.config.loader.loader`'s job.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.green-api.com"
# The token shape seen in every example: 50 lowercase hex characters.
TOKEN_SHAPE = re.compile(r"[0-9a-f]{50}")
_NOT_IN_A_TOKEN = re.compile(r"[\s/?#%]")  # cannot stand in a URL path segment
GREEN_API_HOST_SUFFIXES = (".green-api.com", ".greenapi.com")


class Credentials(NamedTuple):
    instance_id: str
    token: str
    api_url: str
    media_url: str | None = None


def token_is_malformed(token: str) -> bool:
    """Spaces or URL characters: this cannot be an apiTokenInstance (it goes in the URL path)."""
    return bool(_NOT_IN_A_TOKEN.search(token))


def is_green_api_host(url: str) -> bool:
    """Whether `url` is one of Green API's own hosts (not a sandbox, proxy or typo)."""
    return (urlsplit(url).hostname or "").endswith(GREEN_API_HOST_SUFFIXES)


def is_digits(value: str) -> bool:
    """ASCII digits only (str.isdigit also accepts other scripts' digits and superscripts)."""
    return value.isascii() and value.isdigit()


def check_url_shape(url: str) -> str | None:
    """Why `url` is not a usable http(s) base URL, or None when it is."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must start with https:// (or http://)"
    if not parts.hostname:
        return "has no host name"
    if parts.username or parts.password:
        return "must not contain a user name or password"
    if parts.query or parts.fragment:
        return "must not contain ? or #"
    return None
