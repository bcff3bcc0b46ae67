"""Which certificate authorities greencli trusts, from the standard variables.

requests reads REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE but not SSL_CERT_FILE, which OpenSSL, curl
and Python's own ssl module honour; greencli reads all of them, in that order, then SSL_CERT_DIR,
and falls back to certifi's bundle (what requests uses by default). The API client, doctor's
TLS check and the connections opened ahead of time all use this one answer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from greencli.errors import ConfigError

if TYPE_CHECKING:
    import ssl

VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


class Trust(NamedTuple):
    path: str  # a CA bundle file, or a directory of hashed certificates (SSL_CERT_DIR)
    origin: str  # the variable it came from, or "certifi"

    @property
    def is_directory(self) -> bool:
        return os.path.isdir(self.path)


def trust(environ: Mapping[str, str] | None = None, own: Trust | None = None) -> Trust:
    """The CA bundle to verify servers with; a variable naming a missing path is an error.
    `own`: the instance's own CA (a sandbox's, named in its env file: see Credentials.ca),
    which it uses instead of the machine's."""
    if own is not None:
        return own
    environ = os.environ if environ is None else environ
    for name in VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        if not os.path.exists(value):
            raise ConfigError(
                f"{name} names {value}, which does not exist.",
                f"Point {name} at a PEM file of trusted certificates, or unset it.",
                code="invalid_config",
            )
        return Trust(value, name)
    import certifi

    return Trust(certifi.where(), "certifi")


def context(chosen: Trust, check_hostname: bool = True) -> ssl.SSLContext:
    """A client TLS context that trusts exactly `chosen`, as the API client does."""
    import ssl

    if chosen.is_directory:
        tls = ssl.create_default_context(capath=chosen.path)
    else:
        tls = ssl.create_default_context(cafile=chosen.path)
    tls.check_hostname = check_hostname
    tls.set_alpn_protocols(["http/1.1"])
    return tls
