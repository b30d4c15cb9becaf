"""The General Extension payload (RFC 3830 §6.15) and the typed views of its Data field:
Vendor ID (§6.15), SDP IDs (RFC 4567 §4.1.4), TESLA I-Key (RFC 4442 §4.4), Key ID
(RFC 4563 §4), CSB_ID (RFC 4738 §3.6), OMA BCAST (RFC 4909 §3), SAKKE-to-self and
3GPP key parameters (3GPP TS 33.180 Annex E.5, E.6)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import (
    GeneralExtType,
    IdScheme,
    KeyIdType,
    OmaBcastDataSubtype,
    PayloadType,
    SakkeParams,
)
from mikey.wire.buffer import STRICT, Profile, Reader, Writer
from mikey.wire.extension import (
    CsbId,
    GeneralExtensionContent,
    GeneralExtensionPayload,
    KeyIdInformation,
    KeyIdSubPayload,
    OmaBcast,
    SakkeToSelf,
    SdpIds,
    TeslaIKey,
    ThreeGppKeyParameters,
    VendorId,
    decode_extension_data,
)
from mikey.wire.profiles import PROFILES
from mikey.wire.sakke import SakkePayload
from tests.wire.codec import decode_payload, encode_payload, with_byte
from tests.wire.strategies_ext import CONTENT_STRATEGIES, PAYLOAD_STRATEGIES
from tests.wire.test_sakke_payload import SAKKE_DATA

NONZERO_RESERVED = Profile(name="test-nonzero-reserved", nonzero_reserved=True)
_EXT = GeneralExtType

# Each vector is built field by field from the figure of the RFC (or 3GPP clause) that
# defines the type; the first four bytes are the RFC 3830 §6.15 header.

VENDOR_ID = bytes.fromhex(
    "0b"  # Next payload: RAND (11)
    "00"  # Type: Vendor ID (RFC 3830 Table 6.15)
    "0007"  # Length: 7
    "4578616d706c65"  # Data: vendor specific byte string, "Example"
)

SDP_IDS = bytes.fromhex(
    "00"  # Next payload: Last payload
    "01"  # Type: SDP IDs
    "0011"  # Length: 17
    "6d696b6579"  # KMPID "mikey" (RFC 4567 §4.1.4 example list "mikey;keyp1;keyp2")
    "3b"  # ";"
    "6b65797031"  # KMPID "keyp1"
    "3b"  # ";"
    "6b65797032"  # KMPID "keyp2"
)

TESLA_I_KEY = bytes.fromhex(
    "05"  # Next payload: T (5)
    "02"  # Type: TESLA I-Key (RFC 4442 §4.4)
    "0014"  # Length: 20, a 160-bit key (the default F output length, RFC 4442 §3)
    "000102030405060708090a0b0c0d0e0f10111213"  # Data: the TESLA initial key
)

KEY_ID = bytes.fromhex(
    "00"  # Next payload: Last payload
    "03"  # Type: Key ID (RFC 4563 §4, Figure 1)
    "000d"  # Length: 13 = (2 + 4) + (2 + 3) + (2 + 0)
    "01"  # Key ID Type: MBMS Service Key ID (RFC 4563 Table 2)
    "04"  # Key ID Length: 4
    "0000002a"  # Key ID
    "00"  # Key ID Type: MBMS Key Domain ID
    "03"  # Key ID Length: 3
    "32f410"  # Key ID
    "f5"  # Key ID Type: 245, private use (RFC 4563 §8)
    "00"  # Key ID Length: 0 (no Key ID bytes)
)

CSB_ID = bytes.fromhex(
    "00"  # Next payload: Last payload
    "04"  # Type: CSB_ID (RFC 4738 §3.9.3)
    "0004"  # Length: 4
    "1a2b3c4d"  # Data: the Responder's CSB ID, 32 bits as in the HDR (RFC 3830 §6.1)
)

OMA_BCAST = bytes.fromhex(
    "00"  # Next payload: Last payload
    "05"  # Type: OMA BCAST (RFC 4909 §3, Figure 1)
    "0004"  # Length: 4
    "02"  # Subtype: STKM (RFC 4909 §3, Figure 2)
    "c0ffee"  # Subtype specific data (OMA BCAST, opaque here)
)

SAKKE_TO_SELF = (
    bytes.fromhex(
        "04"  # Next payload: SIGN (4)
        "06"  # Type: SAKKE-to-self (TS 33.180 E.5)
        "0116"  # Length: 278 = 5 + 273
        "00"  # Next payload of the encapsulated SAKKE payload: zero (TS 33.180 E.5)
        "01"  # SAKKE params: Parameter Set 1 (RFC 6509 §4.2)
        "02"  # ID scheme: 3GPP MCX hashed UID
        "0111"  # SAKKE data length: 273
    )
    + SAKKE_DATA  # SAKKE data: the RFC 6508 Appendix A Encapsulated Data
)

KEY_PARAMETERS = bytes.fromhex(
    "00"  # Next payload: Last payload
    "07"  # Type: 3GPP key parameters (TS 33.180 E.6)
    "0006"  # Length: 6
    "010203040506"  # Data: Protected Payload, opaque
)

PRIVATE_TYPE = bytes.fromhex(
    "00"  # Next payload: Last payload
    "f5"  # Type: 245, private use (RFC 3830 §10)
    "0003"  # Length: 3
    "abcdef"  # Data
)

UNASSIGNED_TYPE = bytes.fromhex(
    "00"  # Next payload: Last payload
    "08"  # Type: 8, unassigned
    "0000"  # Length: 0 (no Data)
)

SAKKE_INNER = SakkePayload(
    sakke_params=SakkeParams.PARAMETER_SET_1,
    id_scheme=IdScheme.THREE_GPP_MCX_HASHED_UID,
    sakke_data=SAKKE_DATA,
)

# name: (bytes, Next payload, Type, Data, typed content or raw bytes)
VECTORS: dict[str, tuple[bytes, PayloadType, int, bytes, GeneralExtensionContent | bytes]] = {
    "vendor-id": (
        VENDOR_ID,
        PayloadType.RAND,
        _EXT.VENDOR_ID,
        b"Example",
        VendorId(data=b"Example"),
    ),
    "sdp-ids": (
        SDP_IDS,
        PayloadType.LAST,
        _EXT.SDP_IDS,
        b"mikey;keyp1;keyp2",
        SdpIds(ids=("mikey", "keyp1", "keyp2")),
    ),
    "tesla-i-key": (
        TESLA_I_KEY,
        PayloadType.T,
        _EXT.TESLA_I_KEY,
        bytes(range(20)),
        TeslaIKey(key=bytes(range(20))),
    ),
    "key-id": (
        KEY_ID,
        PayloadType.LAST,
        _EXT.KEY_ID,
        KEY_ID[4:],
        KeyIdInformation(
            key_ids=(
                KeyIdSubPayload(
                    key_id_type=KeyIdType.MBMS_SERVICE_KEY_ID, key_id=b"\x00\x00\x00\x2a"
                ),
                KeyIdSubPayload(key_id_type=KeyIdType.MBMS_KEY_DOMAIN_ID, key_id=b"\x32\xf4\x10"),
                KeyIdSubPayload(key_id_type=245, key_id=b""),
            )
        ),
    ),
    "csb-id": (CSB_ID, PayloadType.LAST, _EXT.CSB_ID, CSB_ID[4:], CsbId(csb_id=0x1A2B3C4D)),
    "oma-bcast": (
        OMA_BCAST,
        PayloadType.LAST,
        _EXT.OMA_BCAST,
        OMA_BCAST[4:],
        OmaBcast(subtype=OmaBcastDataSubtype.STKM, data=b"\xc0\xff\xee"),
    ),
    "sakke-to-self": (
        SAKKE_TO_SELF,
        PayloadType.SIGN,
        _EXT.SAKKE_TO_SELF,
        SAKKE_TO_SELF[4:],
        SakkeToSelf(sakke=SAKKE_INNER),
    ),
    "3gpp-key-parameters": (
        KEY_PARAMETERS,
        PayloadType.LAST,
        _EXT.THREE_GPP_KEY_PARAMETERS,
        KEY_PARAMETERS[4:],
        ThreeGppKeyParameters(protected_payload=bytes.fromhex("010203040506")),
    ),
    "private-type": (PRIVATE_TYPE, PayloadType.LAST, 245, b"\xab\xcd\xef", b"\xab\xcd\xef"),
    "unassigned-type": (UNASSIGNED_TYPE, PayloadType.LAST, 8, b"", b""),
}


def decode(data: bytes, profile: Profile = STRICT) -> tuple[GeneralExtensionPayload, PayloadType]:
    return decode_payload(GeneralExtensionPayload, data, profile)


encode = encode_payload


def test_every_registered_type_has_a_view_and_a_strategy() -> None:
    registered = {content.ext_type for content in CONTENT_STRATEGIES}
    assert registered == set(GeneralExtType)
    assert {v[2] for v in VECTORS.values()} >= set(GeneralExtType)


@pytest.mark.parametrize("name", VECTORS)
def test_vector_decodes_and_re_encodes(name: str) -> None:
    data, next_type, ext_type, ext_data, content = VECTORS[name]
    decoded, decoded_next = decode(data)
    assert decoded == GeneralExtensionPayload(ext_type=ext_type, data=ext_data)
    assert decoded_next is next_type
    assert decoded.content == content
    assert encode(decoded, decoded_next) == data


@pytest.mark.parametrize("name", VECTORS)
def test_view_builds_the_same_payload(name: str) -> None:
    data, next_type, ext_type, ext_data, content = VECTORS[name]
    if isinstance(content, bytes):
        payload = GeneralExtensionPayload(ext_type=ext_type, data=content)
    else:
        assert content.to_bytes() == ext_data
        payload = GeneralExtensionPayload.from_content(content)
    assert encode(payload, next_type) == data


def test_types_are_members_or_numbers() -> None:
    assert decode(KEY_ID)[0].ext_type is GeneralExtType.KEY_ID
    assert type(decode(PRIVATE_TYPE)[0].ext_type) is int
    content = decode(KEY_ID)[0].content
    assert isinstance(content, KeyIdInformation)
    assert content.key_ids[0].key_id_type is KeyIdType.MBMS_SERVICE_KEY_ID
    assert type(content.key_ids[2].key_id_type) is int


def test_sdp_ids_protocol_list() -> None:
    view = SdpIds.from_protocol_list("mikey;keyp1;keyp2")
    assert view.protocol_list == "mikey;keyp1;keyp2"
    assert view == VECTORS["sdp-ids"][4]


@pytest.mark.parametrize("name", VECTORS)
def test_every_truncation_is_refused(name: str) -> None:
    data = VECTORS[name][0]
    for end in range(len(data)):
        with pytest.raises(MikeyParseError):
            decode(data[:end])


def _header(ext_type: int, data: bytes, next_payload: int = 0) -> bytes:
    # RFC 3830 §6.15: Next payload, Type, Length (16 bits), Data
    return bytes((next_payload, ext_type)) + len(data).to_bytes(2) + data


# name: (bytes, field the message starts with, offset in the message)
BAD_VALUES = {
    "next-payload-unassigned": (with_byte(CSB_ID, 0, 18), "Next payload", 0),
    "length-past-end": (with_byte(CSB_ID, 3, 5), "Data", 4),
    "sdp-ids-empty": (_header(1, b""), "SDP IDs", 4),
    "sdp-ids-empty-kmpid": (_header(1, b"mikey;;x"), "SDP IDs", 10),
    "sdp-ids-trailing-separator": (_header(1, b"mikey;"), "SDP IDs", 10),
    "sdp-ids-leading-separator": (_header(1, b";mikey"), "SDP IDs", 4),
    "sdp-ids-space": (_header(1, b"mi key"), "SDP IDs", 6),
    "sdp-ids-non-ascii": (_header(1, "mikéy".encode()), "SDP IDs", 7),
    "tesla-empty-key": (_header(2, b""), "TESLA initial key", 4),
    "key-id-empty": (_header(3, b""), "Key ID Information", 4),
    "key-id-type-unassigned": (with_byte(KEY_ID, 4, 3), "Key ID Type", 4),
    "key-id-type-last-unassigned": (with_byte(KEY_ID, 15, 240), "Key ID Type", 15),
    "key-id-length-past-end": (with_byte(KEY_ID, 16, 1), "Key ID", 17),
    "key-id-half-sub-payload": (_header(3, b"\x01\x01\x00\x02"), "Key ID Length", 8),
    "csb-id-short": (_header(4, b"\x01\x02\x03"), "CSB ID", 4),
    "csb-id-long": (_header(4, b"\x01\x02\x03\x04\x05"), "1 unexpected bytes after CSB_ID", 8),
    "oma-empty": (_header(5, b""), "Subtype", 4),
    "oma-subtype-reserved": (with_byte(OMA_BCAST, 4, 0), "Subtype", 4),
    "oma-subtype-unassigned": (with_byte(OMA_BCAST, 4, 191), "Subtype", 4),
    "sakke-to-self-next-payload": (with_byte(SAKKE_TO_SELF, 4, 4), "SAKKE-to-self Next payload", 4),
    "sakke-to-self-params": (with_byte(SAKKE_TO_SELF, 5, 0), "SAKKE params", 5),
    "sakke-to-self-scheme": (with_byte(SAKKE_TO_SELF, 6, 255), "ID scheme", 6),
    "sakke-to-self-data-length": (with_byte(SAKKE_TO_SELF, 8, 0x12), "SAKKE data length", 7),
    "sakke-to-self-point": (with_byte(SAKKE_TO_SELF, 9, 0x02), "SAKKE data", 9),
    "sakke-to-self-trailing": (
        _header(6, SAKKE_TO_SELF[4:] + b"\x00"),
        "1 unexpected bytes after SAKKE-to-self",
        282,
    ),
}


@pytest.mark.parametrize("name", BAD_VALUES)
def test_bad_values_name_the_field(name: str) -> None:
    data, field, offset = BAD_VALUES[name]
    with pytest.raises(MikeyParseError) as caught:
        decode(data)
    assert caught.value.what.startswith(field), caught.value.what
    assert caught.value.offset == offset
    assert caught.value.payload == "General Ext."


def test_sakke_to_self_next_payload_is_ignored_under_lenience() -> None:
    # TS 33.180 E.5: the encapsulated Next payload "shall be set to zero and ignored".
    decoded, _ = decode(with_byte(SAKKE_TO_SELF, 4, 4), NONZERO_RESERVED)
    assert decoded == decode(SAKKE_TO_SELF)[0]
    assert decoded.data[0] == 0  # stored, and re-encoded, as zero


def test_decode_extension_data_offsets_count_from_the_data_field() -> None:
    with pytest.raises(MikeyParseError) as caught:
        decode_extension_data(GeneralExtType.KEY_ID, b"\x01\x05abc")
    assert caught.value.what.startswith("Key ID:")
    assert caught.value.offset == 2
    with pytest.raises(MikeyParseError) as caught:
        decode_extension_data(GeneralExtType.SDP_IDS, b"ab/c")
    assert caught.value.offset == 2
    assert decode_extension_data(200, b"\x00") == b"\x00"


BIG = 1 << 16
CONSTRUCTOR_ERRORS: dict[str, Callable[[], object]] = {
    "type-256": lambda: GeneralExtensionPayload(ext_type=256, data=b""),
    "type-negative": lambda: GeneralExtensionPayload(ext_type=-1, data=b""),
    "data-too-long": lambda: GeneralExtensionPayload(ext_type=200, data=bytes(BIG)),
    "registered-type-bad-data": lambda: GeneralExtensionPayload(ext_type=3, data=b"\x03\x00"),
    "csb-id-data-short": lambda: GeneralExtensionPayload(ext_type=4, data=b"\x00"),
    "vendor-id-too-long": lambda: VendorId(data=bytes(BIG)),
    "sdp-ids-none": lambda: SdpIds(ids=()),
    "sdp-ids-empty-kmpid": lambda: SdpIds(ids=("mikey", "")),
    "sdp-ids-separator": lambda: SdpIds(ids=("mikey;keyp1",)),
    "sdp-ids-space": lambda: SdpIds(ids=("mi key",)),
    "sdp-ids-non-ascii": lambda: SdpIds(ids=("mikéy",)),
    "sdp-ids-too-long": lambda: SdpIds(ids=("a" * BIG,)),
    "tesla-empty": lambda: TeslaIKey(key=b""),
    "tesla-too-long": lambda: TeslaIKey(key=bytes(BIG)),
    "key-id-type-unassigned": lambda: KeyIdSubPayload(key_id_type=3, key_id=b""),
    "key-id-type-256": lambda: KeyIdSubPayload(key_id_type=256, key_id=b""),
    "key-id-too-long": lambda: KeyIdSubPayload(key_id_type=0, key_id=bytes(256)),
    "key-ids-none": lambda: KeyIdInformation(key_ids=()),
    "key-ids-too-long": lambda: KeyIdInformation(
        key_ids=(KeyIdSubPayload(key_id_type=0, key_id=bytes(255)),) * 258
    ),
    "csb-id-negative": lambda: CsbId(csb_id=-1),
    "csb-id-33-bits": lambda: CsbId(csb_id=1 << 32),
    "oma-subtype-reserved": lambda: OmaBcast(subtype=0, data=b""),
    "oma-subtype-unassigned": lambda: OmaBcast(subtype=5, data=b""),
    "oma-subtype-256": lambda: OmaBcast(subtype=256, data=b""),
    "oma-too-long": lambda: OmaBcast(subtype=1, data=bytes(BIG - 1)),
    "sakke-to-self-too-long": lambda: SakkeToSelf(
        sakke=SakkePayload(sakke_params=240, id_scheme=2, sakke_data=bytes(BIG - 5))
    ),
    "key-parameters-too-long": lambda: ThreeGppKeyParameters(protected_payload=bytes(BIG)),
}


@pytest.mark.parametrize("name", CONSTRUCTOR_ERRORS)
def test_constructor_range_checks(name: str) -> None:
    with pytest.raises(MikeyValueError):
        CONSTRUCTOR_ERRORS[name]()


def test_constructor_names_the_bad_field_of_registered_content() -> None:
    with pytest.raises(MikeyValueError, match="Key ID Type"):
        GeneralExtensionPayload(ext_type=GeneralExtType.KEY_ID, data=b"\x03\x00")


def test_largest_data_fits() -> None:
    payload = GeneralExtensionPayload.from_content(OmaBcast(subtype=255, data=bytes(BIG - 2)))
    assert decode(encode(payload, PayloadType.LAST))[0] == payload


@given(st.one_of(*PAYLOAD_STRATEGIES), st.sampled_from(PayloadType))
def test_round_trip(payload: object, next_type: PayloadType) -> None:
    w = Writer()
    assert isinstance(payload, GeneralExtensionPayload | SakkePayload)
    payload.encode(w, next_type)
    r = Reader(w.getvalue())
    decoded = type(payload).decode(r)
    r.expect_end("payload")
    assert decoded == (payload, next_type)


@given(st.one_of(*CONTENT_STRATEGIES.values()))
def test_content_round_trip(content: GeneralExtensionContent) -> None:
    payload = GeneralExtensionPayload.from_content(content)
    assert payload.ext_type == content.ext_type
    assert payload.content == content
    assert decode_extension_data(content.ext_type, content.to_bytes()) == content


@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    for profile in PROFILES.values():
        with contextlib.suppress(MikeyParseError):
            decode(data, profile)


@given(st.integers(0, 9), st.binary(max_size=300))
def test_arbitrary_data_of_every_type(ext_type: int, data: bytes) -> None:
    for profile in (STRICT, NONZERO_RESERVED):
        with contextlib.suppress(MikeyParseError):
            decode(_header(ext_type, data), profile)
    with contextlib.suppress(MikeyParseError):
        decode_extension_data(ext_type, data)


@given(
    st.sampled_from([v[0] for v in VECTORS.values()]),
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 255)), min_size=1, max_size=3),
)
def test_mutated_vectors(data: bytes, changes: list[tuple[int, int]]) -> None:
    changed = bytearray(data)
    for at, value in changes:
        changed[at % len(changed)] = value
    for profile in PROFILES.values():
        with contextlib.suppress(MikeyParseError):
            decode(bytes(changed), profile)
