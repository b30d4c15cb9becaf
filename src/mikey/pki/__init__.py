"""The PKI behind MIKEY's public-key modes and the signed API: key types, certificate
profiles, and CAs that issue (RFC 5280). Validation, revocation and storage come next
(issue 4)."""

from mikey.pki.ca import CertificateAuthority, IssuedCertificate, parse_name
from mikey.pki.keys import KeyType, key_type_of
from mikey.pki.profiles import (
    CLIENT,
    ENDPOINT,
    HIGH_SECURITY,
    PROFILES,
    SERVER,
    CertificateProfile,
    profile,
)

__all__ = [
    "CLIENT",
    "ENDPOINT",
    "HIGH_SECURITY",
    "PROFILES",
    "SERVER",
    "CertificateAuthority",
    "CertificateProfile",
    "IssuedCertificate",
    "KeyType",
    "key_type_of",
    "parse_name",
    "profile",
]
