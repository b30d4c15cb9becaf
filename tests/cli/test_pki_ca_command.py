"""``mikey pki`` running a CA from its store, end to end on a SQLite file: init (root and
intermediate), issue (generated key and CSR), list, revoke, crl (numbered), renew, export
(PEM chain, DER, PKCS#12 read back by ``openssl``), audit; every mistake one clear line
with nothing written to the store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner, Result

from mikey.cli.app import app

ENV = {"CA_PASS": "correct horse staple", "KEY_PASS": "another long secret"}


def run(store: Path, *args: str) -> Result:
    env = {**ENV, "MIKEY_PKI_STORE": f"sqlite:///{store}"}
    return CliRunner().invoke(app, ["pki", *args], env=env)


def ok(store: Path, *args: str) -> Any:
    result = run(store, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "pki.sqlite3"
    ok(path, "init", "root", "--subject", "CN=Test Root", "--passphrase-env", "CA_PASS")
    ok(
        path,
        "init",
        "issuing",
        "--parent",
        "root",
        "--subject",
        "CN=Test Issuing",
        "--key-type",
        "ecdsa-p256",
        "--crl-url",
        "http://pki.example/issuing.crl",
        "--passphrase-env",
        "CA_PASS",
    )
    return path


def _csr(tmp_path: Path, *, tamper: bool = False) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=bob"))
        .sign(key, hashes.SHA256())
    )
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    if tamper:
        der[-5] ^= 1  # inside the signature
    path = tmp_path / ("bad.csr" if tamper else "bob.csr")
    path.write_bytes(bytes(der))
    return path


def test_the_whole_life_of_a_certificate(store: Path, tmp_path: Path) -> None:
    alice = ok(
        store,
        "issue",
        "issuing",
        "--profile",
        "endpoint",
        "--subject",
        "CN=alice",
        "--san",
        "sip:alice@example.com",
        "--key-out",
        str(tmp_path / "alice.key"),
        "--key-passphrase-env",
        "KEY_PASS",
        "--cert-out",
        str(tmp_path / "alice.pem"),
        "--passphrase-env",
        "CA_PASS",
    )
    assert (tmp_path / "alice.key").stat().st_mode & 0o777 == 0o600
    bob = ok(
        store,
        "issue",
        "issuing",
        "--profile",
        "client",
        "--csr",
        str(_csr(tmp_path)),
        "--passphrase-env",
        "CA_PASS",
    )
    assert bob["subject"] == "CN=bob" and "BEGIN CERTIFICATE" in bob["certificate"]
    listed = ok(store, "list", "--ca", "issuing")
    assert [c["subject"] for c in listed] == ["CN=alice", "CN=bob"]
    assert {c["status"] for c in listed} == {"good"}

    revoked = ok(store, "revoke", alice["serial"], "--reason", "keyCompromise")
    assert revoked["reason"] == "keyCompromise"
    described = ok(store, "info", alice["serial"])
    assert described["status"] == "revoked" and described["issuing_ca"] == "issuing"
    assert described["subject_alternative_names"] == ["URI:sip:alice@example.com"]
    crls = [
        ok(
            store,
            "crl",
            "issuing",
            "--out",
            str(tmp_path / f"issuing-{n}.crl"),
            "--passphrase-env",
            "CA_PASS",
        )
        for n in (1, 2)
    ]
    assert [c["number"] for c in crls] == [1, 2] and crls[0]["revoked"] == 1
    ok(store, "crl", "root", "--out", str(tmp_path / "root.crl"), "--passphrase-env", "CA_PASS")

    ok(store, "export", alice["serial"], "--out", str(tmp_path / "chain.pem"))
    chain = x509.load_pem_x509_certificates((tmp_path / "chain.pem").read_bytes())
    assert [c.subject.rfc4514_string() for c in chain] == ["CN=alice", "CN=Test Issuing"]
    ok(store, "export", "--ca", "root", "--out", str(tmp_path / "root.pem"))
    (tmp_path / "issuing.pem").write_bytes(chain[1].public_bytes(serialization.Encoding.PEM))
    chain.append(x509.load_pem_x509_certificate((tmp_path / "root.pem").read_bytes()))
    assert chain[2].subject.rfc4514_string() == "CN=Test Root"
    # openssl, an independent verifier, sees the revocation in our CRL.
    verdict = subprocess.run(
        [
            "openssl",
            "verify",
            "-crl_check_all",
            "-CAfile",
            str(tmp_path / "root.pem"),
            "-untrusted",
            str(tmp_path / "issuing.pem"),
            "-CRLfile",
            str(tmp_path / "issuing-2.crl"),
            "-CRLfile",
            str(tmp_path / "root.crl"),
            str(tmp_path / "alice.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verdict.returncode != 0 and "certificate revoked" in verdict.stdout + verdict.stderr
    refused = run(
        store,
        "verify",
        str(tmp_path / "alice.pem"),
        "--chain",
        str(tmp_path / "issuing.pem"),
        "-r",
        str(tmp_path / "root.pem"),
        "--crl",
        str(tmp_path / "issuing-2.crl"),
        "--crl",
        str(tmp_path / "root.crl"),
        "--json",
    )
    assert refused.exit_code == 1 and json.loads(refused.output)["reason"] == "revoked"

    ok(store, "export", alice["serial"], "--format", "der", "--out", str(tmp_path / "a.der"))
    assert x509.load_der_x509_certificate((tmp_path / "a.der").read_bytes()) == chain[0]
    ok(
        store,
        "export",
        alice["serial"],
        "--format",
        "p12",
        "--out",
        str(tmp_path / "a.p12"),
        "--key",
        str(tmp_path / "alice.key"),
        "--key-passphrase-env",
        "KEY_PASS",
    )
    p12 = subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-in",
            str(tmp_path / "a.p12"),
            "-nokeys",
            "-passin",
            f"pass:{ENV['KEY_PASS']}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert p12.stdout.count("BEGIN CERTIFICATE") == 2  # alice and the issuing CA

    renewed = ok(store, "renew", bob["serial"], "--passphrase-env", "CA_PASS")
    new = x509.load_pem_x509_certificate(renewed["certificate"].encode())
    old = x509.load_pem_x509_certificate(bob["certificate"].encode())
    assert new.public_key() == old.public_key() and new.serial_number != old.serial_number

    actions = [e["action"] for e in ok(store, "audit")]
    assert actions == [
        "ca.created",
        "ca.created",
        "certificate.issued",
        "certificate.issued",
        "certificate.revoked",
        "crl.issued",
        "crl.issued",
        "crl.issued",
        "certificate.issued",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["init", "root", "--subject", "CN=Again", "--passphrase-env", "CA_PASS"], 1, "exists"),
        (
            ["init", "x", "--subject", "CN=X", "--key-type", "dsa", "--passphrase-env", "CA_PASS"],
            2,
            "--key-type",
        ),
        (["crl", "issuing", "--passphrase-env", "WRONG"], 2, "WRONG"),
        (
            [
                "issue",
                "nosuch",
                "--subject",
                "CN=a",
                "--key-out",
                "k",
                "--passphrase-env",
                "CA_PASS",
                "--key-passphrase-env",
                "KEY_PASS",
            ],
            1,
            "no CA called",
        ),
        (
            [
                "issue",
                "issuing",
                "--profile",
                "nosuch",
                "--subject",
                "CN=a",
                "--key-out",
                "k",
                "--passphrase-env",
                "CA_PASS",
                "--key-passphrase-env",
                "KEY_PASS",
            ],
            1,
            "profile",
        ),
        (["issue", "issuing", "--subject", "CN=a"], 2, "--key-out"),
        (["revoke", "zz"], 2, "not a serial number"),
        (["revoke", "1234"], 1, "no certificate"),
        (["revoke", "1234", "--reason", "because"], 2, "--reason"),
    ],
)
def test_mistakes_are_clear_and_write_nothing(
    store: Path, args: list[str], code: int, message: str
) -> None:
    before = ok(store, "audit")
    result = run(store, *args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert ok(store, "audit") == before


def test_a_wrong_ca_passphrase_or_a_forged_csr_writes_nothing(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ok(store, "audit")
    env = {**ENV, "CA_PASS": "not the passphrase", "MIKEY_PKI_STORE": f"sqlite:///{store}"}
    wrong = CliRunner().invoke(
        app, ["pki", "crl", "issuing", "--passphrase-env", "CA_PASS"], env=env
    )
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.output
    forged = run(
        store,
        "issue",
        "issuing",
        "--csr",
        str(_csr(tmp_path, tamper=True)),
        "--passphrase-env",
        "CA_PASS",
    )
    assert forged.exit_code == 1 and "signature" in forged.output
    assert ok(store, "audit") == before
    assert ok(store, "list", "--ca", "issuing") == []


@pytest.mark.interop
def test_ocsp_serve_answers_verify_and_openssl(tmp_path: Path) -> None:
    import socket
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    store = tmp_path / "pki.sqlite3"
    ok(
        store,
        "init",
        "root",
        "--subject",
        "CN=OCSP Root",
        "--ocsp-url",
        url,
        "--passphrase-env",
        "CA_PASS",
    )
    leaf = ok(
        store,
        "issue",
        "root",
        "--profile",
        "server",
        "--subject",
        "CN=srv",
        "--san",
        "srv.example",
        "--key-out",
        str(tmp_path / "srv.key"),
        "--key-passphrase-env",
        "KEY_PASS",
        "--cert-out",
        str(tmp_path / "srv.pem"),
        "--passphrase-env",
        "CA_PASS",
    )
    ok(store, "export", "--ca", "root", "--out", str(tmp_path / "root.pem"))
    mikey = Path(sys.executable).with_name("mikey")
    server = subprocess.Popen(
        [
            str(mikey),
            "pki",
            "ocsp-serve",
            "--ca",
            "root",
            "--port",
            str(port),
            "--store",
            f"sqlite:///{store}",
            "--passphrase-env",
            "CA_PASS",
        ],
        env={"PATH": "/usr/bin:/bin", **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else b""
                assert time.monotonic() < deadline, "ocsp-serve did not start"
                time.sleep(0.1)
        verify = ["verify", str(tmp_path / "srv.pem"), "-r", str(tmp_path / "root.pem"), "--ocsp"]
        assert ok(store, *verify)["valid"] is True  # no CRL: OCSP alone proves it good
        asked = subprocess.run(
            [
                "openssl",
                "ocsp",
                "-issuer",
                str(tmp_path / "root.pem"),
                "-cert",
                str(tmp_path / "srv.pem"),
                "-url",
                url,
                "-CAfile",
                str(tmp_path / "root.pem"),
            ],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        assert ": good" in asked.stdout and "Response verify OK" in asked.stderr + asked.stdout
        ok(store, "revoke", leaf["serial"], "--reason", "superseded")
        refused = run(store, *verify, "--json")
        assert refused.exit_code == 1, refused.output
        assert json.loads(refused.output)["revocation_reason"] == "superseded"
    finally:
        server.terminate()
        server.wait(timeout=10)
