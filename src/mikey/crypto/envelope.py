"""The envelope key of the public-key methods, encrypted to the other side's RSA key.

RFC 3830 §3.2 (PKE = E(PKr, env_key): the Initiator's random envelope key, from which
the KEMAC keys derive, §4.1.4), §4.2.5 (RSA PKCS#1 v1.5 mandatory, RSA OAEP
recommended, "defined by, and dependent on the certificate used"), §6.3 (the PKE
payload carries the result); RFC 4738 §3.6 (RSA-R: the same envelope the other way
round, PKE = E(PKi, env_key), the Responder's envelope key to the Initiator's key).

Encryption is pyca/cryptography's RSAES-PKCS1-v1_5 or RSAES-OAEP (RFC 8017 §7). OAEP
uses the defaults of PKCS #1 v2.1, the version RFC 3830 cites: SHA-1, MGF1 with SHA-1,
an empty label (RFC 8017 Appendix A.2.1); the PKE payload has no field to say which
scheme was used, so both sides must agree (through the certificate, RFC 4055 §4).

No padding oracle. A Responder that answered a bad PKCS#1 v1.5 ciphertext differently
from a good one (an error message, or just a different time) would let anyone who
recorded a PKE recover the envelope key (Bleichenbacher 1998). So ``open_envelope``
never fails on what the ciphertext contains:

* OpenSSL 3.2 and later (pyca/cryptography's wheels bundle it) applies implicit
  rejection to PKCS#1 v1.5 (draft-irtf-cfrg-rsa-guidance): a ciphertext that does not
  decrypt yields a pseudo-random "plaintext" derived from it and the private key, not
  an error (``tests/crypto/test_envelope.py`` checks what the installed one does);
* any error pyca still raises (OAEP, or a build on an OpenSSL without implicit
  rejection), and a plaintext not of the expected length, are replaced by random
  bytes, as TLS 1.2 does for its premaster secret (RFC 5246 §7.4.7.1).

Either way a wrong key, or a ciphertext altered on the way, yields an envelope key the
sender did not choose, and the exchange fails where every other mistake fails: the
KEMAC MAC does not verify (``mikey.crypto.verify_mac``, Auth failure). Only facts that
are public anyway (a ciphertext whose length is not the modulus length) are refused at
once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import Enum

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from mikey.crypto.rsakey import MIN_RSA_KEY_SIZE, rsa_private_key, rsa_public_key
from mikey.errors import MikeyAuthenticationError, MikeyValueError

__all__ = [
    "ENVELOPE_KEY_LENGTH",
    "EnvelopeEncryption",
    "open_envelope",
    "seal_envelope",
]

ENVELOPE_KEY_LENGTH = 32
"""Bytes of a fresh envelope key: 256 bits. RFC 3830 fixes no length (the PRF of
§4.1.2 takes any); 16 bytes (128 bits, RFC 3830 §9.1's level) is the least sealed."""

_MIN_ENVELOPE_KEY_LENGTH = 16


class EnvelopeEncryption(Enum):
    """The public-key encryption of the envelope key (RFC 3830 §4.2.5)."""

    RSAES_PKCS1_V1_5 = "RSAES-PKCS1-v1_5"  # mandatory
    RSAES_OAEP = "RSAES-OAEP"  # recommended; SHA-1, MGF1-SHA-1, empty label

    def padding(self) -> padding.AsymmetricPadding:
        if self is EnvelopeEncryption.RSAES_OAEP:
            return padding.OAEP(
                mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None
            )
        return padding.PKCS1v15()

    def overhead(self) -> int:
        """Bytes of the modulus the padding takes (RFC 8017 §7.1.1, §7.2.1)."""
        return 2 * 20 + 2 if self is EnvelopeEncryption.RSAES_OAEP else 11


def seal_envelope(
    recipient: x509.Certificate | object,
    envelope_key: bytes,
    *,
    encryption: EnvelopeEncryption = EnvelopeEncryption.RSAES_PKCS1_V1_5,
    min_key_size: int = MIN_RSA_KEY_SIZE,
) -> bytes:
    """PKE data: ``envelope_key`` encrypted to ``recipient`` (its certificate or RSA
    public key): the Responder in the public-key method (RFC 3830 §3.2), the Initiator
    in RSA-R (RFC 4738 §3.6). The result is as long as the recipient's modulus.

    :raises MikeyInvalidCertError: the recipient's key is not RSA or too small.
    :raises MikeyValueError: the envelope key is shorter than 16 bytes or does not fit
        the modulus with its padding.
    """
    key = rsa_public_key(recipient, min_key_size=min_key_size)
    room = (key.key_size + 7) // 8 - encryption.overhead()
    if not _MIN_ENVELOPE_KEY_LENGTH <= len(envelope_key) <= room:
        raise MikeyValueError(
            f"an envelope key of {len(envelope_key)} bytes cannot be sealed: at least"
            f" {_MIN_ENVELOPE_KEY_LENGTH}, and at most {room} for a {key.key_size}-bit key"
            f" with {encryption.value}"
        )
    return key.encrypt(bytes(envelope_key), encryption.padding())


def open_envelope(
    private_key: object,
    data: bytes,
    *,
    encryption: EnvelopeEncryption = EnvelopeEncryption.RSAES_PKCS1_V1_5,
    expected_length: int | None = None,
    rng: Callable[[int], bytes] = os.urandom,
    min_key_size: int = MIN_RSA_KEY_SIZE,
) -> bytes:
    """The envelope key in PKE ``data``, decrypted with one's own RSA ``private_key``.

    Never a padding oracle (see the module notes): if ``data`` does not decrypt, or
    decrypts to an empty key or (with ``expected_length``) to a key of another length,
    the result is ``rng`` bytes (``expected_length`` of them, else
    ``ENVELOPE_KEY_LENGTH``) and the failure shows when the KEMAC MAC is checked with
    the keys derived from it: Auth failure. Always check that MAC before using anything
    the envelope key protects.

    :raises MikeyAuthenticationError: ``data`` is not as long as the modulus (public
        information, so no oracle).
    :raises MikeyValueError: one's own key is not RSA or too small, or
        ``expected_length`` is not positive.
    """
    key = rsa_private_key(private_key, min_key_size=min_key_size)
    if expected_length is not None and expected_length < 1:
        raise MikeyValueError(f"expected_length must be positive, got {expected_length}")
    modulus_length = (key.key_size + 7) // 8
    if len(data) != modulus_length:
        raise MikeyAuthenticationError(
            f"PKE data is {len(data)} bytes; a {key.key_size}-bit key's ciphertext is"
            f" {modulus_length}"
        )
    try:
        envelope_key = key.decrypt(bytes(data), encryption.padding())
    except ValueError:  # the one error pyca raises for a ciphertext that does not decrypt
        envelope_key = b""
    length = expected_length or ENVELOPE_KEY_LENGTH
    if not envelope_key or (expected_length is not None and len(envelope_key) != length):
        return rng(length)
    return envelope_key
