"""OCSP, the Online Certificate Status Protocol (RFC 6960): a responder that answers for
the certificates of the CAs it serves, and a client that asks and checks the answer.

- Requests (§4.1.1): one certificate each, named by its CertID with SHA-1 (the client's
  default, as RFC 5019 §2.1.1 asks) or SHA-2 hashes (§4.1.1 issuerNameHash,
  issuerKeyHash, serialNumber), and an optional nonce (§4.4.1 as updated by RFC 9654
  §2.1: 32 octets sent, 1 to 128 accepted).
- Responses (§4.2.1, §4.2.2.3): good, revoked (time and reason) or unknown, with
  thisUpdate and nextUpdate (§2.4, §4.2.2.1), the responder named by its key hash,
  signed by the CA itself or by an authorized responder holding a certificate with
  id-kp-OCSPSigning issued directly by the CA (§2.6, §4.2.2.2). Faults get the unsigned
  exception answers of §2.3: malformedRequest, internalError, unauthorized.
- The client's acceptance checks (§3.2): the CertID, the signature, the signer's
  authority, the nonce, thisUpdate (with a clock skew) and nextUpdate.
- OCSP over HTTP (Appendix A): POST and GET (base64 in the path), as an ASGI app
  (Starlette) for the responder, and a POST with httpx for the client.

The responder's core (``OcspResponder.respond``) and the client's checks
(``check_ocsp_response``) are sans-I/O: bytes in, bytes or a status out, the time an
argument. The HTTP edges import Starlette and httpx (the ``mikey[http]`` extra) only when
called, so ``mikey.pki`` works without them. ASN.1 and signatures are pyca/cryptography's
(``cryptography.x509.ocsp``); pyca reads and builds one certificate per request and
response, which is what RFC 5019 §2.1.1 allows, so a request naming several is answered
malformedRequest.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    SignatureAlgorithmOID,
)

from mikey.errors import MikeyError, MikeyPkiError, MikeyValueError
from mikey.pki.ca import CertificateAuthority
from mikey.pki.crl import Revocation
from mikey.pki.keys import PrivateKey, signature_hash

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "CLOCK_SKEW",
    "REQUEST_MEDIA_TYPE",
    "RESPONSE_LIFETIME",
    "RESPONSE_MEDIA_TYPE",
    "OcspClient",
    "OcspFetcher",
    "OcspRequest",
    "OcspResponder",
    "OcspSigner",
    "OcspStatus",
    "StatusLookup",
    "build_ocsp_request",
    "check_ocsp_response",
    "fetch_ocsp_response",
    "ocsp_app",
    "ocsp_url",
]

REQUEST_MEDIA_TYPE = "application/ocsp-request"
"""The Content-Type of a POSTed request (RFC 6960 Appendix A.1)."""
RESPONSE_MEDIA_TYPE = "application/ocsp-response"
"""The Content-Type of a response (RFC 6960 Appendix A.2)."""
RESPONSE_LIFETIME = timedelta(hours=1)
"""From thisUpdate to nextUpdate in the responder's answers (§4.2.2.1): it signs each
answer when asked, so a short interval costs nothing and bounds a replay."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a response's thisUpdate may be, for clocks that differ (§4.2.2.1
says later than local time is unreliable; five minutes is OpenSSL's tolerance too)."""

_NONCE_SIZE = 32  # RFC 9654 §2.1: a client MUST send 32 octets
_MAX_NONCE_SIZE = 128  # RFC 9654 §2.1: longer (or empty) nonces are refused malformedRequest
_MAX_MESSAGE_SIZE = 64 * 1024  # a request is ~100 bytes, a response a few KiB with a certificate
_CERT_ID_HASH = hashes.SHA1()  # RFC 5019 §2.1.1; CertID hashes identify, they do not protect

_STATUS_NAMES = {  # the RFC's names for the exception answers (§2.3, §4.2.1)
    ocsp.OCSPResponseStatus.MALFORMED_REQUEST: "malformedRequest",
    ocsp.OCSPResponseStatus.INTERNAL_ERROR: "internalError",
    ocsp.OCSPResponseStatus.TRY_LATER: "tryLater",
    ocsp.OCSPResponseStatus.SIG_REQUIRED: "sigRequired",
    ocsp.OCSPResponseStatus.UNAUTHORIZED: "unauthorized",
}


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise MikeyValueError("the clock needs an aware datetime, such as datetime.now(UTC)")
    return now


def _name(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string() or f"serial {certificate.serial_number:x}"


# -- CertID (§4.1.1) ----------------------------------------------------------------------


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def _subject_public_key(certificate: x509.Certificate) -> bytes:
    """The value of the certificate's subjectPublicKey BIT STRING, which issuerKeyHash
    covers (§4.1.1): the RSAPublicKey DER for RSA (RFC 3279 §2.3.1), the uncompressed
    point for ECDSA (RFC 5480 §2.2), the raw key for Ed25519 (RFC 8410 §4). pyca writes
    each; a test checks them against pyca's own CertIDs. (A CA certificate holding a
    compressed point, which RFC 5480 allows and CAs do not issue, would hash otherwise:
    requests about its certificates would go unrecognised, answered unauthorized.)"""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raise MikeyPkiError(f"{_name(certificate)} has a {type(key).__name__}, not used here")


def _issuer_hashes(
    issuer_name: x509.Name, issuer: x509.Certificate, algorithm: hashes.HashAlgorithm
) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of a CertID (§4.1.1): the name as the checked
    certificate writes it, the key from the issuer's certificate."""
    return (
        _digest(algorithm, issuer_name.public_bytes()),
        _digest(algorithm, _subject_public_key(issuer)),
    )


# -- the responder ------------------------------------------------------------------------

StatusLookup = Callable[
    [x509.Certificate, int], Revocation | Literal[ocsp.OCSPCertStatus.UNKNOWN] | None
]
"""The responder's question to its store (§2.2): the status of the certificate with this
serial number issued by the CA whose certificate is given. The answer is its
``Revocation`` if revoked, None if not (as ``revocation_of`` answers from a CRL), or
``OCSPCertStatus.UNKNOWN`` for a serial number the CA does not know. It raises a
``MikeyError`` when it cannot tell (a store that is down): the client then gets
internalError, never a guess."""


def _check_delegation(responder: x509.Certificate, issuer: x509.Certificate) -> None:
    """:raises MikeyPkiError: unless ``responder`` is an authorized responder for
    ``issuer``: issued directly by it, with id-kp-OCSPSigning (§4.2.2.2), and, if it has a
    key usage extension, digitalSignature (RFC 5280 §4.2.1.3)."""
    try:
        responder.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        raise MikeyPkiError(
            f"the OCSP responder {_name(responder)} was not issued by {_name(issuer)},"
            " so it may not answer for its certificates (RFC 6960 §4.2.2.2)"
        ) from None
    try:
        usages = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = x509.ExtendedKeyUsage([])
    if ExtendedKeyUsageOID.OCSP_SIGNING not in usages:
        raise MikeyPkiError(
            f"{_name(responder)} is not an authorized OCSP responder of {_name(issuer)}:"
            " its certificate lacks the id-kp-OCSPSigning extended key usage"
            " (RFC 6960 §4.2.2.2)"
        )
    try:
        key_usage = responder.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not key_usage.digital_signature:
        raise MikeyPkiError(
            f"the OCSP responder {_name(responder)} may not sign: its key usage lacks"
            " digitalSignature (RFC 5280 §4.2.1.3)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OcspSigner:
    """Who signs the answers about the certificates of ``issuer`` (§4.2.2.2): the CA
    itself (``certificate`` is ``issuer``; see ``for_ca``) or an authorized responder
    whose certificate the CA issued with id-kp-OCSPSigning (profile ``OCSP_RESPONDER``).

    :raises MikeyPkiError: for a key that does not belong to ``certificate``, or a
        responder certificate the CA did not authorize.
    """

    issuer: x509.Certificate
    certificate: x509.Certificate
    private_key: PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if self.private_key.public_key() != self.certificate.public_key():
            raise MikeyPkiError(
                f"the private key does not belong to the OCSP signer {_name(self.certificate)}"
            )
        if not self.is_issuer:
            _check_delegation(self.certificate, self.issuer)

    @classmethod
    def for_ca(cls, ca: CertificateAuthority) -> OcspSigner:
        """The CA signs its answers itself."""
        return cls(issuer=ca.certificate, certificate=ca.certificate, private_key=ca.private_key)

    @property
    def is_issuer(self) -> bool:
        return self.certificate == self.issuer


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    response = ocsp.OCSPResponseBuilder.build_unsuccessful(status)
    return response.public_bytes(serialization.Encoding.DER)


class _Refused(Exception):
    """A request the responder answers with an exception status (§2.3)."""

    def __init__(self, status: ocsp.OCSPResponseStatus) -> None:
        super().__init__(_STATUS_NAMES[status])
        self.status = status


def _request_nonce(request: ocsp.OCSPRequest) -> bytes | None:
    """The request's nonce (§4.4.1), None without one.

    :raises _Refused: malformedRequest for an empty or too long nonce (RFC 9654 §2.1),
        or a critical extension this responder does not understand (§4.1.2).
    """
    nonce = None
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            nonce = extension.value.nonce
        elif extension.critical:
            raise _Refused(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if nonce is not None and not 1 <= len(nonce) <= _MAX_NONCE_SIZE:
        raise _Refused(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    return nonce


@dataclass(frozen=True, slots=True, kw_only=True)
class OcspResponder:
    """The responder's core, sans-I/O: ``respond`` takes the DER of an OCSPRequest and
    gives the DER of the OCSPResponse. It answers for the CAs of ``signers``, asks
    ``status_of`` about each certificate, and makes each answer valid for ``lifetime``."""

    signers: tuple[OcspSigner, ...]
    status_of: StatusLookup
    lifetime: timedelta = RESPONSE_LIFETIME

    def __post_init__(self) -> None:
        if not self.signers:
            raise MikeyValueError("an OCSP responder needs at least one CA to answer for")
        if self.lifetime <= timedelta(0):
            raise MikeyValueError("the OCSP response lifetime must be positive")

    def respond(self, request: bytes, *, now: datetime) -> bytes:
        """The answer to ``request`` at ``now``: a signed good, revoked or unknown
        status, the request's nonce echoed (§4.4.1); or an unsigned exception answer
        (§2.3): malformedRequest for bytes that are not one OCSPRequest, unauthorized for
        a CA this responder does not serve, internalError when ``status_of`` cannot tell.
        It never raises for what a client sends."""
        now = _aware(now)
        try:
            return self._respond(request, now=now)
        except _Refused as refused:
            return _unsuccessful(refused.status)

    def _respond(self, request: bytes, *, now: datetime) -> bytes:
        try:
            parsed = ocsp.load_der_ocsp_request(request)
            nonce = _request_nonce(parsed)
            serial = parsed.serial_number
            name_hash, key_hash = parsed.issuer_name_hash, parsed.issuer_key_hash
        except (ValueError, NotImplementedError):  # not DER; or several certificates
            raise _Refused(ocsp.OCSPResponseStatus.MALFORMED_REQUEST) from None
        if serial < 0:  # RFC 5280 §4.1.2.2: serial numbers are positive (pyca writes no other)
            raise _Refused(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        try:
            algorithm = parsed.hash_algorithm
        except UnsupportedAlgorithm:  # an issuer hashed with MD5 or SHA-3 is none we know
            raise _Refused(ocsp.OCSPResponseStatus.UNAUTHORIZED) from None
        signer = next(
            (
                s
                for s in self.signers
                if _issuer_hashes(s.issuer.subject, s.issuer, algorithm) == (name_hash, key_hash)
            ),
            None,
        )
        if signer is None:  # §2.3: "not capable of responding authoritatively"
            raise _Refused(ocsp.OCSPResponseStatus.UNAUTHORIZED)
        try:
            status = self.status_of(signer.issuer, serial)
        except MikeyError:  # the store cannot tell: say so rather than guess (fail closed)
            raise _Refused(ocsp.OCSPResponseStatus.INTERNAL_ERROR) from None
        if isinstance(status, Revocation):
            cert_status, revoked_at = ocsp.OCSPCertStatus.REVOKED, status.revoked_at
            # Omitted when unspecified, as RFC 5280 §5.3.1 asks of CRL entries.
            reason = None if status.reason is x509.ReasonFlags.unspecified else status.reason
        elif status is None:
            cert_status, revoked_at, reason = ocsp.OCSPCertStatus.GOOD, None, None
        elif status is ocsp.OCSPCertStatus.UNKNOWN:
            cert_status, revoked_at, reason = status, None, None
        else:  # a lookup that breaks its contract: no guess either
            raise _Refused(ocsp.OCSPResponseStatus.INTERNAL_ERROR)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=name_hash,
                issuer_key_hash=key_hash,
                serial_number=serial,
                algorithm=algorithm,
                cert_status=cert_status,
                this_update=now,
                next_update=now + self.lifetime,
                revocation_time=revoked_at,
                revocation_reason=reason,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, signer.certificate)
        )
        if not signer.is_issuer:  # the client needs the delegation to check it (§4.2.2.3)
            builder = builder.certificates([signer.certificate])
        if nonce is not None:
            builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
        key = signer.private_key
        response = builder.sign(key, signature_hash(key))
        return response.public_bytes(serialization.Encoding.DER)


# -- the client ---------------------------------------------------------------------------


def ocsp_url(certificate: x509.Certificate) -> str | None:
    """The first OCSP responder address in the certificate's authority information access
    extension (RFC 5280 §4.2.2.1, RFC 6960 §3.1), or None."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        return None
    for description in access.value:
        location = description.access_location
        if description.access_method == AuthorityInformationAccessOID.OCSP and isinstance(
            location, x509.UniformResourceIdentifier
        ):
            return location.value
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class OcspRequest:
    """A status request as sent (§4.1.1): about ``certificate``, issued by ``issuer``;
    ``der`` is the OCSPRequest, ``nonce`` the value of its nonce extension or None."""

    certificate: x509.Certificate
    issuer: x509.Certificate
    der: bytes = field(repr=False)
    nonce: bytes | None = None

    @property
    def url(self) -> str | None:
        """The responder the certificate names (``ocsp_url``)."""
        return ocsp_url(self.certificate)


def build_ocsp_request(
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    nonce: bool = True,
    rng: Callable[[int], bytes] = os.urandom,
    hash_algorithm: hashes.HashAlgorithm = _CERT_ID_HASH,
) -> OcspRequest:
    """A request for the status of ``certificate``, with a fresh 32-octet nonce from
    ``rng`` unless ``nonce`` is False (RFC 9654 §2.1), its CertID hashed with
    ``hash_algorithm`` (SHA-1 by default, which every responder answers, RFC 5019
    §2.1.1; or SHA-224/256/384/512).

    :raises MikeyValueError: for another hash algorithm.
    """
    try:
        builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hash_algorithm)
    except ValueError as exc:
        raise MikeyValueError(
            f"cannot hash an OCSP CertID with {hash_algorithm.name}: {exc}"
        ) from None
    value = rng(_NONCE_SIZE) if nonce else None
    if value is not None:
        builder = builder.add_extension(x509.OCSPNonce(value), critical=False)
    der = builder.build().public_bytes(serialization.Encoding.DER)
    return OcspRequest(certificate=certificate, issuer=issuer, der=der, nonce=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class OcspStatus:
    """A checked answer about one certificate (§4.2.1 SingleResponse): ``status`` GOOD,
    REVOKED (then ``revocation`` says when and why) or UNKNOWN; the interval it holds for;
    ``responder`` the certificate whose key signed it (the CA's or a delegated one)."""

    status: ocsp.OCSPCertStatus
    this_update: datetime
    next_update: datetime | None
    responder: x509.Certificate
    revocation: Revocation | None = None


_RSA_PKCS1 = frozenset(
    {
        SignatureAlgorithmOID.RSA_WITH_SHA1,
        SignatureAlgorithmOID.RSA_WITH_SHA224,
        SignatureAlgorithmOID.RSA_WITH_SHA256,
        SignatureAlgorithmOID.RSA_WITH_SHA384,
        SignatureAlgorithmOID.RSA_WITH_SHA512,
    }
)
_ECDSA = frozenset(
    {
        SignatureAlgorithmOID.ECDSA_WITH_SHA1,
        SignatureAlgorithmOID.ECDSA_WITH_SHA224,
        SignatureAlgorithmOID.ECDSA_WITH_SHA256,
        SignatureAlgorithmOID.ECDSA_WITH_SHA384,
        SignatureAlgorithmOID.ECDSA_WITH_SHA512,
    }
)


def _verify_signature(response: ocsp.OCSPResponse, signer: x509.Certificate) -> None:
    """Check the BasicOCSPResponse signature over tbsResponseData (§4.2.1) with the key of
    ``signer``, by the algorithm the response names.

    :raises MikeyPkiError: for a signature that does not verify, an algorithm that does
        not fit the key, SHA-1 (collisions make it forgeable: refused, as pyca's path
        verifier refuses it in certificates), or RSASSA-PSS, whose parameters pyca does
        not expose for OCSP responses.
    """
    oid = response.signature_algorithm_oid
    try:
        digest = response.signature_hash_algorithm
    except UnsupportedAlgorithm:
        raise MikeyPkiError(
            f"the OCSP response is signed with {oid.dotted_string}, an algorithm not used here"
        ) from None
    if isinstance(digest, hashes.SHA1):
        raise MikeyPkiError("the OCSP response is signed with SHA-1, which is refused as weak")
    key = signer.public_key()
    signature, data = response.signature, response.tbs_response_bytes
    try:
        if isinstance(key, rsa.RSAPublicKey) and oid in _RSA_PKCS1 and digest is not None:
            key.verify(signature, data, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey) and oid in _ECDSA and digest is not None:
            key.verify(signature, data, ec.ECDSA(digest))
        elif isinstance(key, ed25519.Ed25519PublicKey) and oid == SignatureAlgorithmOID.ED25519:
            key.verify(signature, data)
        else:
            raise MikeyPkiError(
                f"the OCSP response's signature algorithm {oid._name} does not fit the"
                f" {type(key).__name__} of {_name(signer)}"
            )
    except InvalidSignature:
        raise MikeyPkiError(
            f"the OCSP response's signature does not verify with the key of {_name(signer)}"
        ) from None


def _responder(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, *, now: datetime
) -> x509.Certificate:
    """The certificate that signed ``response``, checked (§3.2 items 2 to 4): the one its
    ResponderID names (§4.2.2.3), among the issuer and the certificates the response
    carries; its signature verified; itself the issuer (same key) or an authorized
    responder of the issuer (§4.2.2.2), valid at ``now``.

    Such a responder's own revocation is not checked: it is trusted for its lifetime, as
    with id-pkix-ocsp-nocheck (§4.2.2.2.1), which is why the CA keeps it short.
    """
    candidates = [issuer, *response.certificates]
    if response.responder_name is not None:
        named = response.responder_name
        matches = [c for c in candidates if c.subject == named]
        responder_id = named.rfc4514_string()
    else:
        key_hash = response.responder_key_hash
        matches = [
            c
            for c in candidates
            if x509.SubjectKeyIdentifier.from_public_key(c.public_key()).digest == key_hash
        ]
        responder_id = f"key hash {(key_hash or b'').hex()}"
    if not matches:
        raise MikeyPkiError(
            f"the OCSP response is signed by {responder_id}, neither {_name(issuer)} nor"
            " a responder certificate the response carries (RFC 6960 §4.2.2.3)"
        )
    problems = []
    for candidate in matches:
        try:
            _verify_signature(response, candidate)
            if candidate.public_key() != issuer.public_key():
                _check_delegation(candidate, issuer)
                if not (candidate.not_valid_before_utc <= now <= candidate.not_valid_after_utc):
                    raise MikeyPkiError(
                        f"the OCSP responder certificate {_name(candidate)} is not valid"
                        f" at {now.isoformat()}"
                    )
        except MikeyPkiError as exc:
            problems.append(str(exc))
            continue
        return candidate
    raise MikeyPkiError("; ".join(problems))


def _single_response(
    response: ocsp.OCSPResponse, certificate: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPSingleResponse:
    """The SingleResponse whose CertID is that of ``certificate`` (§3.2 item 1), whatever
    hash it uses."""
    for single in response.responses:
        try:
            algorithm = single.hash_algorithm
        except UnsupportedAlgorithm:
            continue
        if single.serial_number == certificate.serial_number and (
            single.issuer_name_hash,
            single.issuer_key_hash,
        ) == _issuer_hashes(certificate.issuer, issuer, algorithm):
            return single
    raise MikeyPkiError(
        f"the OCSP response says nothing about {_name(certificate)} (serial"
        f" {certificate.serial_number:x} of {_name(issuer)}): it answers another request"
        " (RFC 6960 §3.2)"
    )


def _check_nonce(response: ocsp.OCSPResponse, nonce: bytes) -> None:
    try:
        echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        raise MikeyPkiError(
            "the OCSP response does not echo the request's nonce, so it may be a replay"
            " (RFC 6960 §4.4.1)"
        ) from None
    if echoed != nonce:
        raise MikeyPkiError(
            "the OCSP response carries another nonce than the request's: it answers"
            " another request or is a replay (RFC 6960 §4.4.1)"
        )


def _revocation(
    single: ocsp.OCSPSingleResponse, certificate: x509.Certificate
) -> Revocation | None:
    if single.certificate_status is not ocsp.OCSPCertStatus.REVOKED:
        return None
    revoked_at = single.revocation_time_utc
    reason = single.revocation_reason or x509.ReasonFlags.unspecified
    if revoked_at is None:  # pyca always gives one for a revoked status
        raise MikeyPkiError("the OCSP response says revoked without a revocation time")
    try:
        return Revocation(
            serial_number=certificate.serial_number, revoked_at=revoked_at, reason=reason
        )
    except MikeyValueError as exc:  # removeFromCRL, or a serial number that is not positive
        raise MikeyPkiError(f"the OCSP response's revocation is not valid: {exc}") from None


def check_ocsp_response(
    response: bytes,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    now: datetime,
    nonce: bytes | None = None,
    skew: timedelta = CLOCK_SKEW,
    max_age: timedelta | None = None,
) -> OcspStatus:
    """Check the DER ``response`` about ``certificate`` (issued by ``issuer``) at ``now``,
    as RFC 6960 §3.2 asks, and return the status it gives: successful (§2.3); signed by
    the issuer or an authorized responder of it (§4.2.2.2); the request's ``nonce``
    echoed when one was sent (§4.4.1); a SingleResponse for this certificate; thisUpdate
    no later than ``now + skew`` and, with ``max_age``, no earlier than ``now - max_age``
    (§3.2 item 5: "sufficiently recent"); nextUpdate, when present, not passed (item 6).

    :raises MikeyPkiError: naming the check that failed.
    :raises MikeyValueError: for a naive ``now``.
    """
    now = _aware(now)
    try:
        parsed = ocsp.load_der_ocsp_response(response)
    except ValueError as exc:
        raise MikeyPkiError(f"not an OCSP response: {exc}") from None
    if parsed.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise MikeyPkiError(
            f"the OCSP responder answered {_STATUS_NAMES[parsed.response_status]} (RFC 6960 §2.3)"
        )
    try:
        responder = _responder(parsed, issuer, now=now)
        if nonce is not None:
            _check_nonce(parsed, nonce)
        single = _single_response(parsed, certificate, issuer)
    except (ValueError, UnsupportedAlgorithm) as exc:  # parts of it pyca cannot read
        raise MikeyPkiError(f"the OCSP response cannot be read: {exc}") from None
    this_update, next_update = single.this_update_utc, single.next_update_utc
    if this_update > now + skew:
        raise MikeyPkiError(
            f"the OCSP response is dated {this_update.isoformat()}, in the future"
            " (RFC 6960 §4.2.2.1)"
        )
    if max_age is not None and this_update < now - max_age:
        raise MikeyPkiError(
            f"the OCSP response is dated {this_update.isoformat()}, older than {max_age}"
        )
    if next_update is not None and next_update < now:
        raise MikeyPkiError(
            f"the OCSP response expired at {next_update.isoformat()} (nextUpdate,"
            " RFC 6960 §4.2.2.1)"
        )
    return OcspStatus(
        status=single.certificate_status,
        this_update=this_update,
        next_update=next_update,
        responder=responder,
        revocation=_revocation(single, certificate),
    )


OcspFetcher = Callable[[OcspRequest], bytes]
"""Carries a request to a responder and returns its answer's bytes, unchecked; raises a
``MikeyPkiError`` when it gets none. ``fetch_ocsp_response`` does it over HTTP; a cache or a
stapled response can stand in for it."""


def fetch_ocsp_response(
    request: OcspRequest, *, url: str | None = None, timeout: float = 10.0
) -> bytes:
    """POST ``request`` to ``url``, or else to the responder its certificate names, and
    return the body of the answer (RFC 6960 Appendix A), unchecked: ``check_ocsp_response``
    judges it. Needs httpx (``mikey[http]``).

    :raises MikeyPkiError: without an address, for a responder that cannot be reached in
        ``timeout`` seconds, an HTTP status other than 200, another media type, or a body
        over 64 KiB.
    """
    import httpx

    target = url if url is not None else request.url
    if target is None:
        raise MikeyPkiError(
            f"{_name(request.certificate)} names no OCSP responder (authority information"
            " access, RFC 6960 §3.1) and no address was given"
        )
    if not target.lower().startswith(("http://", "https://")):
        raise MikeyPkiError(f"OCSP is fetched over HTTP (RFC 6960 Appendix A), not {target!r}")
    headers = {"Content-Type": REQUEST_MEDIA_TYPE, "Accept": RESPONSE_MEDIA_TYPE}
    try:
        with (
            httpx.Client(timeout=timeout) as client,
            client.stream("POST", target, content=request.der, headers=headers) as reply,
        ):
            if reply.status_code != 200:
                raise MikeyPkiError(
                    f"the OCSP responder at {target} answered HTTP {reply.status_code}"
                )
            media_type = reply.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != RESPONSE_MEDIA_TYPE:
                raise MikeyPkiError(
                    f"the OCSP responder at {target} answered {media_type or 'no media type'},"
                    f" not {RESPONSE_MEDIA_TYPE} (RFC 6960 Appendix A.2)"
                )
            body = bytearray()
            for chunk in reply.iter_bytes():
                body += chunk
                if len(body) > _MAX_MESSAGE_SIZE:
                    raise MikeyPkiError(f"the OCSP responder at {target} answers too much")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise MikeyPkiError(
            f"cannot reach the OCSP responder at {target}: {str(exc) or type(exc).__name__}"
        ) from None
    return bytes(body)


@dataclass(frozen=True, slots=True, kw_only=True)
class OcspClient:
    """How to ask OCSP, for ``mikey.pki.validate``: ``fetch`` carries each request
    (default: HTTP POST to the address the certificate names); the answer is then always
    checked by ``check_ocsp_response``. ``nonce``: send one and require it echoed (§4.4.1);
    turn it off for responders that pre-produce answers (RFC 5019 §2.1.1) or a cached
    answer, and bound their age with ``max_age`` instead. ``rng`` makes the nonces."""

    fetch: OcspFetcher = fetch_ocsp_response
    nonce: bool = True
    hash_algorithm: hashes.HashAlgorithm = field(default_factory=lambda: _CERT_ID_HASH)
    skew: timedelta = CLOCK_SKEW
    max_age: timedelta | None = None
    rng: Callable[[int], bytes] = field(default=os.urandom, repr=False)

    def status(
        self, certificate: x509.Certificate, issuer: x509.Certificate, *, now: datetime
    ) -> OcspStatus:
        """Ask about ``certificate`` and check the answer at ``now``.

        :raises MikeyPkiError: when no answer comes or the answer fails a check.
        """
        request = build_ocsp_request(
            certificate,
            issuer,
            nonce=self.nonce,
            rng=self.rng,
            hash_algorithm=self.hash_algorithm,
        )
        return check_ocsp_response(
            self.fetch(request),
            certificate,
            issuer,
            now=now,
            nonce=request.nonce,
            skew=self.skew,
            max_age=self.max_age,
        )


# -- the HTTP responder (Appendix A) -------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def ocsp_app(responder: OcspResponder, *, clock: Callable[[], datetime] = _utc_now) -> Starlette:
    """An ASGI app that answers OCSP over HTTP (RFC 6960 Appendix A): ``POST /`` with an
    application/ocsp-request body, or ``GET /{base64 of the request}``; the answer is
    application/ocsp-response, an OCSP exception answer included (HTTP 200: the fault is
    the request's, and the body says which). HTTP itself answers 415 for a POST of
    another media type and 413 for a body over 64 KiB, with RFC 9457 problem details.
    Serve it with uvicorn or mount it in a bigger app (FastAPI's ``app.mount``). Mounted
    at ``/ocsp``, its address is ``http://host/ocsp/``, with the slash: that is the one to
    give the CA as ``ocsp_url``, since a POST to ``/ocsp`` gets Starlette's redirect, which
    OCSP clients do not follow. Needs Starlette (``mikey[http]``); ``clock`` gives the time
    of each answer.
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    def problem(status: int, title: str, detail: str) -> Response:
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        return Response(json.dumps(body), status_code=status, media_type="application/problem+json")

    async def answer(request: bytes) -> Response:
        # In a worker thread: signing, and a status lookup that may query a database.
        body = await run_in_threadpool(responder.respond, request, now=clock())
        return Response(body, media_type=RESPONSE_MEDIA_TYPE)

    async def post(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != REQUEST_MEDIA_TYPE:
            return problem(
                415,
                "Unsupported Media Type",
                f"an OCSP request is POSTed as {REQUEST_MEDIA_TYPE} (RFC 6960 Appendix A.1)",
            )
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_MESSAGE_SIZE:
                return problem(413, "Content Too Large", "an OCSP request is a few hundred bytes")
        return await answer(bytes(body))

    async def get(request: Request) -> Response:
        # The server has already undone the URL encoding; what is left is base64.
        try:
            der = base64.b64decode(request.path_params["encoded"], validate=True)
        except (binascii.Error, ValueError):
            der = b""  # not base64: answered malformedRequest like any other bad request
        return await answer(der)

    return Starlette(
        routes=[
            Route("/", post, methods=["POST"]),
            Route("/{encoded:path}", get, methods=["GET"]),
        ]
    )
