"""Certificate path validation with revocation (RFC 5280 §6: §6.1 path validation,
§6.3 CRL processing; RFC 6960 OCSP), on pyca/cryptography's verifier.

pyca's verifier does the RFC 5280 path building and checking (signatures, validity,
basic constraints and path length, key usage of CAs, name constraints); this module adds
what it lacks: revocation of every certificate in the chain from CRLs and OCSP
(hard-fail by default, soft-fail on request), the extended key usage the caller needs,
and a reason on every refusal. End-entity extensions are left to the caller's profile
(pyca's web-PKI defaults would demand a SAN and TLS usages). Chains with an Ed25519 key
or signature (RFC 8410), which pyca's verifier forbids, are built and checked by
``pathcheck`` (RFC 5280 §6.1 over pyca's primitives) instead; usage and revocation are
checked the same way for both.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509.ocsp import OCSPCertStatus
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki.crl import Revocation, check_crl, revocation_of
from mikey.pki.ocsp import OcspClient

__all__ = ["RevocationMode", "ValidatedChain", "ValidationError", "ValidationReason", "validate"]


class ValidationReason(Enum):
    """Why a chain was refused."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    UNTRUSTED = "untrusted root or bad signature"
    PATH_LENGTH = "path length exceeded"
    NAME_CONSTRAINTS = "name constraints violated"
    WRONG_USAGE = "wrong usage"
    REVOKED = "revoked"
    REVOCATION_UNKNOWN = "revocation status unknown"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"


class ValidationError(MikeyPkiError):
    """A certificate chain was refused; ``reason`` says why, ``certificate`` which one,
    ``revocation`` when and why it was revoked (from a CRL entry or an OCSP answer)."""

    def __init__(
        self,
        reason: ValidationReason,
        message: str,
        *,
        certificate: x509.Certificate | None = None,
        revocation: Revocation | None = None,
    ) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.certificate = certificate
        self.revocation = revocation


class RevocationMode(Enum):
    """HARD: a certificate whose status neither a usable CRL nor a good OCSP answer
    proves refuses the chain (the default: fail closed). SOFT: such a certificate passes;
    one a CRL lists or OCSP says is revoked is still refused."""

    HARD = "hard"
    SOFT = "soft"


@dataclass(frozen=True, slots=True)
class ValidatedChain:
    """The chain that was validated, leaf first, trust anchor last."""

    certificates: tuple[x509.Certificate, ...]


def _name(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string() or f"serial {certificate.serial_number:x}"


def _check_times(certificates: Sequence[x509.Certificate], now: datetime) -> None:
    for certificate in certificates:
        if now > certificate.not_valid_after_utc:
            raise ValidationError(
                ValidationReason.EXPIRED,
                f"{_name(certificate)} expired at {certificate.not_valid_after_utc.isoformat()}",
                certificate=certificate,
            )
        if now < certificate.not_valid_before_utc:
            raise ValidationError(
                ValidationReason.NOT_YET_VALID,
                f"{_name(certificate)} is valid from"
                f" {certificate.not_valid_before_utc.isoformat()}",
                certificate=certificate,
            )


_PYCA_REASONS = (
    ("path length", ValidationReason.PATH_LENGTH),
    ("name constraint", ValidationReason.NAME_CONSTRAINTS),
    ("signature does not match", ValidationReason.UNTRUSTED),
    ("candidates exhausted", ValidationReason.UNTRUSTED),
    ("not valid at validation time", ValidationReason.EXPIRED),
)


def _from_pyca(error: VerificationError) -> ValidationError:
    text = str(error)
    for marker, reason in _PYCA_REASONS:
        if marker in text:
            return ValidationError(reason, text)
    return ValidationError(ValidationReason.INVALID, text)


def validate(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate] = (),
    *,
    roots: Sequence[x509.Certificate],
    now: datetime,
    crls: Sequence[x509.CertificateRevocationList] = (),
    ocsp: OcspClient | None = None,
    revocation: RevocationMode = RevocationMode.HARD,
    usage: x509.ObjectIdentifier | None = None,
) -> ValidatedChain:
    """Validate ``leaf`` up to one of ``roots`` at ``now``, with ``intermediates`` as
    candidates, then check ``usage`` (an extended key usage the leaf must allow) and the
    revocation of every certificate below the anchor against ``crls`` (already fetched)
    and, with ``ocsp``, by asking its issuer's OCSP responder (``OcspClient()`` asks over
    HTTP at the address the certificate names; give it another ``fetch`` for a cache or
    a test). Either source may refuse a revoked certificate; ``revocation`` says what
    happens when neither can vouch for one.

    :raises ValidationError: with the reason and the certificate concerned.
    :raises MikeyValueError: for no roots or a naive ``now``.
    """
    if now.tzinfo is None:
        raise MikeyValueError("the clock needs an aware datetime, such as datetime.now(UTC)")
    if not roots:
        raise MikeyValueError("validation needs at least one trusted root")
    from mikey.pki.pathcheck import build_path, uses_ed25519  # late: pathcheck imports this

    if any(uses_ed25519(c) for c in (leaf, *intermediates, *roots)):
        # pyca's verifier refuses Ed25519 (it keeps to the web PKI's algorithms): these
        # chains take pathcheck's RFC 5280 §6.1 checks over pyca's primitives instead.
        chain = build_path(leaf, intermediates, roots=roots, now=now)
    else:
        _check_times((leaf, *intermediates), now)
        verifier = (
            PolicyBuilder()
            .store(Store(list(roots)))
            .time(now)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=ExtensionPolicy.permit_all(),
            )
            .build_client_verifier()
        )
        try:
            chain = tuple(verifier.verify(leaf, list(intermediates)).chain)
        except VerificationError as exc:
            raise _from_pyca(exc) from None
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # malformed or exotic
            raise ValidationError(ValidationReason.INVALID, str(exc)) from None
    if usage is not None:
        _check_usage(leaf, usage)
    _check_revocation(chain, crls, now=now, mode=revocation, ocsp=ocsp)
    return ValidatedChain(certificates=chain)


_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
}


def _eku_name(oid: x509.ObjectIdentifier) -> str:
    return _EKU_NAMES.get(oid, oid.dotted_string)


def _check_usage(leaf: x509.Certificate, usage: x509.ObjectIdentifier) -> None:
    try:
        allowed = list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return  # RFC 5280 §4.2.1.12: no EKU extension, no restriction
    if usage not in allowed and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in allowed:
        names = ", ".join(_eku_name(oid) for oid in allowed)
        raise ValidationError(
            ValidationReason.WRONG_USAGE,
            f"{_name(leaf)} is for {names}, not {_eku_name(usage)}",
            certificate=leaf,
        )


def _usable_crl(
    issuer: x509.Certificate,
    crls: Sequence[x509.CertificateRevocationList],
    *,
    now: datetime,
    problems: list[str],
) -> x509.CertificateRevocationList | None:
    """The first CRL of ``issuer`` that can be relied on (RFC 5280 §6.3.3); what is wrong
    with the others, or that there is none, goes into ``problems``."""
    found = False
    for crl in crls:
        if crl.issuer != issuer.subject:
            continue
        found = True
        try:
            check_crl(crl, issuer, now=now)
        except MikeyPkiError as exc:
            problems.append(str(exc))
            continue
        return crl
    if not found:
        problems.append("no CRL from its issuer")
    return None


def _refuse_if_revoked(
    certificate: x509.Certificate, revoked: Revocation | None, *, source: str
) -> None:
    if revoked is not None:
        raise ValidationError(
            ValidationReason.REVOKED,
            f"{_name(certificate)} was revoked on {revoked.revoked_at.isoformat()}"
            f" ({revoked.reason.value}), says {source}",
            certificate=certificate,
            revocation=revoked,
        )


def _check_revocation(
    chain: tuple[x509.Certificate, ...],
    crls: Sequence[x509.CertificateRevocationList],
    *,
    now: datetime,
    mode: RevocationMode,
    ocsp: OcspClient | None,
) -> None:
    """RFC 5280 §6.3 and RFC 6960: each certificate but the anchor against a CRL of its
    issuer and, with ``ocsp``, its issuer's OCSP responder. The CRL is read first (it is
    at hand); OCSP is asked even when the CRL vouches for the certificate, being fresher.
    Revoked by either: refused. A usable CRL or a good OCSP answer: not revoked. Neither
    (no CRL or none to rely on, no OCSP answer that checks out, or "unknown"): HARD
    refuses, SOFT lets the certificate pass."""
    for certificate, issuer in itertools.pairwise(chain):
        problems: list[str] = []
        crl = _usable_crl(issuer, crls, now=now, problems=problems)
        if crl is not None:
            _refuse_if_revoked(certificate, revocation_of(certificate, crl), source="a CRL")
        vouched = crl is not None
        if ocsp is not None:
            try:
                answer = ocsp.status(certificate, issuer, now=now)
            except MikeyPkiError as exc:
                problems.append(f"OCSP: {exc}")
            else:
                _refuse_if_revoked(certificate, answer.revocation, source="OCSP")
                if answer.status is OCSPCertStatus.GOOD:
                    vouched = True
                else:  # §2.2: "unknown" leaves the client to try another source
                    problems.append("OCSP: the responder does not know the certificate")
        if not vouched and mode is RevocationMode.HARD:
            raise ValidationError(
                ValidationReason.REVOCATION_UNKNOWN,
                f"cannot tell whether {_name(certificate)} is revoked ({'; '.join(problems)})",
                certificate=certificate,
            )
