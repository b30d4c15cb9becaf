"""RSA signatures for the SIGN payload: RFC 3830 §4.2.6 (RSA PKCS#1 v1.5 mandatory,
RSA-PSS recommended, the algorithm "defined by, and dependent on the certificate
used"), §6.5 (S type 0 = RSA/PKCS#1/1.5, 1 = RSA/PSS; ECCSI = 2, RFC 6509 §4.1, is not
RSA and not done here), with pyca/cryptography's RSASSA-PKCS1-v1_5 and RSASSA-PSS
(RFC 8017 §8). What a signature covers (RFC 3830 §5.2, RFC 4738 §3.6) is the message
layer's business: this module signs and verifies the bytes it is given.

The hash. RFC 3830 names none for signatures and the SIGN payload carries none; §4.2.1
makes SHA-1 MIKEY's mandatory default hash function, and the reference implementation
signs with SHA-1 (minisip, ``libmcrypto/source/openssl/cert.cxx``: ``EVP_sha1()`` in
``signData`` and ``verifSign``). SHA-1 signatures are no longer acceptable to make
(NIST SP 800-131A Rev. 2 §9 disallows SHA-1 for signature generation; RFC 3830 §9.1
itself asks for SHA-256 at the 128-bit level), so the default here is SHA-256 and
SHA-1 is there for peers that need it: a signer picks one ``hash_func``, a verifier
lists the ones it accepts (``hash_funcs``) and each is tried in turn, since the payload
does not say which was used (at most two public-key operations). Both sides must agree
out of band, per peer; MD5 is refused.

RSA-PSS uses MGF1 with the same hash and a salt as long as the hash (RFC 8017 §9.1
names hLen as the typical salt length; RFC 4055 §3.1 recommends it). The verifier
lets OpenSSL find the salt length in the signature (the 0x01 separator of RFC 8017
§9.1.2 step 10), so peers that chose another length still verify.
"""

from __future__ import annotations

from collections.abc import Collection

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from mikey.crypto.rsakey import MIN_RSA_KEY_SIZE, rsa_private_key, rsa_public_key
from mikey.errors import MikeyAuthenticationError, MikeyInvalidHashError, MikeyValueError
from mikey.registry import HashFunc, SType, label_of

__all__ = [
    "DEFAULT_SIGNATURE_HASH",
    "SIGNATURE_HASHES",
    "create_signature",
    "verify_signature",
]

SIGNATURE_HASHES: dict[HashFunc | int, hashes.HashAlgorithm] = {
    HashFunc.SHA_1: hashes.SHA1(),  # RFC 3830 §4.2.1's default; for peers that use it
    HashFunc.SHA_256: hashes.SHA256(),
}
"""Hash functions RSA signatures are made or checked with (MIKEY's hash registry,
RFC 3830 §6.8, RFC 6043 §6.8); MD5 is not one."""

DEFAULT_SIGNATURE_HASH = HashFunc.SHA_256


def _hash(hash_func: HashFunc | int) -> hashes.HashAlgorithm:
    algorithm = SIGNATURE_HASHES.get(hash_func)
    if algorithm is None:
        raise MikeyInvalidHashError(
            f"signatures with hash function {label_of(hash_func, HashFunc)} are not made or"
            " accepted here; SHA-256 or SHA-1"
        )
    return algorithm


def _padding(
    s_type: SType | int, algorithm: hashes.HashAlgorithm, *, verify: bool
) -> padding.AsymmetricPadding:
    if s_type == SType.RSA_PKCS1_1_5:
        return padding.PKCS1v15()
    # RSA/PSS: salt as long as the hash when signing; any length when verifying.
    salt = padding.PSS.AUTO if verify else padding.PSS.DIGEST_LENGTH
    return padding.PSS(mgf=padding.MGF1(algorithm), salt_length=salt)


def create_signature(
    data: bytes,
    private_key: object,
    *,
    s_type: SType = SType.RSA_PKCS1_1_5,
    hash_func: HashFunc = DEFAULT_SIGNATURE_HASH,
    min_key_size: int = MIN_RSA_KEY_SIZE,
) -> bytes:
    """The SIGN payload's Signature field over ``data`` with one's own RSA key: as many
    bytes as the modulus (RFC 3830 §6.5, RFC 8017 §8.1.1, §8.2.1).

    :raises MikeyValueError: ``s_type`` is not an RSA signature, or the key is not an
        RSA private key of ``min_key_size`` bits or more.
    :raises MikeyInvalidHashError: ``hash_func`` is not SHA-1 or SHA-256.
    """
    key = rsa_private_key(private_key, min_key_size=min_key_size)
    if s_type not in (SType.RSA_PKCS1_1_5, SType.RSA_PSS):
        raise MikeyValueError(f"S type {label_of(s_type, SType)} is not an RSA signature")
    algorithm = _hash(hash_func)
    return key.sign(bytes(data), _padding(s_type, algorithm, verify=False), algorithm)


def verify_signature(
    signature: bytes,
    data: bytes,
    signer: x509.Certificate | object,
    *,
    s_type: SType | int,
    hash_funcs: Collection[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
    min_key_size: int = MIN_RSA_KEY_SIZE,
) -> None:
    """Check a SIGN payload's ``signature`` of type ``s_type`` over ``data`` with the
    ``signer``'s certificate or RSA public key; return None.

    Each hash of ``hash_funcs`` is tried in order (the payload does not name one).

    :raises MikeyAuthenticationError: the signature does not verify with any of them, or
        ``s_type`` is not an RSA signature (Auth failure).
    :raises MikeyInvalidCertError: the signer's key is not RSA or too small.
    :raises MikeyInvalidHashError: ``hash_funcs`` is empty or names MD5 or another hash
        not used here.
    """
    if s_type not in (SType.RSA_PKCS1_1_5, SType.RSA_PSS):
        raise MikeyAuthenticationError(
            f"signatures of S type {label_of(s_type, SType)} cannot be verified here"
        )
    algorithms = [_hash(hash_func) for hash_func in hash_funcs]
    if not algorithms:
        raise MikeyInvalidHashError("no hash function is accepted for signatures")
    key = rsa_public_key(signer, min_key_size=min_key_size)
    for algorithm in algorithms:
        try:
            key.verify(
                bytes(signature), bytes(data), _padding(s_type, algorithm, verify=True), algorithm
            )
        except InvalidSignature:
            continue
        return
    raise MikeyAuthenticationError(f"the {label_of(s_type, SType)} signature does not verify")
