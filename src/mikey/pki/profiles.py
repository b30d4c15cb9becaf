"""Certificate profiles: what an issued certificate may be used for, for how long, and
with which keys (RFC 5280 §4.2.1.3 key usage, §4.2.1.9 basic constraints, §4.2.1.12
extended key usage; RFC 6960 §4.2.2.2 OCSP responders and their id-pkix-ocsp-nocheck
extension, §4.2.2.2.1).

A profile is a small frozen value. Copy one and adjust it with ``dataclasses.replace``:

    mine = dataclasses.replace(ENDPOINT, lifetime=timedelta(days=30))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from mikey.errors import MikeyValueError
from mikey.pki.keys import KeyType

__all__ = [
    "CLIENT",
    "ENDPOINT",
    "HIGH_SECURITY",
    "OCSP_RESPONDER",
    "PROFILES",
    "SERVER",
    "CertificateProfile",
    "profile",
]

_ALL_KEYS = frozenset(KeyType)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateProfile:
    """How end-entity certificates of one kind are issued.

    ``digital_signature`` and ``key_encipherment`` are the key usage bits (RFC 5280
    §4.2.1.3); key encipherment applies only to RSA keys (an ECDSA or Ed25519 key cannot
    encrypt, so the bit is left out for them). ``extended_key_usages`` are EKU OIDs
    (§4.2.1.12). ``key_types`` are the keys the profile accepts, ``default_key_type`` the
    one a CA generates when it makes the key. ``ocsp_no_check`` adds the
    id-pkix-ocsp-nocheck extension (RFC 6960 §4.2.2.2.1): relying parties trust the
    certificate for its lifetime without checking its revocation.
    """

    name: str
    lifetime: timedelta
    digital_signature: bool = True
    key_encipherment: bool = False
    extended_key_usages: tuple[x509.ObjectIdentifier, ...] = ()
    key_types: frozenset[KeyType] = _ALL_KEYS
    default_key_type: KeyType = KeyType.ECDSA_P256
    ocsp_no_check: bool = False

    def __post_init__(self) -> None:
        if self.lifetime <= timedelta(0):
            raise MikeyValueError(f"profile {self.name}: the lifetime must be positive")
        if self.default_key_type not in self.key_types:
            raise MikeyValueError(
                f"profile {self.name}: the default key type {self.default_key_type.value} is"
                " not one it accepts"
            )

    def check_key_type(self, key_type: KeyType) -> None:
        """:raises MikeyValueError: if this profile does not accept ``key_type``."""
        if key_type not in self.key_types:
            accepted = ", ".join(sorted(k.value for k in self.key_types))
            raise MikeyValueError(
                f"profile {self.name} takes {accepted} keys, not {key_type.value}"
            )

    def key_usage(self, key_type: KeyType) -> x509.KeyUsage:
        """The key usage extension for a subject key of ``key_type``."""
        return x509.KeyUsage(
            digital_signature=self.digital_signature,
            content_commitment=False,
            key_encipherment=self.key_encipherment and key_type.is_rsa,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )


SERVER = CertificateProfile(
    name="server",
    lifetime=timedelta(days=397),  # the CA/Browser Forum's ceiling, a sane default
    key_encipherment=True,
    extended_key_usages=(ExtendedKeyUsageOID.SERVER_AUTH,),
)
"""TLS servers: the management API and RTSP over TLS."""

CLIENT = CertificateProfile(
    name="client",
    lifetime=timedelta(days=365),
    extended_key_usages=(ExtendedKeyUsageOID.CLIENT_AUTH,),
)
"""API clients that sign their requests (issue 6) or authenticate with TLS."""

ENDPOINT = CertificateProfile(
    name="endpoint",
    lifetime=timedelta(days=365),
    key_encipherment=True,
    extended_key_usages=(ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH),
    default_key_type=KeyType.RSA_2048,
)
"""Media endpoints: they sign MIKEY messages (SIGN, RFC 3830 §6.5) and, with RSA keys,
receive envelope keys encrypted to them (PKE, §3.2): digitalSignature and
keyEncipherment. RSA by default, as the envelope needs an encryption key."""

HIGH_SECURITY = CertificateProfile(
    name="high-security",
    lifetime=timedelta(days=90),
    key_encipherment=True,
    extended_key_usages=(ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH),
    key_types=frozenset({KeyType.RSA_4096, KeyType.ECDSA_P384}),
    default_key_type=KeyType.ECDSA_P384,
)
"""Short-lived certificates on strong keys only: RSA-4096 or P-384, 90 days."""

OCSP_RESPONDER = CertificateProfile(
    name="ocsp-responder",
    lifetime=timedelta(days=30),
    extended_key_usages=(ExtendedKeyUsageOID.OCSP_SIGNING,),
    ocsp_no_check=True,
)
"""Delegated OCSP responders (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, issued by the CA
whose certificates they answer for. They carry id-pkix-ocsp-nocheck, so they are
trusted for their whole lifetime: kept short (30 days) and renewed, as §4.2.2.2.1 advises."""

PROFILES: dict[str, CertificateProfile] = {
    p.name: p for p in (SERVER, CLIENT, ENDPOINT, HIGH_SECURITY, OCSP_RESPONDER)
}


def profile(name: str) -> CertificateProfile:
    """The built-in profile called ``name``.

    :raises MikeyValueError: for an unknown name, listing the known ones.
    """
    found = PROFILES.get(name)
    if found is None:
        raise MikeyValueError(
            f"unknown certificate profile {name!r}; known: {', '.join(sorted(PROFILES))}"
        )
    return found
