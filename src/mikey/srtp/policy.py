"""SRTP crypto policies: which cipher, which tags, what is switched on.

One ``SrtpPolicy`` describes both directions of a stream's protection: the cipher and
its master key and salt lengths (RFC 3711 §8.2, AES-256-CM of RFC 6188 §7, AEAD AES-GCM
of RFC 7714 §12 with the 12-byte salt of §8), the SRTP and SRTCP authentication tag
lengths (RFC 3711 §4.2; RFC 7714's AEAD tag), and the on/off switches of RFC 3830
§6.10.1 parameters 7, 8 and 10. It is what both MIKEY (``security_policy``) and SDES
(``mikey.signalling.sdes``) produce, and what ``SrtpSession`` consumes.

Only what libsrtp can run is representable: an object that exists can key a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mikey.errors import MikeyPolicyParamError

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
]

# RFC 3711 §4.2.1: HMAC-SHA-1 tags are truncations of a 160-bit output; RFC 3711 §5.2
# and RFC 4568 use 4 and 10 bytes. libsrtp 2.x checks tags in a 16-byte buffer
# (SRTP_MAX_TAG_LEN), so 17-20 cannot be run. RFC 7714 §14.2 (and libsrtp) allow 8 and
# 16 for GCM.
HMAC_SHA1_MAX_TAG = 16
GCM_TAGS = (8, 16)


class SrtpCipher(Enum):
    """An SRTP cipher with its master key and master salt lengths in bytes."""

    NULL = ("NULL", 16, 14)
    AES_CM_128 = ("AES-CM-128", 16, 14)
    AES_CM_192 = ("AES-CM-192", 24, 14)
    AES_CM_256 = ("AES-CM-256", 32, 14)
    AES_GCM_128 = ("AES-GCM-128", 16, 12)
    AES_GCM_256 = ("AES-GCM-256", 32, 12)

    def __init__(self, label: str, key_length: int, salt_length: int) -> None:
        self.label = label
        self.key_length = key_length
        self.salt_length = salt_length

    @property
    def is_aead(self) -> bool:
        """Whether the cipher authenticates itself (AES-GCM, RFC 7714)."""
        return self in (SrtpCipher.AES_GCM_128, SrtpCipher.AES_GCM_256)


@dataclass(frozen=True, slots=True, kw_only=True)
class SrtpPolicy:
    """How SRTP and SRTCP packets of a stream are protected.

    For AES-CM and NULL the tags are HMAC-SHA-1 truncations (0-16 bytes, libsrtp's
    limit; 0 only when ``srtp_authentication`` is off, as SRTCP must always be
    authenticated, RFC 3711 §3.4). For AES-GCM both tag lengths are the AEAD tag (8 or 16 bytes) and
    authentication cannot be turned off. The NULL cipher keys the SRTP key derivation
    with a 16-byte AES-CM master key, as libsrtp does; its packets are authenticated only.
    """

    cipher: SrtpCipher
    srtp_auth_tag_length: int = 10
    srtcp_auth_tag_length: int = 10
    srtp_encryption: bool = True
    srtcp_encryption: bool = True
    srtp_authentication: bool = True

    def __post_init__(self) -> None:
        if self.cipher is SrtpCipher.NULL and (self.srtp_encryption or self.srtcp_encryption):
            raise MikeyPolicyParamError(
                "the NULL cipher does not encrypt: set srtp_encryption and srtcp_encryption off"
            )
        if self.cipher.is_aead:
            for name, tag in (
                ("SRTP", self.srtp_auth_tag_length),
                ("SRTCP", self.srtcp_auth_tag_length),
            ):
                if tag not in GCM_TAGS:
                    raise MikeyPolicyParamError(
                        f"{self.cipher.label} needs an {name} AEAD tag of 8 or 16 bytes, not {tag}"
                    )
            if not self.srtp_authentication:
                raise MikeyPolicyParamError(
                    f"{self.cipher.label} always authenticates: SRTP authentication cannot be off"
                )
            return
        if not 0 <= self.srtp_auth_tag_length <= HMAC_SHA1_MAX_TAG:
            raise MikeyPolicyParamError(
                f"SRTP tag length {self.srtp_auth_tag_length} is outside 0-16 bytes (libsrtp)"
            )
        if not 4 <= self.srtcp_auth_tag_length <= HMAC_SHA1_MAX_TAG:
            raise MikeyPolicyParamError(
                f"SRTCP tag length {self.srtcp_auth_tag_length} is outside 4-16 bytes "
                "(SRTCP is always authenticated, RFC 3711 §3.4)"
            )
        if self.srtp_authentication != (self.srtp_auth_tag_length > 0):
            raise MikeyPolicyParamError(
                "SRTP authentication on needs a tag length above 0, and off needs 0 "
                f"(got {'on' if self.srtp_authentication else 'off'}, "
                f"{self.srtp_auth_tag_length} bytes)"
            )

    @property
    def master_key_length(self) -> int:
        """The SRTP master key length in bytes (RFC 3711 §8.2, RFC 6188, RFC 7714)."""
        return self.cipher.key_length

    @property
    def master_salt_length(self) -> int:
        """The SRTP master salt length in bytes: 14, or 12 for AES-GCM (RFC 7714 §8)."""
        return self.cipher.salt_length

    @property
    def name(self) -> str:
        """The RFC 4568 / RFC 6188 / RFC 7714 suite name, or a description."""
        for suite_name, suite in _SUITES.items():
            if suite == self:
                return suite_name
        return (
            f"{self.cipher.label} SRTP tag {self.srtp_auth_tag_length} "
            f"SRTCP tag {self.srtcp_auth_tag_length}"
            + ("" if self.srtp_encryption else " SRTP unencrypted")
            + ("" if self.srtcp_encryption else " SRTCP unencrypted")
        )


AES_CM_128_HMAC_SHA1_80 = SrtpPolicy(cipher=SrtpCipher.AES_CM_128)
# One tag length for both, as a MIKEY policy has (RFC 3830 §6.10.1 parameter 11) and
# GStreamer does; the RFC 4568 suite of the same name keeps 10 bytes for SRTCP.
AES_CM_128_HMAC_SHA1_32 = SrtpPolicy(
    cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=4, srtcp_auth_tag_length=4
)
AES_256_CM_HMAC_SHA1_80 = SrtpPolicy(cipher=SrtpCipher.AES_CM_256)
AES_256_CM_HMAC_SHA1_32 = SrtpPolicy(
    cipher=SrtpCipher.AES_CM_256, srtp_auth_tag_length=4, srtcp_auth_tag_length=4
)
AEAD_AES_128_GCM = SrtpPolicy(
    cipher=SrtpCipher.AES_GCM_128, srtp_auth_tag_length=16, srtcp_auth_tag_length=16
)
AEAD_AES_256_GCM = SrtpPolicy(
    cipher=SrtpCipher.AES_GCM_256, srtp_auth_tag_length=16, srtcp_auth_tag_length=16
)
NULL_HMAC_SHA1_80 = SrtpPolicy(
    cipher=SrtpCipher.NULL, srtp_encryption=False, srtcp_encryption=False
)

_SUITES = {
    "AES_CM_128_HMAC_SHA1_80": AES_CM_128_HMAC_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": AES_CM_128_HMAC_SHA1_32,
    "AES_256_CM_HMAC_SHA1_80": AES_256_CM_HMAC_SHA1_80,
    "AES_256_CM_HMAC_SHA1_32": AES_256_CM_HMAC_SHA1_32,
    "AEAD_AES_128_GCM": AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": AEAD_AES_256_GCM,
    "NULL_HMAC_SHA1_80": NULL_HMAC_SHA1_80,
}
