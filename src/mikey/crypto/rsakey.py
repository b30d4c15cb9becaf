"""The RSA keys MIKEY envelopes and signatures take: type and size checks shared by
``mikey.crypto.envelope`` and ``mikey.crypto.signature``.

RFC 3830 §4.2.5 and §4.2.6 let the certificate decide the algorithm and make RSA
(PKCS#1 v1.5) the one every implementation has; RSA is the only one here. RFC 3830 §9.1
asks that the key transport be at least as strong as the TGK it protects; the floor of
2048 bits (112-bit strength, NIST SP 800-57 Part 1 Table 2) is a policy, not an RFC
number, and every function that checks a key takes ``min_key_size`` to change it (RFC
3830's own example of 1024-bit RSA is below what is accepted today).

Who supplied a key decides the error: a peer's key (from its certificate) that cannot be
used is ``MikeyInvalidCertError`` (Invalid Cert, "Certificate not supported", RFC 3830
§6.12); one's own key is a configuration mistake, ``MikeyValueError``.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.errors import MikeyInvalidCertError, MikeyValueError

__all__ = ["MIN_RSA_KEY_SIZE", "rsa_private_key", "rsa_public_key"]

MIN_RSA_KEY_SIZE = 2048
"""The smallest RSA modulus accepted by default, in bits."""


def rsa_public_key(
    peer: x509.Certificate | object, *, min_key_size: int = MIN_RSA_KEY_SIZE
) -> rsa.RSAPublicKey:
    """The RSA public key of a peer: ``peer`` is its certificate or the key itself.

    :raises MikeyInvalidCertError: for a key that cannot be read, is not RSA, or has a
        modulus shorter than ``min_key_size`` bits.
    """
    key = peer
    if isinstance(peer, x509.Certificate):
        try:
            key = peer.public_key()
        except (UnsupportedAlgorithm, ValueError) as exc:
            raise MikeyInvalidCertError(f"the certificate's key cannot be read: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise MikeyInvalidCertError(
            f"the peer's key is a {type(key).__name__}; MIKEY envelopes and signatures"
            " are RSA here (RFC 3830 §4.2.5, §4.2.6)"
        )
    if key.key_size < min_key_size:
        raise MikeyInvalidCertError(
            f"the peer's RSA key has {key.key_size} bits; at least {min_key_size} are required"
        )
    return key


def rsa_private_key(key: object, *, min_key_size: int = MIN_RSA_KEY_SIZE) -> rsa.RSAPrivateKey:
    """``key``, checked to be an RSA private key of at least ``min_key_size`` bits.

    :raises MikeyValueError: otherwise.
    """
    if not isinstance(key, rsa.RSAPrivateKey):
        raise MikeyValueError(
            f"an RSA private key is needed (RFC 3830 §4.2.5, §4.2.6), got {type(key).__name__}"
        )
    if key.key_size < min_key_size:
        raise MikeyValueError(
            f"the RSA key has {key.key_size} bits; at least {min_key_size} are required"
        )
    return key
