"""The PKI behind MIKEY's public-key modes and the signed API: key types, certificate
profiles, CAs that issue, CRLs, path validation with CRL revocation (RFC 5280), and
private keys encrypted at rest. OCSP, the database store and the CLI come next (issue 4)."""

from mikey.pki.ca import CertificateAuthority, IssuedCertificate, parse_name
from mikey.pki.crl import Revocation, build_crl, check_crl, revocation_of
from mikey.pki.keyfile import load_private_key, passphrase, save_private_key
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
from mikey.pki.trust import TrustStore
from mikey.pki.validation import (
    RevocationMode,
    ValidatedChain,
    ValidationError,
    ValidationReason,
    validate,
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
    "Revocation",
    "RevocationMode",
    "TrustStore",
    "ValidatedChain",
    "ValidationError",
    "ValidationReason",
    "build_crl",
    "check_crl",
    "key_type_of",
    "load_private_key",
    "parse_name",
    "passphrase",
    "profile",
    "revocation_of",
    "save_private_key",
    "validate",
]
