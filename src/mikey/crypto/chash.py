"""CHASH, the hash of the certificate whose key sealed the envelope: RFC 3830 §3.2 ("If
the Responder possesses several public keys, the Initiator can indicate the key used in
the CHASH payload"), §6.8 (the hash of the certificate, SHA-1 mandatory, MD5 = 1) and
RFC 6043 §6.8 (SHA-256 = 2).

The hash is over the certificate's DER encoding, the bytes a CERT payload carries (RFC
3830 §6.7). SHA-1 and SHA-256 are computed and matched; MD5 is refused both ways (Invalid
HA): a CHASH only selects among one's own certificates, so a collision would not
forge anything, but no peer is known to need MD5 and refusing it keeps MD5 out of the
code. Matching compares in constant time against every candidate.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from mikey.errors import MikeyInvalidCertError, MikeyInvalidHashError
from mikey.registry import HashFunc, label_of

__all__ = [
    "CHASH_HASHES",
    "certificate_hash",
    "check_certificate_hash",
    "find_certificate_by_hash",
]

CHASH_HASHES: dict[HashFunc | int, hashes.HashAlgorithm] = {
    HashFunc.SHA_1: hashes.SHA1(),  # RFC 3830 §6.8: mandatory
    HashFunc.SHA_256: hashes.SHA256(),  # RFC 6043 §6.8
}
"""CHASH hash functions computed and accepted."""

Certificate = TypeVar("Certificate", bound=x509.Certificate | bytes)


def _algorithm(hash_func: HashFunc | int) -> hashes.HashAlgorithm:
    algorithm = CHASH_HASHES.get(hash_func)
    if algorithm is None:
        raise MikeyInvalidHashError(
            f"CHASH with hash function {label_of(hash_func, HashFunc)} is not supported;"
            " SHA-1 or SHA-256"
        )
    return algorithm


def _digest(certificate: x509.Certificate | bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    if isinstance(certificate, x509.Certificate):
        certificate = certificate.public_bytes(serialization.Encoding.DER)
    digest = hashes.Hash(algorithm)
    digest.update(bytes(certificate))
    return digest.finalize()


def certificate_hash(certificate: x509.Certificate | bytes, hash_func: HashFunc | int) -> bytes:
    """The CHASH Hash field for ``certificate`` (a certificate or its DER bytes).

    :raises MikeyInvalidHashError: ``hash_func`` is MD5 or unassigned (Invalid HA).
    """
    return _digest(certificate, _algorithm(hash_func))


def find_certificate_by_hash(
    certificates: Iterable[Certificate], hash_func: HashFunc | int, digest: bytes
) -> Certificate:
    """The certificate among ``certificates`` that a received CHASH (``hash_func``,
    ``digest``) names: which of one's keys the peer used (RFC 3830 §3.2).

    Every candidate is hashed and compared in constant time, also after a match.

    :raises MikeyInvalidHashError: ``hash_func`` is MD5 or unassigned (Invalid HA).
    :raises MikeyInvalidCertError: no certificate matches (Invalid Cert).
    """
    algorithm = _algorithm(hash_func)
    matches = [
        certificate
        for certificate in certificates
        if hmac.compare_digest(_digest(certificate, algorithm), bytes(digest))
    ]
    if not matches:
        raise MikeyInvalidCertError(
            "the CHASH names none of this side's certificates: the envelope key was"
            " encrypted to another key"
        )
    return matches[0]


def check_certificate_hash(
    certificate: x509.Certificate | bytes, hash_func: HashFunc | int, digest: bytes
) -> None:
    """Check that a received CHASH names ``certificate``; return None.

    :raises MikeyInvalidHashError: ``hash_func`` is MD5 or unassigned (Invalid HA).
    :raises MikeyInvalidCertError: it names another certificate (Invalid Cert).
    """
    find_certificate_by_hash((certificate,), hash_func, digest)
