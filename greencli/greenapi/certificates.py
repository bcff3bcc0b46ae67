"""Names in a certificate that could not be verified.

Python's ssl module parses a peer certificate only once it is trusted (`getpeercert()` is empty
otherwise, and `get_unverified_chain()` arrived in 3.13). To name the issuer of a certificate
nobody here trusts — typically a corporate proxy or antivirus intercepting HTTPS — this reads
the two distinguished names straight from the DER bytes.
"""

from __future__ import annotations

import socket
from typing import NamedTuple

_ATTRIBUTES = {b"\x55\x04\x03": "CN", b"\x55\x04\x0a": "O", b"\x55\x04\x0b": "OU", b"\x55\x04\x06": "C"}
_SHOWN = ("CN", "O", "OU", "C")
_SUBJECT_ALT_NAME = b"\x55\x1d\x11"  # 2.5.29.17


class Names(NamedTuple):
    subject: str  # "CN=…, O=…"
    issuer: str
    alt_names: list[str]  # the DNS names and IP addresses it is valid for


class _Der:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def element(self, pos: int) -> tuple[int, int, int]:
        """(tag, start of content, end of content) of the element at `pos`."""
        tag, length = self.data[pos], self.data[pos + 1]
        header = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(self.data[pos + 2 : pos + 2 + count], "big")
            header += count
        start = pos + header
        if start + length > len(self.data):
            raise ValueError("truncated DER")
        return tag, start, start + length

    def children(self, start: int, end: int) -> list[tuple[int, int, int]]:
        found, pos = [], start
        while pos < end:
            tag, content, stop = self.element(pos)
            found.append((tag, content, stop))
            pos = stop
        return found


def _text(tag: int, raw: bytes) -> str:
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    if tag == 0x14:  # T61String, in practice Latin-1
        return raw.decode("latin-1")
    return raw.decode("utf-8", "replace")


def _name(der: _Der, start: int, end: int) -> str:
    parts: dict[str, str] = {}
    for _, set_start, set_end in der.children(start, end):  # RDN SETs
        for _, pair_start, pair_end in der.children(set_start, set_end):
            (_, oid_start, oid_end), (value_tag, value_start, value_end) = der.children(pair_start, pair_end)[:2]
            key = _ATTRIBUTES.get(der.data[oid_start:oid_end])
            if key and key not in parts:
                parts[key] = _text(value_tag, der.data[value_start:value_end])
    return ", ".join(f"{key}={parts[key]}" for key in _SHOWN if key in parts)


def _alt_names(der: _Der, start: int, end: int) -> list[str]:
    found: list[str] = []
    for _, ext_start, ext_end in der.children(start, end):
        parts = der.children(ext_start, ext_end)
        if der.data[parts[0][1] : parts[0][2]] != _SUBJECT_ALT_NAME:
            continue
        _, value_start, value_end = parts[-1]  # the OCTET STRING holding GeneralNames
        _, names_start, names_end = der.element(value_start)
        for tag, name_start, name_end in der.children(names_start, names_end):
            raw = der.data[name_start:name_end]
            if tag == 0x82:  # dNSName
                found.append(raw.decode("ascii", "replace"))
            elif tag == 0x87 and len(raw) in (4, 16):  # iPAddress
                found.append(socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw))
    return found


def read_names(certificate: bytes) -> Names:
    """Subject, issuer and alternative names of a DER certificate; ValueError when unreadable."""
    der = _Der(certificate)
    try:
        _, cert_start, cert_end = der.element(0)
        _, tbs_start, tbs_end = der.children(cert_start, cert_end)[0]
        fields = der.children(tbs_start, tbs_end)
        if fields[0][0] == 0xA0:  # explicit version
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, … [3] extensions
        issuer, subject = fields[2], fields[4]
        alt_names: list[str] = []
        for tag, start, _ in fields[6:]:
            if tag == 0xA3:
                _, ext_start, ext_end = der.element(start)
                alt_names = _alt_names(der, ext_start, ext_end)
        return Names(_name(der, subject[1], subject[2]), _name(der, issuer[1], issuer[2]), alt_names)
    except (IndexError, ValueError, OSError) as error:
        raise ValueError(f"unreadable certificate: {error}") from None
