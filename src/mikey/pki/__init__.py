"""The PKI behind MIKEY's public-key modes and the signed API: key types, certificate
profiles, CAs that issue, CRLs, an OCSP responder and client (RFC 6960), path validation
with revocation from CRLs and OCSP (RFC 5280), private keys encrypted at rest, and a
store (``mikey.pki.store``, SQLite or PostgreSQL) for CAs, certificates, revocations and
the audit trail; ``mikey pki`` is its command line (``mikey.cli.pki``)."""

from typing import TYPE_CHECKING

from mikey.pki.ca import CertificateAuthority, IssuedCertificate, parse_name
from mikey.pki.crl import Revocation, build_crl, check_crl, revocation_of
from mikey.pki.keyfile import load_private_key, passphrase, save_private_key
from mikey.pki.keys import KeyType, key_type_of
from mikey.pki.ocsp import (
    OcspClient,
    OcspRequest,
    OcspResponder,
    OcspSigner,
    OcspStatus,
    build_ocsp_request,
    check_ocsp_response,
    fetch_ocsp_response,
    ocsp_app,
    ocsp_url,
)
from mikey.pki.profiles import (
    CLIENT,
    ENDPOINT,
    HIGH_SECURITY,
    OCSP_RESPONDER,
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

if TYPE_CHECKING:  # see __getattr__
    from mikey.pki.store import (
        AuditAction,
        AuditEvent,
        DuplicateNameError,
        NotFoundError,
        PkiStore,
        StoredCa,
        StoredCertificate,
        StoreError,
    )

__all__ = [
    "CLIENT",
    "ENDPOINT",
    "HIGH_SECURITY",
    "OCSP_RESPONDER",
    "PROFILES",
    "SERVER",
    "AuditAction",
    "AuditEvent",
    "CertificateAuthority",
    "CertificateProfile",
    "DuplicateNameError",
    "IssuedCertificate",
    "KeyType",
    "NotFoundError",
    "OcspClient",
    "OcspRequest",
    "OcspResponder",
    "OcspSigner",
    "OcspStatus",
    "PkiStore",
    "Revocation",
    "RevocationMode",
    "StoreError",
    "StoredCa",
    "StoredCertificate",
    "TrustStore",
    "ValidatedChain",
    "ValidationError",
    "ValidationReason",
    "build_crl",
    "build_ocsp_request",
    "check_crl",
    "check_ocsp_response",
    "fetch_ocsp_response",
    "key_type_of",
    "load_private_key",
    "ocsp_app",
    "ocsp_url",
    "parse_name",
    "passphrase",
    "profile",
    "revocation_of",
    "save_private_key",
    "validate",
]

# The store's names, imported on first use: SQLAlchemy is the store extra, and the rest of
# mikey.pki (MIKEY's certificate modes among its users) must import without it.
_STORE_NAMES = frozenset(
    {
        "AuditAction",
        "AuditEvent",
        "DuplicateNameError",
        "NotFoundError",
        "PkiStore",
        "StoreError",
        "StoredCa",
        "StoredCertificate",
    }
)


def __getattr__(name: str) -> object:
    if name in _STORE_NAMES:
        from mikey.pki import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
