"""What the certificate-based MIKEY methods share (RFC 3830 §3.2, §4.2.5, §4.2.6, §4.3,
§5.2, §6.3, §6.5, §6.7, §6.8; RFC 4738 §3.4-§3.7): the peer's chain from CERT payloads
and its trust, the identities a certificate names, CHASH, the RSA envelope, and SIGN.

RFC 3830 leaves the signature and envelope algorithms to the certificate (§4.2.5,
§4.2.6): RSA, with PKCS#1 v1.5 mandatory and PSS (signatures) recommended. The RSA
operations, the signature hash (SHA-256 by default, SHA-1 for peers that need it) and
CHASH are ``mikey.crypto``'s; this module puts them on messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.crypto.chash import certificate_hash, check_certificate_hash
from mikey.crypto.kemac import compute_mac
from mikey.crypto.rsakey import rsa_private_key
from mikey.crypto.signature import DEFAULT_SIGNATURE_HASH, create_signature, verify_signature
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyInvalidCertError,
    MikeyPkiError,
    MikeyProtocolError,
    MikeyValueError,
)
from mikey.registry import CertType, HashFunc, MacAlg, SType, label_of
from mikey.wire.basic import CertPayload
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message
from mikey.wire.publickey import CertHashPayload, SignaturePayload

__all__ = [
    "RSA_S_TYPES",
    "CertificateTrust",
    "cert_hash_payload",
    "cert_payloads",
    "certificate_names",
    "check_chash",
    "check_credentials",
    "check_s_type",
    "names_identity",
    "peer_chain",
    "sign_message",
    "signature_placeholder",
    "trusted",
    "verify_message",
]

_CERT_TYPES = frozenset({CertType.X509V3, CertType.X509V3_SIGN})
RSA_S_TYPES = (SType.RSA_PKCS1_1_5, SType.RSA_PSS)


class CertificateTrust(Protocol):
    """Decides whether a peer's certificate chain (leaf first) is trusted at ``now``:
    path, validity, usage and revocation. ``mikey.pki.TrustStore`` is one.

    :raises MikeyPkiError: saying why it is not.
    """

    def validate(self, chain: Sequence[x509.Certificate], *, now: datetime) -> object: ...


def certificate_names(certificate: x509.Certificate) -> set[bytes]:
    """The identities a certificate vouches for, as the bytes an ID payload carries: its
    subject alternative names (URI, email, DNS), or its subject common names when it has
    none (as RFC 6125 §6.4.4 allows only as a fallback)."""
    try:
        sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return {
            a.value.encode() if isinstance(a.value, str) else bytes(a.value)
            for a in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        }
    names: set[bytes] = set()
    for kind in (x509.UniformResourceIdentifier, x509.RFC822Name, x509.DNSName):
        names.update(value.encode() for value in sans.value.get_values_for_type(kind))
    return names


def names_identity(certificate: x509.Certificate, identity: bytes) -> bool:
    """Whether ``certificate`` names ``identity`` (see ``certificate_names``)."""
    return identity in certificate_names(certificate)


# -- certificates on the wire ----------------------------------------------------------


def cert_payloads(certificates: Iterable[x509.Certificate]) -> list[CertPayload]:
    """One CERT payload per certificate, DER, leaf first (§6.7)."""
    return [
        CertPayload(cert_type=CertType.X509V3, data=c.public_bytes(serialization.Encoding.DER))
        for c in certificates
    ]


def cert_hash_payload(certificate: x509.Certificate, hash_func: HashFunc) -> CertHashPayload:
    """CHASH: the hash of the certificate's DER encoding (§6.8).

    :raises MikeyInvalidHashError: for MD5 or an unassigned hash function.
    """
    return CertHashPayload(hash_func=hash_func, hash=certificate_hash(certificate, hash_func))


def check_chash(chash: CertHashPayload, certificate: x509.Certificate) -> None:
    """Check that ``chash`` names ``certificate`` (one's own).

    :raises MikeyInvalidCertError: it names another certificate (Invalid Cert).
    :raises MikeyInvalidHashError: MD5 or an unassigned hash function (Invalid HA).
    """
    check_certificate_hash(certificate, chash.hash_func, chash.hash)


def peer_chain(
    message: Message,
    identity: bytes | None,
    known: Mapping[bytes, Sequence[x509.Certificate]],
) -> list[x509.Certificate]:
    """The sender's chain: its CERT payloads (leaf first), or the chain ``known`` for
    its ``identity`` when it sent none (§4.3.1).

    :raises MikeyInvalidCertError: for no chain, or one that is not DER X.509 with a
        readable key.
    """
    payloads = message.get_all(CertPayload)
    if not payloads:
        chain = known.get(identity) if identity is not None else None
        if not chain:
            raise MikeyInvalidCertError(
                "the message carries no certificate and none is known for its sender"
            )
        return list(chain)
    certificates = []
    for index, payload in enumerate(payloads):
        if payload.cert_type not in _CERT_TYPES:
            raise MikeyInvalidCertError(
                f"CERT {index + 1} is of type {payload.cert_type}; an X.509v3 certificate"
                " (DER) is expected"
            )
        try:
            certificate = x509.load_der_x509_certificate(payload.data)
            certificate.public_key()  # parsed lazily: a key no one can read is refused now
        except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion) as exc:
            raise MikeyInvalidCertError(
                f"CERT {index + 1} is not a usable DER X.509 certificate: {exc}"
            ) from None
        certificates.append(certificate)
    return certificates


def trusted(trust: CertificateTrust, chain: Sequence[x509.Certificate], now: datetime) -> None:
    """:raises MikeyInvalidCertError: if ``trust`` refuses ``chain``, saying why."""
    try:
        trust.validate(chain, now=now)
    except MikeyPkiError as exc:
        raise MikeyInvalidCertError(f"the peer's certificate is refused: {exc}") from exc


# -- RSA keys and SIGN (§4.2.6, §5.2, §6.5; the primitives are mikey.crypto's) ----------


def check_credentials(key: object, certificates: Sequence[x509.Certificate]) -> None:
    """Check one's own signing key and chain: an RSA private key whose certificate, if
    any is given, comes first.

    :raises MikeyValueError: otherwise.
    """
    private = rsa_private_key(key)
    if certificates and certificates[0].public_key() != private.public_key():
        raise MikeyValueError("the first certificate is not the private key's")


def check_s_type(s_type: SType | int) -> None:
    """:raises MikeyValueError: for an S type that is not an RSA signature."""
    if s_type not in RSA_S_TYPES:
        raise MikeyValueError(f"S type {label_of(s_type, SType)} is not an RSA signature")


def signature_placeholder(key: rsa.RSAPrivateKey, s_type: SType) -> SignaturePayload:
    """A SIGN payload of zeros as long as ``key``'s signatures, for ``sign_message``."""
    return SignaturePayload(s_type=s_type, signature=bytes((key.key_size + 7) // 8))


def _covered(message: Message, data: bytes, trailer: bytes | None) -> bytes:
    """What SIGN covers in ``data`` (``message`` encoded): up to the signature field
    (RFC 3830 §5.2), or the message before SIGN followed by ``trailer`` (RFC 4738 §3.6:
    "R_MESSAGE (excluding the SIGNr payload itself) || IDi || IDr || T")."""
    start, _ = message.payload_span(len(message.payloads) - 1)
    if trailer is None:
        return data[: start + 2]
    return data[:start] + trailer


def sign_message(
    message: Message,
    key: rsa.RSAPrivateKey,
    s_type: SType,
    *,
    hash_func: HashFunc = DEFAULT_SIGNATURE_HASH,
    kemac_key: tuple[MacAlg, bytes] | None = None,
    trailer: bytes | None = None,
) -> bytes:
    """``message`` encoded, its last payload a ``signature_placeholder``: with
    ``kemac_key`` (MAC algorithm, key) the KEMAC MAC filled in first (over the KEMAC
    payload, §5.2), then the signature made and put in place."""
    data = bytearray(message.encode())
    if kemac_key is not None:
        mac_alg, auth_key = kemac_key
        index = next(i for i, p in enumerate(message.payloads) if isinstance(p, KemacPayload))
        _, end = message.payload_span(index)
        mac = compute_mac(mac_alg, auth_key, message.kemac_mac_bytes())
        data[end - len(mac) : end] = mac
    start, _ = message.payload_span(len(message.payloads) - 1)
    covered = _covered(message, bytes(data), trailer)
    signature = create_signature(covered, key, s_type=s_type, hash_func=hash_func)
    return bytes(data[: start + 2]) + signature


def verify_message(
    message: Message,
    certificate: x509.Certificate,
    s_types: Iterable[SType],
    *,
    hash_funcs: Iterable[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
    trailer: bytes | None = None,
) -> None:
    """Check the SIGN payload ending ``message`` with the key of ``certificate``.

    :raises MikeyAuthenticationError: for a refused S type or a bad signature.
    :raises MikeyInvalidCertError: for a certificate without a usable RSA key.
    """
    sign = message.payloads[-1] if message.payloads else None
    if not isinstance(sign, SignaturePayload):  # the wire rules require it; defensive
        raise MikeyProtocolError("the message does not end with a SIGN payload")
    if sign.s_type not in frozenset(s_types):
        raise MikeyAuthenticationError(
            f"signatures of S type {label_of(sign.s_type, SType)} are not accepted"
        )
    covered = _covered(message, message.encode(), trailer)
    verify_signature(
        sign.signature, covered, certificate, s_type=sign.s_type, hash_funcs=tuple(hash_funcs)
    )
