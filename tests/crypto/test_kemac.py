"""KEMAC protection (RFC 3830 §4.1.4, §4.2.3, §4.2.4, RFC 6043 §6.2, §6.3): the AES-CM IV
field by field, AES-CM against RFC 3711 Appendix B.2, HMAC against RFC 2202 and RFC 4231,
round trips, refusals, and the published end-to-end vectors in ``tests/vectors/mikey-kemac``.

The vectors are made by ``build_vector`` below from an independent minimal computation
(``reference_prf`` for the keys, IV and T padding by byte concatenation, pyca AES-CTR
called directly, stdlib ``hmac``), not by ``mikey.crypto.kemac``; ``mikey.wire`` only frames
the messages. Regenerate with ``.venv/bin/python -m tests.crypto.test_kemac``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from mikey.crypto import (
    MessageKeyConstant,
    MessageKeys,
    aes_cm,
    aes_cm_iv,
    compute_mac,
    decrypt_key_data,
    derive_message_key,
    encrypt_key_data,
    message_keys,
    padded_timestamp,
    verify_mac,
)
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyError,
    MikeyInvalidEncrAlgError,
    MikeyInvalidMacAlgError,
    MikeyValueError,
)
from mikey.registry import DataType, EncrAlg, ErrorNo, KeyDataType, MacAlg, PrfFunc, TsRole, TsType
from mikey.wire import (
    CommonHeader,
    IntervalValidity,
    KemacPayload,
    KeyDataSubPayload,
    Message,
    RandPayload,
    SpiValidity,
    SrtpIdEntry,
    SrtpIdMap,
    TimestampPayload,
    decode_message,
    decode_sub_payloads,
    encode_sub_payloads,
)
from mikey.wire.samples import srtp_policy
from mikey.wire.ticket import TimestampRolePayload

from .reference_keywrap import reference_wrap
from .reference_prf import message_label, reference_prf

VECTOR_FILE = Path(__file__).parents[1] / "vectors/mikey-kemac/kemac.json"
# Missing only while ``_write_vectors`` first creates it; the file test then fails.
VECTORS: list[dict[str, Any]] = json.loads(VECTOR_FILE.read_text()) if VECTOR_FILE.exists() else []

SUPPORTED_ENCR = (EncrAlg.NULL, EncrAlg.AES_CM_128, EncrAlg.AES_CM_256)
MACS = (MacAlg.NULL, MacAlg.HMAC_SHA_1_160, MacAlg.HMAC_SHA_256_256)
PRFS = {f.label: f for f in PrfFunc}
ENCRS = {a.label: a for a in EncrAlg}
MAC_ALGS = {a.label: a for a in MacAlg}
TS_TYPES = {t.label: t for t in TsType}


# --- The independent computation ------------------------------------------------------
# Written from the RFC text without mikey.crypto: sizes in bits as the RFCs give them,
# labels and constants spelled out, IV and T built by concatenating bytes.

KEY_BITS = {"NULL": 0, "AES-CM-128": 128, "AES-CM-256": 256}  # RFC 3830 §4.2.3, RFC 6043 §6.2
SALT_BITS = {"NULL": 0, "AES-CM-128": 112, "AES-CM-256": 112}  # "S is a 112-bit salting key"
AUTH_BITS = {"NULL": 0, "HMAC-SHA-1-160": 160, "HMAC-SHA-256-256": 256}  # §4.2.4, RFC 6043
HMAC_HASH = {"HMAC-SHA-1-160": hashlib.sha1, "HMAC-SHA-256-256": hashlib.sha256}
ENCRYPTION, AUTHENTICATION, SALT = 0x150533E1, 0x2D22AC75, 0x29B88916  # RFC 3830 Table 4.1.4


def independent_keys(
    psk: bytes, csb_id: int, rand: bytes, *, prf: str, encr: str, mac: str
) -> tuple[bytes, bytes, bytes]:
    """Encryption, authentication and salt keys: PRF(psk, constant || 0xFF || csb_id || RAND)."""
    sha256 = prf == "PRF-HMAC-SHA-256"

    def key(constant: int, bits: int) -> bytes:
        if bits == 0:
            return b""
        return reference_prf(psk, message_label(constant, csb_id, rand), bits, sha256)

    return (
        key(ENCRYPTION, KEY_BITS[encr]),
        key(AUTHENTICATION, AUTH_BITS[mac]),
        key(SALT, SALT_BITS[encr]),
    )


def independent_t(ts_type: str, value: int) -> bytes:
    """The 64-bit T of the IV."""
    if ts_type in ("NTP-UTC", "NTP"):
        return value.to_bytes(8, "big")
    if ts_type == "NTP-UTC-32":  # RFC 6043 §6.3: zeros in the fractional second part
        return value.to_bytes(4, "big") + bytes(4)
    assert ts_type == "COUNTER"  # RFC 3830 §6.6: leading zeros
    return bytes(4) + value.to_bytes(4, "big")


def independent_iv(salt: bytes, csb_id: int, t: bytes) -> bytes:
    """IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000, RFC 3830 §4.2.3."""
    fields = b"\x00\x00" + csb_id.to_bytes(4, "big") + t
    return bytes(s ^ f for s, f in zip(salt, fields, strict=True)) + b"\x00\x00"


def independent_encrypt(encr: str, key: bytes, iv: bytes, data: bytes) -> bytes:
    if encr == "NULL":
        return data
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def independent_mac(mac: str, key: bytes, data: bytes) -> bytes:
    return b"" if mac == "NULL" else hmac.new(key, data, HMAC_HASH[mac]).digest()


# --- The published vectors --------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """Inputs of one pre-shared key I_MESSAGE (RFC 3830 §3.1: HDR, T, RAND, SP, KEMAC)."""

    name: str
    prf: PrfFunc
    encr_alg: EncrAlg
    mac_alg: MacAlg
    psk: bytes
    csb_id: int
    rand: bytes
    timestamp: TimestampPayload
    key_data: tuple[KeyDataSubPayload, ...]
    ssrcs: tuple[int, ...]


def _tgk(key: bytes, spi: bytes = b"\x01") -> KeyDataSubPayload:
    return KeyDataSubPayload(key_type=KeyDataType.TGK, key=key, validity=SpiValidity(spi=spi))


SPECS = (
    Spec(
        name="mikey-1-aes-cm-128-hmac-sha-1-160-ntp-utc",
        prf=PrfFunc.MIKEY_1,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
        psk=bytes.fromhex("0123456789abcdeffedcba9876543210"),
        csb_id=0x4D4B4559,
        rand=bytes(range(0xA0, 0xB0)),
        timestamp=TimestampPayload.at(datetime(2026, 11, 22, 12, 0, 0, 250_000, tzinfo=UTC)),
        key_data=(_tgk(bytes(range(0x10, 0x20))),),
        ssrcs=(0x1A2B3C4D,),
    ),
    Spec(
        name="prf-hmac-sha-256-aes-cm-256-hmac-sha-256-256-ntp-utc-32",
        prf=PrfFunc.PRF_HMAC_SHA_256,
        encr_alg=EncrAlg.AES_CM_256,
        mac_alg=MacAlg.HMAC_SHA_256_256,
        psk=bytes(range(0x40, 0x60)),
        csb_id=0x00000001,
        rand=bytes(range(0xC0, 0xD4)),
        timestamp=TimestampPayload.at(
            datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC), TsType.NTP_UTC_32
        ),
        key_data=(
            KeyDataSubPayload(
                key_type=KeyDataType.TGK_SALT,
                key=bytes(range(0x20, 0x40)),
                salt=bytes(range(0x70, 0x7E)),
                validity=SpiValidity(spi=b"\x00\x01"),
            ),
        ),
        ssrcs=(0xDEADBEEF,),
    ),
    Spec(
        name="mikey-1-aes-cm-128-hmac-sha-1-160-counter-two-tgks-384-bit-psk",
        prf=PrfFunc.MIKEY_1,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
        psk=bytes(range(0x80, 0xB0)),  # two PRF input blocks (256 + 128 bits)
        csb_id=0xFFFFFFFE,
        rand=bytes.fromhex("5a" * 16),
        timestamp=TimestampPayload(ts_type=TsType.COUNTER, value=0x00000102),
        key_data=(
            KeyDataSubPayload(
                key_type=KeyDataType.TGK,
                key=bytes(range(0x30, 0x40)),
                validity=IntervalValidity(valid_from=bytes(6), valid_to=b"\xff" * 6),
            ),
            _tgk(bytes(range(0x50, 0x60)), spi=b"\x02"),
        ),
        ssrcs=(0x11111111, 0x22222222),
    ),
    Spec(
        name="prf-hmac-sha-256-aes-cm-128-hmac-sha-256-256-ntp",
        prf=PrfFunc.PRF_HMAC_SHA_256,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_256_256,
        psk=bytes.fromhex("00112233445566778899aabbccddeeff"),
        csb_id=0x12345678,
        rand=bytes(range(16)),
        timestamp=TimestampPayload(ts_type=TsType.NTP, value=0xEC9D2B8080000000),
        key_data=(_tgk(bytes(range(0xE0, 0xF0))),),
        ssrcs=(0xCAFEBABE,),
    ),
    Spec(
        name="mikey-1-null-null-ntp-utc",
        prf=PrfFunc.MIKEY_1,
        encr_alg=EncrAlg.NULL,
        mac_alg=MacAlg.NULL,
        psk=bytes.fromhex("0123456789abcdeffedcba9876543210"),
        csb_id=0x4D4B4559,
        rand=bytes(range(0xA0, 0xB0)),
        timestamp=TimestampPayload.at(datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)),
        key_data=(_tgk(bytes(range(0x10, 0x20))),),
        ssrcs=(0x1A2B3C4D,),
    ),
)


def build_vector(spec: Spec) -> dict[str, Any]:
    """One vector: mikey.wire frames the key data and the message, the independent
    computation above does all the cryptography."""
    encr, mac = spec.encr_alg.label, spec.mac_alg.label
    ts_type = spec.timestamp.ts_type.label
    key_data = encode_sub_payloads(spec.key_data)
    encryption_key, authentication_key, salt_key = independent_keys(
        spec.psk, spec.csb_id, spec.rand, prf=spec.prf.label, encr=encr, mac=mac
    )
    t = independent_t(ts_type, spec.timestamp.value)
    iv = independent_iv(salt_key, spec.csb_id, t) if encr != "NULL" else b""
    encr_data = independent_encrypt(encr, encryption_key, iv, key_data)
    mac_length = AUTH_BITS[mac] // 8
    unsigned = Message(
        header=CommonHeader(
            data_type=DataType.PRE_SHARED,
            csb_id=spec.csb_id,
            cs_id_map=SrtpIdMap(
                entries=tuple(SrtpIdEntry(policy_no=0, ssrc=s, roc=0) for s in spec.ssrcs)
            ),
            v=True,
            prf_func=spec.prf,
        ),
        payloads=(
            spec.timestamp,
            RandPayload(rand=spec.rand),
            srtp_policy(0),
            KemacPayload(
                encr_alg=spec.encr_alg,
                encr_data=encr_data,
                mac_alg=spec.mac_alg,
                mac=bytes(mac_length),
            ),
        ),
    ).encode()
    # The KEMAC is the last payload and its MAC the last field (RFC 3830 §5.2, §6.2).
    mac_input = unsigned[: len(unsigned) - mac_length]
    mac_value = independent_mac(mac, authentication_key, mac_input)
    return {
        "name": spec.name,
        "prf": spec.prf.label,
        "encr_alg": encr,
        "mac_alg": mac,
        "psk": spec.psk.hex(),
        "csb_id": spec.csb_id.to_bytes(4).hex(),
        "rand": spec.rand.hex(),
        "ts_type": ts_type,
        "ts_value": spec.timestamp.value.to_bytes(spec.timestamp.ts_type.value_length).hex(),
        "key_data": key_data.hex(),
        "encryption_key": encryption_key.hex(),
        "authentication_key": authentication_key.hex(),
        "salt_key": salt_key.hex(),
        "t": t.hex(),
        "iv": iv.hex(),
        "encr_data": encr_data.hex(),
        "mac_input": mac_input.hex(),
        "mac": mac_value.hex(),
        "message": (mac_input + mac_value).hex(),
    }


def test_vector_file_is_what_the_generator_makes() -> None:
    assert [build_vector(spec) for spec in SPECS] == VECTORS


def _h(vector: dict[str, Any], name: str) -> bytes:
    return bytes.fromhex(vector[name])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_outputs_follow_from_its_inputs(vector: dict[str, Any]) -> None:
    """The independent computation, from the JSON fields alone."""
    csb_id = int(vector["csb_id"], 16)
    encr, mac = vector["encr_alg"], vector["mac_alg"]
    keys = independent_keys(
        _h(vector, "psk"), csb_id, _h(vector, "rand"), prf=vector["prf"], encr=encr, mac=mac
    )
    assert [k.hex() for k in keys] == [
        vector["encryption_key"],
        vector["authentication_key"],
        vector["salt_key"],
    ]
    t = independent_t(vector["ts_type"], int(vector["ts_value"], 16))
    assert t.hex() == vector["t"]
    if encr != "NULL":
        assert independent_iv(keys[2], csb_id, t).hex() == vector["iv"]
    encr_data = independent_encrypt(encr, keys[0], _h(vector, "iv"), _h(vector, "key_data"))
    assert encr_data.hex() == vector["encr_data"]
    assert independent_mac(mac, keys[1], _h(vector, "mac_input")).hex() == vector["mac"]
    assert vector["message"] == vector["mac_input"] + vector["mac"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_library_agrees_with_the_vector(vector: dict[str, Any]) -> None:
    csb_id = int(vector["csb_id"], 16)
    encr_alg, mac_alg = ENCRS[vector["encr_alg"]], MAC_ALGS[vector["mac_alg"]]
    keys = message_keys(
        _h(vector, "psk"),
        csb_id=csb_id,
        rand=_h(vector, "rand"),
        encr_alg=encr_alg,
        mac_alg=mac_alg,
        prf_func=PRFS[vector["prf"]],
    )
    assert keys == MessageKeys(
        encryption=_h(vector, "encryption_key"),
        authentication=_h(vector, "authentication_key"),
        salt=_h(vector, "salt_key"),
    )
    message = decode_message(_h(vector, "message"))
    assert message.header.csb_id == csb_id
    timestamp = message.get(TimestampPayload)
    kemac = message.get(KemacPayload)
    assert timestamp is not None and kemac is not None
    assert timestamp.ts_type is TS_TYPES[vector["ts_type"]]
    assert padded_timestamp(timestamp).to_bytes(8).hex() == vector["t"]
    if encr_alg is not EncrAlg.NULL:
        iv = aes_cm_iv(keys.salt, csb_id=csb_id, t=padded_timestamp(timestamp))
        assert iv.hex() == vector["iv"]
    encrypt = partial(
        encrypt_key_data, encr_alg=encr_alg, keys=keys, csb_id=csb_id, timestamp=timestamp
    )
    decrypt = partial(
        decrypt_key_data, encr_alg=encr_alg, keys=keys, csb_id=csb_id, timestamp=timestamp
    )
    assert encrypt(_h(vector, "key_data")).hex() == vector["encr_data"]
    assert kemac.encr_data.hex() == vector["encr_data"]
    plaintext = decrypt(kemac.encr_data)
    assert plaintext.hex() == vector["key_data"]
    assert encode_sub_payloads(decode_sub_payloads(plaintext)) == plaintext
    assert message.authenticated_bytes().hex() == vector["mac_input"]
    assert compute_mac(mac_alg, keys.authentication, message.authenticated_bytes()) == kemac.mac
    assert kemac.mac.hex() == vector["mac"]
    verify_mac(mac_alg, keys.authentication, message.authenticated_bytes(), kemac.mac)


def test_vectors_cover_every_supported_algorithm_and_ts_type() -> None:
    assert {v["encr_alg"] for v in VECTORS} == {a.label for a in SUPPORTED_ENCR}
    assert {v["mac_alg"] for v in VECTORS} == {a.label for a in MACS}
    assert {v["prf"] for v in VECTORS} == set(PRFS)
    assert {v["ts_type"] for v in VECTORS} == set(TS_TYPES)


# --- The IV and T (RFC 3830 §4.2.3, §6.6, RFC 6043 §6.3) ------------------------------


def test_iv_field_by_field() -> None:
    salt = bytes.fromhex("f0e1d2c3b4a5968778695a4b3c2d")  # S, 112 bits
    csb_id = 0x12345678
    t = 0x0123456789ABCDEF
    iv = aes_cm_iv(salt, csb_id=csb_id, t=t)
    assert len(iv) == 16
    # 0x0000 XOR S[0:2]: the salt's first 16 bits pass through.
    assert iv[0:2] == bytes.fromhex("f0e1")
    # CSB ID XOR S[2:6]: d2^12=c0, c3^34=f7, b4^56=e2, a5^78=dd.
    assert iv[2:6] == bytes.fromhex("c0f7e2dd")
    # T XOR S[6:14]: 96^01=97, 87^23=a4, 78^45=3d, 69^67=0e, 5a^89=d3, 4b^ab=e0, 3c^cd=f1,
    # 2d^ef=c2.
    assert iv[6:14] == bytes.fromhex("97a43d0ed3e0f1c2")
    # || 0x0000: the block counter starts at zero.
    assert iv[14:16] == b"\x00\x00"
    # With S all ones the XOR is a complement: ~CSB ID and ~T are easy to read off.
    ones = aes_cm_iv(b"\xff" * 14, csb_id=csb_id, t=t)
    assert ones.hex() == "ffff" + "edcba987" + "fedcba9876543210" + "0000"
    assert aes_cm_iv(bytes(14), csb_id=0, t=0) == bytes(16)


@pytest.mark.parametrize(
    ("timestamp", "t"),
    [
        (TimestampPayload(ts_type=TsType.NTP_UTC, value=0xEC9D2B8040000000), 0xEC9D2B8040000000),
        (TimestampPayload(ts_type=TsType.NTP, value=0xEC9D2B8040000000), 0xEC9D2B8040000000),
        # RFC 6043 §6.3: padded to NTP-UTC with zeros in the fractional second part.
        (TimestampPayload(ts_type=TsType.NTP_UTC_32, value=0xEC9D2B80), 0xEC9D2B8000000000),
        # RFC 3830 §6.6: COUNTER padded with leading zeros to 64 bits.
        (TimestampPayload(ts_type=TsType.COUNTER, value=0xEC9D2B80), 0x00000000EC9D2B80),
        (
            TimestampRolePayload(ts_role=TsRole.TIME_OF_ISSUE, ts_type=TsType.NTP_UTC_32, value=1),
            1 << 32,
        ),
    ],
    ids=["ntp-utc", "ntp", "ntp-utc-32", "counter", "tr-ntp-utc-32"],
)
def test_t_padding(timestamp: TimestampPayload, t: int) -> None:
    assert padded_timestamp(timestamp) == t


def test_ntp_utc_32_and_ntp_utc_of_the_same_second_give_the_same_iv() -> None:
    when = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    short = TimestampPayload.at(when, TsType.NTP_UTC_32)
    long = TimestampPayload.at(when, TsType.NTP_UTC)
    assert padded_timestamp(short) == padded_timestamp(long)


# --- AES-CM against RFC 3711 Appendix B.2 ----------------------------------------------

# https://www.rfc-editor.org/rfc/rfc3711#appendix-B.2 (shared/reference/rfc/rfc3711.txt)
B2_SESSION_KEY = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3C")
B2_SALT = bytes.fromhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD")  # the 112-bit salt, before the shift
B2_OFFSET = bytes.fromhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")
B2_BLOCKS = 65282  # "Keystream segment length: 1044512 octets (65282 AES blocks)"
B2_KEYSTREAM = {  # counter → keystream block
    0x0000: "E03EAD0935C95E80E166B16DD92B4EB4",
    0x0001: "D23513162B02D0F72A43A2FE4A5F97AB",
    0x0002: "41E95B3BB0A2E8DD477901E4FCA894C0",
    0xFEFF: "EC8CDF7398607CB0F2D21675EA9EA1E4",
    0xFF00: "362B7C3C6773516318A077D7FC5073AE",
    0xFF01: "6A2CC3787889374FBEB4C81B17BA6C44",
}


def _check_b2_keystream(keystream: bytes) -> None:
    assert len(keystream) == 1044512
    for counter, block in B2_KEYSTREAM.items():
        assert keystream[16 * counter : 16 * counter + 16].hex() == block.lower()


def test_rfc3711_b2_keystream() -> None:
    # SSRC, ROC and SEQ are zero, so SRTP's IV is the shifted salt; MIKEY's with CSB ID
    # and T zero is the same: the IV helper reproduces the test case's Offset.
    iv = aes_cm_iv(B2_SALT, csb_id=0, t=0)
    assert iv == B2_OFFSET
    _check_b2_keystream(aes_cm(B2_SESSION_KEY, iv, bytes(16 * B2_BLOCKS)))


def test_rfc3711_b2_keystream_through_encrypt_key_data() -> None:
    keys = MessageKeys(encryption=B2_SESSION_KEY, authentication=b"", salt=B2_SALT)
    keystream = encrypt_key_data(
        bytes(16 * B2_BLOCKS),
        encr_alg=EncrAlg.AES_CM_128,
        keys=keys,
        csb_id=0,
        timestamp=TimestampPayload(ts_type=TsType.COUNTER, value=0),
    )
    _check_b2_keystream(keystream)


# --- Round trips ----------------------------------------------------------------------


@st.composite
def timestamps(draw: st.DrawFn) -> TimestampPayload:
    ts_type = draw(st.sampled_from(TsType))
    return TimestampPayload(
        ts_type=ts_type, value=draw(st.integers(0, (1 << (8 * ts_type.value_length)) - 1))
    )


@given(
    encr_alg=st.sampled_from(SUPPORTED_ENCR),
    key=st.binary(min_size=32, max_size=32),
    salt=st.binary(min_size=14, max_size=14),
    csb_id=st.integers(0, (1 << 32) - 1),
    timestamp=timestamps(),
    plaintext=st.binary(max_size=2048),
)
def test_encrypt_decrypt_round_trip(
    *,
    encr_alg: EncrAlg,
    key: bytes,
    salt: bytes,
    csb_id: int,
    timestamp: TimestampPayload,
    plaintext: bytes,
) -> None:
    key_bytes = KEY_BITS[encr_alg.label] // 8
    keys = MessageKeys(
        encryption=key[:key_bytes],
        authentication=b"",
        salt=salt if encr_alg is not EncrAlg.NULL else b"",
    )
    ciphertext = encrypt_key_data(
        plaintext, encr_alg=encr_alg, keys=keys, csb_id=csb_id, timestamp=timestamp
    )
    assert len(ciphertext) == len(plaintext)
    decrypted = decrypt_key_data(
        ciphertext, encr_alg=encr_alg, keys=keys, csb_id=csb_id, timestamp=timestamp
    )
    assert decrypted == plaintext
    # And it is the independent computation's answer.
    iv = b""
    if encr_alg is not EncrAlg.NULL:
        t = independent_t(timestamp.ts_type.label, timestamp.value)
        iv = independent_iv(salt, csb_id, t)
    assert ciphertext == independent_encrypt(encr_alg.label, keys.encryption, iv, plaintext)


@given(
    psk=st.binary(min_size=1, max_size=64),
    csb_id=st.integers(0, (1 << 32) - 1),
    rand=st.binary(min_size=1, max_size=32),
    encr_alg=st.sampled_from(SUPPORTED_ENCR),
    mac_alg=st.sampled_from(MACS),
    prf_func=st.sampled_from(PrfFunc),
)
def test_message_keys_agree_with_the_independent_derivation(
    *, psk: bytes, csb_id: int, rand: bytes, encr_alg: EncrAlg, mac_alg: MacAlg, prf_func: PrfFunc
) -> None:
    keys = message_keys(
        psk, csb_id=csb_id, rand=rand, encr_alg=encr_alg, mac_alg=mac_alg, prf_func=prf_func
    )
    expected = independent_keys(
        psk, csb_id, rand, prf=prf_func.label, encr=encr_alg.label, mac=mac_alg.label
    )
    assert (keys.encryption, keys.authentication, keys.salt) == expected


@given(
    mac_alg=st.sampled_from((MacAlg.HMAC_SHA_1_160, MacAlg.HMAC_SHA_256_256)),
    key=st.binary(min_size=1, max_size=64),
    data=st.binary(max_size=512),
    flip=st.integers(0, 10_000),
)
def test_mac_round_trip_and_tampering(mac_alg: MacAlg, key: bytes, data: bytes, flip: int) -> None:
    mac = compute_mac(mac_alg, key, data)
    assert len(mac) == mac_alg.mac_length
    assert mac == independent_mac(mac_alg.label, key, data)
    verify_mac(mac_alg, key, data, mac)
    bad_mac = bytearray(mac)
    bad_mac[flip % len(mac)] ^= 1 << (flip % 8)
    with pytest.raises(MikeyAuthenticationError):
        verify_mac(mac_alg, key, data, bytes(bad_mac))
    if data:
        bad_data = bytearray(data)
        bad_data[flip % len(data)] ^= 1 << (flip % 8)
        with pytest.raises(MikeyAuthenticationError):
            verify_mac(mac_alg, key, bytes(bad_data), mac)


# --- MAC known answers ------------------------------------------------------------------


def test_hmac_sha_1_rfc2202_test_case_1() -> None:
    # https://www.rfc-editor.org/rfc/rfc2202#section-3, test_case 1
    key = bytes.fromhex("0b" * 20)
    digest = bytes.fromhex("b617318655057264e28bc0b6fb378c8ef146be00")
    assert compute_mac(MacAlg.HMAC_SHA_1_160, key, b"Hi There") == digest
    verify_mac(MacAlg.HMAC_SHA_1_160, key, b"Hi There", digest)


def test_hmac_sha_256_rfc4231_test_case_1() -> None:
    # https://www.rfc-editor.org/rfc/rfc4231#section-4.2, Test Case 1
    key = bytes.fromhex("0b" * 20)
    digest = bytes.fromhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    assert compute_mac(MacAlg.HMAC_SHA_256_256, key, b"Hi There") == digest
    verify_mac(MacAlg.HMAC_SHA_256_256, key, b"Hi There", digest)


def test_mac_failures_carry_auth_failure() -> None:
    key = bytes(20)
    mac = compute_mac(MacAlg.HMAC_SHA_1_160, key, b"message")
    for bad in (mac[:-1], mac + b"\x00", b"", bytes(20), mac[:10] + bytes(22)):
        with pytest.raises(MikeyAuthenticationError) as caught:
            verify_mac(MacAlg.HMAC_SHA_1_160, key, b"message", bad)
        assert caught.value.error_no is ErrorNo.AUTH_FAILURE
    with pytest.raises(MikeyAuthenticationError):  # another key
        verify_mac(MacAlg.HMAC_SHA_1_160, bytes(19) + b"\x01", b"message", mac)
    with pytest.raises(MikeyAuthenticationError):  # another algorithm
        verify_mac(MacAlg.HMAC_SHA_256_256, key, b"message", mac)


def test_null_mac() -> None:
    assert compute_mac(MacAlg.NULL, b"", b"anything") == b""
    verify_mac(MacAlg.NULL, b"", b"anything", b"")
    with pytest.raises(MikeyAuthenticationError):
        verify_mac(MacAlg.NULL, b"", b"anything", b"\x00")


def test_null_encryption_returns_the_data() -> None:
    keys = message_keys(
        b"psk", csb_id=1, rand=b"r", encr_alg=EncrAlg.NULL, mac_alg=MacAlg.HMAC_SHA_1_160
    )
    assert (keys.encryption, keys.salt, len(keys.authentication)) == (b"", b"", 20)
    timestamp = TimestampPayload(ts_type=TsType.COUNTER, value=1)
    for call in (encrypt_key_data, decrypt_key_data):
        assert call(b"keys", encr_alg=EncrAlg.NULL, keys=keys, csb_id=1, timestamp=timestamp) == (
            b"keys"
        )


# --- Key lengths and refusals -------------------------------------------------------------


@pytest.mark.parametrize(
    ("encr_alg", "mac_alg", "lengths"),
    [
        (EncrAlg.AES_CM_128, MacAlg.HMAC_SHA_1_160, (16, 20, 14)),
        (EncrAlg.AES_CM_256, MacAlg.HMAC_SHA_256_256, (32, 32, 14)),
        (EncrAlg.AES_CM_256, MacAlg.HMAC_SHA_1_160, (32, 20, 14)),
        (EncrAlg.NULL, MacAlg.NULL, (0, 0, 0)),
    ],
)
def test_message_key_lengths(
    encr_alg: EncrAlg, mac_alg: MacAlg, lengths: tuple[int, int, int]
) -> None:
    psk, rand = bytes(range(16)), bytes(16)
    keys = message_keys(psk, csb_id=7, rand=rand, encr_alg=encr_alg, mac_alg=mac_alg)
    assert (len(keys.encryption), len(keys.authentication), len(keys.salt)) == lengths
    if lengths[0]:
        assert keys.encryption == derive_message_key(
            psk, MessageKeyConstant.ENCRYPTION, csb_id=7, rand=rand, length=lengths[0]
        )


def test_repr_hides_the_keys() -> None:
    keys = message_keys(
        b"\x42" * 16,
        csb_id=1,
        rand=b"r" * 16,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
    )
    text = repr(keys)
    assert text == (
        "MessageKeys(encryption=<16 bytes>, authentication=<20 bytes>, salt=<14 bytes>)"
    )
    for secret in (keys.encryption, keys.authentication, keys.salt):
        assert secret.hex() not in text


def test_aes_kw_128_wraps_key_data_with_the_salt_as_initial_value() -> None:
    """RFC 3830 §4.2.3: a 128-bit key and a 64-bit salt S from §4.1.4, "the key wrap IV
    is then set to S"; the result is RFC 3394's wrap of the key data under that IV."""
    keys = message_keys(
        bytes(range(20)),
        csb_id=0x01020304,
        rand=bytes(16),
        encr_alg=EncrAlg.AES_KW_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
    )
    assert (len(keys.encryption), len(keys.salt)) == (16, 8)
    timestamp = TimestampPayload(ts_type=TsType.COUNTER, value=7)
    plaintext = bytes(range(0x40, 0x40 + 40))  # a TGK key data sub-payload is 40 bytes
    wrapped = encrypt_key_data(
        plaintext, encr_alg=EncrAlg.AES_KW_128, keys=keys, csb_id=1, timestamp=timestamp
    )
    assert len(wrapped) == 48
    assert wrapped == reference_wrap(keys.encryption, plaintext, keys.salt)
    assert (
        decrypt_key_data(
            wrapped, encr_alg=EncrAlg.AES_KW_128, keys=keys, csb_id=1, timestamp=timestamp
        )
        == plaintext
    )
    tampered = bytearray(wrapped)
    tampered[20] ^= 1
    with pytest.raises(MikeyAuthenticationError, match="integrity"):
        decrypt_key_data(
            bytes(tampered), encr_alg=EncrAlg.AES_KW_128, keys=keys, csb_id=1, timestamp=timestamp
        )
    with pytest.raises(MikeyValueError, match="8-byte blocks"):
        encrypt_key_data(
            b"x" * 30, encr_alg=EncrAlg.AES_KW_128, keys=keys, csb_id=1, timestamp=timestamp
        )


def test_unregistered_algorithms_are_refused() -> None:
    keys = MessageKeys(encryption=bytes(16), authentication=bytes(20), salt=bytes(14))
    timestamp = TimestampPayload(ts_type=TsType.COUNTER, value=0)
    with pytest.raises(MikeyInvalidEncrAlgError) as ea:
        encrypt_key_data(b"x", encr_alg=9, keys=keys, csb_id=1, timestamp=timestamp)
    assert ea.value.error_no is ErrorNo.INVALID_EA
    assert "unassigned (9)" in str(ea.value)
    with pytest.raises(MikeyInvalidEncrAlgError):
        message_keys(b"k", csb_id=1, rand=b"r", encr_alg=200, mac_alg=MacAlg.NULL)
    for call in (
        lambda: message_keys(b"k", csb_id=1, rand=b"r", encr_alg=EncrAlg.NULL, mac_alg=3),
        lambda: compute_mac(3, bytes(20), b"x"),
        lambda: verify_mac(3, bytes(20), b"x", bytes(20)),
    ):
        with pytest.raises(MikeyInvalidMacAlgError) as mac:
            call()
        assert mac.value.error_no is ErrorNo.INVALID_MAC
        assert isinstance(mac.value, ValueError)


@pytest.mark.parametrize(
    ("encr_alg", "encryption", "salt"),
    [
        (EncrAlg.AES_CM_128, bytes(32), bytes(14)),  # keys derived for AES-CM-256
        (EncrAlg.AES_CM_256, bytes(16), bytes(14)),
        (EncrAlg.AES_CM_128, bytes(16), bytes(16)),  # salt is 112 bits, not 128
        (EncrAlg.AES_CM_128, bytes(16), b""),
        (EncrAlg.AES_CM_128, b"", b""),  # keys derived for NULL
    ],
)
def test_wrong_key_lengths_are_refused(encr_alg: EncrAlg, encryption: bytes, salt: bytes) -> None:
    keys = MessageKeys(encryption=encryption, authentication=b"", salt=salt)
    timestamp = TimestampPayload(ts_type=TsType.COUNTER, value=0)
    with pytest.raises(MikeyValueError):
        encrypt_key_data(b"x", encr_alg=encr_alg, keys=keys, csb_id=1, timestamp=timestamp)


@dataclass(frozen=True)
class _RawTimestamp:
    ts_type: Any
    value: int


@pytest.mark.parametrize(
    "call",
    [
        lambda: aes_cm(bytes(24), bytes(16), b"x"),  # AES-192 is no MIKEY algorithm
        lambda: aes_cm(bytes(16), bytes(15), b"x"),
        lambda: aes_cm(bytes(16), bytes(16), bytes((1 << 20) + 1)),  # over 2^23 bits
        lambda: aes_cm_iv(bytes(16), csb_id=0, t=0),
        lambda: aes_cm_iv(bytes(14), csb_id=1 << 32, t=0),
        lambda: aes_cm_iv(bytes(14), csb_id=0, t=1 << 64),
        lambda: aes_cm_iv(bytes(14), csb_id=-1, t=0),
        lambda: padded_timestamp(_RawTimestamp(ts_type=9, value=0)),
        lambda: padded_timestamp(_RawTimestamp(ts_type=TsType.COUNTER, value=1 << 32)),
        lambda: compute_mac(MacAlg.HMAC_SHA_1_160, b"", b"x"),  # keys derived for NULL
        lambda: compute_mac(MacAlg.NULL, bytes(20), b"x"),
        lambda: verify_mac(MacAlg.HMAC_SHA_256_256, b"", b"x", bytes(32)),
        lambda: message_keys(
            b"", csb_id=1, rand=b"r", encr_alg=EncrAlg.AES_CM_128, mac_alg=MacAlg.NULL
        ),
        lambda: message_keys(
            b"k", csb_id=1, rand=b"", encr_alg=EncrAlg.AES_CM_128, mac_alg=MacAlg.NULL
        ),
    ],
)
def test_bad_inputs_are_refused(call: Any) -> None:
    with pytest.raises(MikeyValueError):
        call()


def test_aes_cm_accepts_exactly_2_to_the_16_blocks() -> None:
    data = aes_cm(bytes(16), bytes(16), bytes(1 << 20))
    assert len(data) == 1 << 20


def test_errors_are_mikey_errors() -> None:
    assert issubclass(MikeyAuthenticationError, MikeyError)
    assert not issubclass(MikeyAuthenticationError, ValueError)
    assert issubclass(MikeyInvalidEncrAlgError, MikeyError)


def _write_vectors() -> None:
    VECTOR_FILE.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps([build_vector(spec) for spec in SPECS], indent=1) + "\n"
    VECTOR_FILE.write_text(text)


if __name__ == "__main__":
    _write_vectors()
