"""The SAKKE payload of MIKEY-SAKKE (RFC 6509 §4.2, §7), SAKKE data per RFC 6508 §4."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import IdScheme, PayloadType, SakkeParams
from mikey.wire.buffer import STRICT, Profile
from mikey.wire.profiles import PROFILES
from mikey.wire.sakke import SakkePayload, encapsulated_data_length
from tests.wire.codec import decode_payload, encode_payload, with_byte
from tests.wire.strategies_ext import sakke_payloads

# RFC 6508 Appendix A, "Creating Encapsulated Data", for the public parameters of RFC 6509
# Appendix A (Parameter Set 1). Rb = R_(b,S) lies on y^2 = x^3 - 3x mod p.
RFC6508_RBX = bytes.fromhex(
    "44E8AD44 AB8592A6 A5A3DDCA 5CF896C7 18043606 A01D650D"
    "EF37A01F 37C228C3 32FC3173 54E2C274 D4DAF8AD 001054C7 6CE57971"
    "C6F4486D 57230432 61C506EB F5BE438F 53DE04F0 67C776E0 DD3B71A6"
    "29013328 3725A532 F21AF145 126DC1D7 77ECC27B E50835BD 28098B8A"
    "73D9F801 D893793A 41FF5C49 B87E79F2 BE4D56CE"
)
RFC6508_RBY = bytes.fromhex(
    "557E134A D85BB1D4 B9CE4F8B E4B08A12 BABF55B1 D6F1D7A6"
    "38019EA2 8E15AB1C 9F76375F DD1210D4 F4351B9A 009486B7 F3ED46C9"
    "65DED2D8 0DADE4F3 8C6721D5 2C3AD103 A10EBD29 59248B4E F006836B"
    "F097448E 6107C9ED EE9FB704 823DF199 F832C905 AE45F8A2 47A072D8"
    "EF729EAB C5E27574 B07739B3 4BE74A53 2F747B86"
)
RFC6508_H = bytes.fromhex("89E0BC66 1AA1E916 38E6ACC8 4E496507")

# RFC 6508 §4: Encapsulated Data = 0x04 || Rbx || Rby || H (2*L + n/8 + 1 = 273 octets)
SAKKE_DATA = b"\x04" + RFC6508_RBX + RFC6508_RBY + RFC6508_H

# RFC 6509 §4.2, Table 3, field by field:
SAKKE_PS1 = (
    bytes.fromhex(
        "04"  # Next payload: SIGN (4), as in a MIKEY-SAKKE I_MESSAGE (RFC 6509 §2.1)
        "01"  # SAKKE params: Parameter Set 1
        "01"  # ID scheme: tel URI with monthly keys
        "0111"  # SAKKE data length: 273
    )
    + SAKKE_DATA  # SAKKE data: the RFC 6508 Appendix A Encapsulated Data
)
SAKKE_PS1_VALUE = SakkePayload(
    sakke_params=SakkeParams.PARAMETER_SET_1,
    id_scheme=IdScheme.TEL_URI_MONTHLY_KEYS,
    sakke_data=SAKKE_DATA,
)

SAKKE_PRIVATE = bytes.fromhex(
    "00"  # Next payload: Last payload
    "f0"  # SAKKE params: 240, private use (RFC 6509 §7)
    "fe"  # ID scheme: 254, private use
    "0003"  # SAKKE data length: 3
    "a1b2c3"  # SAKKE data: opaque under a private parameter set
)
SAKKE_PRIVATE_VALUE = SakkePayload(sakke_params=240, id_scheme=254, sakke_data=b"\xa1\xb2\xc3")

VECTORS = {
    "rfc6508-parameter-set-1": (SAKKE_PS1, SAKKE_PS1_VALUE, PayloadType.SIGN),
    "private-use": (SAKKE_PRIVATE, SAKKE_PRIVATE_VALUE, PayloadType.LAST),
}


def decode(data: bytes, profile: Profile = STRICT) -> tuple[SakkePayload, PayloadType]:
    return decode_payload(SakkePayload, data, profile)


encode = encode_payload


def test_parameter_set_1_length_follows_rfc6508_section_4() -> None:
    # RFC 6509 Appendix A: p is 1024 bits, so L = 128; n = 128 bits.
    p = int(
        "997ABB1F0A563FDA65C61198DAD0657A416C0CE19CB48261BE9AE358B3E01A2EF40AAB27E2FC0F1B"
        "228730D531A59CB0E791B39FF7C88A19356D27F4A666A6D0E26C6487326B4CD4512AC5CD65681CE1"
        "B6AFF4A831852A82A7CF3C521C3C09AA9F94D6AF56971F1FFCE3E82389857DB080C5DF10AC7ACE87"
        "666D807AFEA85FEB",
        16,
    )
    length = (p.bit_length() + 7) // 8
    assert encapsulated_data_length(SakkeParams.PARAMETER_SET_1) == 2 * length + 128 // 8 + 1
    assert len(SAKKE_DATA) == 273
    x, y = int.from_bytes(RFC6508_RBX), int.from_bytes(RFC6508_RBY)
    assert (y * y - (x**3 - 3 * x)) % p == 0  # the vector was transcribed intact
    assert encapsulated_data_length(240) is None


@pytest.mark.parametrize("name", VECTORS)
def test_vector_decodes_and_re_encodes(name: str) -> None:
    data, value, next_type = VECTORS[name]
    decoded, decoded_next = decode(data)
    assert decoded == value
    assert decoded_next is next_type
    assert encode(decoded, decoded_next) == data


def test_private_use_values_are_kept_as_numbers() -> None:
    decoded, _ = decode(SAKKE_PRIVATE)
    assert type(decoded.sakke_params) is int
    assert type(decoded.id_scheme) is int
    decoded, _ = decode(SAKKE_PS1)
    assert decoded.sakke_params is SakkeParams.PARAMETER_SET_1


@pytest.mark.parametrize("name", VECTORS)
def test_every_truncation_is_refused(name: str) -> None:
    data = VECTORS[name][0]
    for end in range(len(data)):
        with pytest.raises(MikeyParseError):
            decode(data[:end])


BAD_VALUES = {
    "next-payload-unassigned": (with_byte(SAKKE_PS1, 0, 18), "Next payload", 0),
    "params-reserved-0": (with_byte(SAKKE_PS1, 1, 0), "SAKKE params", 1),
    "params-unassigned": (with_byte(SAKKE_PS1, 1, 2), "SAKKE params", 1),
    "params-reserved-255": (with_byte(SAKKE_PS1, 1, 255), "SAKKE params", 1),
    "scheme-reserved-0": (with_byte(SAKKE_PS1, 2, 0), "ID scheme", 2),
    "scheme-unassigned": (with_byte(SAKKE_PS1, 2, 3), "ID scheme", 2),
    "scheme-reserved-255": (with_byte(SAKKE_PRIVATE, 2, 255), "ID scheme", 2),
    "ps1-data-length": (with_byte(SAKKE_PS1, 4, 0x10), "SAKKE data length", 3),
    "ps1-compressed-point": (with_byte(SAKKE_PS1, 5, 0x02), "SAKKE data", 5),
    "data-past-end": (with_byte(SAKKE_PRIVATE, 4, 4), "SAKKE data", 5),
}


@pytest.mark.parametrize("name", BAD_VALUES)
def test_bad_values_name_the_field(name: str) -> None:
    data, field, offset = BAD_VALUES[name]
    for profile in PROFILES.values():  # no lenience applies to these fields
        with pytest.raises(MikeyParseError) as caught:
            decode(data, profile)
        assert caught.value.what.startswith(field + ":"), caught.value.what
        assert caught.value.offset == offset
        assert caught.value.payload == "SAKKE"


def test_trailing_bytes_are_not_part_of_the_payload() -> None:
    with pytest.raises(MikeyParseError, match="unexpected bytes"):
        decode(SAKKE_PRIVATE + b"\x00")


# name: (SAKKE params, ID scheme, SAKKE data)
CONSTRUCTOR_ERRORS: dict[str, tuple[int, int, bytes]] = {
    "params-0": (0, 1, b""),
    "params-unassigned": (2, 1, b""),
    "params-255": (255, 1, b""),
    "params-256": (256, 1, b""),
    "params-negative": (-1, 1, b""),
    "scheme-0": (240, 0, b""),
    "scheme-unassigned": (240, 3, b""),
    "scheme-255": (240, 255, b""),
    "ps1-short": (1, 1, SAKKE_DATA[:-1]),
    "ps1-long": (1, 1, SAKKE_DATA + b"\x00"),
    "ps1-compressed": (1, 1, b"\x03" + SAKKE_DATA[1:]),
    "data-too-long": (254, 1, bytes(1 << 16)),
}


@pytest.mark.parametrize("name", CONSTRUCTOR_ERRORS)
def test_constructor_range_checks(name: str) -> None:
    sakke_params, id_scheme, sakke_data = CONSTRUCTOR_ERRORS[name]
    with pytest.raises(MikeyValueError):
        SakkePayload(sakke_params=sakke_params, id_scheme=id_scheme, sakke_data=sakke_data)


def test_constructor_accepts_numbers_for_members() -> None:
    assert SakkePayload(sakke_params=1, id_scheme=2, sakke_data=SAKKE_DATA) == SakkePayload(
        sakke_params=SakkeParams.PARAMETER_SET_1,
        id_scheme=IdScheme.THREE_GPP_MCX_HASHED_UID,
        sakke_data=SAKKE_DATA,
    )


@given(sakke_payloads(), st.sampled_from(PayloadType))
def test_round_trip(payload: SakkePayload, next_type: PayloadType) -> None:
    data = encode(payload, next_type)
    assert decode(data) == (payload, next_type)


@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    for profile in PROFILES.values():
        with contextlib.suppress(MikeyParseError):
            decode(data, profile)


@given(st.binary(max_size=8), st.integers(0, 4), st.integers(0, 255))
def test_mutated_vector(tail: bytes, at: int, value: int) -> None:
    for data in (with_byte(SAKKE_PS1, at, value), SAKKE_PRIVATE[: at + 1] + tail):
        with contextlib.suppress(MikeyParseError):
            decode(data)
