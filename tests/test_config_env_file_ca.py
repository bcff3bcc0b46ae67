"""The CA lines of an env file (`greencli sandbox --tls > tls.env` writes SSL_CERT_FILE and
REQUESTS_CA_BUNDLE): used for a sandbox on this machine, never to choose whom greencli trusts
for any other host."""

from __future__ import annotations

from pathlib import Path

import pytest

from greencli.config.loader import RootOptions, resolve
from greencli.greenapi.trust import trust

ID = "1101000001"
TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef01"


@pytest.fixture(autouse=True)
def machine_trust(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The machine names a CA bundle of its own, as many do."""
    bundle = tmp_path / "machine.pem"
    bundle.write_text("machine\n")
    for name in ("CURL_CA_BUNDLE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return bundle


def env_file(tmp_path: Path, url: str, ca_line: str) -> Path:
    path = tmp_path / "tls.env"
    path.write_text(f"GREEN_API_URL={url}\nGREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={TOKEN}\n{ca_line}\n")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("url", ["https://127.0.0.1:7700", "https://localhost:7700", "https://[::1]:7700"])
def test_a_sandbox_on_this_machine_is_verified_with_the_ca_its_env_file_names(tmp_path: Path, url: str, machine_trust: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("sandbox\n")
    env_file(tmp_path, url, f"SSL_CERT_FILE={ca}")
    credentials = resolve(RootOptions(env_file=Path("tls.env")), {}, tmp_path).credentials()
    assert credentials.ca is not None and credentials.ca.path == str(ca)
    assert credentials.ca.origin == "SSL_CERT_FILE (tls.env line 4)"
    assert trust(own=credentials.ca).path == str(ca)  # before the machine's
    assert trust().path == str(machine_trust)


def test_a_relative_path_is_from_the_env_file_s_directory(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("sandbox\n")
    path = env_file(tmp_path, "https://127.0.0.1:7700", "REQUESTS_CA_BUNDLE=certs/ca.pem")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    credentials = resolve(RootOptions(env_file=path), {}, elsewhere).credentials()
    assert credentials.ca is not None and credentials.ca.path == str(tmp_path / "certs" / "ca.pem")


def test_a_ca_that_is_gone_is_an_error_naming_the_line(tmp_path: Path) -> None:
    env_file(tmp_path, "https://127.0.0.1:7700", f"SSL_CERT_FILE={tmp_path / 'stopped-sandbox' / 'ca.pem'}")
    resolution = resolve(RootOptions(env_file=Path("tls.env")), {}, tmp_path)
    errors = [p for p in resolution.errors if p.code == "invalid_config"]
    assert len(errors) == 1 and "SSL_CERT_FILE (tls.env line 4)" in errors[0].message and "does not exist" in errors[0].message


def test_for_any_other_host_the_lines_are_not_used_and_a_warning_says_so(tmp_path: Path) -> None:
    evil = tmp_path / "evil-ca.pem"
    evil.write_text("someone else's CA\n")
    path = env_file(tmp_path, "https://1101.api.green-api.com", f"REQUESTS_CA_BUNDLE={evil}")
    resolution = resolve(RootOptions(env_file=path), {}, tmp_path)
    assert resolution.credentials().ca is None
    warning = [p for p in resolution.warnings if p.code == "ca_in_env_file"]
    assert len(warning) == 1 and "1101.api.green-api.com" in warning[0].message


def test_no_warning_when_the_environment_names_the_same_bundle(tmp_path: Path, machine_trust: Path) -> None:
    path = env_file(tmp_path, "https://1101.api.green-api.com", f"REQUESTS_CA_BUNDLE={machine_trust}")
    resolution = resolve(RootOptions(env_file=path), {}, tmp_path)
    assert resolution.problems == [] and resolution.credentials().ca is None
