"""What the PKI store hands out and the errors it raises: stored CAs and certificates
(RFC 5280 §4.1), their status as OCSP names it (RFC 6960 §2.2), audit events, and CSRs
(RFC 2986) read from PEM or DER."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Literal, TypedDict

from cryptography import x509
from cryptography.x509.ocsp import OCSPCertStatus

from mikey.errors import MikeyPkiError
from mikey.pki.crl import Revocation
from mikey.pki.inspect import load_csr
from mikey.pki.keys import KeyType

__all__ = [
    "UNKNOWN",
    "AuditAction",
    "AuditEvent",
    "CaOptions",
    "DuplicateNameError",
    "NotFoundError",
    "StoreError",
    "StoredCa",
    "StoredCertificate",
    "load_csr",
]


class StoreError(MikeyPkiError):
    """The store cannot do an operation: the database failed, or what it holds refuses
    it (a name taken, a certificate revoked already). Nothing of the operation was
    written."""


class DuplicateNameError(StoreError):
    """A CA of that name exists already."""


class NotFoundError(StoreError, LookupError):
    """No CA of that name, or no certificate with that serial number."""


UNKNOWN: Final = OCSPCertStatus.UNKNOWN
"""What ``PkiStore.certificate_status`` answers for a certificate it does not know."""


class AuditAction(StrEnum):
    """What an audit event records."""

    CA_CREATED = "ca.created"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
    CRL_ISSUED = "crl.issued"


class CaOptions(TypedDict, total=False):
    """``CertificateAuthority.create_root`` / ``create_intermediate`` options that
    ``PkiStore.create_ca`` passes on; what is left out takes their defaults."""

    key_type: KeyType
    lifetime: timedelta
    path_length: int | None
    permitted_subtrees: Sequence[x509.GeneralName] | None
    excluded_subtrees: Sequence[x509.GeneralName] | None
    crl_urls: Sequence[str]
    ocsp_url: str | None
    ca_issuers_url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredCa:
    """A CA as the store keeps it, without its private key."""

    name: str
    certificate: x509.Certificate
    parent: str | None
    crl_urls: tuple[str, ...]
    ocsp_url: str | None
    ca_issuers_url: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredCertificate:
    """A certificate the store's CAs issued, with what the store knows about it."""

    serial_number: int
    issuer: str
    """The name of the CA that issued it."""
    subject: str
    """The subject as an RFC 4514 string."""
    not_before: datetime
    not_after: datetime
    profile: str
    fingerprint_sha256: str
    """Lower-case hex of the SHA-256 of the DER encoding."""
    status: Literal[OCSPCertStatus.GOOD, OCSPCertStatus.REVOKED]
    """As RFC 6960 §2.2 names it; expired certificates stay GOOD unless revoked."""
    revocation: Revocation | None
    certificate: x509.Certificate = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One entry of the audit trail: who (``actor``) did what (an ``AuditAction``
    value) to what (``target``: a CA's name, or a certificate's serial number in hex),
    when, with the details as JSON."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
