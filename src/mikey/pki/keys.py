"""Key pairs for the PKI: the key types a CA issues for and signs with, and the signature
hash each uses (RFC 5280 §4.1.1.2; RSA PKCS#1 v1.5 with SHA-256 or SHA-384 as RFC 4055
§5 and RFC 8017 allow, ECDSA with the hash of the curve's size as RFC 5758 §3.2 advises,
Ed25519 with none, RFC 8410 §6). Generation is pyca/cryptography's."""

from __future__ import annotations

from enum import Enum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from mikey.errors import MikeyValueError

__all__ = ["KeyType", "PrivateKey", "PublicKey", "key_type_of", "signature_hash"]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


class KeyType(Enum):
    """A key algorithm and size; the value is its CLI and JSON name."""

    RSA_2048 = "rsa-2048"
    RSA_3072 = "rsa-3072"
    RSA_4096 = "rsa-4096"
    ECDSA_P256 = "ecdsa-p256"
    ECDSA_P384 = "ecdsa-p384"
    ED25519 = "ed25519"

    @property
    def is_rsa(self) -> bool:
        return self in (KeyType.RSA_2048, KeyType.RSA_3072, KeyType.RSA_4096)

    def generate(self) -> PrivateKey:
        """A fresh private key of this type."""
        if self.is_rsa:
            return rsa.generate_private_key(public_exponent=65537, key_size=int(self.value[4:]))
        if self is KeyType.ECDSA_P256:
            return ec.generate_private_key(ec.SECP256R1())
        if self is KeyType.ECDSA_P384:
            return ec.generate_private_key(ec.SECP384R1())
        return ed25519.Ed25519PrivateKey.generate()


_CURVES = {"secp256r1": KeyType.ECDSA_P256, "secp384r1": KeyType.ECDSA_P384}
_RSA_SIZES = {2048: KeyType.RSA_2048, 3072: KeyType.RSA_3072, 4096: KeyType.RSA_4096}


def key_type_of(key: PrivateKey | PublicKey | object) -> KeyType:
    """The ``KeyType`` of a private or public key.

    :raises MikeyValueError: for a key type or size the PKI does not use.
    """
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        found = _RSA_SIZES.get(key.key_size)
        if found is None:
            raise MikeyValueError(f"RSA keys of {key.key_size} bits are not used here")
        return found
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        curve = _CURVES.get(key.curve.name)
        if curve is None:
            raise MikeyValueError(f"the curve {key.curve.name} is not used here")
        return curve
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return KeyType.ED25519
    raise MikeyValueError(f"{type(key).__name__} keys are not used here")


def signature_hash(key: PrivateKey) -> hashes.HashAlgorithm | None:
    """The hash a CA key signs with: SHA-384 for P-384 and RSA above 3072 bits, SHA-256
    otherwise, none for Ed25519 (RFC 8410 §6)."""
    key_type = key_type_of(key)
    if key_type is KeyType.ED25519:
        return None
    if key_type in (KeyType.ECDSA_P384, KeyType.RSA_4096):
        return hashes.SHA384()
    return hashes.SHA256()
