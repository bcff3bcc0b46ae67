"""HTTPS for the sandbox: a throw-away certificate authority made by trustme.

`greencli sandbox --tls` serves with a certificate for 127.0.0.1 and localhost signed by a CA
made for this run alone. The CA certificate is written, readable by the user only, into a
private temporary directory removed when the sandbox stops; clients trust it through
SSL_CERT_FILE or REQUESTS_CA_BUNDLE. Tests can ask for a certificate for other names (a name
mismatch) or signed by a CA nobody trusts (an HTTPS-intercepting proxy).
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import tempfile
from pathlib import Path

HOSTNAMES = ("127.0.0.1", "localhost", "::1")


class MissingTrustme(RuntimeError):
    """trustme is an optional extra: `pip install 'greencli[tls]'`."""


class Certificates:
    """A CA, a server certificate it signed, and the CA file clients should trust."""

    def __init__(self, hostnames: tuple[str, ...] = HOSTNAMES, organization: str = "greencli sandbox") -> None:
        try:
            import trustme
        except ImportError:
            raise MissingTrustme("the --tls sandbox needs the trustme library") from None
        self.ca = trustme.CA(organization_name=organization)
        self.leaf = self.ca.issue_cert(*hostnames, organization_name=organization)
        self.directory = Path(tempfile.mkdtemp(prefix="greencli-sandbox-ca-"))  # mode 0700
        self.ca_file = self.directory / "ca.pem"
        descriptor = os.open(self.ca_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(self.ca.cert_pem.bytes())

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.leaf.configure_cert(context)
        return context

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class TlsServerMixin:
    """Mixed into the sandbox's ThreadingHTTPServer: each connection's TLS handshake runs on
    that connection's own thread, so one slow or broken client holds up no other."""

    tls_context: ssl.SSLContext

    def finish_request(self, request: socket.socket, client_address: object) -> None:
        try:
            wrapped = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that does not trust us, or not TLS at all: nothing to answer
        try:
            super().finish_request(wrapped, client_address)  # type: ignore[misc]
        finally:
            wrapped.close()
