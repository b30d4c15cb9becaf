"""KEMAC protection: the message keys, key data transport encryption and the MAC.

RFC 3830 §4.1.4 (encryption, authentication and salt keys from an envelope or pre-shared
key), §4.2.3 (AES-CM key data transport encryption and its IV), §4.2.4 (HMAC-SHA-1-160),
§6.2 (KEMAC), §6.6 (COUNTER padded to 64 bits); RFC 6043 §6.2 (AES-CM-256,
HMAC-SHA-256-256) and §6.3 (NTP-UTC-32 padded to 64 bits for the IV); RFC 3711 §4.1.1
(AES in counter mode, as SRTP uses it).

What a MAC covers (the whole message in the pre-shared key method, the KEMAC alone in the
public-key method, RFC 3830 §5.2, §6.2) is the wire layer's business:
``Message.authenticated_bytes`` and ``Message.kemac_mac_bytes``.

AES-KW-128 (RFC 3830 §4.2.3) is the RFC 3394 key wrap under the 128-bit encryption key
with the derived 64-bit salt S as its initial value (``mikey.crypto.keywrap``, OpenSSL's
wrap cipher, since pyca/cryptography's takes no initial value). Unlike AES-CM it
authenticates: unwrapping data that was altered, or under other keys, raises
``MikeyAuthenticationError``. Key data whose length is not a multiple of 8 bytes cannot
be wrapped (RFC 3830 defines no padding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hmac import HMAC

from mikey.crypto.keywrap import aes_key_unwrap, aes_key_wrap
from mikey.crypto.prf import MessageKeyConstant, message_key_label, prf_many
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyInvalidEncrAlgError,
    MikeyInvalidMacAlgError,
    MikeyValueError,
)
from mikey.registry import EncrAlg, MacAlg, PrfFunc, TsType, label_of

__all__ = [
    "MessageKeys",
    "Timestamp",
    "aes_cm",
    "aes_cm_iv",
    "compute_mac",
    "decrypt_key_data",
    "encrypt_key_data",
    "message_keys",
    "padded_timestamp",
    "verify_mac",
]

SALT_LENGTH = 14
"""S, the 112-bit salting key of AES-CM-128 (RFC 3830 §4.2.3); AES-CM-256 keeps it, as
RFC 6043 §6.2 changes only the key length."""

MAX_DATA_LENGTH = 1 << 20
"""2^23 bits: the 16 low bits of the IV count blocks, so at most 2^16 blocks of keystream
per IV (RFC 3830 §4.2.3 note, RFC 3711 §4.1.1)."""


@dataclass(frozen=True, slots=True)
class _CipherSpec:
    key_length: int  # bytes; 0 for NULL
    salt_length: int
    key_wrap: bool = False


_CIPHERS: dict[int, _CipherSpec] = {
    EncrAlg.NULL: _CipherSpec(0, 0),
    EncrAlg.AES_CM_128: _CipherSpec(16, SALT_LENGTH),  # RFC 3830 §4.2.3
    EncrAlg.AES_CM_256: _CipherSpec(32, SALT_LENGTH),  # RFC 6043 §6.2
    EncrAlg.AES_KW_128: _CipherSpec(16, 8, key_wrap=True),  # RFC 3830 §4.2.3: 64-bit S
}

# MAC alg: hash and authentication key length in bytes. RFC 3830 §4.2.4: the key "SHOULD be
# equal to the size of the hash function's output"; RFC 6043 §6.2: a 256-bit key.
_MACS: dict[int, tuple[hashes.HashAlgorithm | None, int]] = {
    MacAlg.NULL: (None, 0),
    MacAlg.HMAC_SHA_1_160: (hashes.SHA1(), 20),
    MacAlg.HMAC_SHA_256_256: (hashes.SHA256(), 32),
}


def _cipher_spec(encr_alg: EncrAlg | int) -> _CipherSpec:
    spec = _CIPHERS.get(encr_alg)
    if spec is None:
        raise MikeyInvalidEncrAlgError(f"Encr alg {label_of(encr_alg, EncrAlg)} is not supported")
    return spec


def _mac_spec(mac_alg: MacAlg | int) -> tuple[hashes.HashAlgorithm | None, int]:
    spec = _MACS.get(mac_alg)
    if spec is None:
        raise MikeyInvalidMacAlgError(f"MAC alg {label_of(mac_alg, MacAlg)} is not supported")
    return spec


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageKeys:
    """The keys that protect a KEMAC and the MACs of one exchange (RFC 3830 §4.1.4).

    ``encryption`` and ``salt`` are empty for the NULL encryption algorithm,
    ``authentication`` for the NULL MAC. The repr shows lengths only.
    """

    encryption: bytes = field(repr=False)
    authentication: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"MessageKeys(encryption=<{len(self.encryption)} bytes>,"
            f" authentication=<{len(self.authentication)} bytes>, salt=<{len(self.salt)} bytes>)"
        )


def message_keys(
    key: bytes,
    *,
    csb_id: int,
    rand: bytes,
    encr_alg: EncrAlg | int,
    mac_alg: MacAlg | int,
    prf_func: PrfFunc | int = PrfFunc.MIKEY_1,
) -> MessageKeys:
    """Derive the encryption, authentication and salt keys from an envelope or pre-shared
    ``key`` (RFC 3830 §4.1.4) at the lengths ``encr_alg`` and ``mac_alg`` need: AES-CM-128
    16-byte key and 14-byte salt (§4.2.3), AES-KW-128 16 and 8 (the 64-bit S of §4.2.3),
    AES-CM-256 32 and 14 (RFC 6043 §6.2), HMAC-SHA-1-160 a 20-byte key (§4.2.4),
    HMAC-SHA-256-256 32 (RFC 6043 §6.2), NULL none.

    :raises MikeyInvalidEncrAlgError: for unregistered encryption algorithms (Invalid EA).
    :raises MikeyInvalidMacAlgError: for unregistered MAC algorithms (Invalid MAC).
    :raises MikeyValueError: for an empty key or RAND, a CSB ID over 32 bits, or a PRF
        this implementation does not know.
    """
    cipher = _cipher_spec(encr_alg)
    _, mac_key_length = _mac_spec(mac_alg)

    requests = [
        (message_key_label(constant, csb_id=csb_id, rand=rand), length)
        for constant, length in (
            (MessageKeyConstant.ENCRYPTION, cipher.key_length),
            (MessageKeyConstant.AUTHENTICATION, mac_key_length),
            (MessageKeyConstant.SALT, cipher.salt_length),
        )
    ]
    encryption, authentication, salt = prf_many(key, requests, prf_func)
    return MessageKeys(encryption=encryption, authentication=authentication, salt=salt)


class Timestamp(Protocol):
    """A T or TR payload's type and value (``mikey.wire.TimestampPayload``,
    ``mikey.wire.ticket.TimestampRolePayload``)."""

    @property
    def ts_type(self) -> TsType: ...

    @property
    def value(self) -> int: ...


def padded_timestamp(timestamp: Timestamp) -> int:
    """T, the 64-bit timestamp of the AES-CM IV (RFC 3830 §4.2.3).

    NTP-UTC and NTP values are 64 bits already. NTP-UTC-32 becomes a 64-bit NTP-UTC
    timestamp with a zero fractional part (RFC 6043 §6.3). COUNTER is padded with leading
    zeros (RFC 3830 §6.6 says so for the PRF; it is the only reading that gives 64 bits).

    :raises MikeyValueError: for an unregistered TS type or a value too long for its type.
    """
    ts_type = TsType._value2member_map_.get(timestamp.ts_type)
    if not isinstance(ts_type, TsType):
        raise MikeyValueError(f"TS type {timestamp.ts_type} is not registered")
    bits = 8 * ts_type.value_length
    if not 0 <= timestamp.value < 1 << bits:
        raise MikeyValueError(f"{ts_type.label} value must fit in {bits} bits")
    if ts_type is TsType.NTP_UTC_32:
        return timestamp.value << 32
    return timestamp.value


def aes_cm_iv(salt: bytes, *, csb_id: int, t: int) -> bytes:
    """IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000 (RFC 3830 §4.2.3): the 112-bit salt
    S XORed with 16 zero bits, the 32-bit CSB ID and the 64-bit timestamp T, followed by
    16 zero bits for the block counter.

    :raises MikeyValueError: if the salt is not 14 bytes or CSB ID or T are out of range.
    """
    if len(salt) != SALT_LENGTH:
        raise MikeyValueError(f"the AES-CM salt S is {SALT_LENGTH} bytes, got {len(salt)}")
    if not 0 <= csb_id < 1 << 32:
        raise MikeyValueError(f"CSB ID must fit in 32 bits, got {csb_id}")
    if not 0 <= t < 1 << 64:
        raise MikeyValueError(f"T must fit in 64 bits, got {t}")
    return ((int.from_bytes(salt) ^ (csb_id << 64 | t)) << 16).to_bytes(16)


def aes_cm(key: bytes, iv: bytes, data: bytes) -> bytes:
    """``data`` XOR the keystream E(k, IV) || E(k, IV + 1) || … (RFC 3711 §4.1.1), AES in
    counter mode from pyca/cryptography; encryption and decryption are the same.

    :raises MikeyValueError: for a key that is not 16 or 32 bytes, an IV that is not
        16 bytes, or more than 2^16 blocks of data.
    """
    if len(key) not in (16, 32):
        raise MikeyValueError(f"AES-CM needs a 16- or 32-byte key, got {len(key)} bytes")
    if len(iv) != 16:
        raise MikeyValueError(f"the AES-CM IV is 16 bytes, got {len(iv)}")
    if len(data) > MAX_DATA_LENGTH:
        raise MikeyValueError(
            f"AES-CM encrypts at most {MAX_DATA_LENGTH} bytes per IV, got {len(data)}"
        )
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _transform(
    data: bytes,
    encr_alg: EncrAlg | int,
    keys: MessageKeys,
    csb_id: int,
    timestamp: Timestamp,
    *,
    encrypt: bool,
) -> bytes:
    spec = _cipher_spec(encr_alg)
    if spec.key_length == 0:
        return bytes(data)  # NULL: the key data travels in clear (RFC 3830 §4.2.3)
    name = label_of(encr_alg, EncrAlg)
    if len(keys.encryption) != spec.key_length:
        raise MikeyValueError(
            f"{name} needs a {spec.key_length}-byte encryption key,"
            f" got {len(keys.encryption)} bytes"
        )
    if len(keys.salt) != spec.salt_length:
        raise MikeyValueError(
            f"{name} needs a {spec.salt_length}-byte salt key, got {len(keys.salt)} bytes"
        )
    if spec.key_wrap:  # the IV is S itself, not the AES-CM construction (§4.2.3)
        if encrypt:
            return aes_key_wrap(keys.encryption, bytes(data), keys.salt)
        return aes_key_unwrap(keys.encryption, bytes(data), keys.salt)
    iv = aes_cm_iv(keys.salt, csb_id=csb_id, t=padded_timestamp(timestamp))
    return aes_cm(keys.encryption, iv, bytes(data))


def encrypt_key_data(
    plaintext: bytes,
    *,
    encr_alg: EncrAlg | int,
    keys: MessageKeys,
    csb_id: int,
    timestamp: Timestamp,
) -> bytes:
    """The KEMAC's Encr data: ``plaintext`` (the encoded key data sub-payloads, with the
    Initiator's ID first in the public-key method) encrypted with ``encr_alg`` under the
    IV built from the salt key, ``csb_id`` and ``timestamp``, the T payload the Initiator
    sends (RFC 3830 §4.2.3, §6.2); AES-KW-128 wraps it with the salt key as initial value.
    NULL returns ``plaintext`` unchanged.

    :raises MikeyInvalidEncrAlgError: for unregistered algorithms.
    :raises MikeyValueError: for keys of the wrong lengths for ``encr_alg`` (derive them
        with ``message_keys`` for the same algorithm), out-of-range IDs or timestamps,
        more than 2^20 bytes, or (AES-KW-128) a plaintext that is not whole 8-byte blocks.
    """
    return _transform(plaintext, encr_alg, keys, csb_id, timestamp, encrypt=True)


def decrypt_key_data(
    ciphertext: bytes,
    *,
    encr_alg: EncrAlg | int,
    keys: MessageKeys,
    csb_id: int,
    timestamp: Timestamp,
) -> bytes:
    """The plaintext of a KEMAC's Encr data; the inverse of ``encrypt_key_data``.

    Counter mode does not authenticate: verify the MAC (``verify_mac``) before trusting
    or parsing the result.

    :raises MikeyAuthenticationError: AES-KW-128's integrity check fails.
    :raises MikeyInvalidEncrAlgError: for unregistered algorithms.
    :raises MikeyValueError: as ``encrypt_key_data``.
    """
    return _transform(ciphertext, encr_alg, keys, csb_id, timestamp, encrypt=False)


def _hmac(mac_alg: MacAlg | int, key: bytes, data: bytes) -> HMAC | None:
    algorithm, _ = _mac_spec(mac_alg)
    if algorithm is None:
        if key:
            raise MikeyValueError(f"the NULL MAC takes no key, got {len(key)} bytes")
        return None
    if not key:
        # HMAC takes keys of any length (RFC 2104); an empty one means keys were derived
        # for the NULL MAC.
        raise MikeyValueError(f"{label_of(mac_alg, MacAlg)} needs an authentication key")
    mac = HMAC(key, algorithm)
    mac.update(data)
    return mac


def compute_mac(mac_alg: MacAlg | int, key: bytes, data: bytes) -> bytes:
    """The MAC of ``data`` under the authentication key (RFC 3830 §4.2.4, RFC 6043 §6.2):
    the full HMAC output (20 bytes for HMAC-SHA-1-160, 32 for HMAC-SHA-256-256), or
    nothing for the NULL MAC.

    ``key`` is the authentication key ``message_keys`` derives at the length RFC 3830
    §4.2.4 and RFC 6043 §6.2 ask for (20 and 32 bytes); HMAC itself takes any length.

    :raises MikeyInvalidMacAlgError: for unregistered MAC algorithms (Invalid MAC).
    :raises MikeyValueError: for an empty key with HMAC, or a non-empty one with NULL.
    """
    mac = _hmac(mac_alg, key, data)
    return b"" if mac is None else mac.finalize()


def verify_mac(mac_alg: MacAlg | int, key: bytes, data: bytes, mac: bytes) -> None:
    """Check ``mac`` over ``data`` in constant time (pyca's ``HMAC.verify``); return None.

    The NULL MAC accepts only an empty MAC, and so authenticates nothing: RFC 3830
    §4.2.4 allows it only where the underlying protocols guarantee security.

    :raises MikeyAuthenticationError: if the MAC does not match (Auth failure).
    :raises MikeyInvalidMacAlgError: for unregistered MAC algorithms (Invalid MAC).
    :raises MikeyValueError: for a key ``compute_mac`` refuses.
    """
    hmac = _hmac(mac_alg, key, data)
    name = label_of(mac_alg, MacAlg)
    if hmac is None:
        if mac:
            raise MikeyAuthenticationError(f"{name} MAC must be empty, got {len(mac)} bytes")
        return
    try:
        hmac.verify(bytes(mac))
    except InvalidSignature:
        raise MikeyAuthenticationError(f"{name} MAC does not verify") from None
