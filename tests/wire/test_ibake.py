"""IBAKE, ESK, ECCPT and SK payloads (RFC 6267 §6.1.1, §6.1.2, §6.1.4, §6.1.5).

The vectors are assembled by hand, field by field, from the RFC 6267 figures; none of
them comes from this codec's encoder. The P-256 points are the curve's base point G
(FIPS 186-4 D.1.2.3 / SEC 2 §2.4.2).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import EccCurve, MacAlg, PayloadType, SkSubPayloadType
from mikey.wire.buffer import Profile, Reader
from mikey.wire.ibake import (
    EcDiffieHellmanSubPayload,
    EncryptedSecretKeyPayload,
    IbakePayload,
    SecretKeySubPayload,
    ecc_point_lengths,
)
from mikey.wire.kemac import IntervalValidity, SpiValidity
from mikey.wire.payload import Payload
from tests.wire.codec import (
    assert_truncations_refused,
    assert_vector,
    decode_payload,
    encode_payload,
)
from tests.wire.strategies_ticket import IBAKE_STRATEGIES

CLASSES: list[type[Payload]] = [
    IbakePayload,
    EncryptedSecretKeyPayload,
    EcDiffieHellmanSubPayload,
    SecretKeySubPayload,
]

P256_G_X = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
P256_G_Y = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"


def h(*fields: str) -> bytes:
    """Join hex fields (spaces allowed) into bytes."""
    return bytes.fromhex("".join(fields))


decode = decode_payload
encode = encode_payload


VECTORS: dict[str, tuple[type[Payload], bytes, Payload, PayloadType]] = {
    # RFC 6267 §6.1.1: Next payload | Encr data len (16) | Encr data
    "ibake": (
        IbakePayload,
        h(
            "17",  # Next payload: ESK (23)
            "0006",  # Encr data len: 6
            "010203040506",  # Encr data (IBE ciphertext, opaque)
        ),
        IbakePayload(encr_data=bytes.fromhex("010203040506")),
        PayloadType.ESK,
    ),
    # RFC 6267 §6.1.2: Next payload | Encr data len (16) | Encr data
    "esk": (
        EncryptedSecretKeyPayload,
        h(
            "00",  # Next payload: Last payload
            "0004",  # Encr data len: 4
            "a1a2a3a4",  # Encr data (IBE ciphertext, opaque)
        ),
        EncryptedSecretKeyPayload(encr_data=bytes.fromhex("a1a2a3a4")),
        PayloadType.LAST,
    ),
    "esk-empty": (
        EncryptedSecretKeyPayload,
        h(
            "1a",  # Next payload: SAKKE (26)
            "0000",  # Encr data len: 0
        ),
        EncryptedSecretKeyPayload(encr_data=b""),
        PayloadType.SAKKE,
    ),
    # RFC 6267 §6.1.4: Next payload | ECC Curve | ECC Point (padded to a 32-bit boundary) |
    # Auth alg | TGK len (16) | Reserv (4) KV (4) | KV data
    "eccpt-p256-compressed-spi": (
        EcDiffieHellmanSubPayload,
        h(
            "0e",  # Next payload: IDR (14)
            "08",  # ECC Curve: P-256
            "03",  # ECC Point: compressed, odd y
            P256_G_X,  # ... x (32 bytes): ends at payload byte 35
            "00",  # padding to byte 36
            "00",  # Auth alg: NULL (ignored by MIKEY-IBAKE)
            "0010",  # TGK len: 16 (ignored by MIKEY-IBAKE)
            "01",  # Reserv: 0, KV: SPI
            "04",  # SPI Length: 4
            "00000001",  # SPI
        ),
        EcDiffieHellmanSubPayload(
            ecc_curve=EccCurve.P_256,
            ecc_point=h("03", P256_G_X),
            auth_alg=MacAlg.NULL,
            tgk_len=16,
            validity=SpiValidity(spi=h("00000001")),
        ),
        PayloadType.IDR,
    ),
    "eccpt-p256-uncompressed-private-auth-alg": (
        EcDiffieHellmanSubPayload,
        h(
            "00",  # Next payload: Last payload
            "08",  # ECC Curve: P-256
            "04",  # ECC Point: uncompressed
            P256_G_X,  # ... x (32 bytes)
            P256_G_Y,  # ... y (32 bytes): ends at payload byte 67
            "00",  # padding to byte 68
            "f3",  # Auth alg: 243, Private Use (carried as a number)
            "0000",  # TGK len: 0
            "00",  # Reserv: 0, KV: Null (no KV data)
        ),
        EcDiffieHellmanSubPayload(
            ecc_curve=EccCurve.P_256, ecc_point=h("04", P256_G_X, P256_G_Y), auth_alg=243
        ),
        PayloadType.LAST,
    ),
    "eccpt-b163-compressed-interval": (
        EcDiffieHellmanSubPayload,
        h(
            "0e",  # Next payload: IDR (14)
            "02",  # ECC Curve: B-163 (sect163r2), 21-byte field elements
            "02",  # ECC Point: compressed, even y
            "0102030405060708090a0b0c0d0e0f101112131415",  # ... x: ends at byte 24, no padding
            "02",  # Auth alg: HMAC-SHA-256-256
            "0014",  # TGK len: 20
            "02",  # Reserv: 0, KV: Interval
            "06",  # VF Length: 6
            "000000000001",  # Valid From
            "06",  # VT Length: 6
            "0000ffffffff",  # Valid To
        ),
        EcDiffieHellmanSubPayload(
            ecc_curve=EccCurve.B_163,
            ecc_point=h("02", "0102030405060708090a0b0c0d0e0f101112131415"),
            auth_alg=MacAlg.HMAC_SHA_256_256,
            tgk_len=20,
            validity=IntervalValidity(valid_from=h("000000000001"), valid_to=h("0000ffffffff")),
        ),
        PayloadType.IDR,
    ),
    "eccpt-k163-uncompressed-three-pad-bytes": (
        EcDiffieHellmanSubPayload,
        h(
            "00",  # Next payload: Last payload
            "03",  # ECC Curve: K-163 (sect163k1), 21-byte field elements
            "04",  # ECC Point: uncompressed
            "aa" * 21,  # ... x
            "bb" * 21,  # ... y: ends at payload byte 45
            "000000",  # padding to byte 48
            "00",  # Auth alg: NULL
            "0000",  # TGK len: 0
            "00",  # Reserv: 0, KV: Null
        ),
        EcDiffieHellmanSubPayload(
            ecc_curve=EccCurve.K_163, ecc_point=h("04", "aa" * 21, "bb" * 21)
        ),
        PayloadType.LAST,
    ),
    # RFC 6267 §6.1.5: Next Payload | Type (4) KV (4) | Key data len (16) | Key data |
    # KV data
    "sk": (
        SecretKeySubPayload,
        h(
            "00",  # Next Payload: Last payload
            "10",  # Type: SK (1), KV: Null (0)
            "0010",  # Key data len: 16
            "00112233445566778899aabbccddeeff",  # Key data
        ),
        SecretKeySubPayload(key=h("00112233445566778899aabbccddeeff")),
        PayloadType.LAST,
    ),
    "sk-spi": (
        SecretKeySubPayload,
        h(
            "0e",  # Next Payload: IDR (14)
            "11",  # Type: SK (1), KV: SPI (1)
            "0004",  # Key data len: 4
            "cafebabe",  # Key data
            "02",  # SPI Length: 2
            "abcd",  # SPI
        ),
        SecretKeySubPayload(
            key=h("cafebabe"),
            key_type=SkSubPayloadType.SECRET_KEY,
            validity=SpiValidity(spi=h("abcd")),
        ),
        PayloadType.IDR,
    ),
}


@pytest.mark.parametrize("name", VECTORS)
def test_vector_decodes_and_reencodes(name: str) -> None:
    assert_vector(*VECTORS[name])


@pytest.mark.parametrize("name", VECTORS)
def test_truncation_at_every_offset_is_a_parse_error(name: str) -> None:
    cls, data, _, _ = VECTORS[name]
    assert_truncations_refused(cls, data)


# SEC 2: field sizes in bits of the prime (p) and binary (m) curves of RFC 6267 Table 5.
CURVE_BITS = {
    EccCurve.P_192: 192,
    EccCurve.B_163: 163,
    EccCurve.K_163: 163,
    EccCurve.SECT163R1: 163,
    EccCurve.P_224: 224,
    EccCurve.B_233: 233,
    EccCurve.K_233: 233,
    EccCurve.P_256: 256,
    EccCurve.B_283: 283,
    EccCurve.K_283: 283,
    EccCurve.P_384: 384,
    EccCurve.B_409: 409,
    EccCurve.K_409: 409,
    EccCurve.P_521: 521,
    EccCurve.B_571: 571,
    EccCurve.K_571: 571,
}


def test_every_curve_has_point_lengths() -> None:
    assert set(CURVE_BITS) == set(EccCurve)
    for curve, bits in CURVE_BITS.items():
        octets = (bits + 7) // 8
        assert ecc_point_lengths(curve) == (1 + octets, 1 + 2 * octets), curve.name


PYCA_CURVES = {
    EccCurve.P_192: ec.SECP192R1(),
    EccCurve.P_224: ec.SECP224R1(),
    EccCurve.P_256: ec.SECP256R1(),
    EccCurve.P_384: ec.SECP384R1(),
    EccCurve.P_521: ec.SECP521R1(),
}


@pytest.mark.parametrize("curve", list(PYCA_CURVES), ids=lambda c: c.name)
@pytest.mark.parametrize(
    "form",
    [serialization.PublicFormat.CompressedPoint, serialization.PublicFormat.UncompressedPoint],
    ids=["compressed", "uncompressed"],
)
def test_points_from_pyca_round_trip(curve: EccCurve, form: serialization.PublicFormat) -> None:
    key = ec.derive_private_key(0x1234567, PYCA_CURVES[curve]).public_key()
    point = key.public_bytes(serialization.Encoding.X962, form)
    payload = EcDiffieHellmanSubPayload(ecc_curve=curve, ecc_point=point)
    data = encode(payload, PayloadType.LAST)
    decoded, _ = decode(EcDiffieHellmanSubPayload, data)
    assert isinstance(decoded, EcDiffieHellmanSubPayload)
    assert decoded == payload
    again = ec.EllipticCurvePublicKey.from_encoded_point(PYCA_CURVES[curve], decoded.ecc_point)
    assert again == key


def _replace(data: bytes, offset: int, value: str) -> bytes:
    patch = bytes.fromhex(value)
    return data[:offset] + patch + data[offset + len(patch) :]


# Offsets in eccpt-p256-compressed-spi: 1 curve, 2 form, 35 padding, 39 Reserv/KV, 40 SPI len.
ECCPT, P256 = EcDiffieHellmanSubPayload, "eccpt-p256-compressed-spi"
BAD: dict[str, tuple[type[Payload], str, int, str, str]] = {
    "ibake-next-payload-unassigned": (IbakePayload, "ibake", 0, "13", "Next payload"),
    "ibake-encr-data-len-too-long": (IbakePayload, "ibake", 1, "0007", "Encr data"),
    "esk-next-payload-unassigned": (EncryptedSecretKeyPayload, "esk", 0, "1b", "Next payload"),
    "esk-encr-data-len-too-long": (EncryptedSecretKeyPayload, "esk", 1, "0005", "Encr data"),
    "eccpt-curve-reserved-0": (ECCPT, P256, 1, "00", "ECC Curve"),
    "eccpt-curve-unassigned": (ECCPT, P256, 1, "11", "ECC Curve"),
    "eccpt-curve-private-use": (ECCPT, P256, 1, "f0", "ECC Curve"),
    "eccpt-point-infinity": (ECCPT, P256, 2, "00", "ECC Point"),
    "eccpt-point-form-05": (ECCPT, P256, 2, "05", "ECC Point"),
    "eccpt-point-hybrid": (ECCPT, P256, 2, "07", "ECC Point"),
    "eccpt-padding-not-zero": (ECCPT, P256, 35, "01", "ECC Point padding"),
    "eccpt-reserv-bits-set": (ECCPT, P256, 39, "11", "Reserv"),
    "eccpt-kv-unknown": (ECCPT, P256, 39, "03", "KV"),
    "eccpt-spi-length-too-long": (ECCPT, P256, 40, "05", "SPI"),
    "eccpt-next-payload-unassigned": (ECCPT, P256, 0, "ff", "Next payload"),
    "sk-type-reserved-0": (SecretKeySubPayload, "sk", 1, "00", "Type"),
    "sk-type-unassigned": (SecretKeySubPayload, "sk", 1, "20", "Type"),
    "sk-kv-unknown": (SecretKeySubPayload, "sk", 1, "1f", "KV"),
    "sk-key-data-len-too-long": (SecretKeySubPayload, "sk", 2, "0011", "Key data"),
    "sk-spi-length-too-long": (SecretKeySubPayload, "sk-spi", 8, "03", "SPI"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_value_is_a_parse_error_naming_the_field(name: str) -> None:
    cls, vector, offset, value, field = BAD[name]
    with pytest.raises(MikeyParseError) as info:
        decode(cls, _replace(VECTORS[vector][1], offset, value))
    assert info.value.what.startswith(f"{field}:"), info.value.what
    assert info.value.payload == cls.payload_type.label


def test_error_offsets() -> None:
    data = VECTORS["eccpt-p256-compressed-spi"][1]
    for offset, value in [(1, "00"), (2, "05"), (35, "01"), (39, "11"), (39, "03")]:
        with pytest.raises(MikeyParseError) as info:
            decode(EcDiffieHellmanSubPayload, _replace(data, offset, value))
        assert info.value.offset == offset, (offset, value)


def test_nonzero_padding_and_reserv_tolerated_by_profile_and_cleared_on_encode() -> None:
    data = VECTORS["eccpt-p256-compressed-spi"][1]
    lenient = Profile(name="test", nonzero_reserved=True)
    bent = _replace(_replace(data, 35, "ff"), 39, "f1")
    payload, next_type = decode(EcDiffieHellmanSubPayload, bent, lenient)
    assert encode(payload, next_type) == data


P256_COMPRESSED = h("03", P256_G_X)

CONSTRUCTOR_ERRORS: dict[str, Callable[[], object]] = {
    "ibake-encr-data-too-long": lambda: IbakePayload(encr_data=bytes(1 << 16)),
    "esk-encr-data-too-long": lambda: EncryptedSecretKeyPayload(encr_data=bytes(1 << 16)),
    "eccpt-point-empty": lambda: EcDiffieHellmanSubPayload(ecc_curve=EccCurve.P_256, ecc_point=b""),
    "eccpt-point-infinity": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_256, ecc_point=b"\x00"
    ),
    "eccpt-point-form-05": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_256, ecc_point=b"\x05" + P256_COMPRESSED[1:]
    ),
    "eccpt-point-wrong-curve": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_384, ecc_point=P256_COMPRESSED
    ),
    "eccpt-point-compressed-length-for-uncompressed-form": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_256, ecc_point=b"\x04" + P256_COMPRESSED[1:]
    ),
    "eccpt-curve-not-registered": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=0,  # type: ignore[arg-type]
        ecc_point=P256_COMPRESSED,
    ),
    "eccpt-auth-alg-9-bits": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_256, ecc_point=P256_COMPRESSED, auth_alg=256
    ),
    "eccpt-tgk-len-17-bits": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_256, ecc_point=P256_COMPRESSED, tgk_len=1 << 16
    ),
    "eccpt-tgk-len-negative": lambda: EcDiffieHellmanSubPayload(
        ecc_curve=EccCurve.P_256, ecc_point=P256_COMPRESSED, tgk_len=-1
    ),
    "sk-key-too-long": lambda: SecretKeySubPayload(key=bytes(1 << 16)),
    "sk-spi-too-long": lambda: SecretKeySubPayload(key=b"", validity=SpiValidity(spi=bytes(256))),
}


@pytest.mark.parametrize("name", CONSTRUCTOR_ERRORS)
def test_constructor_range_checks(name: str) -> None:
    with pytest.raises(MikeyValueError):
        CONSTRUCTOR_ERRORS[name]()


@given(st.one_of(IBAKE_STRATEGIES), st.sampled_from(PayloadType))
def test_round_trip(payload: Payload, next_type: PayloadType) -> None:
    decoded, decoded_next = decode(type(payload), encode(payload, next_type))
    assert decoded == payload
    assert decoded_next is next_type


@given(st.sampled_from(CLASSES), st.binary(max_size=160))
def test_untrusted_bytes(cls: type[Payload], data: bytes) -> None:
    r = Reader(data, payload=cls.payload_type.label)
    try:
        payload, next_type = cls.decode(r)
    except MikeyParseError:
        return
    assert encode(payload, next_type) == data[: r.pos]  # the encoding is canonical
