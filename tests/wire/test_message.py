"""Whole messages: the Common Header and its maps, the payload rules per data type, the
MAC and signature spans, and the interop profiles (RFC 3830 §5.2, §6.1; RFC 4563;
RFC 6043 §6.1.1)."""

from __future__ import annotations

import pytest

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import DataType, EncrAlg, MacAlg, PayloadType, PrfFunc, ProtType, SType, TsType
from mikey.wire.basic import IdPayload, RandPayload, TimestampPayload, VerificationPayload
from mikey.wire.buffer import Reader, Writer
from mikey.wire.header import (
    CommonHeader,
    EmptyMap,
    GenericIdEntry,
    GenericIdMap,
    SrtpIdEntry,
    SrtpIdMap,
    SrtpSessionData,
)
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message, decode_message
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.profiles import LENIENT, TRAILING_ZERO
from mikey.wire.publickey import EnvelopePayload, SignaturePayload
from tests.wire.test_layouts import h

# A PSK I_MESSAGE, assembled by hand from RFC 3830 §6.1, §6.1.1, §6.6, §6.11, §6.2, §6.13.
PSK = h(
    """
    01                  # version 1
    00                  # data type: Pre-shared
    05                  # next payload: T
    80                  # V=1, PRF func MIKEY-1
    cafebabe            # CSB ID
    02                  # #CS = 2
    00                  # CS ID map type: SRTP-ID
    00 11223344 00000000  # Policy_no_1, SSRC_1, ROC_1
    00 55667788 00000001  # Policy_no_2, SSRC_2, ROC_2
    0b 00 e72b5c8000000000  # T: next RAND, NTP-UTC, value
    01 10 000102030405060708090a0b0c0d0e0f  # RAND: next KEMAC, len 16
    00 00 0005            # KEMAC: next Last, Encr alg NULL, Encr data len 5
       00 00 0001 ff      #   Key data: next Last, TGK / KV Null, len 1, key
    01                    # MAC alg HMAC-SHA-1-160
    """
    + "ee" * 20
)


def test_psk_message_decodes_field_by_field() -> None:
    message = decode_message(PSK)
    assert message.header == CommonHeader(
        data_type=DataType.PRE_SHARED,
        csb_id=0xCAFEBABE,
        v=True,
        prf_func=PrfFunc.MIKEY_1,
        cs_id_map=SrtpIdMap(
            entries=(
                SrtpIdEntry(policy_no=0, ssrc=0x11223344, roc=0),
                SrtpIdEntry(policy_no=0, ssrc=0x55667788, roc=1),
            )
        ),
    )
    assert [p.payload_type for p in message.payloads] == [
        PayloadType.T,
        PayloadType.RAND,
        PayloadType.KEMAC,
    ]
    assert message.encode() == PSK
    # The MAC covers everything but the MAC field (RFC 3830 §5.2).
    assert message.authenticated_bytes() == PSK[:-20]
    assert message.payload_span(1) == (38, 56)


def test_generic_id_map_layout() -> None:
    header = h(
        """
        01 0e 00 01         # version, TRANSFER_INIT, next Last, V=0 PRF-HMAC-SHA-256
        00000001 01 02      # CSB ID 1, #CS 1, GENERIC-ID
        07 00 82            # CS ID 7, Prot SRTP, S=1 #P=2
        03 04               # Ps
        000a 01020304 00000005 0006  # Session data: SSRC, ROC, SEQ
        02 abcd             # SPI length 2, SPI
        """
    )
    # Parse the header alone (a message with no payloads violates TRANSFER_INIT rules
    # only once they are defined; the header codec is checked directly here).
    from mikey.wire.buffer import Reader

    decoded, next_type = CommonHeader.decode(Reader(header))
    entry = GenericIdEntry(
        cs_id=7,
        prot_type=ProtType.SRTP,
        s_flag=True,
        policy_nos=(3, 4),
        session_data=h("01020304 00000005 0006"),
        spi=h("abcd"),
    )
    assert decoded.cs_id_map == GenericIdMap(entries=(entry,))
    assert decoded.prf_func is PrfFunc.PRF_HMAC_SHA_256
    assert entry.srtp_session_data == SrtpSessionData(ssrc=0x01020304, roc=5, seq=6)
    assert next_type is PayloadType.LAST


def test_generic_id_srtp_session_data_must_match_s_flag() -> None:
    bad = h("01 0e 00 01 00000001 01 02  07 00 80  0004 01020304  00")
    with pytest.raises(MikeyParseError, match="Session Data"):
        decode_message(bad)


def test_empty_map_forbids_sp() -> None:
    header = CommonHeader(data_type=DataType.PRE_SHARED, csb_id=1, cs_id_map=EmptyMap(cs_count=1))
    with pytest.raises(MikeyValueError, match="Empty map"):
        Message(
            header=header,
            payloads=(
                TimestampPayload(ts_type=TsType.COUNTER, value=1),
                SecurityPolicyPayload(policy_no=0, prot_type=ProtType.SRTP),
                KemacPayload(encr_alg=EncrAlg.NULL, encr_data=b"", mac_alg=MacAlg.NULL, mac=b""),
            ),
        )


def _psk_header() -> CommonHeader:
    return CommonHeader(data_type=DataType.PRE_SHARED, csb_id=1, cs_id_map=SrtpIdMap())


@pytest.mark.parametrize(
    ("payloads", "problem"),
    [
        ((TimestampPayload(ts_type=TsType.COUNTER, value=1),), "needs a KEMAC"),
        (
            (
                TimestampPayload(ts_type=TsType.COUNTER, value=1),
                EnvelopePayload(data=b""),
                KemacPayload(encr_alg=EncrAlg.NULL, encr_data=b"", mac_alg=MacAlg.NULL, mac=b""),
            ),
            "cannot carry a PKE",
        ),
        (
            (
                KemacPayload(encr_alg=EncrAlg.NULL, encr_data=b"", mac_alg=MacAlg.NULL, mac=b""),
                TimestampPayload(ts_type=TsType.COUNTER, value=1),
            ),
            "must end with KEMAC",
        ),
        (
            (
                TimestampPayload(ts_type=TsType.COUNTER, value=1),
                RandPayload(rand=b"1"),
                RandPayload(rand=b"2"),
                KemacPayload(encr_alg=EncrAlg.NULL, encr_data=b"", mac_alg=MacAlg.NULL, mac=b""),
            ),
            "at most 1 RAND",
        ),
    ],
)
def test_rules_refuse_wrong_payload_sets(payloads: tuple, problem: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(MikeyValueError, match=problem):
        Message(header=_psk_header(), payloads=payloads)


def test_rules_apply_when_decoding_with_offset() -> None:
    # PSK_VER_MSG carrying a RAND: refused, naming the RAND payload and its offset.
    data = h("01 01 05 00 00000001 00 00  0b 02 00000001  09 01 aa  00 00")
    with pytest.raises(MikeyParseError) as info:
        decode_message(data)
    assert info.value.payload == "RAND" and info.value.offset == 16


def test_unregistered_data_type_and_prf_are_kept() -> None:
    data = h("01 c8 05 7f 00000001 00 00  00 02 00000001")
    message = decode_message(data)
    assert message.data_type == 200 and message.header.prf_func == 127
    assert message.encode() == data


def test_unknown_next_payload_is_refused_at_its_byte() -> None:
    data = h("01 00 05 00 00000001 00 00  13 02 00000001")
    with pytest.raises(MikeyParseError, match="Next payload: 19") as info:
        decode_message(data)
    assert info.value.offset == 10


def test_wrong_version_is_refused() -> None:
    with pytest.raises(MikeyParseError, match="version: 2"):
        decode_message(b"\x02" + PSK[1:])


def test_trailing_bytes() -> None:
    with pytest.raises(MikeyParseError, match="1 byte after the last payload"):
        decode_message(PSK + b"\x00")
    assert decode_message(PSK + b"\x00", profile=TRAILING_ZERO) == decode_message(PSK)
    assert decode_message(PSK + b"\x00", profile=TRAILING_ZERO).encode() == PSK
    with pytest.raises(MikeyParseError):
        decode_message(PSK + b"\x01", profile=TRAILING_ZERO)


def test_nonzero_reserved_only_when_lenient() -> None:
    err = h("01 06 05 00 00000001 00 00  0c 00 e72b5c8000000000  00 0c 0001")
    with pytest.raises(MikeyParseError, match="Reserved"):
        decode_message(err)
    message = decode_message(err, profile=LENIENT)
    # The received bytes stay authoritative for MAC spans; re-encoding writes zeros.
    assert message.encode() == err
    assert Message(header=message.header, payloads=message.payloads).encode() == err[:-2] + b"\0\0"


def test_null_kemac_contents_must_parse() -> None:
    broken = bytearray(PSK)
    broken[56 + 4 + 1] = 0x80  # key data Type 8: unassigned
    with pytest.raises(MikeyParseError, match="Type: 8") as info:
        decode_message(bytes(broken))
    assert info.value.payload == "KEMAC Key data"


def test_signature_span_and_kemac_mac_span() -> None:
    header = CommonHeader(data_type=DataType.PUBLIC_KEY, csb_id=9, cs_id_map=SrtpIdMap())
    kemac = KemacPayload(
        encr_alg=EncrAlg.AES_CM_128,
        encr_data=b"\x01\x02",
        mac_alg=MacAlg.HMAC_SHA_1_160,
        mac=b"\x33" * 20,
    )
    message = Message(
        header=header,
        payloads=(
            TimestampPayload(ts_type=TsType.COUNTER, value=1),
            kemac,
            EnvelopePayload(data=b"\x44" * 8),
            SignaturePayload(s_type=SType.RSA_PKCS1_1_5, signature=b"\x55" * 16),
        ),
    )
    data = message.encode()
    assert message.authenticated_bytes() == data[:-16]
    assert message.bytes_before(-1) == data[:-18]  # RSA-R R_MESSAGE: without SIGN at all
    start, end = message.payload_span(1)
    assert data[start] == PayloadType.PKE
    assert message.kemac_mac_bytes() == b"\x00" + data[start + 1 : end - 20]


def test_verification_span() -> None:
    message = Message(
        header=CommonHeader(data_type=DataType.PSK_VER_MSG, csb_id=1),
        payloads=(
            TimestampPayload(ts_type=TsType.COUNTER, value=1),
            IdPayload(id_type=1, data=b"x"),
            VerificationPayload(auth_alg=MacAlg.HMAC_SHA_1_160, ver_data=b"\x01" * 20),
        ),
    )
    assert message.authenticated_bytes() == message.encode()[:-20]


def test_sign_must_be_last() -> None:
    with pytest.raises(MikeyValueError, match="SIGN must be the last"):
        Message(
            header=CommonHeader(data_type=200, csb_id=1),
            payloads=(
                SignaturePayload(s_type=0, signature=b""),
                TimestampPayload(ts_type=TsType.COUNTER, value=1),
            ),
        )


def test_replace_makes_a_fresh_encoding() -> None:
    # A signer builds the message with a placeholder signature, signs
    # authenticated_bytes(), then swaps the signature in with dataclasses.replace.
    import dataclasses

    message = decode_message(PSK)
    kemac = message.payloads[-1]
    assert isinstance(kemac, KemacPayload)
    changed = dataclasses.replace(
        message, payloads=(*message.payloads[:-1], dataclasses.replace(kemac, mac=b"\x01" * 20))
    )
    assert changed.encode() == PSK[:-20] + b"\x01" * 20
    assert changed.authenticated_bytes() == message.authenticated_bytes()


def test_sp_parameter_caches_are_bounded_and_exact() -> None:
    """SP parameter lists are cached by their bytes (decode) and by identity (encode):
    distinct lists never share an entry, and a flood of variations cannot grow them."""
    from mikey.wire import policy

    def sp_bytes(value: int) -> bytes:
        params = bytes([0, 1, value & 0xFF, 1, 1, value >> 8])  # two TLVs
        return bytes([0, 7, 0]) + len(params).to_bytes(2) + params

    decoded = []
    for value in range(1000):
        payload, _ = SecurityPolicyPayload.decode(Reader(sp_bytes(value)))
        decoded.append(payload)
        assert [(p.type, p.value) for p in payload.params] == [
            (0, bytes([value & 0xFF])),
            (1, bytes([value >> 8])),
        ]
    assert len(policy._DECODED) <= policy._CACHE_SIZE
    for value, payload in zip(range(1000), decoded, strict=True):
        w = Writer()
        payload.encode(w, PayloadType.LAST)
        assert w.getvalue() == sp_bytes(value)
    assert len(policy._ENCODED) <= policy._CACHE_SIZE
    # A malformed list is never cached: it fails every time.
    bad = bytes([0, 7, 0, 0, 3, 0, 5, 1])
    for _ in range(2):
        with pytest.raises(MikeyParseError, match="Policy param value"):
            SecurityPolicyPayload.decode(Reader(bad))
