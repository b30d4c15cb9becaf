"""The MIKEY-IBAKE payloads: IBAKE, ESK, and the ECCPT and SK sub-payloads they encrypt.

RFC 6267 §6.1.1 (IBAKE), §6.1.2 (Encrypted Secret Key, ESK), §6.1.4 (EC Diffie-Hellman
sub-payload, ECCPT) and §6.1.5 (Secret Key sub-payload, SK); registries in RFC 6267 §8.
The sub-payloads have Next payload values of their own (ECCPT 25, SK 24) and travel only
inside the IBE-encrypted Encr data of IBAKE and ESK, which is opaque here: decryption
belongs to ``mikey.crypto``, and the plaintext is a payload chain read with these codecs.
Key validity data (KV) is RFC 3830 §6.14, shared with ``mikey.wire.kemac``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from mikey.errors import MikeyValueError
from mikey.registry import EccCurve, KvType, MacAlg, PayloadType, SkSubPayloadType
from mikey.wire.buffer import Reader, Writer, check_length, check_uint
from mikey.wire.kemac import KeyValidity, decode_key_validity, encode_key_validity, kv_type_of
from mikey.wire.payload import Payload

__all__ = [
    "EcDiffieHellmanSubPayload",
    "EncryptedSecretKeyPayload",
    "IbakePayload",
    "SecretKeySubPayload",
    "ecc_point_lengths",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class _EncryptedData(Payload):
    """The shape IBAKE and ESK share: Next payload | Encr data len (16) | Encr data ~."""

    encr_data: bytes

    def __post_init__(self) -> None:
        check_length(self.encr_data, 16, "Encr data")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        return cls(encr_data=r.take(r.uint16("Encr data len"), "Encr data")), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint16(len(self.encr_data))
        w.raw(self.encr_data)


@dataclass(frozen=True, slots=True, kw_only=True)
class IbakePayload(_EncryptedData):
    """IBAKE: IBE-encrypted ECCPT sub-payloads and their identities (RFC 6267 §6.1.1)."""

    payload_type = PayloadType.IBAKE


@dataclass(frozen=True, slots=True, kw_only=True)
class EncryptedSecretKeyPayload(_EncryptedData):
    """ESK: an IBE-encrypted SK sub-payload and its identity (RFC 6267 §6.1.2)."""

    payload_type = PayloadType.ESK


# Octets in one field element, ceil(m / 8) for a curve over GF(p) or GF(2^m) of m bits
# (SEC 1 §2.3.5); the ECC point's length is implicit in the curve (RFC 6267 §6.1.4).
_FIELD_OCTETS: dict[EccCurve, int] = {
    EccCurve.P_192: 24,
    EccCurve.B_163: 21,
    EccCurve.K_163: 21,
    EccCurve.SECT163R1: 21,
    EccCurve.P_224: 28,
    EccCurve.B_233: 30,
    EccCurve.K_233: 30,
    EccCurve.P_256: 32,
    EccCurve.B_283: 36,
    EccCurve.K_283: 36,
    EccCurve.P_384: 48,
    EccCurve.B_409: 52,
    EccCurve.K_409: 52,
    EccCurve.P_521: 66,
    EccCurve.B_571: 72,
    EccCurve.K_571: 72,
}

# SEC 1 §2.3.3 octet-string forms: first octet -> number of field elements that follow.
# The point at infinity (0x00) is no Diffie-Hellman value, and the hybrid forms (0x06,
# 0x07) are left out as pyca/cryptography and the ECC profiles do not use them.
_POINT_FORMS = {0x02: 1, 0x03: 1, 0x04: 2}

# The ECC Point field starts 2 bytes into the payload and is padded with zero bytes "to
# end on a 32-bit boundary" of the payload (RFC 6267 §6.1.4 figure).
_POINT_OFFSET = 2


def ecc_point_lengths(curve: EccCurve) -> tuple[int, int]:
    """The compressed and uncompressed octet-string lengths of a point on ``curve``.

    :raises MikeyValueError: if ``curve`` is not a registered curve.
    """
    octets = _FIELD_OCTETS.get(curve)
    if octets is None:
        raise MikeyValueError(f"ECC Curve {curve!r} is not a registered curve")
    return 1 + octets, 1 + 2 * octets


def _padding(point: bytes) -> int:
    return -(_POINT_OFFSET + len(point)) % 4


@dataclass(frozen=True, slots=True, kw_only=True)
class EcDiffieHellmanSubPayload(Payload):
    """ECCPT: an EC Diffie-Hellman public value (RFC 6267 §6.1.4).

    ``ecc_point`` is the SEC 1 octet string, compressed (02/03) or uncompressed (04), of
    the length the curve implies; its zero padding is not stored. RFC 6267 says MIKEY-IBAKE
    ignores Auth alg and TGK len, so unregistered Auth alg values are kept.
    """

    payload_type = PayloadType.ECCPT
    ecc_curve: EccCurve
    ecc_point: bytes
    auth_alg: MacAlg | int = MacAlg.NULL
    tgk_len: int = 0
    validity: KeyValidity = None

    def __post_init__(self) -> None:
        compressed, uncompressed = ecc_point_lengths(self.ecc_curve)
        forms = _POINT_FORMS.get(self.ecc_point[0]) if self.ecc_point else None
        if forms is None:
            raise MikeyValueError(
                "ECC Point must start with 0x02, 0x03 (compressed) or 0x04 (uncompressed)"
            )
        expected = compressed if forms == 1 else uncompressed
        if len(self.ecc_point) != expected:
            raise MikeyValueError(
                f"ECC Point on {self.ecc_curve.name} in form {self.ecc_point[0]:#04x} is"
                f" {expected} bytes, got {len(self.ecc_point)}"
            )
        check_uint(self.auth_alg, 8, "Auth alg")
        check_uint(self.tgk_len, 16, "TGK len")

    @property
    def kv_type(self) -> KvType:
        return kv_type_of(self.validity)

    # RFC 6267 §6.1.4 figure: Next payload | ECC Curve | ECC Point ~ (padded) |
    # Auth alg | TGK len (16) | Reserv (4) | KV (4) | KV data (optional) ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        at = r.pos
        ecc_curve = r.enum(EccCurve, "ECC Curve")
        if (octets := _FIELD_OCTETS.get(ecc_curve)) is None:  # a curve added to the registry
            r.fail(f"ECC Curve: no point length known for {ecc_curve.label}", at)
        at = r.pos
        form = r.uint8("ECC Point")
        if (elements := _POINT_FORMS.get(form)) is None:
            r.fail(
                f"ECC Point: form {form:#04x} is not compressed (02, 03) or uncompressed (04)", at
            )
        ecc_point = bytes((form,)) + r.take(elements * octets, "ECC Point")
        r.reserved(_padding(ecc_point), "ECC Point padding")
        auth_alg = r.enum_or_int(MacAlg, "Auth alg")
        tgk_len = r.uint16("TGK len")
        at = r.pos
        reserv_kv = r.uint8("Reserv / KV")
        r.check_reserved(reserv_kv >> 4, "Reserv", at)
        kv_type = r.enum(KvType, "KV", reserv_kv & 0x0F)
        validity = decode_key_validity(r, kv_type)
        payload = cls(
            ecc_curve=ecc_curve,
            ecc_point=ecc_point,
            auth_alg=auth_alg,
            tgk_len=tgk_len,
            validity=validity,
        )
        return payload, next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.ecc_curve)
        w.raw(self.ecc_point)
        w.raw(bytes(_padding(self.ecc_point)))
        w.uint8(self.auth_alg)
        w.uint16(self.tgk_len)
        w.uint8(self.kv_type)
        encode_key_validity(w, self.validity)


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretKeySubPayload(Payload):
    """SK: a secret key and its validity (RFC 6267 §6.1.5), carried encrypted in ESK.

    The Type registry has no Private Use range (RFC 6267 §8), so unregistered types fail.
    """

    payload_type = PayloadType.SK
    key: bytes
    key_type: SkSubPayloadType = SkSubPayloadType.SECRET_KEY
    validity: KeyValidity = None

    def __post_init__(self) -> None:
        check_length(self.key, 16, "Key data")

    @property
    def kv_type(self) -> KvType:
        return kv_type_of(self.validity)

    # RFC 6267 §6.1.5 figure: Next Payload | Type (4) | KV (4) | Key data len (16) |
    # Key data ~ | KV data (optional) ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        type_kv = r.uint8("Type / KV")
        key_type = r.enum(SkSubPayloadType, "Type", type_kv >> 4)
        kv_type = r.enum(KvType, "KV", type_kv & 0x0F)
        key = r.take(r.uint16("Key data len"), "Key data")
        validity = decode_key_validity(r, kv_type)
        return cls(key=key, key_type=key_type, validity=validity), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.key_type << 4 | self.kv_type)
        w.uint16(len(self.key))
        w.raw(self.key)
        encode_key_validity(w, self.validity)
