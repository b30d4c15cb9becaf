"""The PKI store: CAs, the certificates they issue, revocations, CRLs and an append-only
audit trail in one database, SQLite by default or PostgreSQL by URL.

What is kept follows RFC 5280: serial numbers (§4.1.2.2), validity (§4.1.2.5),
revocation dates and reasons (§5.1.2.6, §5.3.1), CRL numbers (§5.2.3). Certificate
status lookups answer as an OCSP responder must (RFC 6960 §2.2: good, revoked, unknown).

Every operation that writes is one transaction: the certificate, revocation or CRL and
its audit event are committed together, or, on any failure (a bad CSR, an unknown
profile, a wrong passphrase, a duplicate name, a database error), nothing is. Keys,
signatures and checks come from ``CertificateAuthority`` and ``mikey.pki.crl``; this
module decides what is kept and keeps it consistent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Unpack

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.ocsp import OCSPCertStatus
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki.ca import CertificateAuthority, IssuedCertificate, parse_name
from mikey.pki.crl import CRL_LIFETIME, Revocation
from mikey.pki.crl import build_crl as _sign_crl
from mikey.pki.keyfile import decrypt_private_key, encrypt_private_key
from mikey.pki.keys import PrivateKey, PublicKey
from mikey.pki.profiles import CertificateProfile
from mikey.pki.profiles import profile as builtin_profile
from mikey.pki.store import schema
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
from mikey.pki.store.schema import AuditRow, CaRow, CertificateRow, CrlRow, RevocationRow

__all__ = ["DEFAULT_URL", "PkiStore"]

DEFAULT_URL = "sqlite:///mikey-pki.sqlite3"
"""A SQLite file in the working directory."""

_STATUS_COLUMN = {OCSPCertStatus.GOOD: schema.GOOD, OCSPCertStatus.REVOKED: schema.REVOKED}

CA_PROFILE = "ca"
"""The profile name recorded for CA certificates."""

SERIAL_ATTEMPTS = 8
"""How many fresh serial numbers one issuance tries before giving up. With 159 random
bits a second attempt is already a sign of a broken random source."""


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise MikeyValueError("the clock needs an aware datetime, such as datetime.now(UTC)")
    return now


def _label(value: str, what: str) -> str:
    if not value.strip():
        raise MikeyValueError(f"the {what} must not be empty")
    if len(value) > schema.NAME_LENGTH:
        raise MikeyValueError(f"the {what} is longer than {schema.NAME_LENGTH} characters")
    return value


def _sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


class PkiStore:
    """The PKI's database, opened from a SQLAlchemy URL: ``sqlite:///path`` (the
    default, ``DEFAULT_URL``), ``sqlite://`` in memory, or
    ``postgresql+psycopg://user@host/database`` (the ``postgres`` extra). The tables are
    created on open unless ``create_schema=False``.

    Safe to share between threads. Several processes may open one SQLite file, and
    several hosts one PostgreSQL database, at once. Times default to the current time;
    pass ``now`` to set them.

    :raises StoreError: if the database cannot be opened or its driver is missing.
    """

    def __init__(self, url: str = DEFAULT_URL, *, create_schema: bool = True) -> None:
        try:
            self._engine = schema.open_engine(url)
        except ImportError as exc:
            raise StoreError(
                f"no database driver for {url.split(':', 1)[0]} ({exc}): for PostgreSQL,"
                " pip install 'mikey[postgres]'"
            ) from None
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot use the database URL: {exc}") from None
        self.url = self._engine.url.render_as_string(hide_password=True)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        # An in-memory SQLite database is one connection: its transactions take turns.
        self._memory_lock = threading.Lock() if schema.is_memory(url) else None
        if create_schema:
            try:
                self.create_schema()
            except StoreError:
                self.close()
                raise

    def __enter__(self) -> PkiStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PkiStore({self.url!r})"

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    def create_schema(self) -> None:
        """Create the tables that do not exist yet (done on open by default).

        :raises StoreError: if the database refuses.
        """
        with self._translated_errors():
            schema.create_schema(self._engine)

    # -- CAs -------------------------------------------------------------------------------

    def create_ca(
        self,
        name: str,
        subject: str | x509.Name,
        *,
        passphrase: bytes,
        actor: str,
        parent: str | None = None,
        parent_passphrase: bytes | None = None,
        now: datetime | None = None,
        **options: Unpack[CaOptions],
    ) -> CertificateAuthority:
        """A new CA called ``name``: a root, or an intermediate signed by the CA
        ``parent`` (whose key ``parent_passphrase`` unlocks). Its private key is kept
        encrypted under ``passphrase``. Recorded with its certificate and an audit event.

        :raises DuplicateNameError: if a CA is called ``name`` already.
        :raises NotFoundError: for an unknown parent.
        :raises MikeyPkiError: for a wrong parent passphrase, or a parent that may not
            sign CAs (path length) or is revoked.
        :raises MikeyValueError: for a bad name, subject, option or passphrase.
        """
        name = _label(name, "CA name")
        actor = _label(actor, "actor")
        now = _now(now)
        issuer: CertificateAuthority | None = None
        if parent is not None:
            if parent_passphrase is None:
                raise MikeyValueError(f"signing with CA {parent!r} needs its passphrase")
            issuer = self.load_ca(parent, passphrase=parent_passphrase)
        with self._transaction() as session:  # refuse early, before generating a key
            if session.scalar(select(exists().where(CaRow.name == name))):
                raise DuplicateNameError(f"a CA called {name!r} exists already")

        def create(key: PrivateKey | None) -> CertificateAuthority:
            if issuer is None:
                return CertificateAuthority.create_root(
                    subject, now=now, private_key=key, **options
                )
            return issuer.create_intermediate(subject, now=now, private_key=key, **options)

        created = create(None)
        encrypted_key = encrypt_private_key(created.private_key, passphrase)
        certificate = created.certificate
        with self._transaction() as session:
            parent_row = None if parent is None else self._ca_row(session, parent)
            if parent_row is not None:
                self._check_may_sign(session, parent_row)
            row = CaRow(
                name=name,
                parent_id=None if parent_row is None else parent_row.id,
                subject=certificate.subject.rfc4514_string(),
                certificate_der=_der(certificate),
                fingerprint_sha256=_sha256(_der(certificate)),
                encrypted_key=encrypted_key,
                crl_urls=list(created.crl_urls),
                ocsp_url=created.ocsp_url,
                ca_issuers_url=created.ca_issuers_url,
                created_at=now,
            )
            if not _insert_unless_taken(session, row, CaRow.name == name):
                raise DuplicateNameError(f"a CA called {name!r} exists already")
            # The CA's certificate is one of its issuer's (its own, for a root), with a
            # serial number unique like any other. Another try keeps the key.
            certificate, recorded = self._record_certificate(
                session,
                certificate,
                lambda: create(created.private_key).certificate,
                issuer_id=row.id if parent_row is None else parent_row.id,
                profile=CA_PROFILE,
            )
            row.certificate_der = recorded.der  # changed if a retry signed it again
            row.fingerprint_sha256 = recorded.fingerprint_sha256
            self._audit(
                session,
                now=now,
                actor=actor,
                action=AuditAction.CA_CREATED,
                target=name,
                details={
                    "subject": row.subject,
                    "parent": parent,
                    "serial_number": f"{certificate.serial_number:x}",
                    "fingerprint_sha256": row.fingerprint_sha256,
                    "not_after": certificate.not_valid_after_utc.isoformat(),
                },
            )
        return dataclasses.replace(created, certificate=certificate)

    def load_ca(self, name: str, *, passphrase: bytes) -> CertificateAuthority:
        """The CA called ``name`` with its private key, decrypted with ``passphrase``,
        and its chain up to (not including) the root.

        :raises NotFoundError: for an unknown CA.
        :raises MikeyPkiError: for a wrong passphrase.
        """
        with self._transaction() as session:
            row = self._ca_row(session, name)
            ancestors: list[CaRow] = []
            parent_id = row.parent_id
            while parent_id is not None:
                ancestor = session.get_one(CaRow, parent_id)
                ancestors.append(ancestor)
                parent_id = ancestor.parent_id
        key = decrypt_private_key(row.encrypted_key, passphrase, source=f"the key of CA {name!r}")
        return CertificateAuthority(
            certificate=x509.load_der_x509_certificate(row.certificate_der),
            private_key=key,
            # The root is the relying party's trust anchor, not part of the chain.
            chain=tuple(x509.load_der_x509_certificate(a.certificate_der) for a in ancestors[:-1]),
            crl_urls=tuple(row.crl_urls),
            ocsp_url=row.ocsp_url,
            ca_issuers_url=row.ca_issuers_url,
        )

    def get_ca(self, name: str) -> StoredCa:
        """The CA called ``name``, without its key.

        :raises NotFoundError: for an unknown CA.
        """
        with self._transaction() as session:
            return self._stored_ca(session, self._ca_row(session, name))

    def list_cas(self) -> list[StoredCa]:
        """Every CA, in the order they were created."""
        with self._transaction() as session:
            rows = session.scalars(select(CaRow).order_by(CaRow.id)).all()
            return [self._stored_ca(session, row) for row in rows]

    # -- certificates ----------------------------------------------------------------------

    def issue(
        self,
        ca: str,
        profile: str | CertificateProfile,
        *,
        passphrase: bytes,
        actor: str,
        subject: str | x509.Name | None = None,
        sans: Sequence[str] = (),
        csr: x509.CertificateSigningRequest | bytes | None = None,
        public_key: PublicKey | None = None,
        lifetime: timedelta | None = None,
        now: datetime | None = None,
    ) -> IssuedCertificate:
        """An end-entity certificate from the CA called ``ca`` under ``profile`` (a
        profile or a built-in profile's name), as ``CertificateAuthority.issue`` makes
        it: for the key of ``csr`` (a request or its PEM or DER bytes), for
        ``public_key``, or for a key generated here and returned with the certificate
        (never stored). Recorded with a fresh serial number and an audit event.

        :raises NotFoundError: for an unknown CA.
        :raises MikeyPkiError: for a CSR that does not parse or whose signature does not
            verify, a wrong passphrase, or a revoked CA.
        :raises MikeyValueError: for an unknown profile, a key the profile does not
            take, a missing or bad subject.
        """
        actor = _label(actor, "actor")
        now = _now(now)
        chosen = builtin_profile(profile) if isinstance(profile, str) else profile
        request = load_csr(csr) if isinstance(csr, bytes) else csr
        authority = self.load_ca(ca, passphrase=passphrase)
        private_key = None
        if request is None and public_key is None:
            # Generated once: another serial number on a retry does not need another key.
            private_key = chosen.default_key_type.generate()
            public_key = private_key.public_key()

        def sign() -> x509.Certificate:
            return authority.issue(
                chosen,
                now=now,
                subject=subject,
                sans=sans,
                public_key=public_key,
                csr=request,
                lifetime=lifetime,
            ).certificate

        certificate = sign()  # a bad CSR, key or subject fails here, before any write
        with self._transaction() as session:
            issuer = self._ca_row(session, ca)
            self._check_may_sign(session, issuer)
            certificate, row = self._record_certificate(
                session, certificate, sign, issuer_id=issuer.id, profile=chosen.name
            )
            self._audit(
                session,
                now=now,
                actor=actor,
                action=AuditAction.CERTIFICATE_ISSUED,
                target=f"{certificate.serial_number:x}",
                details={
                    "ca": ca,
                    "profile": chosen.name,
                    "subject": row.subject,
                    "fingerprint_sha256": row.fingerprint_sha256,
                    "not_after": row.not_after.isoformat(),
                    "from_csr": request is not None,
                },
            )
        return IssuedCertificate(certificate=certificate, private_key=private_key)

    def get_certificate(self, serial_number: int) -> StoredCertificate:
        """The certificate with ``serial_number``.

        :raises NotFoundError: if no CA of the store issued one.
        """
        with self._transaction() as session:
            found = self._find(session, CertificateRow.serial_number == serial_number)
        if not found:
            raise NotFoundError(f"no certificate with serial number {serial_number:x}")
        return found[0]

    def find_certificates(
        self,
        *,
        issuer: str | None = None,
        subject: str | x509.Name | None = None,
        profile: str | None = None,
        status: OCSPCertStatus | None = None,
    ) -> list[StoredCertificate]:
        """The certificates matching every filter given, oldest first: issued by the CA
        called ``issuer``, for ``subject`` (an RFC 4514 name, compared as one), under
        ``profile`` (``"ca"`` for CA certificates), with ``status``.

        :raises NotFoundError: for an unknown issuer.
        """
        conditions: list[ColumnElement[bool]] = []
        if subject is not None:
            name = subject if isinstance(subject, x509.Name) else parse_name(subject)
            conditions.append(CertificateRow.subject == name.rfc4514_string())
        if profile is not None:
            conditions.append(CertificateRow.profile == profile)
        if status is not None:
            if status not in _STATUS_COLUMN:
                raise MikeyValueError("stored certificates are GOOD or REVOKED, never UNKNOWN")
            conditions.append(CertificateRow.status == _STATUS_COLUMN[status])
        with self._transaction() as session:
            if issuer is not None:
                conditions.append(CertificateRow.issuer_id == self._ca_row(session, issuer).id)
            return self._find(session, *conditions)

    def certificate_status(
        self, issuer: x509.Certificate | str, serial_number: int
    ) -> Revocation | Literal[OCSPCertStatus.UNKNOWN] | None:
        """What an OCSP responder answers (RFC 6960 §2.2) for the certificate with
        ``serial_number`` from ``issuer`` (a CA certificate or name): its ``Revocation``
        if revoked, None if good, ``UNKNOWN`` if the store knows no such certificate of
        that issuer. Revocations are the store's own: a certificate is never "revoked"
        because it expired.
        """
        with self._transaction() as session:
            if isinstance(issuer, str):
                ca_id = session.scalar(select(CaRow.id).where(CaRow.name == issuer))
            else:
                fingerprint = _sha256(_der(issuer))
                ca_id = session.scalar(
                    select(CaRow.id).where(CaRow.fingerprint_sha256 == fingerprint)
                )
            if ca_id is None:
                return UNKNOWN
            found = self._find(
                session,
                CertificateRow.serial_number == serial_number,
                CertificateRow.issuer_id == ca_id,
            )
        if not found:
            return UNKNOWN
        return found[0].revocation

    # -- revocation ------------------------------------------------------------------------

    def revoke(
        self,
        serial_number: int,
        *,
        actor: str,
        reason: x509.ReasonFlags = x509.ReasonFlags.unspecified,
        now: datetime | None = None,
    ) -> Revocation:
        """Revoke the certificate with ``serial_number`` for ``reason`` (RFC 5280
        §5.3.1), from ``now``: on its CA's next CRL, and ``revoked`` to OCSP.

        :raises NotFoundError: if no CA of the store issued it.
        :raises StoreError: if it is revoked already.
        :raises MikeyPkiError: for a root CA's own certificate (a trust anchor is
            withdrawn from trust stores; no CRL can revoke it).
        :raises MikeyValueError: for removeFromCRL or a naive time.
        """
        actor = _label(actor, "actor")
        # Whole seconds: what a CRL entry (RFC 5280 §5.1.2.6) and OCSP can carry.
        revoked_at = _now(now).replace(microsecond=0)
        revocation = Revocation(serial_number=serial_number, revoked_at=revoked_at, reason=reason)
        with self._transaction() as session:
            row = session.scalar(
                select(CertificateRow).where(CertificateRow.serial_number == serial_number)
            )
            if row is None:
                raise NotFoundError(f"no certificate with serial number {serial_number:x}")
            issuer = session.get_one(CaRow, row.issuer_id)
            if issuer.parent_id is None and issuer.fingerprint_sha256 == row.fingerprint_sha256:
                raise MikeyPkiError(
                    f"{row.subject} is a root CA: remove it from trust stores; a CRL"
                    " cannot revoke a trust anchor"
                )
            revoked = RevocationRow(
                certificate_id=row.id,
                revoked_at=revocation.revoked_at,
                reason=revocation.reason.value,
            )
            if not _insert_unless_taken(session, revoked, RevocationRow.certificate_id == row.id):
                raise StoreError(f"the certificate {serial_number:x} is revoked already")
            row.status = _STATUS_COLUMN[OCSPCertStatus.REVOKED]
            self._audit(
                session,
                now=revocation.revoked_at,
                actor=actor,
                action=AuditAction.CERTIFICATE_REVOKED,
                target=f"{serial_number:x}",
                details={"ca": issuer.name, "subject": row.subject, "reason": reason.value},
            )
        return revocation

    def build_crl(
        self,
        ca: str,
        *,
        passphrase: bytes,
        actor: str,
        now: datetime | None = None,
        lifetime: timedelta = CRL_LIFETIME,
    ) -> x509.CertificateRevocationList:
        """The next CRL of the CA called ``ca``: every certificate it revoked, numbered
        one above its last CRL (RFC 5280 §5.2.3: CRL numbers only grow), kept and
        recorded with an audit event.

        :raises NotFoundError: for an unknown CA.
        :raises MikeyPkiError: for a wrong passphrase.
        """
        actor = _label(actor, "actor")
        now = _now(now)
        authority = self.load_ca(ca, passphrase=passphrase)
        with self._transaction() as session:
            # The CA's row locked (PostgreSQL; SQLite has one writer at a time anyway):
            # CRLs of one CA are numbered one after another.
            row = session.scalar(select(CaRow).where(CaRow.name == ca).with_for_update())
            if row is None:
                raise NotFoundError(f"no CA called {ca!r}")
            last = session.scalar(select(func.max(CrlRow.number)).where(CrlRow.ca_id == row.id))
            number = (last or 0) + 1
            revocations = [
                _revocation(serial, revoked)
                for serial, revoked in session.execute(
                    select(CertificateRow.serial_number, RevocationRow)
                    .join(RevocationRow, RevocationRow.certificate_id == CertificateRow.id)
                    .where(CertificateRow.issuer_id == row.id)
                )
            ]
            crl = _sign_crl(authority, revocations, now=now, number=number, lifetime=lifetime)
            session.add(
                CrlRow(
                    ca_id=row.id,
                    number=number,
                    this_update=now,
                    next_update=now + lifetime,
                    der=crl.public_bytes(serialization.Encoding.DER),
                )
            )
            self._audit(
                session,
                now=now,
                actor=actor,
                action=AuditAction.CRL_ISSUED,
                target=ca,
                details={
                    "number": number,
                    "revoked": len(revocations),
                    "next_update": (now + lifetime).isoformat(),
                },
            )
        return crl

    def latest_crl(self, ca: str) -> x509.CertificateRevocationList | None:
        """The last CRL the CA called ``ca`` issued, or None before its first.

        :raises NotFoundError: for an unknown CA.
        """
        with self._transaction() as session:
            ca_id = self._ca_row(session, ca).id
            der = session.scalar(
                select(CrlRow.der)
                .where(CrlRow.ca_id == ca_id)
                .order_by(CrlRow.number.desc())
                .limit(1)
            )
        return None if der is None else x509.load_der_x509_crl(der)

    # -- audit -----------------------------------------------------------------------------

    def audit_trail(
        self,
        *,
        actor: str | None = None,
        action: AuditAction | str | None = None,
        target: str | None = None,
        since: datetime | None = None,
    ) -> list[AuditEvent]:
        """The audit events matching every filter given, in the order they were
        written. There is no way to change or delete one."""
        query = select(AuditRow).order_by(AuditRow.id)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        if action is not None:
            query = query.where(AuditRow.action == str(action))
        if target is not None:
            query = query.where(AuditRow.target == target)
        if since is not None:
            query = query.where(AuditRow.at >= _now(since))
        with self._transaction() as session:
            return [
                AuditEvent(
                    id=row.id,
                    at=row.at,
                    actor=row.actor,
                    action=row.action,
                    target=row.target,
                    details=dict(row.details),
                )
                for row in session.scalars(query)
            ]

    # -- helpers ---------------------------------------------------------------------------

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StoreError(
                f"the PKI store {self.url} failed ({type(exc).__name__}: {detail});"
                " nothing was written"
            ) from exc

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, rolled back on any
        exception (database errors become ``StoreError``)."""
        lock: AbstractContextManager[object] = self._memory_lock or nullcontext()
        with lock, self._translated_errors(), self._sessions.begin() as session:
            yield session

    @staticmethod
    def _ca_row(session: Session, name: str) -> CaRow:
        row = session.scalar(select(CaRow).where(CaRow.name == name))
        if row is None:
            raise NotFoundError(f"no CA called {name!r}")
        return row

    @staticmethod
    def _check_may_sign(session: Session, ca: CaRow) -> None:
        revoked = session.scalar(
            select(
                exists().where(
                    CertificateRow.fingerprint_sha256 == ca.fingerprint_sha256,
                    CertificateRow.status == _STATUS_COLUMN[OCSPCertStatus.REVOKED],
                )
            )
        )
        if revoked:
            raise MikeyPkiError(f"the CA {ca.name!r} is revoked: it may not issue")

    @staticmethod
    def _record_certificate(
        session: Session,
        certificate: x509.Certificate,
        sign_again: Callable[[], x509.Certificate],
        *,
        issuer_id: int,
        profile: str,
    ) -> tuple[x509.Certificate, CertificateRow]:
        # The serial number is the CA's: 159 random bits (pyca's random_serial_number, as
        # RFC 5280 §4.1.2.2 and the CA/Browser Forum's 64-bit minimum ask). Uniqueness is
        # not left to chance: the UNIQUE constraint decides, inside the database, between
        # concurrent transactions (PostgreSQL makes the second inserter of a value wait
        # for the first to commit, then refuses it; SQLite has one writer at a time). A
        # refused serial is signed again with a fresh one, in a savepoint, so the rest of
        # the transaction stands.
        for _ in range(SERIAL_ATTEMPTS):
            der = _der(certificate)
            row = CertificateRow(
                serial_number=certificate.serial_number,
                issuer_id=issuer_id,
                subject=certificate.subject.rfc4514_string(),
                not_before=certificate.not_valid_before_utc,
                not_after=certificate.not_valid_after_utc,
                profile=profile,
                der=der,
                fingerprint_sha256=_sha256(der),
                status=_STATUS_COLUMN[OCSPCertStatus.GOOD],
            )
            taken = CertificateRow.serial_number == certificate.serial_number
            if _insert_unless_taken(session, row, taken):
                return certificate, row
            certificate = sign_again()
        raise StoreError(
            f"{SERIAL_ATTEMPTS} serial numbers in a row were taken: the random source is broken"
        )

    @staticmethod
    def _audit(
        session: Session,
        *,
        now: datetime,
        actor: str,
        action: AuditAction,
        target: str,
        details: dict[str, Any],
    ) -> None:
        session.add(
            AuditRow(at=now, actor=actor, action=action.value, target=target, details=details)
        )

    @staticmethod
    def _stored_ca(session: Session, row: CaRow) -> StoredCa:
        parent = None if row.parent_id is None else session.get_one(CaRow, row.parent_id).name
        return StoredCa(
            name=row.name,
            certificate=x509.load_der_x509_certificate(row.certificate_der),
            parent=parent,
            crl_urls=tuple(row.crl_urls),
            ocsp_url=row.ocsp_url,
            ca_issuers_url=row.ca_issuers_url,
            created_at=row.created_at,
        )

    @staticmethod
    def _find(session: Session, *conditions: ColumnElement[bool]) -> list[StoredCertificate]:
        query = (
            select(CertificateRow, CaRow.name, RevocationRow)
            .join(CaRow, CaRow.id == CertificateRow.issuer_id)
            .outerjoin(RevocationRow, RevocationRow.certificate_id == CertificateRow.id)
            .where(*conditions)
            .order_by(CertificateRow.id)
        )
        return [
            _stored_certificate(row, issuer, revoked)
            for row, issuer, revoked in session.execute(query)
        ]


def _stored_certificate(
    row: CertificateRow, issuer: str, revoked: RevocationRow | None
) -> StoredCertificate:
    return StoredCertificate(
        serial_number=row.serial_number,
        issuer=issuer,
        subject=row.subject,
        not_before=row.not_before,
        not_after=row.not_after,
        profile=row.profile,
        fingerprint_sha256=row.fingerprint_sha256,
        status=OCSPCertStatus.GOOD if revoked is None else OCSPCertStatus.REVOKED,
        revocation=None if revoked is None else _revocation(row.serial_number, revoked),
        certificate=x509.load_der_x509_certificate(row.der),
    )


def _revocation(serial_number: int, row: RevocationRow) -> Revocation:
    return Revocation(
        serial_number=serial_number,
        revoked_at=row.revoked_at,
        reason=x509.ReasonFlags(row.reason),
    )


def _insert_unless_taken(session: Session, row: schema.Base, taken: ColumnElement[bool]) -> bool:
    """Insert ``row`` in a savepoint. False if the database refused it and ``taken``
    now holds (another row has the unique value); any other refusal propagates."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if session.scalar(select(exists().where(taken))):
            return False
        raise
    return True
