"""SRTP keyed by mikey: crypto policies and libsrtp sessions (RFC 3711, RFC 6188, RFC 7714).

Needs the ``srtp`` extra (pylibsrtp, cffi) for sessions: ``SrtpSession`` imports without
it and raises ``MikeySrtpError`` when constructed. Policies need nothing.
"""

from mikey.srtp.policy import (
    AEAD_AES_128_GCM,
    AEAD_AES_256_GCM,
    AES_256_CM_HMAC_SHA1_32,
    AES_256_CM_HMAC_SHA1_80,
    AES_CM_128_HMAC_SHA1_32,
    AES_CM_128_HMAC_SHA1_80,
    NULL_HMAC_SHA1_80,
    SrtpCipher,
    SrtpPolicy,
)
from mikey.srtp.session import SrtpSession

__all__ = [
    "AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM",
    "AES_256_CM_HMAC_SHA1_32",
    "AES_256_CM_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
    "AES_CM_128_HMAC_SHA1_80",
    "NULL_HMAC_SHA1_80",
    "SrtpCipher",
    "SrtpPolicy",
    "SrtpSession",
]
