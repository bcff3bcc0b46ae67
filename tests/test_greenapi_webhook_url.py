"""Which webhook URLs are refused, and which Green API could not reach."""

from __future__ import annotations

import pytest

from greencli.greenapi.credentials import check_url_shape
from greencli.greenapi.webhook_url import reachability_findings


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://bot.example.com/green", None),
        ("http://bot.example.com:8080/hook", None),
        ("ftp://bot.example.com", "must start with https:// (or http://)"),
        ("bot.example.com/hook", "must start with https:// (or http://)"),
        ("https://", "has no host name"),
        ("https://user:pass@bot.example.com", "must not contain a user name or password"),
        ("https://bot.example.com/hook?x=1", "must not contain ? or #"),
        ("https://bot.example.com:99999/", "is not a valid URL"),
    ],
)
def test_shape(url: str, problem: str | None) -> None:
    assert check_url_shape(url) == problem


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://bot.example.com/hook", []),
        ("http://bot.example.com/hook", ["plain http"]),
        ("https://localhost:8000/hook", ["cannot reach"]),
        ("https://127.0.0.1/hook", ["this machine"]),
        ("https://192.168.1.20/hook", ["private address"]),
        ("https://10.0.0.5/hook", ["private address"]),
        ("https://[::1]/hook", ["this machine"]),
        ("https://printer.local/hook", ["local network"]),
        ("http://172.16.0.1/hook", ["private address", "plain http"]),
    ],
)
def test_reachability_warnings(url: str, words: list[str]) -> None:
    findings = reachability_findings(url)
    assert len(findings) == len(words)
    for finding, word in zip(findings, words, strict=True):
        # Green API can never deliver to a private address (an error); plain http only warns.
        assert finding.level == ("warning" if word == "plain http" else "error")
        assert word in finding.message


def test_a_host_that_does_not_resolve_is_an_error_only_when_asked_to_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no DNS traffic from tests
    url = "https://no-such-host.invalid/hook"
    assert reachability_findings(url) == []
    findings = reachability_findings(url, resolve=True)
    assert findings and findings[0].level == "error" and "does not resolve" in findings[0].message


def test_a_name_that_resolves_only_to_private_addresses_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))])
    findings = reachability_findings("https://bot.corp.example/hook", resolve=True)
    assert [f.level for f in findings] == ["error"] and "10.1.2.3" in findings[0].message
