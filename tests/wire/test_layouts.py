"""Byte layouts of the RFC 3830 payloads, assembled field by field from the RFC figures.

Each case is written as hex with one comment per field (never produced by our encoder),
must decode to the expected value, re-encode to the same bytes, and fail cleanly when
truncated at any byte.
"""

from __future__ import annotations

import pytest

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import (
    CacheIndicator,
    CertType,
    DhGroup,
    EncrAlg,
    ErrorNo,
    HashFunc,
    IdType,
    KeyDataType,
    MacAlg,
    PayloadType,
    ProtType,
    SType,
    TsType,
)
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.buffer import Reader, Writer
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.payload import Payload
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload


def h(text: str) -> bytes:
    """Hex with ``#`` comments and whitespace."""
    return bytes.fromhex("".join(line.split("#")[0] for line in text.splitlines()))


CASES: list[tuple[str, str, Payload, PayloadType]] = [
    (
        "T NTP-UTC (§6.6)",
        """
        0b                  # Next payload: RAND
        00                  # TS type: NTP-UTC
        e7 2b 5c 80 00 00 00 01  # TS value, 64 bits
        """,
        TimestampPayload(ts_type=TsType.NTP_UTC, value=0xE72B5C8000000001),
        PayloadType.RAND,
    ),
    (
        "T COUNTER (§6.6)",
        """
        00 02 00 00 01 00   # Last, COUNTER, 32-bit value 256
        """,
        TimestampPayload(ts_type=TsType.COUNTER, value=256),
        PayloadType.LAST,
    ),
    (
        "T NTP-UTC-32 (RFC 6043 §6.3)",
        "00 03 e7 2b 5c 80",
        TimestampPayload(ts_type=TsType.NTP_UTC_32, value=0xE72B5C80),
        PayloadType.LAST,
    ),
    (
        "RAND (§6.11)",
        """
        0a                  # Next payload: SP
        10                  # RAND len 16
        000102030405060708090a0b0c0d0e0f
        """,
        RandPayload(rand=bytes(range(16))),
        PayloadType.SP,
    ),
    (
        "ID URI (§6.7)",
        """
        06                  # Next payload: ID
        01                  # ID type: URI
        00 0f               # ID len 15
        7369703a616c69636540612e6f7267  # sip:alice@a.org
        """,
        IdPayload(id_type=IdType.URI, data=b"sip:alice@a.org"),
        PayloadType.ID,
    ),
    (
        "ID unassigned type kept",
        "00 c8 00 01 ff",
        IdPayload(id_type=200, data=b"\xff"),
        PayloadType.LAST,
    ),
    (
        "CERT X.509v3 Sign (§6.7)",
        "07 02 00 03 30 01 00  # Next CERT, type 2, len 3, data",
        CertPayload(cert_type=CertType.X509V3_SIGN, data=b"\x30\x01\x00"),
        PayloadType.CERT,
    ),
    (
        "CHASH SHA-256 (RFC 6043 §6.7)",
        "02 02" + " aa" * 32 + "  # Next PKE, SHA-256, 32-byte hash",
        CertHashPayload(hash_func=HashFunc.SHA_256, hash=b"\xaa" * 32),
        PayloadType.PKE,
    ),
    (
        "V HMAC-SHA-1-160 (§6.9)",
        "00 01" + " 55" * 20,
        VerificationPayload(auth_alg=MacAlg.HMAC_SHA_1_160, ver_data=b"\x55" * 20),
        PayloadType.LAST,
    ),
    (
        "V NULL (§6.9)",
        "00 00",
        VerificationPayload(auth_alg=MacAlg.NULL, ver_data=b""),
        PayloadType.LAST,
    ),
    (
        "ERR Invalid SPpar (§6.12)",
        """
        0c                  # Next payload: ERR
        0a                  # Error no: Invalid SPpar
        00 00               # Reserved
        """,
        ErrorPayload(error_no=ErrorNo.INVALID_SPPAR),
        PayloadType.ERR,
    ),
    (
        "SP SRTP (§6.10)",
        """
        01                  # Next payload: KEMAC
        00                  # Policy no 0
        00                  # Prot type: SRTP
        00 09               # Policy param length 9
        00 01 01            # Encryption algorithm: AES-CM
        01 01 10            # Session Encr. key length: 16
        0b 01 0a            # Authentication tag length: 10
        """,
        SecurityPolicyPayload(
            policy_no=0,
            prot_type=ProtType.SRTP,
            params=(
                PolicyParam(type=0, value=b"\x01"),
                PolicyParam(type=1, value=b"\x10"),
                PolicyParam(type=11, value=b"\x0a"),
            ),
        ),
        PayloadType.KEMAC,
    ),
    (
        "PKE cache for CSB (§6.3)",
        """
        04                  # Next payload: SIGN
        80 03               # C = 2 (Cache for CSB), Data len 3
        01 02 03
        """,
        EnvelopePayload(cache=CacheIndicator.CACHE_FOR_CSB, data=b"\x01\x02\x03"),
        PayloadType.SIGN,
    ),
    (
        "DH OAKLEY 1 with SPI (§6.4)",
        "04 01" + " 11" * 96 + " 01  # Reserv 0, KV SPI\n 02 ab cd  # SPI length 2, SPI",
        DhPayload(
            dh_group=DhGroup.OAKLEY_1, dh_value=b"\x11" * 96, validity=SpiValidity(spi=b"\xab\xcd")
        ),
        PayloadType.SIGN,
    ),
    (
        "SIGN RSA/PSS (§6.5)",
        """
        10 04               # S type 1 (RSA/PSS), Signature len 4
        de ad be ef
        """,
        SignaturePayload(s_type=SType.RSA_PSS, signature=b"\xde\xad\xbe\xef"),
        PayloadType.LAST,
    ),
    (
        "KEMAC AES-CM-128 / HMAC-SHA-1-160 (§6.2)",
        """
        00                  # Next payload: Last
        01                  # Encr alg: AES-CM-128
        00 04               # Encr data len 4
        01 02 03 04         # Encr data
        01                  # MAC alg: HMAC-SHA-1-160
        """
        + " 99" * 20,
        KemacPayload(
            encr_alg=EncrAlg.AES_CM_128,
            encr_data=b"\x01\x02\x03\x04",
            mac_alg=MacAlg.HMAC_SHA_1_160,
            mac=b"\x99" * 20,
        ),
        PayloadType.LAST,
    ),
    (
        "Key data TEK+SALT with interval (§6.13, §6.14)",
        """
        14                  # Next payload: Key data
        32                  # Type TEK+SALT (3), KV Interval (2)
        00 02 aa bb         # Key data len 2, key
        00 01 cc            # Salt len 1, salt
        06 000000000001     # VF length 6, Valid From
        06 0000ffffffff     # VT length 6, Valid To
        """,
        KeyDataSubPayload(
            key_type=KeyDataType.TEK_SALT,
            key=b"\xaa\xbb",
            salt=b"\xcc",
            validity=IntervalValidity(valid_from=h("000000000001"), valid_to=h("0000ffffffff")),
        ),
        PayloadType.KEY_DATA,
    ),
    (
        "Key data TGK, KV Null (§6.13)",
        "00 00 00 01 42  # Last, TGK/Null, len 1, key",
        KeyDataSubPayload(key_type=KeyDataType.TGK, key=b"\x42"),
        PayloadType.LAST,
    ),
]


@pytest.mark.parametrize(("name", "wire", "payload", "next_type"), CASES, ids=[c[0] for c in CASES])
def test_layout(name: str, wire: str, payload: Payload, next_type: PayloadType) -> None:
    data = h(wire)
    decoded, decoded_next = type(payload).decode(Reader(data))
    assert (decoded, decoded_next) == (payload, next_type)
    w = Writer()
    payload.encode(w, next_type)
    assert w.getvalue() == data
    for end in range(len(data)):
        r = Reader(data[:end])
        with pytest.raises(MikeyParseError):
            type(payload).decode(r)


@pytest.mark.parametrize(
    ("payload_class", "wire", "field"),
    [
        (TimestampPayload, "00 04 00000000", "TS type: 4"),
        (VerificationPayload, "00 03", "Auth alg: 3"),
        (CertHashPayload, "00 03", "Hash func: 3"),
        (DhPayload, "00 03", "DH-Group: 3"),
        (DhPayload, "00 01" + " 00" * 96 + " 10", "Reserv: must be zero"),
        (DhPayload, "00 01" + " 00" * 96 + " 03", "KV: 3"),
        (KeyDataSubPayload, "00 80 0000", "Type: 8"),
        (KemacPayload, "00 00 0000 03", "MAC alg: 3"),
        (ErrorPayload, "00 01 0001", "Reserved: must be zero"),
        (RandPayload, "13", "Next payload: 19"),
    ],
)
def test_bad_values_name_the_field(payload_class: type[Payload], wire: str, field: str) -> None:
    with pytest.raises(MikeyParseError, match=field):
        payload_class.decode(Reader(h(wire)))


@pytest.mark.parametrize(
    "build",
    [
        lambda: TimestampPayload(ts_type=TsType.COUNTER, value=1 << 32),
        lambda: VerificationPayload(auth_alg=MacAlg.HMAC_SHA_256_256, ver_data=b"x"),
        lambda: KeyDataSubPayload(key_type=KeyDataType.TGK_SALT, key=b"k"),
        lambda: KeyDataSubPayload(key_type=KeyDataType.TGK, key=b"k", salt=b"s"),
        lambda: EnvelopePayload(data=bytes(1 << 14)),
        lambda: SignaturePayload(s_type=16, signature=b""),
        lambda: RandPayload(rand=bytes(256)),
        lambda: DhPayload(dh_group=DhGroup.OAKLEY_5, dh_value=bytes(10)),
        lambda: SecurityPolicyPayload(policy_no=256, prot_type=ProtType.SRTP),
    ],
)
def test_constructors_refuse_what_cannot_be_encoded(build: object) -> None:
    with pytest.raises(MikeyValueError):
        build()  # type: ignore[operator]
