"""TR, IDR, RANDR, TP and TICKET payloads (RFC 6043 §6.4, §6.6, §6.8, §6.10).

The vectors are assembled by hand, field by field, from the RFC 6043 figures; none of
them comes from this codec's encoder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import (
    IdRole,
    IdType,
    PayloadType,
    PrfFunc,
    RandRole,
    TicketType,
    TsRole,
    TsType,
)
from mikey.wire.buffer import Profile, Reader
from mikey.wire.payload import Payload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)
from tests.wire.codec import (
    assert_truncations_refused,
    assert_vector,
    decode_payload,
    encode_payload,
)
from tests.wire.strategies_ticket import TICKET_STRATEGIES

CLASSES: list[type[Payload]] = [
    TimestampRolePayload,
    IdRolePayload,
    RandRolePayload,
    TicketPolicyPayload,
    TicketPayload,
]


def h(*fields: str) -> bytes:
    """Join hex fields (spaces allowed) into bytes."""
    return bytes.fromhex("".join(fields))


decode = decode_payload
encode = encode_payload


# The IDR payload that the TP Data of TP_BASE carries, after its First Payload byte.
IDRR_BOB = h(
    "00",  # Next Payload: Last payload
    "02",  # ID Role: Responder (IDRr)
    "00",  # ID Type: NAI
    "000f",  # ID len: 15
    "626f62406578616d706c652e636f6d",  # ID Data: "bob@example.com"
)

VECTORS: dict[str, tuple[type[Payload], bytes, Payload, PayloadType]] = {
    # RFC 6043 §6.4: Next Payload | TS Role | TS Type | TS Value
    "tr-trs-ntp-utc-32": (
        TimestampRolePayload,
        h(
            "0e",  # Next Payload: IDR (14)
            "02",  # TS Role: Start of validity period (TRs)
            "03",  # TS Type: NTP-UTC-32, 32-bit value
            "e8d1a2b0",  # TS Value
        ),
        TimestampRolePayload(
            ts_role=TsRole.START_OF_VALIDITY, ts_type=TsType.NTP_UTC_32, value=0xE8D1A2B0
        ),
        PayloadType.IDR,
    ),
    "tr-tri-ntp-utc": (
        TimestampRolePayload,
        h(
            "0d",  # Next Payload: TR (13)
            "01",  # TS Role: Time of issue (TRi)
            "00",  # TS Type: NTP-UTC, 64-bit value
            "e8d1a2b0 80000000",  # TS Value: seconds, fraction (half a second)
        ),
        TimestampRolePayload(
            ts_role=TsRole.TIME_OF_ISSUE, ts_type=TsType.NTP_UTC, value=0xE8D1A2B080000000
        ),
        PayloadType.TR,
    ),
    "tr-private-role-counter": (
        TimestampRolePayload,
        h(
            "00",  # Next Payload: Last payload
            "f0",  # TS Role: 240, Private Use (carried as a number)
            "02",  # TS Type: COUNTER, 32-bit value
            "00000007",  # TS Value
        ),
        TimestampRolePayload(ts_role=240, ts_type=TsType.COUNTER, value=7),
        PayloadType.LAST,
    ),
    # RFC 6043 §6.6: Next Payload | ID Role | ID Type | ID len (16) | ID Data
    "idr-kms-uri": (
        IdRolePayload,
        h(
            "00",  # Next Payload: Last payload
            "03",  # ID Role: KMS (IDRkms)
            "01",  # ID Type: URI
            "0013",  # ID len: 19
            "7369703a6b6d73406578616d706c652e636f6d",  # ID Data: "sip:kms@example.com"
        ),
        IdRolePayload(id_role=IdRole.KMS, id_type=IdType.URI, data=b"sip:kms@example.com"),
        PayloadType.LAST,
    ),
    "idr-private-empty": (
        IdRolePayload,
        h(
            "0f",  # Next Payload: RANDR (15)
            "f5",  # ID Role: 245, Private Use
            "f1",  # ID Type: 241, Private Use
            "0000",  # ID len: 0, no ID Data
        ),
        IdRolePayload(id_role=245, id_type=241, data=b""),
        PayloadType.RANDR,
    ),
    # RFC 6043 §6.8: Next Payload | RAND Role | RAND length | RAND
    "randr-initiator": (
        RandRolePayload,
        h(
            "10",  # Next Payload: TP (16)
            "01",  # RAND Role: Initiator (RANDRi)
            "10",  # RAND length: 16
            "000102030405060708090a0b0c0d0e0f",  # RAND
        ),
        RandRolePayload(rand_role=RandRole.INITIATOR, rand=bytes(range(16))),
        PayloadType.TP,
    ),
    "randr-kms-empty": (
        RandRolePayload,
        h(
            "00",  # Next Payload: Last payload
            "03",  # RAND Role: KMS (RANDRkms)
            "00",  # RAND length: 0
        ),
        RandRolePayload(rand_role=RandRole.KMS, rand=b""),
        PayloadType.LAST,
    ),
    # RFC 6043 §6.10, TP: Next Payload | Ticket Type (16) | Subtype | Version |
    # PRF Func (7) D..O (12) Res (5) | TP Data length (16) | TP Data
    "tp-base-ticket": (
        TicketPolicyPayload,
        h(
            "0b",  # Next Payload: RAND (11)
            "0001",  # Ticket Type: MIKEY base ticket
            "01",  # Subtype: 1
            "01",  # Version: 1
            "03",  # PRF Func 1 (PRF-HMAC-SHA-256) in 7 bits, D = 1
            "f1",  # E F G H = 1, I J K = 0, L = 1
            "60",  # M = 0, N O = 1, Res = 0
            "0015",  # TP Data length: 21
            "0e",  # TP Data: First Payload IDR (14), then the IDRr payload
            IDRR_BOB.hex(),
        ),
        TicketPolicyPayload(
            policy=TicketPolicy(
                ticket_type=TicketType.MIKEY_BASE_TICKET,
                subtype=1,
                version=1,
                prf_func=PrfFunc.PRF_HMAC_SHA_256,
                flags=TicketFlag.D
                | TicketFlag.E
                | TicketFlag.F
                | TicketFlag.G
                | TicketFlag.H
                | TicketFlag.L
                | TicketFlag.N
                | TicketFlag.O,
                tp_data=b"\x0e" + IDRR_BOB,
            )
        ),
        PayloadType.RAND,
    ),
    # RFC 6043 §6.10, TICKET: the TP fields, then Ticket Data length (16) | Ticket Data |
    # Initiator Data length (16) | Initiator Data
    "ticket-key-forking": (
        TicketPayload,
        h(
            "00",  # Next Payload: Last payload
            "0001",  # Ticket Type: MIKEY base ticket
            "01",  # Subtype: 1
            "01",  # Version: 1
            "02",  # PRF Func 1 (PRF-HMAC-SHA-256), D = 0
            "f9",  # E F G H I = 1, J K = 0, L = 1
            "60",  # M = 0, N O = 1, Res = 0
            "0001",  # TP Data length: 1
            "00",  # TP Data: First Payload = Last payload
            "0008",  # Ticket Data length: 8
            "deadbeef01020304",  # Ticket Data (opaque)
            "0005",  # Initiator Data length: 5
            "09",  # Initiator Data: First Payload V (9)
            "0900",  # Vi: Next Payload V, Auth alg NULL (no MAC)
            "0000",  # Vr: Next Payload Last, Auth alg NULL (no MAC)
        ),
        TicketPayload(
            policy=TicketPolicy(
                ticket_type=TicketType.MIKEY_BASE_TICKET,
                subtype=1,
                version=1,
                prf_func=PrfFunc.PRF_HMAC_SHA_256,
                flags=TicketFlag.E
                | TicketFlag.F
                | TicketFlag.G
                | TicketFlag.H
                | TicketFlag.I
                | TicketFlag.L
                | TicketFlag.N
                | TicketFlag.O,
                tp_data=b"\x00",
            ),
            ticket_data=bytes.fromhex("deadbeef01020304"),
            initiator_data=bytes.fromhex("0909000000"),
        ),
        PayloadType.LAST,
    ),
    "ticket-private-type-empty": (
        TicketPayload,
        h(
            "11",  # Next Payload: TICKET (17)
            "f000",  # Ticket Type: 61440, Private Use
            "02",  # Subtype: 2
            "07",  # Version: 7
            "e0",  # PRF Func 112 (Private Use), D = 0
            "00",  # E to L = 0
            "00",  # M N O = 0, Res = 0
            "0000",  # TP Data length: 0
            "0000",  # Ticket Data length: 0
            "0000",  # Initiator Data length: 0
        ),
        TicketPayload(
            policy=TicketPolicy(
                ticket_type=61440,
                subtype=2,
                version=7,
                prf_func=112,
                flags=TicketFlag(0),
                tp_data=b"",
            ),
            ticket_data=b"",
        ),
        PayloadType.TICKET,
    ),
}


@pytest.mark.parametrize("name", VECTORS)
def test_vector_decodes_and_reencodes(name: str) -> None:
    assert_vector(*VECTORS[name])


@pytest.mark.parametrize("name", VECTORS)
def test_truncation_at_every_offset_is_a_parse_error(name: str) -> None:
    cls, data, _, _ = VECTORS[name]
    assert_truncations_refused(cls, data)


def test_registered_values_decode_to_members() -> None:
    payload, _ = decode(TimestampRolePayload, VECTORS["tr-trs-ntp-utc-32"][1])
    assert isinstance(payload, TimestampRolePayload)
    assert payload.ts_role is TsRole.START_OF_VALIDITY
    ticket, _ = decode(TicketPayload, VECTORS["ticket-key-forking"][1])
    assert isinstance(ticket, TicketPayload)
    assert ticket.policy.ticket_type is TicketType.MIKEY_BASE_TICKET
    assert ticket.policy.prf_func is PrfFunc.PRF_HMAC_SHA_256


def test_tp_data_is_a_payload_chain() -> None:
    payload, _ = decode(TicketPolicyPayload, VECTORS["tp-base-ticket"][1])
    assert isinstance(payload, TicketPolicyPayload)
    tp_data = payload.policy.tp_data
    assert tp_data[0] == PayloadType.IDR  # First Payload
    idr, next_type = decode(IdRolePayload, tp_data[1:])
    assert idr == IdRolePayload(
        id_role=IdRole.RESPONDER, id_type=IdType.NAI, data=b"bob@example.com"
    )
    assert next_type is PayloadType.LAST


# The three bytes after Version: PRF Func (7 bits) D | E F G H I J K L | M N O Res (5 bits).
FLAG_BYTES = {
    TicketFlag.D: "010000",
    TicketFlag.E: "008000",
    TicketFlag.F: "004000",
    TicketFlag.G: "002000",
    TicketFlag.H: "001000",
    TicketFlag.I: "000800",
    TicketFlag.J: "000400",
    TicketFlag.K: "000200",
    TicketFlag.L: "000100",
    TicketFlag.M: "000080",
    TicketFlag.N: "000040",
    TicketFlag.O: "000020",
}


@pytest.mark.parametrize("flag", list(FLAG_BYTES), ids=lambda f: f.name)
def test_each_flag_sits_at_its_bit(flag: TicketFlag) -> None:
    data = h(
        "00",  # Next Payload: Last payload
        "0001",  # Ticket Type: MIKEY base ticket
        "01",  # Subtype
        "01",  # Version
        FLAG_BYTES[flag],  # PRF Func 0 (MIKEY-1), one flag, Res = 0
        "0000",  # TP Data length: 0
    )
    payload, _ = decode(TicketPolicyPayload, data)
    assert isinstance(payload, TicketPolicyPayload)
    assert payload.policy.flags == flag
    assert payload.policy.prf_func is PrfFunc.MIKEY_1
    assert encode(payload, PayloadType.LAST) == data


def _replace(data: bytes, offset: int, value: str) -> bytes:
    patch = bytes.fromhex(value)
    return data[:offset] + patch + data[offset + len(patch) :]


BAD: dict[str, tuple[type[Payload], str, int, str, str]] = {
    "next-payload-unassigned": (TimestampRolePayload, "tr-trs-ntp-utc-32", 0, "13", "Next payload"),
    "ts-type-unknown": (TimestampRolePayload, "tr-trs-ntp-utc-32", 2, "04", "TS Type"),
    "idr-next-payload-unassigned": (IdRolePayload, "idr-kms-uri", 0, "1b", "Next payload"),
    "idr-id-len-too-long": (IdRolePayload, "idr-kms-uri", 3, "0014", "ID Data"),
    "randr-length-too-long": (RandRolePayload, "randr-initiator", 2, "11", "RAND"),
    "ts-role-reserved-0": (TimestampRolePayload, "tr-trs-ntp-utc-32", 1, "00", "TS Role"),
    "ts-role-reserved-255": (TimestampRolePayload, "tr-trs-ntp-utc-32", 1, "ff", "TS Role"),
    "id-role-reserved-0": (IdRolePayload, "idr-kms-uri", 1, "00", "ID Role"),
    "id-role-reserved-255": (IdRolePayload, "idr-kms-uri", 1, "ff", "ID Role"),
    "rand-role-reserved-0": (RandRolePayload, "randr-initiator", 1, "00", "RAND Role"),
    "rand-role-reserved-255": (RandRolePayload, "randr-initiator", 1, "ff", "RAND Role"),
    "ticket-type-reserved-0": (TicketPolicyPayload, "tp-base-ticket", 1, "0000", "Ticket Type"),
    "ticket-type-reserved-65535": (TicketPayload, "ticket-key-forking", 1, "ffff", "Ticket Type"),
    "tp-res-bits-set": (TicketPolicyPayload, "tp-base-ticket", 7, "61", "Res"),
    "tp-data-length-too-long": (TicketPolicyPayload, "tp-base-ticket", 8, "0016", "TP Data"),
    "ticket-res-bits-set": (TicketPayload, "ticket-key-forking", 7, "7f", "Res"),
    "ticket-data-length-too-long": (TicketPayload, "ticket-key-forking", 11, "0010", "Ticket Data"),
    "initiator-data-length-too-long": (
        TicketPayload,
        "ticket-key-forking",
        21,
        "0006",
        "Initiator Data",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_value_is_a_parse_error_naming_the_field(name: str) -> None:
    cls, vector, offset, value, field = BAD[name]
    with pytest.raises(MikeyParseError) as info:
        decode(cls, _replace(VECTORS[vector][1], offset, value))
    assert info.value.what.startswith(f"{field}:"), info.value.what
    assert info.value.payload == cls.payload_type.label


def test_error_offsets() -> None:
    with pytest.raises(MikeyParseError) as info:
        decode(TimestampRolePayload, _replace(VECTORS["tr-trs-ntp-utc-32"][1], 2, "04"))
    assert info.value.offset == 2
    with pytest.raises(MikeyParseError) as info:
        decode(TicketPolicyPayload, _replace(VECTORS["tp-base-ticket"][1], 7, "61"))
    assert info.value.offset == 7


def test_nonzero_res_tolerated_by_profile_and_cleared_on_encode() -> None:
    data = VECTORS["tp-base-ticket"][1]
    lenient = Profile(name="test", nonzero_reserved=True)
    payload, next_type = decode(TicketPolicyPayload, _replace(data, 7, "7f"), lenient)
    assert encode(payload, next_type) == data


def test_trailing_bytes_are_left_for_the_next_payload() -> None:
    data = VECTORS["randr-initiator"][1] + b"\x00"
    with pytest.raises(MikeyParseError, match="unexpected bytes"):
        decode(RandRolePayload, data)


CONSTRUCTOR_ERRORS: dict[str, Callable[[], object]] = {
    "ts-role-9-bits": lambda: TimestampRolePayload(ts_role=256, ts_type=TsType.NTP_UTC_32, value=0),
    "ts-value-too-big": lambda: TimestampRolePayload(
        ts_role=TsRole.END_OF_VALIDITY, ts_type=TsType.NTP_UTC_32, value=1 << 32
    ),
    "ts-value-negative": lambda: TimestampRolePayload(
        ts_role=TsRole.END_OF_VALIDITY, ts_type=TsType.NTP_UTC, value=-1
    ),
    "ts-role-reserved": lambda: TimestampRolePayload(ts_role=0, ts_type=TsType.NTP_UTC_32, value=0),
    "id-role-reserved": lambda: IdRolePayload(id_role=255, id_type=IdType.NAI, data=b""),
    "rand-role-reserved": lambda: RandRolePayload(rand_role=0, rand=b""),
    "ticket-type-reserved-0": lambda: _policy(ticket_type=0),
    "ticket-type-reserved-65535": lambda: _policy(ticket_type=0xFFFF),
    "id-role-negative": lambda: IdRolePayload(id_role=-1, id_type=IdType.NAI, data=b""),
    "id-type-9-bits": lambda: IdRolePayload(id_role=IdRole.KMS, id_type=256, data=b""),
    "id-data-too-long": lambda: IdRolePayload(
        id_role=IdRole.KMS, id_type=IdType.NAI, data=bytes(1 << 16)
    ),
    "rand-role-9-bits": lambda: RandRolePayload(rand_role=256, rand=b""),
    "rand-too-long": lambda: RandRolePayload(rand_role=RandRole.KMS, rand=bytes(256)),
    "ticket-type-17-bits": lambda: _policy(ticket_type=1 << 16),
    "subtype-9-bits": lambda: _policy(subtype=256),
    "version-negative": lambda: _policy(version=-1),
    "prf-func-8-bits": lambda: _policy(prf_func=128),
    "flags-13-bits": lambda: _policy(flags=TicketFlag(0xFFF) + 1),
    "tp-data-too-long": lambda: _policy(tp_data=bytes(1 << 16)),
    "ticket-data-too-long": lambda: TicketPayload(policy=_policy(), ticket_data=bytes(1 << 16)),
    "initiator-data-too-long": lambda: TicketPayload(
        policy=_policy(), ticket_data=b"", initiator_data=bytes(1 << 16)
    ),
}


def _policy(**changes: object) -> TicketPolicy:
    fields: dict[str, object] = {
        "ticket_type": TicketType.MIKEY_BASE_TICKET,
        "subtype": 1,
        "version": 1,
        "prf_func": PrfFunc.MIKEY_1,
        "flags": TicketFlag.D | TicketFlag.H,
        "tp_data": b"\x00",
    }
    fields.update(changes)
    return TicketPolicy(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", CONSTRUCTOR_ERRORS)
def test_constructor_range_checks(name: str) -> None:
    with pytest.raises(MikeyValueError):
        CONSTRUCTOR_ERRORS[name]()


def test_flag_conflicts() -> None:
    assert _policy(flags=TicketFlag.D | TicketFlag.H).flag_conflicts() == ()
    assert _policy(flags=TicketFlag(0)).flag_conflicts() == (
        "NOT D implies L",
        "NOT G implies H",
        "NOT H implies G",
    )
    assert _policy(
        flags=TicketFlag.G | TicketFlag.I | TicketFlag.K | TicketFlag.M | TicketFlag.L
    ).flag_conflicts() == (
        "G implies F",
        "I implies E",
        "K implies D",
        "M implies F",
    )


def test_timestamp_role_datetime() -> None:
    when = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    tr = TimestampRolePayload.at(when, TsRole.END_OF_VALIDITY, TsType.NTP_UTC_32)
    assert tr.ts_type is TsType.NTP_UTC_32
    assert tr.to_datetime() == when


@given(st.one_of(TICKET_STRATEGIES), st.sampled_from(PayloadType))
def test_round_trip(payload: Payload, next_type: PayloadType) -> None:
    decoded, decoded_next = decode(type(payload), encode(payload, next_type))
    assert decoded == payload
    assert decoded_next is next_type


@given(st.sampled_from(CLASSES), st.binary(max_size=64))
def test_untrusted_bytes(cls: type[Payload], data: bytes) -> None:
    r = Reader(data, payload=cls.payload_type.label)
    try:
        payload, next_type = cls.decode(r)
    except MikeyParseError:
        return
    assert encode(payload, next_type) == data[: r.pos]  # the encoding is canonical
