"""TCP and TLS connections to the API host, timed, opened ahead of the requests that use them.

A cold request costs three round trips: TCP, TLS and the request itself. Python's start-up and
imports cost about as much again, so the connections are opened in the background while they
run (`warm`, called before the command is even parsed) and handed to the API client's pool
(`take`). The same code times DNS, TCP and TLS for doctor's reachability check and, when TLS
fails, says why in words: a name mismatch names the certificate's names, an untrusted issuer is
named (a corporate proxy intercepting HTTPS is the usual culprit). Only the standard library is
used here, so opening starts before requests is imported.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from concurrent.futures import Future
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

    from greencli.greenapi.trust import Trust

# OpenSSL's X509_V_ERR_* codes that mean "the certificate is not for this host name / address".
_NAME_MISMATCH = (62, 64)
_EXPIRED = (9, 10)  # not yet valid, expired
MAX_IDLE = 20.0  # seconds a connection opened ahead may wait; servers close idle ones


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return cls(scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80))


class Opened:
    """An open connection (TLS-wrapped for https) and what opening it took."""

    def __init__(self, sock: socket.socket, address: str, dns_ms: float, tcp_ms: float) -> None:
        self.sock = sock
        self.address = address
        self.dns_ms = dns_ms
        self.tcp_ms = tcp_ms
        self.tls_ms: float | None = None
        self.tls_version: str | None = None
        self.opened_at = time.monotonic()

    def still_fresh(self) -> bool:
        """Opened recently and not closed by the server meanwhile: a request sent on a socket
        the server has closed fails after it went out, and a sendMessage then reads as
        possibly sent."""
        if time.monotonic() - self.opened_at > MAX_IDLE:
            return False
        timeout = self.sock.gettimeout()
        try:
            self.sock.setblocking(False)
            # Nothing was asked yet, so there is no answer to read: a TLS 1.3 server's session
            # tickets are consumed here and then "would block" means alive; an end of file
            # (b"") or stray bytes mean the connection cannot be used.
            self.sock.recv(1)
        except OSError as error:
            return type(error).__name__ in ("SSLWantReadError", "BlockingIOError")
        except ValueError:
            return False
        finally:
            try:
                self.sock.settimeout(timeout)
            except OSError:
                pass
        return False


class ConnectFailure(Exception):
    """Opening failed at `stage` (dns, tcp or tls); the message names the cause. `kind` says
    how: "dns", "timeout", "reset" (a firewall that blocks a host resets the connection or lets
    it time out), "refused" (at the tcp stage) or "tls"."""

    def __init__(self, stage: str, message: str, hint: str, details: list[str] | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message
        self.hint = hint
        self.details = details or []
        self.kind = kind or {"dns": "dns", "tcp": "refused"}.get(stage, "tls")


def _kind_of(error: BaseException, otherwise: str) -> str:
    """How a connection attempt failed, from the exception itself."""
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return "reset"
    return otherwise


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def open_connection(url: str, timeout: float, tls_context: Future[ssl.SSLContext] | ssl.SSLContext | None = None,
                    chosen: Trust | None = None) -> Opened:
    """DNS, TCP and (for https) a verified TLS handshake, each timed; ConnectFailure says why not."""
    origin = Origin.of(url)
    started = time.monotonic()
    try:
        infos = socket.getaddrinfo(origin.host, origin.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ConnectFailure("dns", f"Cannot resolve {origin.host}",
                             f"Check GREEN_API_URL for typos, and that DNS works on this machine (e.g. `nslookup {origin.host}`).") from None
    dns_ms = _ms(started)
    address = str(infos[0][4][0])
    details = [f"DNS {origin.host} → {address} in {dns_ms:.0f} ms"]
    started = time.monotonic()
    try:
        sock = socket.create_connection((address, int(infos[0][4][1])), timeout=timeout)
    except OSError as error:
        why = "timed out" if isinstance(error, TimeoutError) else (error.strerror or "refused")
        raise ConnectFailure("tcp", f"Cannot connect to {origin.host}:{origin.port} ({why})",
                             "Check the network, firewall or proxy (HTTPS_PROXY); for a sandbox, that it is still running.", details,
                             _kind_of(error, "refused")) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as urllib3 does
    opened = Opened(sock, address, dns_ms, _ms(started))
    details.append(f"TCP connect in {opened.tcp_ms:.0f} ms")
    if origin.scheme != "https":
        return opened
    import ssl

    from greencli.greenapi import trust as trust_module

    if chosen is None:
        chosen = trust_module.trust()
    if tls_context is None:
        tls_context = trust_module.context(chosen)
    elif isinstance(tls_context, Future):
        tls_context = tls_context.result()
    started = time.monotonic()
    try:
        opened.sock = tls_context.wrap_socket(sock, server_hostname=origin.host)
    except ssl.SSLCertVerificationError as error:
        sock.close()
        raise _verification_failure(origin, error, timeout, chosen, details) from None
    except (ssl.SSLError, OSError) as error:
        sock.close()
        reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or type(error).__name__
        raise ConnectFailure("tls", f"TLS with {origin.host} failed ({reason})",
                             "Check that GREEN_API_URL is an https address that speaks TLS, and any proxy between you and it.", details,
                             _kind_of(error, "tls")) from None
    opened.tls_ms = _ms(started)
    opened.tls_version = opened.sock.version()
    return opened


def _verification_failure(origin: Origin, error: ssl.SSLCertVerificationError, timeout: float, chosen: Trust, details: list[str]) -> ConnectFailure:
    """Look at the certificate again, unverified, to say what is wrong with it."""
    import ssl

    from greencli.greenapi.certificates import Names, read_names

    trusted = f"trusted certificates: {chosen.path} ({chosen.origin})"
    code = getattr(error, "verify_code", None)
    seen = _peer_certificate(origin, timeout)
    names = Names("", "", [])
    if seen:
        try:
            names = read_names(seen)
        except ValueError:
            pass
    subject, issuer = names.subject, names.issuer
    if seen:
        details = details + [f"certificate subject: {subject or '(none)'}", f"issued by: {issuer or '(unknown)'}"]
    details.append(trusted)
    if code in _NAME_MISMATCH:
        shown = ", ".join(names.alt_names) or subject or "another name"
        return ConnectFailure("tls", f"The TLS certificate of {origin.host} is for {shown}, not {origin.host}",
                              "GREEN_API_URL's host must be the one in the console's apiUrl; if it is, something between you and it (a proxy) answers instead.",
                              details)
    if code in _EXPIRED:
        return ConnectFailure("tls", f"The TLS certificate of {origin.host} is {'expired' if code == 10 else 'not valid yet'}",
                              "Check this machine's clock and date; if they are right, the server's certificate is at fault.", details)
    who = issuer or "an unknown issuer"
    return ConnectFailure("tls", f"TLS with {origin.host} failed: the certificate is signed by {who}, which this machine does not trust",
                          "A proxy or antivirus intercepting HTTPS is the usual cause: ask for its CA certificate and point "
                          "SSL_CERT_FILE (or REQUESTS_CA_BUNDLE) at it; otherwise update the CA certificates (pip install -U certifi).",
                          details + [f"OpenSSL: {ssl.SSLCertVerificationError.__name__}: {getattr(error, 'verify_message', error)}"])


def _peer_certificate(origin: Origin, timeout: float) -> bytes | None:
    """The server's certificate (DER), fetched without verifying it, or None."""
    import ssl

    look = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    look.check_hostname = False
    look.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((origin.host, origin.port), timeout=timeout) as raw:
            with look.wrap_socket(raw, server_hostname=origin.host) as tls:
                return tls.getpeercert(binary_form=True)
    except (OSError, ValueError):
        return None


# -- opened ahead of time --------------------------------------------------------------------


class _Warming:
    """Connections being opened to one origin, and how the first attempt went."""

    def __init__(self, trust_path: str | None) -> None:
        self.trust_path = trust_path
        self.waiting: list[Future[Opened]] = []
        self.first: Future[Opened] | None = None


_warming: dict[Origin, _Warming] = {}
_lock = threading.Lock()


def _behind_proxy(origin: Origin) -> bool:
    """Whether requests might send this origin's requests through a proxy. Read from the
    variables alone (urllib.request is slow to import at start-up); when in doubt, yes."""
    names = (f"{origin.scheme}_proxy", "all_proxy")
    if not any(os.environ.get(name) or os.environ.get(name.upper()) for name in names):
        return False
    no_proxy = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    entries = [entry.strip().lstrip(".").lower() for entry in no_proxy.split(",") if entry.strip()]
    host = origin.host
    return not any(entry == "*" or host == entry or host.endswith("." + entry) or entry == f"{host}:{origin.port}" for entry in entries)


def warm(url: str, count: int, timeout: float = 10.0, ca: Trust | None = None) -> Future[Opened] | None:
    """Start opening connections in the background until `count` are waiting to be claimed,
    and return the first attempt ever made to this origin (its timings or its failure). None
    when requests would go through a proxy (they would not use these) or nothing can be
    opened (a bad URL or CA variable: the command itself reports that). `ca`: the CA bundle an
    env file names (see trust.trust)."""
    origin = Origin.of(url)
    if origin.scheme not in ("http", "https") or not origin.host or _behind_proxy(origin):
        return None
    chosen = None
    if origin.scheme == "https":
        from greencli.greenapi.trust import trust

        try:
            chosen = trust(own=ca)
        except Exception:  # noqa: BLE001 - reported by the command that needs it
            return None
        if chosen.is_directory:
            return None  # requests passes a directory differently: let it connect itself
    with _lock:
        warming = _warming.get(origin)
        stale = warming is not None and warming.first is not None and warming.first.done() and warming.first not in warming.waiting
        if warming is None or stale or warming.trust_path != (chosen.path if chosen else None):
            warming = _warming[origin] = _Warming(chosen.path if chosen else None)
        missing = max(0, count - len(warming.waiting))
        pending: list[Future[Opened]] = [Future() for _ in range(missing)]
        warming.waiting.extend(pending)
        if warming.first is None and pending:
            warming.first = pending[0]
        first = warming.first
    if not pending:
        return first
    _hand_over_quickly(pending)
    tls_context: Future[ssl.SSLContext] | None = None
    if chosen is not None:
        tls_context = Future()
        # Loading the CAs takes a few milliseconds of CPU: done while the TCP handshakes travel.
        threading.Thread(target=_build_context, args=(tls_context, chosen), daemon=True, name="tls-context").start()
    for future in pending:
        threading.Thread(target=_open_into, args=(future, url, timeout, tls_context, chosen), daemon=True, name="warm-connection").start()
    return first


def _hand_over_quickly(pending: list[Future[Opened]]) -> None:
    """While the main thread imports (CPU-bound, holding the GIL), a thread waiting to send the
    next handshake packet gets its turn only every switch interval (5 ms): dozens of turns
    would add a round trip. A shorter interval until the connections are open."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, 0.0005))
    left = [len(pending)]
    lock = threading.Lock()

    def one_done(_: Future[Opened]) -> None:
        with lock:
            left[0] -= 1
            if left[0] == 0:
                sys.setswitchinterval(previous)

    for future in pending:
        future.add_done_callback(one_done)


def _build_context(result: Future[ssl.SSLContext], chosen: Trust) -> None:
    from greencli.greenapi.trust import context

    try:
        result.set_result(context(chosen))
    except BaseException as error:  # noqa: BLE001 - handed to whoever waits for it
        result.set_exception(error)


def _open_into(result: Future[Opened], url: str, timeout: float, tls_context: Future[ssl.SSLContext] | None, chosen: Trust | None) -> None:
    try:
        result.set_result(open_connection(url, timeout, tls_context, chosen))
    except BaseException as error:  # noqa: BLE001 - handed to whoever waits for it
        result.set_exception(error)


def claim(url: str, trust_path: str | None) -> Opened | None:
    """A connection opened ahead of time to this origin, verified against `trust_path` (None
    for http), waiting for one still being opened; None when there is none (or it failed)."""
    origin = Origin.of(url)
    with _lock:
        warming = _warming.get(origin)
        if warming is None or warming.trust_path != trust_path or not warming.waiting:
            return None
        # Prefer one that is already open.
        done = [f for f in warming.waiting if f.done()]
        future = done[0] if done else warming.waiting[0]
        warming.waiting.remove(future)
    try:
        opened = future.result()
    except Exception:  # noqa: BLE001 - the caller connects itself and reports its own error
        return None
    if not opened.still_fresh():
        opened.sock.close()
        return None
    return opened


def discard() -> None:
    """Close every connection opened ahead of time and not claimed."""
    with _lock:
        waiting = [f for w in _warming.values() for f in w.waiting]
        _warming.clear()
    for future in waiting:
        future.add_done_callback(_close_if_opened)


def _close_if_opened(future: Future[Opened]) -> None:
    if future.exception() is None:
        future.result().sock.close()
