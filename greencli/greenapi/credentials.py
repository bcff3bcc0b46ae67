"""What Green API's credentials look like: the instance ID, the token and the host URLs.

Shapes only; where the values come from is `greencli.config.loader`'s job.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from greencli.greenapi.trust import Trust
from greencli.redaction import MIN_SECRET

DEFAULT_API_URL = "https://api.green-api.com"
# The universal hosts, in both documented spellings: a temporary bridge while instances move to
# their own apiUrl/mediaUrl (https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/).
# The only Green API hosts greencli ever names or probes: per-instance hosts cannot be derived
# from the instance ID, so they come from the console or not at all.
UNIVERSAL_API_URLS = ("https://api.green-api.com", "https://api.greenapi.com")
UNIVERSAL_MEDIA_URLS = ("https://media.green-api.com", "https://media.greenapi.com")
# The token shape seen in every example: 50 lowercase hex characters.
TOKEN_SHAPE = re.compile(r"[0-9a-f]{50}")
_NOT_IN_A_TOKEN = re.compile(r"[\s/?#%]")  # cannot stand in a URL path segment
GREEN_API_HOST_SUFFIXES = (".green-api.com", ".greenapi.com")


class Credentials(NamedTuple):
    instance_id: str
    token: str
    api_url: str
    media_url: str | None = None
    # A CA of the instance's own, used instead of the machine's: only a sandbox on this machine
    # has one (`greencli sandbox --tls > tls.env` names it in the env file).
    ca: Trust | None = None


_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9_.~-]+")
TOKEN_EXPECTED = "an apiTokenInstance is 50 characters, 0-9 and a-f"


def token_problem(token: str) -> str | None:
    """Why `token` cannot be an apiTokenInstance, or None. It goes in the URL path, and
    greencli must be able to mask it in any text without mangling that text."""
    if _NOT_IN_A_TOKEN.search(token):
        return "contains spaces or URL characters"
    if len(token) < MIN_SECRET:
        return f"has only {len(token)} character{'s' if len(token) != 1 else ''}"
    if not _TOKEN_CHARACTERS.fullmatch(token):
        return "contains characters other than letters and digits"
    return None



def is_green_api_host(url: str) -> bool:
    """Whether `url` is one of Green API's own hosts (not a sandbox, proxy or typo)."""
    return (urlsplit(url).hostname or "").endswith(GREEN_API_HOST_SUFFIXES)


def is_universal_host(url: str) -> bool:
    """Whether `url` is one of the universal API hosts (not an instance's own apiUrl)."""
    host = urlsplit(url).hostname or ""
    return any(host == urlsplit(universal).hostname for universal in UNIVERSAL_API_URLS)


def universal_media_url(api_url: str) -> str:
    """The universal media host in the same domain spelling as `api_url`."""
    host = urlsplit(api_url).hostname or ""
    return UNIVERSAL_MEDIA_URLS[1] if host.endswith(".greenapi.com") else UNIVERSAL_MEDIA_URLS[0]


def media_url_for(credentials: Credentials) -> tuple[str, str]:
    """Where file uploads go, and why there: GREEN_API_MEDIA_URL, else the universal media host
    for Green API's hosts (https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/;
    sending/SendFileByUpload recommends the media host), else (a sandbox, a proxy) the API host."""
    if credentials.media_url:
        return credentials.media_url, "GREEN_API_MEDIA_URL"
    if is_green_api_host(credentials.api_url):
        return universal_media_url(credentials.api_url), "the universal media host (no GREEN_API_MEDIA_URL)"
    return credentials.api_url, "the API host (not Green API's, no GREEN_API_MEDIA_URL)"


class OtherProduct(NamedTuple):
    """An address of another Green API product than WhatsApp, and what gives it away."""

    product: str  # "MAX" or "Telegram"
    sign: str  # "ends in /v3", "is on 4100.api.green-api.com"…
    certain: bool  # False: the host is only seen in that product's docs and SDKs (observed)
    without: str | None  # the address without the product's path, when that is all that is wrong


# MAX puts /v3 before /waInstance (https://green-api.com/v3/docs/); the Telegram API's SDK
# defaults to https://4100.api.green-api.com/tgm (github.com/green-api/telegram_api_client_python,
# API.py), and its docs' requests go to the 4100 host
# (https://green-api.com/en/telegram/docs/request-format/). WhatsApp's docs use neither.
_PRODUCT_PATHS = {"/v3": "MAX", "/tgm": "Telegram"}
_TELEGRAM_HOSTS = ("4100.api.", "4100.media.")


def other_product(url: str) -> OtherProduct | None:
    """The other Green API product `url` belongs to, or None (WhatsApp, or not Green API's)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    for suffix, product in _PRODUCT_PATHS.items():
        if path.endswith(suffix):
            without = url.rstrip("/")[: -len(suffix)]
            return OtherProduct(product, f"ends in {suffix}", True, without if product == "MAX" else None)
    host = parts.hostname or ""
    if host.startswith(_TELEGRAM_HOSTS) and host.endswith(GREEN_API_HOST_SUFFIXES):
        return OtherProduct("Telegram", f"is on {host}", False, None)
    return None


def universal_api_url(api_url: str) -> str:
    """The universal API host in the same domain spelling as `api_url`."""
    host = urlsplit(api_url).hostname or ""
    return UNIVERSAL_API_URLS[1] if host.endswith(".greenapi.com") else UNIVERSAL_API_URLS[0]


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
