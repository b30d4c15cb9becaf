"""The signature algorithms of RFC 9421 §3.3 (the initial "HTTP Signature Algorithms"
registry, §6.2.2) on pyca/cryptography: HTTP_SIGN and HTTP_VERIFY for each.

- ``rsa-pss-sha512`` (§3.3.1): RSASSA-PSS, SHA-512, MGF1 with SHA-512, a 64-byte salt.
- ``rsa-v1_5-sha256`` (§3.3.2): RSASSA-PKCS1-v1_5 with SHA-256.
- ``hmac-sha256`` (§3.3.3): HMAC-SHA-256, compared in constant time.
- ``ecdsa-p256-sha256``, ``ecdsa-p384-sha384`` (§3.3.4, §3.3.5): ECDSA whose output is
  r || s, each a fixed-size big-endian integer (32 or 48 bytes), not DER.
- ``ed25519`` (§3.3.6): Ed25519 (RFC 8032 §5.1.6) over the signature base itself.

Keys are pyca key objects, or ``bytes`` for the HMAC secret. An algorithm is only ever
used with a key of its own type (§3.2 step 8, §7.3.6): an RSA key never verifies an
HMAC, a P-256 key never an ECDSA P-384 signature. When no algorithm is named, it follows
from the key (``algorithm_for_key``); RSA keys then use RSA-PSS, the stronger of the two
RSA algorithms, so RSASSA-PKCS1-v1_5 has to be asked for by name.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from mikey.apiauth.failure import SignatureFailure, fail
from mikey.errors import MikeyValueError

__all__ = [
    "MIN_HMAC_KEY_LENGTH",
    "MIN_RSA_KEY_SIZE",
    "Algorithm",
    "PublicKey",
    "SigningKey",
    "VerificationKey",
    "algorithm_for_key",
    "check_key_fits",
    "choose_algorithm",
    "create_signature",
    "verify_signature",
]

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | bytes
"""A private key, or the shared secret for HMAC."""
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

MIN_RSA_KEY_SIZE = 2048
"""Smaller RSA keys are refused (NIST SP 800-131A Rev. 2 §3); the RFC's keys are 2048."""
MIN_HMAC_KEY_LENGTH = 32
"""Shorter HMAC-SHA-256 secrets are refused: RFC 2104 §3 discourages keys shorter than the
hash output."""


class Algorithm(StrEnum):
    """The "HTTP Signature Algorithms" registry (RFC 9421 §6.2.2): the ``alg`` values."""

    RSA_PSS_SHA512 = "rsa-pss-sha512"
    RSA_V1_5_SHA256 = "rsa-v1_5-sha256"
    HMAC_SHA256 = "hmac-sha256"
    ECDSA_P256_SHA256 = "ecdsa-p256-sha256"
    ECDSA_P384_SHA384 = "ecdsa-p384-sha384"
    ED25519 = "ed25519"


@dataclass(frozen=True, slots=True)
class _Spec:
    key_kind: str  # what _key_kind() says of a fitting key
    hash: hashes.HashAlgorithm | None  # None: Ed25519 hashes internally
    scalar_size: int = 0  # ECDSA: bytes of r and of s


_SPECS: dict[Algorithm, _Spec] = {
    Algorithm.RSA_PSS_SHA512: _Spec("RSA", hashes.SHA512()),
    Algorithm.RSA_V1_5_SHA256: _Spec("RSA", hashes.SHA256()),
    Algorithm.HMAC_SHA256: _Spec("HMAC secret", hashes.SHA256()),
    Algorithm.ECDSA_P256_SHA256: _Spec("EC secp256r1", hashes.SHA256(), 32),
    Algorithm.ECDSA_P384_SHA384: _Spec("EC secp384r1", hashes.SHA384(), 48),
    Algorithm.ED25519: _Spec("Ed25519", None),
}
_DEFAULT_FOR_KIND = {
    "RSA": Algorithm.RSA_PSS_SHA512,
    "HMAC secret": Algorithm.HMAC_SHA256,
    "EC secp256r1": Algorithm.ECDSA_P256_SHA256,
    "EC secp384r1": Algorithm.ECDSA_P384_SHA384,
    "Ed25519": Algorithm.ED25519,
}
_PSS_SALT_LENGTH = 64  # RFC 9421 §3.3.1


def _key_kind(key: object) -> str:
    """The kind of key, as the specs name it; refuses what no algorithm here takes."""
    if isinstance(key, bytes):
        if len(key) < MIN_HMAC_KEY_LENGTH:
            raise MikeyValueError(
                f"HMAC secret of {len(key)} bytes; at least {MIN_HMAC_KEY_LENGTH} are needed"
            )
        return "HMAC secret"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_KEY_SIZE:
            raise MikeyValueError(
                f"RSA key of {key.key_size} bits; at least {MIN_RSA_KEY_SIZE} are needed"
            )
        return "RSA"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        kind = f"EC {key.curve.name}"
        if kind not in _DEFAULT_FOR_KIND:
            raise MikeyValueError(f"no RFC 9421 algorithm uses curve {key.curve.name}")
        return kind
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "Ed25519"
    raise MikeyValueError(f"a {type(key).__name__} is not a key RFC 9421 signs with")


def algorithm_for_key(key: SigningKey | PublicKey) -> Algorithm:
    """The algorithm used with ``key`` when none is named: RSA-PSS for RSA keys, ECDSA with
    the curve's hash, Ed25519, HMAC-SHA-256 for a secret.

    :raises MikeyValueError: not a usable key (type, RSA size, curve, secret length).
    """
    return _DEFAULT_FOR_KIND[_key_kind(key)]


def check_key_fits(algorithm: Algorithm, key: SigningKey | PublicKey) -> None:
    """Refuse a key that is not of ``algorithm``'s type (RFC 9421 §3.1 step 1, §7.3.6).

    :raises MikeyValueError: the key does not fit, or is not usable at all.
    """
    kind = _key_kind(key)
    if _SPECS[algorithm].key_kind != kind:
        raise MikeyValueError(f"{algorithm} needs a {_SPECS[algorithm].key_kind} key, not {kind}")


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationKey:
    """What a key resolver answers: the key a signature is checked with, and the algorithm
    the key is bound to, if it is (RFC 9421 §3.2 step 6.3).

    With ``algorithm`` set, a signature naming another ``alg`` is refused; without it, the
    signature's ``alg`` is used when it names one (and must fit the key), else
    ``algorithm_for_key``.
    Binding RSA keys is how a verifier refuses RSASSA-PKCS1-v1_5 for a key meant for
    RSA-PSS (§7.3.6).

    :raises MikeyValueError: the key is not usable, or does not fit ``algorithm``.
    """

    key: PublicKey | bytes = field(repr=False)
    algorithm: Algorithm | None = None

    def __post_init__(self) -> None:
        private = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
        if isinstance(self.key, private):
            raise MikeyValueError("a verification key is a public key, not a private one")
        if self.algorithm is None:
            _key_kind(self.key)
        else:
            check_key_fits(Algorithm(self.algorithm), self.key)


def choose_algorithm(
    key: VerificationKey, named: str | None, *, allowed: Collection[Algorithm], label: str
) -> Algorithm:
    """RFC 9421 §3.2 step 6: the algorithm from the key and from the ``alg`` parameter
    must agree, fit the key, and be one the verifier allows.

    :raises MikeySignatureError: reason "algorithm refused".
    """
    from_signature: Algorithm | None = None
    if named is not None:
        try:
            from_signature = Algorithm(named)
        except ValueError:
            fail(SignatureFailure.ALGORITHM, f"unknown algorithm {named!r}", label=label)
    if key.algorithm is not None and from_signature not in (None, key.algorithm):
        fail(
            SignatureFailure.ALGORITHM,
            f"the signature names {from_signature}, the key is bound to {key.algorithm}",
            label=label,
        )
    algorithm = key.algorithm or from_signature or algorithm_for_key(key.key)
    try:
        check_key_fits(algorithm, key.key)
    except MikeyValueError as error:
        fail(SignatureFailure.ALGORITHM, str(error), label=label)
    if algorithm not in allowed:
        fail(SignatureFailure.ALGORITHM, f"{algorithm} is not allowed here", label=label)
    return algorithm


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=_PSS_SALT_LENGTH)


def create_signature(algorithm: Algorithm, key: SigningKey, base: bytes) -> bytes:
    """HTTP_SIGN (RFC 9421 §3.3): sign the signature base.

    :raises MikeyValueError: the key does not fit the algorithm, or is not usable.
    """
    check_key_fits(algorithm, key)
    spec = _SPECS[algorithm]
    if isinstance(key, bytes):
        mac = hmac.HMAC(key, hashes.SHA256())
        mac.update(base)
        return mac.finalize()
    if isinstance(key, rsa.RSAPrivateKey) and spec.hash is not None:
        pad = _pss() if algorithm is Algorithm.RSA_PSS_SHA512 else padding.PKCS1v15()
        return key.sign(base, pad, spec.hash)
    if isinstance(key, ec.EllipticCurvePrivateKey) and spec.hash is not None:
        r, s = decode_dss_signature(key.sign(base, ec.ECDSA(spec.hash)))
        return r.to_bytes(spec.scalar_size, "big") + s.to_bytes(spec.scalar_size, "big")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(base)
    raise MikeyValueError(f"{algorithm} signs with a private key, not a public one")


def verify_signature(
    algorithm: Algorithm, key: PublicKey | bytes, base: bytes, signature: bytes, *, label: str
) -> None:
    """HTTP_VERIFY (RFC 9421 §3.3) for a key that fits ``algorithm`` (``choose_algorithm``).

    :raises MikeySignatureError: reason "bad signature".
    """
    spec = _SPECS[algorithm]
    try:
        if isinstance(key, bytes):
            mac = hmac.HMAC(key, hashes.SHA256())
            mac.update(base)
            mac.verify(signature)  # constant-time comparison
        elif isinstance(key, rsa.RSAPublicKey) and spec.hash is not None:
            pad = _pss() if algorithm is Algorithm.RSA_PSS_SHA512 else padding.PKCS1v15()
            key.verify(signature, base, pad, spec.hash)
        elif isinstance(key, ec.EllipticCurvePublicKey) and spec.hash is not None:
            if len(signature) != 2 * spec.scalar_size:
                raise InvalidSignature
            r = int.from_bytes(signature[: spec.scalar_size], "big")
            s = int.from_bytes(signature[spec.scalar_size :], "big")
            key.verify(encode_dss_signature(r, s), base, ec.ECDSA(spec.hash))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, base)
        else:  # pragma: no cover - choose_algorithm made sure the key fits
            raise InvalidSignature
    except InvalidSignature:
        fail(
            SignatureFailure.BAD_SIGNATURE,
            f"the {algorithm} signature does not verify",
            label=label,
        )
