"""The payloads of the public-key and Diffie-Hellman methods: PKE, DH, SIGN and CHASH.

RFC 3830 §6.3 (PKE), §6.4 (DH), §6.5 (SIGN), §6.8 (CHASH), with RFC 6043 §6.7
(CHASH SHA-256) and RFC 6509 §4.1 (SIGN type ECCSI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from mikey.errors import MikeyValueError
from mikey.registry import CacheIndicator, DhGroup, HashFunc, KvType, PayloadType, SType
from mikey.wire.buffer import Reader, Writer, check_length, check_uint
from mikey.wire.kemac import KeyValidity, decode_key_validity, encode_key_validity, kv_type_of
from mikey.wire.payload import Payload

__all__ = ["CertHashPayload", "DhPayload", "EnvelopePayload", "SignaturePayload"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopePayload(Payload):
    """PKE: the envelope key encrypted to the Responder's public key (RFC 3830 §6.3).

    ``cache`` is the 2-bit C field; its unassigned value 3 is kept as a number.
    """

    payload_type = PayloadType.PKE
    data: bytes
    cache: CacheIndicator | int = CacheIndicator.NO_CACHE

    def __post_init__(self) -> None:
        check_uint(self.cache, 2, "C")
        check_length(self.data, 14, "PKE data")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        c_len = r.uint16("C / Data len")
        cache = r.enum_or_int(CacheIndicator, "C", c_len >> 14)
        return cls(data=r.take(c_len & 0x3FFF, "Data"), cache=cache), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint16(self.cache << 14 | len(self.data))
        w.raw(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class DhPayload(Payload):
    """DH: a public Diffie-Hellman value of a group; its length is implicit (RFC 3830 §6.4)."""

    payload_type = PayloadType.DH
    dh_group: DhGroup
    dh_value: bytes
    validity: KeyValidity = None

    def __post_init__(self) -> None:
        if len(self.dh_value) != self.dh_group.value_length:
            raise MikeyValueError(
                f"{self.dh_group.label} DH value is {self.dh_group.value_length} bytes,"
                f" got {len(self.dh_value)}"
            )

    @property
    def kv_type(self) -> KvType:
        return kv_type_of(self.validity)

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        dh_group = r.enum(DhGroup, "DH-Group")
        dh_value = r.take(dh_group.value_length, "DH-value")
        at = r.pos
        reserved_kv = r.uint8("Reserv / KV")
        r.check_reserved(reserved_kv >> 4, "Reserv", at)
        kv_type = r.enum(KvType, "KV", reserved_kv & 0x0F)
        validity = decode_key_validity(r, kv_type)
        return cls(dh_group=dh_group, dh_value=dh_value, validity=validity), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.dh_group)
        w.raw(self.dh_value)
        w.uint8(self.kv_type)
        encode_key_validity(w, self.validity)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignaturePayload(Payload):
    """SIGN: the signature that ends a message; it has no Next payload field (RFC 3830 §6.5).

    The signature covers the message up to and including this payload's first two bytes
    (``Message.signed_bytes``), so a signer builds the message with a placeholder of the
    final length, signs, and replaces it. Unregistered S types are kept.
    """

    payload_type = PayloadType.SIGN
    s_type: SType | int
    signature: bytes

    def __post_init__(self) -> None:
        check_uint(self.s_type, 4, "S type")
        check_length(self.signature, 12, "Signature")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        type_len = r.uint16("S type / Signature len")
        s_type = r.enum_or_int(SType, "S type", type_len >> 12)
        signature = r.take(type_len & 0x0FFF, "Signature")
        return cls(s_type=s_type, signature=signature), PayloadType.LAST

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        if next_type is not PayloadType.LAST:
            raise MikeyValueError("SIGN has no Next payload field: it must be the last payload")
        w.uint16(self.s_type << 12 | len(self.signature))
        w.raw(self.signature)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertHashPayload(Payload):
    """CHASH: the hash of the certificate used; its length is implicit (RFC 3830 §6.8)."""

    payload_type = PayloadType.CHASH
    hash_func: HashFunc
    hash: bytes

    def __post_init__(self) -> None:
        if len(self.hash) != self.hash_func.digest_length:
            raise MikeyValueError(
                f"{self.hash_func.label} hash is {self.hash_func.digest_length} bytes,"
                f" got {len(self.hash)}"
            )

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        hash_func = r.enum(HashFunc, "Hash func")
        return cls(hash_func=hash_func, hash=r.take(hash_func.digest_length, "Hash")), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.hash_func)
        w.raw(self.hash)
