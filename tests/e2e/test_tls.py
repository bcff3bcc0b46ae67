"""HTTPS: `greencli sandbox --tls`, the standard certificate variables, and doctor's TLS check
against real handshakes — a certificate for another host, and one from an issuer nobody here
trusts (what a corporate proxy intercepting HTTPS looks like)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
from pathlib import Path
from typing import Any

import certifi
import pytest

from greencli.sandbox.instance import Options, guide_settings
from greencli.sandbox.server import start
from greencli.sandbox.tls import Certificates
from tests.e2e.conftest import Sandbox, greencli_command


def _tls_sandbox(tmp_path: Path, certificates: Certificates) -> Any:
    running = start(Options(state="authorized", settings=guide_settings()), rate_limits=False, certificates=certificates)
    try:
        yield Sandbox(running, tmp_path)
    finally:
        running.stop()


@pytest.fixture
def https_sandbox(tmp_path: Path) -> Any:
    yield from _tls_sandbox(tmp_path, Certificates())


def test_sandbox_tls_prints_how_to_trust_it_and_removes_its_ca_on_exit(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    process = subprocess.Popen([*greencli_command(), "sandbox", "--tls", "--state", "authorized", "--json"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        printed = json.loads(process.stdout.readline())
        ca_file = Path(printed["SSL_CERT_FILE"])
        assert printed["REQUESTS_CA_BUNDLE"] == str(ca_file)
        assert printed["GREEN_API_URL"].startswith("https://127.0.0.1:")
        assert stat.S_IMODE(ca_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(ca_file.parent.stat().st_mode) == 0o700
        assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
        # SSL_CERT_FILE alone is enough: greencli honours it although requests does not.
        run_env = {**env, "SSL_CERT_FILE": str(ca_file), "NO_PROXY": "127.0.0.1",
                   **{k: printed[k] for k in ("GREEN_API_URL", "GREEN_API_INSTANCE_ID", "GREEN_API_TOKEN")}}
        state = subprocess.run([*greencli_command(), "check-state", "--json"], env=run_env, cwd=tmp_path,
                               capture_output=True, text=True, timeout=60)
        assert state.returncode == 0, state.stderr
        assert json.loads(state.stdout)["stateInstance"] == "authorized"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert not ca_file.exists() and not ca_file.parent.exists()


def test_the_sandbox_s_tls_output_works_as_an_env_file_as_it_is_given(tmp_path: Path) -> None:
    """`greencli sandbox --tls > tls.env`, then `greencli --env-file tls.env check-state`: the
    CA lines in the file are honoured for the sandbox's host, even where the machine names a
    CA bundle of its own (as many do)."""
    machine = tmp_path / "machine.pem"
    machine.write_text(Path(certifi.where()).read_text())
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8", "NO_PROXY": "127.0.0.1",
           "REQUESTS_CA_BUNDLE": str(machine), "SSL_CERT_FILE": str(machine)}
    with open(tmp_path / "tls.env", "w") as out:
        process = subprocess.Popen([*greencli_command(), "sandbox", "--tls", "--state", "authorized"],
                                   cwd=tmp_path, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
    try:
        assert "Ctrl-C stops it" in process.stderr.readline()  # the lines are written before it
        state = subprocess.run([*greencli_command(), "--env-file", "tls.env", "check-state", "--json"], env=env,
                               cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert state.returncode == 0, state.stdout + state.stderr
        assert json.loads(state.stdout)["stateInstance"] == "authorized"
        doctor = subprocess.run([*greencli_command(), "--env-file", "tls.env", "doctor", "--json"], env=env,
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
        reachability = next(c for c in json.loads(doctor.stdout)["checks"] if c["id"] == "reachability")
        assert reachability["status"] == "pass" and "TLS" in reachability["message"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_doctor_passes_over_https_with_the_ca_trusted(https_sandbox: Sandbox) -> None:
    ca = str(https_sandbox.running.certificates.ca_file)
    run = https_sandbox.run("doctor", "--json", env=https_sandbox.env(REQUESTS_CA_BUNDLE=ca))
    assert run.exit_code == 0, run.stdout
    reachability = next(c for c in run.json()["checks"] if c["id"] == "reachability")
    assert "TLS" in reachability["message"]


def test_without_the_ca_commands_fail_with_a_tls_error(https_sandbox: Sandbox) -> None:
    run = https_sandbox.run("check-state", "--json")
    assert run.exit_code == 3
    assert run.json()["error"]["code"] == "tls_error"


def test_a_missing_ca_file_is_a_configuration_error(https_sandbox: Sandbox, tmp_path: Path) -> None:
    run = https_sandbox.run("check-state", env=https_sandbox.env(SSL_CERT_FILE=str(tmp_path / "nope.pem")))
    assert run.exit_code == 2
    assert "SSL_CERT_FILE" in run.stderr and "does not exist" in run.stderr


def test_doctor_names_the_issuer_of_an_untrusted_certificate(tmp_path: Path) -> None:
    # An intercepting proxy presents a certificate for the right host, signed by its own CA.
    for sandbox in _tls_sandbox(tmp_path, Certificates(organization="Example Corp Inspection Proxy")):
        run = sandbox.run("doctor", "--json")
        checks = {c["id"]: c for c in run.json()["checks"]}
        assert run.exit_code == 3  # the API cannot be reached: the contract's exit 3
        assert checks["reachability"]["status"] == "fail"
        assert "Example Corp Inspection Proxy" in checks["reachability"]["message"]
        assert "does not trust" in checks["reachability"]["message"]
        assert "SSL_CERT_FILE" in checks["reachability"]["hint"]
        assert checks["credentials"]["status"] == "skip"


def test_doctor_names_the_hosts_a_mismatched_certificate_is_for(tmp_path: Path) -> None:
    certificates = Certificates(hostnames=("api.example.test",))
    for sandbox in _tls_sandbox(tmp_path, certificates):
        run = sandbox.run("doctor", "--json", env=sandbox.env(SSL_CERT_FILE=str(certificates.ca_file)))
        checks = {c["id"]: c for c in run.json()["checks"]}
        assert run.exit_code == 3  # the API cannot be reached: the contract's exit 3
        assert checks["reachability"]["status"] == "fail"
        assert "is for api.example.test, not 127.0.0.1" in checks["reachability"]["message"]
