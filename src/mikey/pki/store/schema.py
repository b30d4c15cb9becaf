"""The PKI store's tables and how a database is opened (SQLAlchemy 2, typed ORM).

One table per thing the PKI keeps: CAs (with their private keys, encrypted), every
certificate issued (RFC 5280 §4.1: serial number §4.1.2.2, issuer, subject, validity
§4.1.2.5), revocations with their reason (§5.3.1), the CRLs issued with their numbers
(§5.2.3), and the audit trail. Serial numbers are 159-bit integers (up to the 20 octets
§4.1.2.2 allows), more than SQLite's 64-bit integers hold: they are kept as fixed-width
hex text, whose order is the numbers' order.

The schema is created by ``create_schema`` (CREATE TABLE IF NOT EXISTS); there are no
migrations yet. When a column changes, this is where Alembic comes in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from mikey.errors import MikeyValueError

__all__ = [
    "GOOD",
    "REVOKED",
    "AuditRow",
    "Base",
    "CaRow",
    "CertificateRow",
    "CrlRow",
    "RevocationRow",
    "create_schema",
    "is_memory",
    "open_engine",
]

SERIAL_HEX_DIGITS = 40  # 20 octets, the most RFC 5280 §4.1.2.2 allows
NAME_LENGTH = 200
GOOD, REVOKED = "good", "revoked"  # a certificate's status column (RFC 6960 §2.2 terms)

# Any 64-bit key for pg_advisory_xact_lock, the same in every process: "mikeypki".
_SCHEMA_LOCK = int.from_bytes(b"mikeypki", "big") >> 1


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime. SQLite keeps no time zone (its text has none): what comes
    back is marked UTC again, so both databases return the same aware values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise MikeyValueError("the store keeps aware datetimes, such as datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SerialNumber(TypeDecorator[int]):
    """A certificate serial number (RFC 5280 §4.1.2.2: positive, at most 20 octets) as
    40 lower-case hex digits."""

    impl = String(SERIAL_HEX_DIGITS)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not 0 < value < 1 << (4 * SERIAL_HEX_DIGITS):
            raise MikeyValueError(
                f"a serial number is a positive integer of at most 20 octets, got {value}"
            )
        return f"{value:0{SERIAL_HEX_DIGITS}x}"

    def process_result_value(self, value: Any | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value, 16)


class Base(DeclarativeBase):
    pass


class CaRow(Base):
    """A CA. Its private key stays here as encrypted PKCS#8 (RFC 5958, what
    ``mikey.pki.keyfile`` writes to files): in the same row as its certificate, so a CA
    is created or not in one transaction, and every host sharing a PostgreSQL store has
    it. The passphrase is never stored: every signing operation is given it."""

    __tablename__ = "pki_ca"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("pki_ca.id"))
    subject: Mapped[str] = mapped_column(Text)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    encrypted_key: Mapped[bytes] = mapped_column(LargeBinary)
    # What the CA writes into the certificates it issues (RFC 5280 §4.2.1.13, §4.2.2.1).
    crl_urls: Mapped[list[str]] = mapped_column(JSON)
    ocsp_url: Mapped[str | None] = mapped_column(Text)
    ca_issuers_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CertificateRow(Base):
    """A certificate the store's CAs issued, CA certificates included (a root's issuer
    is itself). The serial number is unique across the whole store, not only per issuer
    as RFC 5280 §4.1.2.2 requires: that is what lets ``revoke`` take a serial alone."""

    __tablename__ = "pki_certificate"
    __table_args__ = (
        CheckConstraint(f"status IN ('{GOOD}', '{REVOKED}')", name="pki_certificate_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[int] = mapped_column(SerialNumber, unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("pki_ca.id"), index=True)
    subject: Mapped[str] = mapped_column(Text, index=True)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime)
    profile: Mapped[str] = mapped_column(String(NAME_LENGTH))
    der: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))


class RevocationRow(Base):
    """The revocation of one certificate (RFC 5280 §5.1.2.6, reason §5.3.1): at most one
    per certificate, so two operators revoking at once cannot both succeed."""

    __tablename__ = "pki_revocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("pki_certificate.id"), unique=True)
    revoked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(32))


class CrlRow(Base):
    """A CRL a CA issued. Its number (RFC 5280 §5.2.3) is unique per CA and grows by one
    with each CRL: the next is the largest so far plus one, taken under a lock on the
    CA's row, and the UNIQUE constraint refuses a number twice whatever happens."""

    __tablename__ = "pki_crl"
    __table_args__ = (UniqueConstraint("ca_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ca_id: Mapped[int] = mapped_column(ForeignKey("pki_ca.id"))
    number: Mapped[int]
    this_update: Mapped[datetime] = mapped_column(UtcDateTime)
    next_update: Mapped[datetime] = mapped_column(UtcDateTime)
    der: Mapped[bytes] = mapped_column(LargeBinary)


class AuditRow(Base):
    """One audit event: who (``actor``) did what (``action``) to what (``target``), when,
    with details as JSON. Append-only: the store has no way to change or delete one, and
    the database refuses UPDATE and DELETE itself (triggers below)."""

    __tablename__ = "pki_audit"
    __table_args__ = (Index("pki_audit_target", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(NAME_LENGTH))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


# The audit trail is append-only in the database too, so that a bug, a script or an
# operator with SQL access to the application's role cannot quietly rewrite history
# through UPDATE, DELETE or (PostgreSQL) TRUNCATE. A database superuser or the table's
# owner can still drop the triggers: this guards against mistakes, not against whoever
# owns the database (that would need a separate role, or a hash chain over the rows).
_POSTGRESQL_APPEND_ONLY = (
    """CREATE OR REPLACE FUNCTION pki_audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $body$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'pki_audit is append-only: ' || TG_OP || ' refused',
            ERRCODE = 'restrict_violation';
    END
    $body$""",
    """CREATE TRIGGER pki_audit_append_only BEFORE UPDATE OR DELETE ON pki_audit
    FOR EACH ROW EXECUTE FUNCTION pki_audit_refuse_change()""",
    """CREATE TRIGGER pki_audit_no_truncate BEFORE TRUNCATE ON pki_audit
    FOR EACH STATEMENT EXECUTE FUNCTION pki_audit_refuse_change()""",
)
_SQLITE_APPEND_ONLY = tuple(
    f"""CREATE TRIGGER pki_audit_no_{operation.lower()} BEFORE {operation} ON pki_audit
    BEGIN SELECT RAISE(ABORT, 'pki_audit is append-only: {operation} refused'); END"""
    for operation in ("UPDATE", "DELETE")
)
_APPEND_ONLY = {"postgresql": _POSTGRESQL_APPEND_ONLY, "sqlite": _SQLITE_APPEND_ONLY}


@event.listens_for(AuditRow.__table__, "after_create")
def _make_audit_append_only(_table: Any, connection: Connection, **_: Any) -> None:
    for statement in _APPEND_ONLY.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def is_memory(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database (``sqlite://``)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def open_engine(url: str) -> Engine:
    """An engine for ``url``, set up for the store's transactions.

    :raises sqlalchemy.exc.ArgumentError: for a URL SQLAlchemy cannot use.
    :raises ImportError: when the database's driver is not installed.
    """
    if is_memory(url):
        # One database per connection otherwise: every thread must see the same one.
        # The store serialises its transactions on it (see PkiStore).
        return _sqlite(
            create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        )
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        return _sqlite(engine)
    return engine


def _sqlite(engine: Engine) -> Engine:
    @event.listens_for(engine, "connect")
    def _connect(connection: Any, _record: Any) -> None:
        # Python's sqlite3 would BEGIN only before the first write, so a transaction that
        # reads then writes can fail at once with "database is locked" instead of waiting.
        # Taking over BEGIN (below) makes every transaction BEGIN IMMEDIATE: it takes the
        # write lock up front and waits for it (busy_timeout), one writer at a time.
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")  # off by default in SQLite
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")  # readers do not wait for the writer
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_schema(engine: Engine) -> None:
    """Create the tables (and the audit triggers) that do not exist yet."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes opening a new database at once would both CREATE TABLE; the
            # loser would fail. PostgreSQL's DDL is transactional: serialise it.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        Base.metadata.create_all(connection)
