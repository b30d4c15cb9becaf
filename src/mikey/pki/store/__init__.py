"""The PKI store: CAs, certificates, serial numbers, revocations, CRL numbers and an
append-only audit trail in a database (RFC 5280 §4.1.2.2, §5.2.3, §5.3.1; RFC 6960 §2.2
for status lookups). SQLite by default, PostgreSQL by URL, through SQLAlchemy: the
``store`` extra (``postgres`` for PostgreSQL)."""

from mikey.pki.store.pkistore import DEFAULT_URL, PkiStore
from mikey.pki.store.records import (
    UNKNOWN,
    AuditAction,
    AuditEvent,
    CaOptions,
    DuplicateNameError,
    NotFoundError,
    StoredCa,
    StoredCertificate,
    StoreError,
    load_csr,
)

__all__ = [
    "DEFAULT_URL",
    "UNKNOWN",
    "AuditAction",
    "AuditEvent",
    "CaOptions",
    "DuplicateNameError",
    "NotFoundError",
    "PkiStore",
    "StoreError",
    "StoredCa",
    "StoredCertificate",
    "load_csr",
]
