"""Which CAs greencli trusts (the standard variables, in curl's and requests' order), and the
names read from a certificate nobody trusts."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from greencli.errors import ConfigError
from greencli.greenapi.certificates import read_names
from greencli.greenapi.trust import trust


def test_requests_variables_come_first_then_ssl_cert_file_then_certifi(tmp_path: Path) -> None:
    import certifi

    a, b, c = (tmp_path / name for name in ("a.pem", "b.pem", "c.pem"))
    for path in (a, b, c):
        path.write_text("")
    assert trust({"SSL_CERT_FILE": str(c), "CURL_CA_BUNDLE": str(b), "REQUESTS_CA_BUNDLE": str(a)}).path == str(a)
    assert trust({"SSL_CERT_FILE": str(c), "CURL_CA_BUNDLE": str(b)}).origin == "CURL_CA_BUNDLE"
    assert trust({"SSL_CERT_FILE": str(c)}) == (str(c), "SSL_CERT_FILE")
    assert trust({"SSL_CERT_DIR": str(tmp_path)}).is_directory
    assert trust({"REQUESTS_CA_BUNDLE": "  "}) == (certifi.where(), "certifi")


def test_a_variable_naming_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SSL_CERT_FILE names .* which does not exist"):
        trust({"SSL_CERT_FILE": str(tmp_path / "missing.pem")})


def test_names_of_a_certificate_from_an_unknown_issuer() -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA(organization_name="Example Corp Inspection Proxy")
    leaf = ca.issue_cert("127.0.0.1", "api.example.test", "::1", common_name="api.example.test")
    names = read_names(ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode()))
    assert "CN=api.example.test" in names.subject
    assert "O=Example Corp Inspection Proxy" in names.issuer
    assert names.alt_names == ["127.0.0.1", "api.example.test", "::1"]


def test_an_unreadable_certificate_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        read_names(b"\x30\x82\x05\x00\x30")
