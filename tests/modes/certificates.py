"""Certificates for the public-key mode tests: a root (P-256) and an issuing CA with RSA
endpoint certificates for Alice, Bob and Mallory (who gets revoked), and a stranger under
another root; trust stores with fresh CRLs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.pki import (
    ENDPOINT,
    CertificateAuthority,
    KeyType,
    Revocation,
    TrustStore,
    build_crl,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ALICE = b"sip:alice@example.com"
BOB = b"sip:bob@example.com"


@dataclass(frozen=True)
class Party:
    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]  # leaf, issuing CA


@dataclass(frozen=True)
class Pki:
    root: CertificateAuthority
    issuing: CertificateAuthority
    alice: Party
    bob: Party
    mallory: Party  # a good certificate, revoked
    stranger: Party  # from another root

    def trust(self, *revoked: Revocation, **options: object) -> TrustStore:
        crls = (
            build_crl(self.root, [], now=NOW - timedelta(minutes=1), number=1),
            build_crl(self.issuing, list(revoked), now=NOW - timedelta(minutes=1), number=1),
        )
        return TrustStore(roots=(self.root.certificate,), crls=crls, **options)  # type: ignore[arg-type]


def _party(ca: CertificateAuthority, name: bytes) -> Party:
    issued = ca.issue(
        ENDPOINT, now=NOW - timedelta(days=1), subject=f"CN={name.decode()}", sans=[name.decode()]
    )
    assert isinstance(issued.private_key, rsa.RSAPrivateKey)
    return Party(issued.private_key, (issued.certificate, ca.certificate))


def make_pki() -> Pki:
    start = NOW - timedelta(days=2)
    root = CertificateAuthority.create_root("CN=PKE Root", now=start, key_type=KeyType.ECDSA_P256)
    issuing = root.create_intermediate("CN=PKE Issuing", now=start)
    other = CertificateAuthority.create_root("CN=Other Root", now=start)
    return Pki(
        root,
        issuing,
        alice=_party(issuing, ALICE),
        bob=_party(issuing, BOB),
        mallory=_party(issuing, b"sip:mallory@example.com"),
        stranger=_party(other, b"sip:stranger@example.com"),
    )


def uri(party: Party) -> bytes:
    """The SIP URI the party's certificate names."""
    san = party.chain[0].extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return san.value.get_values_for_type(x509.UniformResourceIdentifier)[0].encode()
