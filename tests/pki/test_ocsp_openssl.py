"""OCSP interop (RFC 6960) with ``openssl ocsp`` as the independent peer, both ways:
openssl's client asks our responder, served over HTTP by uvicorn on loopback, and must
report the status and "Response verify OK"; openssl's responder (``-index``) answers our
requests, and our client must accept its answers (responder named by name or by key
hash, delegated or the CA itself) and refuse the SHA-1-signed one.

OpenSSL stamps its answers, and checks ours, with the real clock, so these tests make
their certificates at the real time rather than at a fixed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp

from mikey.errors import MikeyPkiError
from mikey.pki import (
    ENDPOINT,
    OCSP_RESPONDER,
    CertificateAuthority,
    IssuedCertificate,
    OcspResponder,
    OcspSigner,
    Revocation,
    build_ocsp_request,
    check_ocsp_response,
    ocsp_app,
)
from mikey.pki.keys import PrivateKey

from .ocsp_helpers import Statuses, loopback_socket, serving
from .test_crl import openssl

pytestmark = pytest.mark.interop

PEM = serialization.Encoding.PEM


@dataclass
class Pki:
    directory: Path
    root: CertificateAuthority
    issuing: CertificateAuthority
    good: x509.Certificate
    revoked: x509.Certificate
    unknown: x509.Certificate
    delegate: IssuedCertificate
    revoked_at: datetime
    url: str = ""

    def path(self, name: str) -> str:
        return str(self.directory / name)


def write_key(path: Path, key: PrivateKey | None) -> None:
    assert key is not None
    path.write_bytes(
        key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def make_pki(directory: Path, url: str | None = None) -> Pki:
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    root = CertificateAuthority.create_root("CN=Interop Root", now=now, ocsp_url=url)
    issuing = root.create_intermediate("CN=Interop Issuing", now=now, ocsp_url=url)
    pki = Pki(
        directory=directory,
        root=root,
        issuing=issuing,
        good=issuing.issue(ENDPOINT, now=now, subject="CN=good").certificate,
        revoked=issuing.issue(ENDPOINT, now=now, subject="CN=revoked").certificate,
        unknown=issuing.issue(ENDPOINT, now=now, subject="CN=unknown").certificate,
        delegate=issuing.issue(OCSP_RESPONDER, now=now, subject="CN=Interop Responder"),
        revoked_at=now,
        url=url or "",
    )
    for name, certificate in (
        ("root", root.certificate),
        ("issuing", issuing.certificate),
        ("good", pki.good),
        ("revoked", pki.revoked),
        ("unknown", pki.unknown),
        ("delegate", pki.delegate.certificate),
    ):
        (directory / f"{name}.pem").write_bytes(certificate.public_bytes(PEM))
    write_key(directory / "delegate.key", pki.delegate.private_key)
    write_key(directory / "issuing.key", issuing.private_key)
    return pki


# -- openssl's client asks our responder ----------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    """Our responder on loopback: the root answers itself, the issuing CA by delegation."""
    sock, url = loopback_socket()
    pki = make_pki(tmp_path_factory.mktemp("served"), url)
    statuses = Statuses(pki.good, pki.revoked, pki.issuing.certificate)
    statuses.revoke(
        Revocation(
            serial_number=pki.revoked.serial_number,
            revoked_at=pki.revoked_at,
            reason=x509.ReasonFlags.key_compromise,
        )
    )
    delegated = OcspSigner(
        issuer=pki.issuing.certificate,
        certificate=pki.delegate.certificate,
        private_key=pki.delegate.private_key,  # type: ignore[arg-type]
    )
    responder = OcspResponder(signers=(OcspSigner.for_ca(pki.root), delegated), status_of=statuses)
    with serving(ocsp_app(responder), sock):
        yield pki


def ask_with_openssl(pki: Pki, issuer: str, *certificates: str, digest: str = "") -> str:
    args = ["ocsp", "-issuer", pki.path(f"{issuer}.pem")]
    args += [f"-{digest}"] if digest else []  # the CertID hash, before -cert
    for certificate in certificates:
        args += ["-cert", pki.path(f"{certificate}.pem")]
    args += ["-url", pki.url, "-CAfile", pki.path("root.pem"), "-resp_text", "-timeout", "10"]
    done = openssl(*args)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


@pytest.mark.parametrize("digest", ["", "sha256"], ids=["sha1-certid", "sha256-certid"])
def test_openssl_hears_good_from_our_responder(served: Pki, digest: str) -> None:
    output = ask_with_openssl(served, "issuing", "good", digest=digest)
    assert "Response verify OK" in output
    assert re.search(r"good\.pem: good\n", output), output
    assert "OCSP Nonce" in output and "no nonce" not in output.lower()
    assert "Interop Responder" in output  # the delegated responder signed


def test_openssl_hears_revoked_with_time_and_reason(served: Pki) -> None:
    output = ask_with_openssl(served, "issuing", "revoked")
    assert "Response verify OK" in output
    assert re.search(r"revoked\.pem: revoked\n", output), output
    assert "Reason: keyCompromise" in output
    when = served.revoked_at.strftime("%b %e %H:%M:%S %Y GMT").replace("  ", " ")
    assert re.search(r"Revocation Time: " + re.escape(when).replace(r"\ ", r"\s+"), output), output


def test_openssl_hears_unknown_and_the_root_answering_for_its_intermediate(served: Pki) -> None:
    output = ask_with_openssl(served, "issuing", "unknown")
    assert "Response verify OK" in output and re.search(r"unknown\.pem: unknown\n", output)
    output = ask_with_openssl(served, "root", "issuing")
    assert "Response verify OK" in output and re.search(r"issuing\.pem: good\n", output)


def test_openssl_asking_about_two_certificates_hears_malformed_request(served: Pki) -> None:
    # OpenSSL puts both in one request; pyca (and RFC 5019 §2.1.1) take one.
    done = openssl(
        "ocsp",
        "-issuer",
        served.path("issuing.pem"),
        "-cert",
        served.path("good.pem"),
        "-cert",
        served.path("revoked.pem"),
        "-url",
        served.url,
        "-timeout",
        "10",
    )
    assert "malformedrequest" in (done.stdout + done.stderr).lower(), done.stdout + done.stderr


# -- openssl's responder answers our client -------------------------------------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """An OpenSSL CA database (index.txt) that lists one good and one revoked certificate;
    the third is in no line, so openssl does not know it."""
    pki = make_pki(tmp_path_factory.mktemp("index"))

    def serial(certificate: x509.Certificate) -> str:
        digits = f"{certificate.serial_number:X}"
        return digits if len(digits) % 2 == 0 else "0" + digits  # as OpenSSL writes it

    def when(moment: datetime) -> str:
        return moment.strftime("%y%m%d%H%M%SZ")

    lines = [
        f"V\t{when(pki.good.not_valid_after_utc)}\t\t{serial(pki.good)}\tunknown\t/CN=good",
        f"R\t{when(pki.revoked.not_valid_after_utc)}\t{when(pki.revoked_at)},keyCompromise"
        f"\t{serial(pki.revoked)}\tunknown\t/CN=revoked",
    ]
    (pki.directory / "index.txt").write_text("\n".join(lines) + "\n")
    return pki


SIGNERS = {
    "delegated, by name": ["-rsigner", "delegate.pem", "-rkey", "delegate.key"],
    "delegated, by key hash": ["-rsigner", "delegate.pem", "-rkey", "delegate.key", "-resp_key_id"],
    "the CA itself": ["-rsigner", "issuing.pem", "-rkey", "issuing.key", "-resp_no_certs"],
}


def answer_with_openssl(
    pki: Pki, certificate: x509.Certificate, signer: list[str]
) -> tuple[bytes, bytes | None]:
    request = build_ocsp_request(certificate, pki.issuing.certificate)
    (pki.directory / "request.der").write_bytes(request.der)
    args = ["ocsp", "-index", pki.path("index.txt"), "-CA", pki.path("issuing.pem")]
    args += [pki.path(a) if a.endswith((".pem", ".key")) else a for a in signer]
    args += ["-reqin", pki.path("request.der"), "-respout", pki.path("response.der")]
    done = openssl(*args, "-ndays", "1")
    assert done.returncode == 0, done.stderr
    return (pki.directory / "response.der").read_bytes(), request.nonce


@pytest.mark.parametrize("signer", SIGNERS.values(), ids=SIGNERS.keys())
def test_our_client_accepts_openssls_answers(index: Pki, signer: list[str]) -> None:
    now = datetime.now(UTC)
    issuer = index.issuing.certificate
    expected = {index.good: ocsp.OCSPCertStatus.GOOD, index.unknown: ocsp.OCSPCertStatus.UNKNOWN}
    for certificate, status in expected.items():
        answer, nonce = answer_with_openssl(index, certificate, signer)
        found = check_ocsp_response(answer, certificate, issuer, now=now, nonce=nonce)
        assert found.status is status and found.revocation is None
        assert found.next_update is not None and found.next_update > now + timedelta(hours=23)
    answer, nonce = answer_with_openssl(index, index.revoked, signer)
    found = check_ocsp_response(answer, index.revoked, issuer, now=now, nonce=nonce)
    assert found.revocation == Revocation(
        serial_number=index.revoked.serial_number,
        revoked_at=index.revoked_at,
        reason=x509.ReasonFlags.key_compromise,
    )
    by_the_ca = "-resp_no_certs" in signer
    assert found.responder == (
        index.issuing.certificate if by_the_ca else index.delegate.certificate
    )


def test_our_client_refuses_openssls_sha1_signed_answer(index: Pki) -> None:
    signer = [*SIGNERS["delegated, by name"], "-rmd", "sha1"]
    answer, nonce = answer_with_openssl(index, index.good, signer)
    with pytest.raises(MikeyPkiError, match="SHA-1"):
        check_ocsp_response(
            answer, index.good, index.issuing.certificate, now=datetime.now(UTC), nonce=nonce
        )
