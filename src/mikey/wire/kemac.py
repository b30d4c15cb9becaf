"""The key data transport payload (KEMAC), its key data sub-payloads and key validity data.

RFC 3830 §6.2 (KEMAC), §6.13 (Key data sub-payload), §6.14 (Key validity data), with the
additions of RFC 6043 §6.2 (AES-CM-256, HMAC-SHA-256-256) and §6.2.1 (GTGK, MPK) and
RFC 6267 (K_PR).

The KEMAC's Encr data is opaque here: encryption and the MAC belong to ``mikey.crypto``.
When the encryption algorithm is NULL the sub-payloads are visible, and
``decode_sub_payloads`` / ``encode_sub_payloads`` read and write them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Self

from mikey.errors import MikeyValueError
from mikey.registry import EncrAlg, KeyDataType, KvType, MacAlg, PayloadType
from mikey.wire.buffer import Reader, Writer, check_length
from mikey.wire.payload import Payload, trusted

__all__ = [
    "IntervalValidity",
    "KemacPayload",
    "KeyDataSubPayload",
    "KeyValidity",
    "SpiValidity",
    "decode_key_validity",
    "encode_key_validity",
    "kv_type_of",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SpiValidity:
    """KV type SPI: the key belongs to this SPI, or MKI for SRTP (RFC 3830 §6.14)."""

    spi: bytes
    kv_type = KvType.SPI

    def __post_init__(self) -> None:
        check_length(self.spi, 8, "SPI")


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalValidity:
    """KV type Interval: valid from / to, e.g. 6-byte SRTP indexes (RFC 3830 §6.14)."""

    valid_from: bytes
    valid_to: bytes
    kv_type = KvType.INTERVAL

    def __post_init__(self) -> None:
        check_length(self.valid_from, 8, "Valid From")
        check_length(self.valid_to, 8, "Valid To")


KeyValidity = SpiValidity | IntervalValidity | None
"""Key validity data; None is KV type Null (no KV data on the wire)."""


def decode_key_validity(r: Reader, kv_type: KvType) -> KeyValidity:
    """Read the KV data that follows a key data sub-payload or a DH value (§6.14)."""
    if kv_type is KvType.SPI:
        return SpiValidity(spi=r.take(r.uint8("SPI Length"), "SPI"))
    if kv_type is KvType.INTERVAL:
        valid_from = r.take(r.uint8("VF Length"), "Valid From")
        return IntervalValidity(
            valid_from=valid_from, valid_to=r.take(r.uint8("VT Length"), "Valid To")
        )
    return None


def kv_type_of(validity: KeyValidity) -> KvType:
    return KvType.NULL if validity is None else validity.kv_type


def encode_key_validity(w: Writer, validity: KeyValidity) -> None:
    if isinstance(validity, SpiValidity):
        w.uint8(len(validity.spi))
        w.raw(validity.spi)
    elif isinstance(validity, IntervalValidity):
        w.uint8(len(validity.valid_from))
        w.raw(validity.valid_from)
        w.uint8(len(validity.valid_to))
        w.raw(validity.valid_to)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyDataSubPayload(Payload):
    """Key data: one TGK, TEK, GTGK, MPK … with optional salt and validity (RFC 3830 §6.13).

    ``salt`` is present exactly when the type says so (TGK+SALT, TEK+SALT, GTGK+SALT).
    """

    payload_type = PayloadType.KEY_DATA
    key_type: KeyDataType
    key: bytes
    salt: bytes | None = None
    validity: KeyValidity = None

    def __post_init__(self) -> None:
        check_length(self.key, 16, "Key data")
        if self.key_type.has_salt != (self.salt is not None):
            raise MikeyValueError(
                f"{self.key_type.label} key data {'needs' if self.key_type.has_salt else 'has no'}"
                " salt"
            )
        if self.salt is not None:
            check_length(self.salt, 16, "Salt data")

    @property
    def kv_type(self) -> KvType:
        return kv_type_of(self.validity)

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        type_kv = r.uint8("Type / KV")
        key_type = r.enum(KeyDataType, "Type", type_kv >> 4)
        kv_type = r.enum(KvType, "KV", type_kv & 0x0F)
        key = r.take(r.uint16("Key data len"), "Key data")
        salt = r.take(r.uint16("Salt len"), "Salt data") if key_type.has_salt else None
        validity = decode_key_validity(r, kv_type)
        return cls(key_type=key_type, key=key, salt=salt, validity=validity), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.key_type << 4 | self.kv_type)
        w.uint16(len(self.key))
        w.raw(self.key)
        if self.salt is not None:
            w.uint16(len(self.salt))
            w.raw(self.salt)
        encode_key_validity(w, self.validity)


_FIXED = struct.Struct(">BBH")  # RFC 3830 §6.2: Next payload, Encr alg, Encr data len


@dataclass(frozen=True, slots=True, kw_only=True)
class KemacPayload(Payload):
    """KEMAC: encrypted key data sub-payloads and a MAC (RFC 3830 §6.2, RFC 6043 §6.2).

    The MAC length is implicit in the MAC algorithm. Unregistered encryption algorithms
    are kept (the Encr data length is explicit) so that a Responder can answer Invalid EA.
    """

    payload_type = PayloadType.KEMAC
    encr_alg: EncrAlg | int
    encr_data: bytes
    mac_alg: MacAlg
    mac: bytes

    def __post_init__(self) -> None:
        check_length(self.encr_data, 16, "Encr data")
        if not 0 <= self.encr_alg < 256:
            raise MikeyValueError(f"Encr alg must fit in 8 bits, got {self.encr_alg}")
        if len(self.mac) != self.mac_alg.mac_length:
            raise MikeyValueError(
                f"{self.mac_alg.label} MAC is {self.mac_alg.mac_length} bytes, got {len(self.mac)}"
            )

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        at = r.pos
        next_type, encr_alg, length = r.unpack(_FIXED, "KEMAC fixed fields")
        encr_data = r.take(length, "Encr data")
        mac_alg = r.enum(MacAlg, "MAC alg")
        # Lengths are read from their fields, so the constructor's checks cannot fail.
        payload = trusted(cls)(
            encr_alg=r.enum_or_int(EncrAlg, "Encr alg", encr_alg),
            encr_data=encr_data,
            mac_alg=mac_alg,
            mac=r.take(mac_alg.mac_length, "MAC"),
        )
        return payload, r.enum(PayloadType, "Next payload", next_type, at)

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.encr_alg)
        w.uint16(len(self.encr_data))
        w.raw(self.encr_data)
        w.uint8(self.mac_alg)
        w.raw(self.mac)
