"""A trust store: the roots, intermediates, revocation sources (CRLs, OCSP) and policy
against which a peer's certificate chain is validated (RFC 5280 §6, RFC 6960), as one
explicit object that the public-key MIKEY modes take (``mikey.modes.pke.CertificateTrust``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from mikey.errors import MikeyValueError
from mikey.pki.ocsp import OcspClient
from mikey.pki.validation import RevocationMode, ValidatedChain, validate

__all__ = ["TrustStore"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustStore:
    """Trust ``roots``; use ``intermediates`` to build paths besides those a peer sends;
    check revocation against ``crls`` and, when given, by asking OCSP with ``ocsp``
    (``revocation``: hard-fail by default); require ``usage`` (an extended key usage) of
    the leaf when given."""

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...] = ()
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    ocsp: OcspClient | None = None
    revocation: RevocationMode = RevocationMode.HARD
    usage: x509.ObjectIdentifier | None = None

    def __post_init__(self) -> None:
        if not self.roots:
            raise MikeyValueError("a trust store needs at least one root")

    def validate(self, chain: Sequence[x509.Certificate], *, now: datetime) -> ValidatedChain:
        """Validate ``chain`` (leaf first, then what the peer sent with it) at ``now``.

        :raises ValidationError: with the reason (a ``MikeyPkiError``).
        """
        if not chain:
            raise MikeyValueError("an empty chain has no certificate to validate")
        return validate(
            chain[0],
            [*chain[1:], *self.intermediates],
            roots=self.roots,
            now=now,
            crls=self.crls,
            ocsp=self.ocsp,
            revocation=self.revocation,
            usage=self.usage,
        )
