"""Revocation lists: revoke with a reason, build a numbered CRL with its next update, and
look a certificate up in one (RFC 5280 §5: §5.1.2.4-5 this/next update, §5.2.1 authority
key identifier, §5.2.3 CRL number, §5.3.1 reason code, §6.3.3 the checks a relying party
makes: the CRL's issuer and signature, its freshness).

The CRL is built and signed by pyca/cryptography; this module decides its content and
checks a received one before trusting it. Keeping the list of revocations (and the CRL
numbers) is the store's business.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki.ca import CertificateAuthority
from mikey.pki.keys import signature_hash

__all__ = ["CRL_LIFETIME", "Revocation", "build_crl", "check_crl", "revocation_of"]

CRL_LIFETIME = timedelta(days=7)


@dataclass(frozen=True, slots=True, kw_only=True)
class Revocation:
    """One revoked certificate: its serial number, when, and why (RFC 5280 §5.3.1)."""

    serial_number: int
    revoked_at: datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified

    def __post_init__(self) -> None:
        if self.revoked_at.tzinfo is None:
            raise MikeyValueError("the revocation time needs an aware datetime")
        if self.serial_number <= 0:
            raise MikeyValueError(f"serial numbers are positive, got {self.serial_number}")
        if not isinstance(self.reason, x509.ReasonFlags):
            raise MikeyValueError(f"not a CRL reason: {self.reason!r}")
        if self.reason is x509.ReasonFlags.remove_from_crl:
            raise MikeyValueError("removeFromCRL belongs to delta CRLs, which are not made here")


def build_crl(
    ca: CertificateAuthority,
    revocations: Iterable[Revocation],
    *,
    now: datetime,
    number: int,
    lifetime: timedelta = CRL_LIFETIME,
) -> x509.CertificateRevocationList:
    """The CA's CRL number ``number``: issued ``now``, next update ``now + lifetime``,
    one entry per revocation with its reason (omitted when unspecified, as §5.3.1 asks).

    :raises MikeyValueError: for a non-positive number or lifetime, or a naive time.
    """
    if now.tzinfo is None:
        raise MikeyValueError("the clock needs an aware datetime, such as datetime.now(UTC)")
    if number < 0:
        raise MikeyValueError(f"CRL numbers are non-negative, got {number}")
    if lifetime <= timedelta(0):
        raise MikeyValueError("the CRL lifetime must be positive")
    ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + lifetime)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    for revocation in sorted(revocations, key=lambda r: r.serial_number):
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(revocation.serial_number)
            .revocation_date(revocation.revoked_at)
        )
        if revocation.reason is not x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(revocation.reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca.private_key, signature_hash(ca.private_key))  # type: ignore[arg-type]


def check_crl(
    crl: x509.CertificateRevocationList, issuer: x509.Certificate, *, now: datetime
) -> None:
    """Check that ``crl`` can be relied on for certificates of ``issuer`` (RFC 5280
    §6.3.3): same issuer name, a signature by the issuer's key, and not stale.

    :raises MikeyPkiError: naming what is wrong.
    """
    if crl.issuer != issuer.subject:
        raise MikeyPkiError(
            f"the CRL is from {crl.issuer.rfc4514_string()}, not {issuer.subject.rfc4514_string()}"
        )
    if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        raise MikeyPkiError("the CRL's signature does not verify with its issuer's key")
    if crl.last_update_utc > now:
        raise MikeyPkiError(f"the CRL is dated {crl.last_update_utc.isoformat()}, in the future")
    next_update = crl.next_update_utc
    if next_update is not None and next_update < now:
        raise MikeyPkiError(f"the CRL expired at {next_update.isoformat()} (next update)")


def revocation_of(
    certificate: x509.Certificate, crl: x509.CertificateRevocationList
) -> Revocation | None:
    """The revocation of ``certificate`` in ``crl`` (check the CRL first with
    ``check_crl``), or None if it is not listed."""
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    if entry is None:
        return None
    reason = x509.ReasonFlags.unspecified
    with contextlib.suppress(x509.ExtensionNotFound):  # §5.3.1: absent means unspecified
        reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    return Revocation(
        serial_number=entry.serial_number, revoked_at=entry.revocation_date_utc, reason=reason
    )
