"""CAs and issuance (RFC 5280 §4.1, §4.2.1): what goes into root, intermediate and
end-entity certificates, checked field by field, and chains checked by two independent
verifiers: ``openssl verify`` and pyca/cryptography's RFC 5280 verifier."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki import (
    CLIENT,
    ENDPOINT,
    HIGH_SECURITY,
    SERVER,
    CertificateAuthority,
    KeyType,
    key_type_of,
    profile,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def openssl_verify(
    tmp_path: Path, root: x509.Certificate, chain: list[x509.Certificate], leaf: x509.Certificate
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("openssl")
    assert exe, "the openssl command is needed (Debian package openssl)"
    (tmp_path / "root.pem").write_bytes(pem(root))
    (tmp_path / "chain.pem").write_bytes(b"".join(pem(c) for c in chain) or pem(root))
    (tmp_path / "leaf.pem").write_bytes(pem(leaf))
    at = str(int((NOW + timedelta(hours=1)).timestamp()))
    command = [exe, "verify", "-attime", at, "-CAfile", str(tmp_path / "root.pem")]
    command += ["-untrusted", str(tmp_path / "chain.pem"), str(tmp_path / "leaf.pem")]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture(scope="module")
def root() -> CertificateAuthority:
    return CertificateAuthority.create_root(
        "CN=mikey Test Root,O=Example",
        now=NOW,
        crl_urls=("http://pki.example.com/crl/root.crl",),
    )


@pytest.fixture(scope="module")
def intermediate(root: CertificateAuthority) -> CertificateAuthority:
    return root.create_intermediate(
        "CN=mikey Test Issuing CA,O=Example",
        now=NOW,
        crl_urls=("http://pki.example.com/crl/issuing.crl",),
        ocsp_url="http://ocsp.example.com",
        ca_issuers_url="http://pki.example.com/issuing.der",
    )


def extension(
    certificate: x509.Certificate, kind: type[x509.ExtensionType]
) -> x509.Extension[x509.ExtensionType]:
    return certificate.extensions.get_extension_for_class(kind)


def test_root_ca_fields(root: CertificateAuthority) -> None:
    cert = root.certificate
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "mikey Test Root"
    constraints = extension(cert, x509.BasicConstraints)
    assert constraints.critical and constraints.value == x509.BasicConstraints(
        ca=True, path_length=1
    )
    usage = extension(cert, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature
    ski = extension(cert, x509.SubjectKeyIdentifier).value
    aki = extension(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert key_type_of(cert.public_key()) is KeyType.ECDSA_P384
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA384)
    assert cert.not_valid_before_utc == NOW
    # The root's own CRL address goes into what it issues, not into itself.
    with pytest.raises(x509.ExtensionNotFound):
        extension(cert, x509.CRLDistributionPoints)
    cert.verify_directly_issued_by(cert)


def test_intermediate_ca_fields(
    root: CertificateAuthority, intermediate: CertificateAuthority
) -> None:
    cert = intermediate.certificate
    assert cert.issuer == root.certificate.subject
    assert extension(cert, x509.BasicConstraints).value.path_length == 0
    aki = extension(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == extension(root.certificate, x509.SubjectKeyIdentifier).value.digest
    points = extension(cert, x509.CRLDistributionPoints).value
    assert [p.full_name[0].value for p in points] == ["http://pki.example.com/crl/root.crl"]  # type: ignore[index]
    assert intermediate.chain == ()  # the root is the trust anchor, not part of the chain
    cert.verify_directly_issued_by(root.certificate)


def test_end_entity_fields(intermediate: CertificateAuthority) -> None:
    issued = intermediate.issue(
        ENDPOINT,
        now=NOW,
        subject="CN=alice",
        sans=["sip:alice@example.com", "alice.example.com", "alice@example.com", "192.0.2.7"],
    )
    cert = issued.certificate
    assert issued.private_key is not None and key_type_of(issued.private_key) is KeyType.RSA_2048
    assert extension(cert, x509.BasicConstraints).value.ca is False
    usage = extension(cert, x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and not usage.key_cert_sign
    assert list(extension(cert, x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.SERVER_AUTH,
    ]
    sans = extension(cert, x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.UniformResourceIdentifier) == ["sip:alice@example.com"]
    assert sans.get_values_for_type(x509.DNSName) == ["alice.example.com"]
    assert sans.get_values_for_type(x509.RFC822Name) == ["alice@example.com"]
    assert [str(a) for a in sans.get_values_for_type(x509.IPAddress)] == ["192.0.2.7"]
    aia = extension(cert, x509.AuthorityInformationAccess).value
    assert [a.access_location.value for a in aia] == [
        "http://ocsp.example.com",
        "http://pki.example.com/issuing.der",
    ]
    assert cert.not_valid_after_utc == NOW + ENDPOINT.lifetime
    cert.verify_directly_issued_by(intermediate.certificate)


def test_ecdsa_endpoints_get_no_key_encipherment(intermediate: CertificateAuthority) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = intermediate.issue(ENDPOINT, now=NOW, subject="CN=bob", public_key=key.public_key())
    assert cert.private_key is None
    usage = extension(cert.certificate, x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_encipherment


@pytest.mark.parametrize("key_type", list(KeyType), ids=lambda k: k.value)
def test_every_key_type_makes_a_chain_openssl_accepts(key_type: KeyType, tmp_path: Path) -> None:
    root = CertificateAuthority.create_root("CN=Root", now=NOW, key_type=key_type)
    issuing = root.create_intermediate("CN=Issuing", now=NOW, key_type=key_type)
    leaf = issuing.issue(
        dataclasses.replace(CLIENT, default_key_type=key_type), now=NOW, subject="CN=leaf"
    ).certificate
    result = openssl_verify(tmp_path, root.certificate, [issuing.certificate], leaf)
    assert result.returncode == 0 and result.stdout.strip().endswith("OK"), result.stderr


def test_pyca_verifier_accepts_server_and_client_certificates(
    root: CertificateAuthority, intermediate: CertificateAuthority
) -> None:
    store = Store([root.certificate])
    server = intermediate.issue(SERVER, now=NOW, subject="CN=api", sans=["api.example.com"])
    verifier = (
        PolicyBuilder()
        .store(store)
        .time(NOW + timedelta(hours=1))
        .build_server_verifier(x509.DNSName("api.example.com"))
    )
    chain = verifier.verify(server.certificate, [intermediate.certificate])
    assert chain[-1] == root.certificate
    client = intermediate.issue(CLIENT, now=NOW, subject="CN=ops", sans=["ops@example.com"])
    client_verifier = (
        PolicyBuilder().store(store).time(NOW + timedelta(hours=1)).build_client_verifier()
    )
    assert (
        client_verifier.verify(client.certificate, [intermediate.certificate]).chain[-1]
        == root.certificate
    )


def test_openssl_refuses_a_leaf_from_another_root(
    intermediate: CertificateAuthority, tmp_path: Path
) -> None:
    other = CertificateAuthority.create_root("CN=Other Root", now=NOW)
    leaf = intermediate.issue(CLIENT, now=NOW, subject="CN=x").certificate
    result = openssl_verify(tmp_path, other.certificate, [intermediate.certificate], leaf)
    assert result.returncode != 0


def test_path_length_is_enforced_when_creating(
    root: CertificateAuthority, intermediate: CertificateAuthority
) -> None:
    with pytest.raises(MikeyPkiError, match="path length 0"):
        intermediate.create_intermediate("CN=too deep", now=NOW)
    # Asking for more than the parent allows is narrowed to what it allows.
    deep_root = CertificateAuthority.create_root("CN=R", now=NOW, path_length=2)
    child = deep_root.create_intermediate("CN=C", now=NOW, path_length=5)
    assert extension(child.certificate, x509.BasicConstraints).value.path_length == 1


def test_name_constraints(tmp_path: Path) -> None:
    root = CertificateAuthority.create_root(
        "CN=Constrained Root",
        now=NOW,
        permitted_subtrees=[x509.DNSName("example.com")],
    )
    constraints = extension(root.certificate, x509.NameConstraints)
    assert constraints.critical
    inside = root.issue(SERVER, now=NOW, subject="CN=in", sans=["a.example.com"]).certificate
    outside = root.issue(SERVER, now=NOW, subject="CN=out", sans=["a.example.org"]).certificate
    assert openssl_verify(tmp_path, root.certificate, [], inside).returncode == 0
    refused = openssl_verify(tmp_path, root.certificate, [], outside)
    assert refused.returncode != 0 and "subtree violation" in (refused.stdout + refused.stderr)


def test_certificates_never_outlive_their_issuer() -> None:
    root = CertificateAuthority.create_root("CN=Short", now=NOW, lifetime=timedelta(days=30))
    leaf = root.issue(CLIENT, now=NOW, subject="CN=l").certificate
    assert leaf.not_valid_after_utc == root.certificate.not_valid_after_utc


def test_csr_issuance_checks_the_signature(intermediate: CertificateAuthority) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "carol")]))
        .sign(key, hashes.SHA384())
    )
    issued = intermediate.issue(HIGH_SECURITY, now=NOW, csr=csr)
    assert issued.certificate.subject == csr.subject
    assert issued.certificate.public_key() == key.public_key()
    assert issued.certificate.not_valid_after_utc == NOW + timedelta(days=90)
    # A CSR altered after signing: its subject says "carot", its signature "carol".
    der = csr.public_bytes(serialization.Encoding.DER)
    forged = x509.load_der_x509_csr(der.replace(b"carol", b"carot"))
    assert not forged.is_signature_valid
    with pytest.raises(MikeyPkiError, match="signature"):
        intermediate.issue(HIGH_SECURITY, now=NOW, csr=forged)


def test_refusals(intermediate: CertificateAuthority) -> None:
    with pytest.raises(MikeyValueError, match="takes ecdsa-p384, rsa-4096 keys, not ecdsa-p256"):
        intermediate.issue(
            HIGH_SECURITY,
            now=NOW,
            subject="CN=x",
            public_key=ec.generate_private_key(ec.SECP256R1()).public_key(),
        )
    with pytest.raises(MikeyValueError, match="unknown certificate profile 'sever'"):
        profile("sever")
    with pytest.raises(MikeyValueError, match="needs a subject"):
        intermediate.issue(CLIENT, now=NOW)
    with pytest.raises(MikeyValueError, match="RFC 4514"):
        intermediate.issue(CLIENT, now=NOW, subject="not a name")
    with pytest.raises(MikeyValueError, match="aware"):
        intermediate.issue(CLIENT, now=NOW.replace(tzinfo=None), subject="CN=x")
    with pytest.raises(MikeyPkiError, match="does not belong"):
        CertificateAuthority(
            certificate=intermediate.certificate,
            private_key=ec.generate_private_key(ec.SECP256R1()),
        )
