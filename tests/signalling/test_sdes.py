"""SDES ``a=crypto`` (RFC 4568): the RFC's own examples, round trips, every error, each
suite's ``SrtpPolicy`` (RFC 4568 §6.2, RFC 6188 §4, RFC 7714 §12), session parameters
(§6.3) and offer/answer (§5.1, §7.1)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import (
    MikeyError,
    MikeyParseError,
    MikeyPolicyError,
    MikeyPolicyParamError,
    MikeyValueError,
)
from mikey.signalling import (
    ANSWER_SUITES,
    SUITES,
    SdesCrypto,
    SdesKey,
    answer,
    generate,
    process_answer,
)
from mikey.srtp.policy import AES_CM_128_HMAC_SHA1_80, SrtpCipher, SrtpPolicy

# RFC 4568 §4: "a=crypto:1 AES_CM_128_HMAC_SHA1_80
# inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32" (one line in SDP).
RFC_4 = (
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"
)
# RFC 4568 §4.5, the video and audio lines of the example SDP.
RFC_4_5_VIDEO = (
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32"
)
RFC_4_5_AUDIO = (
    "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32"
)
# RFC 4568 §6.1, the two key parameters for AES_CM_128_HMAC_SHA1_80.
RFC_6_1_KEY = "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:4"
RFC_6_1_DEFAULT_LIFETIME = "inline:YUJDZGVmZ2hpSktMbW9QUXJzVHVWd3l6MTIzNDU2|1066:4"
# RFC 4568 §7.1.5, the offer (two lines) and the answer.
RFC_7_1_5_OFFER = (
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
    "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP",
    "a=crypto:2 F8_128_HMAC_SHA1_80 "
    "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
    "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP",
)
RFC_7_1_5_ANSWER = (
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"
)

KEY_30 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"  # 30 bytes, RFC 4568 §7.1.5


def counter_rng(seed: str = "rng") -> Callable[[int], bytes]:
    """A deterministic ``rng``: SHA-512 blocks of seed and a counter."""
    count = 0

    def rng(n: int) -> bytes:
        nonlocal count
        out = b""
        while len(out) < n:
            count += 1
            out += hashlib.sha512(f"{seed}{count}".encode()).digest()
        return out[:n]

    return rng


def line(params: str = "", suite: str = "AES_CM_128_HMAC_SHA1_80", key: str = KEY_30) -> str:
    return f"a=crypto:1 {suite} inline:{key}" + (f" {params}" if params else "")


# --- RFC 4568's examples ------------------------------------------------------------------


def test_rfc4568_section_4_example() -> None:
    crypto = SdesCrypto.parse(RFC_4)
    material = base64.b64decode(KEY_30)
    assert crypto.tag == 1
    assert crypto.suite == "AES_CM_128_HMAC_SHA1_80"
    assert crypto.keys == (
        SdesKey(
            master_key=material[:16],
            master_salt=material[16:],
            lifetime=2**20,
            mki=1,
            mki_length=32,
        ),
    )
    assert crypto.policy == AES_CM_128_HMAC_SHA1_80
    assert "a=" + crypto.to_attribute() == RFC_4


@pytest.mark.parametrize("text", [RFC_4_5_VIDEO, RFC_4_5_AUDIO, RFC_7_1_5_ANSWER, *RFC_7_1_5_OFFER])
def test_rfc4568_examples_round_trip(text: str) -> None:
    crypto = SdesCrypto.parse(text)
    assert "a=" + crypto.to_attribute() == text
    assert SdesCrypto.parse(crypto.to_attribute()) == crypto


def test_rfc4568_section_4_5_audio_suite_has_80_bit_srtcp_tag() -> None:
    # RFC 4568 §6.2 table: AES_CM_128_HMAC_SHA1_32 has a 32-bit SRTP, 80-bit SRTCP tag.
    assert SdesCrypto.parse(RFC_4_5_AUDIO).policy == SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=4, srtcp_auth_tag_length=10
    )


def test_rfc4568_section_6_1_key_parameters() -> None:
    with_lifetime = SdesCrypto.parse(f"crypto:1 AES_CM_128_HMAC_SHA1_80 {RFC_6_1_KEY}")
    assert with_lifetime.keys[0].lifetime == 2**20
    assert (with_lifetime.keys[0].mki, with_lifetime.keys[0].mki_length) == (1, 4)
    # "a 4-byte master key identifier of 1066", lifetime left at the default.
    default = SdesCrypto.parse(f"crypto:1 AES_CM_128_HMAC_SHA1_80 {RFC_6_1_DEFAULT_LIFETIME}")
    key = default.keys[0]
    assert key.lifetime is None
    assert (key.mki, key.mki_length, key.mki_bytes) == (1066, 4, (1066).to_bytes(4, "big"))
    assert key.master_key + key.master_salt == b"aBCdefghiJKLmoPQrsTuVwyz123456"
    assert default.to_attribute().endswith(RFC_6_1_DEFAULT_LIFETIME)


def test_rfc4568_section_7_1_5_offer() -> None:
    aes, f8 = (SdesCrypto.parse(text) for text in RFC_7_1_5_OFFER)
    assert aes.fec_order == "FEC_SRTP"
    assert aes.policy == AES_CM_128_HMAC_SHA1_80  # FEC_SRTP is the default order
    assert [(key.mki, key.mki_length) for key in f8.keys] == [(1, 4), (2, 4)]
    assert f8.keys[0].master_key + f8.keys[0].master_salt == b"123456789ABCDE0123456789ABcdef"
    with pytest.raises(MikeyPolicyParamError, match="not supported by libsrtp"):
        _ = f8.policy


def test_rfc4568_section_7_1_5_offer_answer() -> None:
    chosen, ours = answer(RFC_7_1_5_OFFER, rng=counter_rng())
    assert chosen == SdesCrypto.parse(RFC_7_1_5_OFFER[0])
    assert (ours.tag, ours.suite) == (1, "AES_CM_128_HMAC_SHA1_80")
    assert ours.fec_order is None  # declarative: not echoed (RFC 4568 §5.1.2)
    offers = [SdesCrypto.parse(text) for text in RFC_7_1_5_OFFER]
    offer, reply = process_answer(offers, RFC_7_1_5_ANSWER)
    assert offer == offers[0]
    assert reply == SdesCrypto.parse(RFC_7_1_5_ANSWER)


# --- round trips and spelling --------------------------------------------------------------


def test_whitespace_prefix_and_case() -> None:
    text = f"  \tcrypto:7\tAes_Cm_128_Hmac_Sha1_80  INLINE:{KEY_30}|1048576|0:1 \t kdr=0 wsh=64\r\n"
    crypto = SdesCrypto.parse(text)
    assert crypto.tag == 7
    assert crypto.suite == "Aes_Cm_128_Hmac_Sha1_80"  # as written
    assert crypto.crypto_suite is SUITES["AES_CM_128_HMAC_SHA1_80"]
    assert (crypto.kdr, crypto.wsh) == (0, 64)
    assert crypto.keys[0].lifetime == 2**20
    assert (crypto.keys[0].mki, crypto.keys[0].mki_bytes) == (0, b"\x00")
    assert crypto.to_attribute() == (
        f"crypto:7 Aes_Cm_128_Hmac_Sha1_80 inline:{KEY_30}|2^20|0:1 KDR=0 WSH=64"
    )


@pytest.mark.parametrize(
    ("lifetime", "written"),
    [(1, "1"), (2, "2^1"), (1000, "1000"), (2**31, "2^31"), (2**48, "2^48"), (2**48 - 1, None)],
)
def test_lifetime_forms(lifetime: int, written: str | None) -> None:
    written = written or str(lifetime)
    crypto = SdesCrypto.parse(line() + "|" + written)
    assert crypto.keys[0].lifetime == lifetime
    assert crypto.to_attribute().endswith("|" + written)
    assert SdesCrypto.parse(line() + f"|{lifetime}") == crypto


def test_padding_is_optional() -> None:
    material = bytes(range(46))  # AES-256-CM: 32 + 14, base64 ends in "=="
    padded = base64.b64encode(material).decode()
    assert padded.endswith("==")
    suite = "AES_256_CM_HMAC_SHA1_80"
    crypto = SdesCrypto.parse(line(suite=suite, key=padded))
    assert SdesCrypto.parse(line(suite=suite, key=padded.rstrip("="))) == crypto
    assert crypto.keys[0].master_key == material[:32]
    assert f"inline:{padded}" in crypto.to_attribute()


def test_session_params_round_trip() -> None:
    text = line(
        "UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP KDR=0 WSH=256 "
        "FEC_ORDER=SRTP_FEC FEC_KEY=inline:abc|1:4 -X-FOO=1 -bar"
    )
    crypto = SdesCrypto.parse(text)
    assert crypto.unencrypted_srtp and crypto.unencrypted_srtcp and crypto.unauthenticated_srtp
    assert (crypto.kdr, crypto.wsh, crypto.fec_order) == (0, 256, "SRTP_FEC")
    assert crypto.fec_key == "inline:abc|1:4"
    assert crypto.extensions == ("-X-FOO=1", "-bar")
    assert crypto.session_params() == (
        "KDR=0",
        "UNENCRYPTED_SRTP",
        "UNENCRYPTED_SRTCP",
        "UNAUTHENTICATED_SRTP",
        "FEC_ORDER=SRTP_FEC",
        "FEC_KEY=inline:abc|1:4",
        "WSH=256",
        "-X-FOO=1",
        "-bar",
    )
    assert SdesCrypto.parse(crypto.to_attribute()) == crypto
    assert "abc" not in repr(crypto)  # FEC_KEY holds key material


def test_repr_hides_key_material() -> None:
    crypto = SdesCrypto.parse(RFC_4)
    material = base64.b64decode(KEY_30)
    text = repr(crypto)
    for secret in (material[:16], material[16:]):
        assert repr(secret) not in text
        assert secret.hex() not in text
    assert KEY_30 not in text


# --- parse errors ----------------------------------------------------------------------------

TOO_SHORT = KEY_30[:-4]  # 27 bytes
# 46 zero bytes are 61 "A"s and an "A" whose low 2 bits are padding; "B" sets one.
ENDS_IN_STRAY_BITS = "A" * 61 + "B"
PARSE_ERRORS = [
    # (text, element, where the fault is: a substring of text, or an offset)
    ("", "attribute", 0),
    ("   ", "attribute", 3),
    ("a=crypt:1 AES_CM_128_HMAC_SHA1_80 inline:x", "attribute", 2),
    ("a=Crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x", "attribute", 2),
    ("a=crypto: 1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30, "tag", 9),
    ("a=crypto:1", "crypto-suite", 10),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80", "key-params", 34),
    ("a=crypto:01 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30, "tag", 9),
    ("a=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30, "tag", 9),
    ("a=crypto:-1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30, "tag", 9),
    ("a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30, "tag", 9),
    ("a=crypto:1 AES-CM-128 inline:" + KEY_30, "crypto-suite", 11),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "\u00e9", "attribute", 82),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + " \x00", "attribute", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "\u0661", "attribute", 82),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 " + KEY_30, "key-params", 35),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 :" + KEY_30, "key-params", 35),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + ";", "key-params", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", "key||salt", 42),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + TOO_SHORT, "key||salt", 42),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "AAAA", "key||salt", 42),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30[:-3], "key||salt", 42),
    ("a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + ENDS_IN_STRAY_BITS, "key||salt", 42),
    ("a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + "A" * 62 + "=", "key||salt", 42),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "=", "key||salt", 42),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30[:-2] + "!!", "key||salt", 42),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|0", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|01", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^05", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^49", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|3^20", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + f"|{2**48 + 1}", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|" + "9" * 5000, "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|", "lifetime", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:0", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|:4", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|01:4", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:04", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:129", "mki", 85),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:1000", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|256:1", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:4|2^20", "mki", 83),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^20|2^20", "mki", 88),
    ("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^20|1:4|x", "key-params", 42),
    # Several keys: each needs an MKI, of one length, distinct (RFC 4568 §6.1).
    (
        f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_30}|1:4;inline:{KEY_30[::-1]}",
        "key-params",
        35,
    ),
    (
        f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_30}|1:4;inline:{KEY_30[::-1]}|2:2",
        "key-params",
        35,
    ),
    (
        f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_30}|1:4;inline:{KEY_30[::-1]}|1:4",
        "key-params",
        35,
    ),
    (
        f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_30}|1:4;inline:{KEY_30}|2:4",
        "key-params",
        35,
    ),
    # Session parameters (RFC 4568 §6.3, §9.2).
    (line("KDR=25"), "session-param", 83),
    (line("KDR=01"), "session-param", 83),
    (line("KDR=x"), "session-param", 83),
    (line("KDR=0 KDR=0"), "session-param", 89),
    (line("UNENCRYPTED_SRTP unencrypted_srtp"), "session-param", 100),
    (line("WSH=63"), "session-param", 83),
    (line("WSH=064"), "session-param", 83),
    (line("WSH=1234567890"), "session-param", 83),
    (line("FEC_ORDER=FEC"), "session-param", 83),
    (line("FEC_KEY="), "session-param", 83),
]


@pytest.mark.parametrize(("text", "element", "offset"), PARSE_ERRORS)
def test_parse_errors(text: str, element: str, offset: int) -> None:
    with pytest.raises(MikeyParseError) as raised:
        SdesCrypto.parse(text)
    assert raised.value.payload == f"a=crypto {element}"
    assert raised.value.offset == offset
    assert str(raised.value).startswith(f"a=crypto {element} at byte {offset}: ")


@pytest.mark.parametrize(
    ("text", "error", "element", "offset", "message"),
    [
        (
            line(suite="AES_CM_128_HMAC_SHA1_99"),
            MikeyPolicyError,
            "crypto-suite",
            11,
            "unknown SRTP crypto suite 'AES_CM_128_HMAC_SHA1_99'",
        ),
        (
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 uri:http://example.com/key",
            MikeyPolicyParamError,
            "key-params",
            35,
            "key method 'uri' is not supported",
        ),
        (
            line("FOO=1"),
            MikeyPolicyParamError,
            "session-param",
            83,
            "unknown mandatory session parameter 'FOO=1'",
        ),
        (
            line("UNENCRYPTED_SRTP=1"),
            MikeyPolicyParamError,
            "session-param",
            83,
            "unknown mandatory session parameter",
        ),
        (
            line("WSH"),
            MikeyPolicyParamError,
            "session-param",
            83,
            "unknown mandatory session parameter 'WSH'",
        ),
        (
            line("-"),
            MikeyPolicyParamError,
            "session-param",
            83,
            "unknown mandatory session parameter '-'",
        ),
    ],
)
def test_policy_errors_while_parsing(
    text: str, error: type[MikeyError], element: str, offset: int, message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)) as raised:
        SdesCrypto.parse(text)
    assert type(raised.value) is error
    assert str(raised.value).startswith(f"a=crypto {element} at byte {offset}: ")


def test_parse_wants_text() -> None:
    with pytest.raises(TypeError):
        SdesCrypto.parse(RFC_4.encode())  # type: ignore[arg-type]


# --- suites and policies ------------------------------------------------------------------------


def suite_line(suite: str, params: str = "") -> str:
    definition = SUITES[suite]
    material = bytes(range(definition.key_length + definition.salt_length))
    return line(params, suite=suite, key=base64.b64encode(material).decode())


@pytest.mark.parametrize(
    ("suite", "policy"),
    [
        ("AES_CM_128_HMAC_SHA1_80", SrtpPolicy(cipher=SrtpCipher.AES_CM_128)),
        (
            "AES_CM_128_HMAC_SHA1_32",
            SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=4),
        ),
        ("AES_192_CM_HMAC_SHA1_80", SrtpPolicy(cipher=SrtpCipher.AES_CM_192)),
        (
            "AES_192_CM_HMAC_SHA1_32",
            SrtpPolicy(cipher=SrtpCipher.AES_CM_192, srtp_auth_tag_length=4),
        ),
        ("AES_256_CM_HMAC_SHA1_80", SrtpPolicy(cipher=SrtpCipher.AES_CM_256)),
        (
            "AES_256_CM_HMAC_SHA1_32",
            SrtpPolicy(cipher=SrtpCipher.AES_CM_256, srtp_auth_tag_length=4),
        ),
        (
            "AEAD_AES_128_GCM",
            SrtpPolicy(
                cipher=SrtpCipher.AES_GCM_128, srtp_auth_tag_length=16, srtcp_auth_tag_length=16
            ),
        ),
        (
            "AEAD_AES_256_GCM",
            SrtpPolicy(
                cipher=SrtpCipher.AES_GCM_256, srtp_auth_tag_length=16, srtcp_auth_tag_length=16
            ),
        ),
    ],
)
def test_suite_policies(suite: str, policy: SrtpPolicy) -> None:
    crypto = SdesCrypto.parse(suite_line(suite))
    assert crypto.policy == policy
    assert policy.srtcp_auth_tag_length in (10, 16)  # SRTCP keeps 80 bits (RFC 4568 §6.2)
    key = crypto.keys[0]
    assert (len(key.master_key), len(key.master_salt)) == (
        policy.master_key_length,
        policy.master_salt_length,
    )


@pytest.mark.parametrize("suite", list(SUITES))
def test_each_suite_refuses_other_key_lengths(suite: str) -> None:
    definition = SUITES[suite]
    length = definition.key_length + definition.salt_length
    for wrong in {30, 38, 44, 46, length - 1, length + 1} - {length}:
        text = line(suite=suite, key=base64.b64encode(bytes(wrong)).decode())
        with pytest.raises(MikeyParseError, match=f"{suite} needs {length}") as raised:
            SdesCrypto.parse(text)
        assert raised.value.payload == "a=crypto key||salt"


@pytest.mark.parametrize(
    ("params", "changes"),
    [
        ("UNENCRYPTED_SRTP", {"srtp_encryption": False}),
        ("UNENCRYPTED_SRTCP", {"srtcp_encryption": False}),
        ("UNAUTHENTICATED_SRTP", {"srtp_authentication": False, "srtp_auth_tag_length": 0}),
        (
            "UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP",
            {
                "srtp_encryption": False,
                "srtcp_encryption": False,
                "srtp_authentication": False,
                "srtp_auth_tag_length": 0,
            },
        ),
        ("KDR=0 WSH=1024 FEC_ORDER=FEC_SRTP -opt", {}),
    ],
)
def test_session_params_in_policy(params: str, changes: dict[str, object]) -> None:
    crypto = SdesCrypto.parse(suite_line("AES_CM_128_HMAC_SHA1_32", params))
    base = SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=4)
    assert crypto.policy == dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_gcm_unencrypted_srtcp() -> None:
    # RFC 7714 §9.3: SRTCP may be sent unencrypted (E = 0), the packet is all AAD.
    crypto = SdesCrypto.parse(suite_line("AEAD_AES_128_GCM", "UNENCRYPTED_SRTCP"))
    assert not crypto.policy.srtcp_encryption


@pytest.mark.parametrize(
    ("suite", "params", "message"),
    [
        ("F8_128_HMAC_SHA1_80", "", "AES-f8 cipher is not supported by libsrtp"),
        ("AES_CM_128_HMAC_SHA1_80", "KDR=1", "KDR=1 .* not supported by libsrtp"),
        ("AES_CM_128_HMAC_SHA1_80", "KDR=24", "KDR=24"),
        ("AES_CM_128_HMAC_SHA1_80", "FEC_ORDER=SRTP_FEC", "SRTP_FEC"),
        ("AES_CM_128_HMAC_SHA1_80", "FEC_ORDER=srtp_fec", "SRTP_FEC"),
        ("AES_CM_128_HMAC_SHA1_80", "FEC_KEY=inline:abcd", "FEC_KEY"),
        ("AEAD_AES_128_GCM", "UNENCRYPTED_SRTP", "always encrypts"),
        ("AEAD_AES_256_GCM", "UNAUTHENTICATED_SRTP", "always authenticates"),
    ],
)
def test_policy_refuses_what_libsrtp_cannot_run(suite: str, params: str, message: str) -> None:
    crypto = SdesCrypto.parse(suite_line(suite, params))  # valid RFC 4568: it parses
    with pytest.raises(MikeyPolicyParamError, match=message):
        _ = crypto.policy


# --- constructors -----------------------------------------------------------------------------

K16, S14 = bytes(16), bytes(range(14))


@pytest.mark.parametrize(
    "fields",
    [
        {"master_key": b"", "master_salt": S14},
        {"master_key": "k" * 16, "master_salt": S14},
        {"lifetime": 0},
        {"lifetime": True},
        {"mki": 1},
        {"mki_length": 4},
        {"mki": 1, "mki_length": 0},
        {"mki": 1, "mki_length": 129},
        {"mki": 256, "mki_length": 1},
        {"mki": -1, "mki_length": 1},
    ],
)
def test_key_constructor_errors(fields: dict[str, object]) -> None:
    arguments: dict[str, object] = {"master_key": K16, "master_salt": S14, **fields}
    with pytest.raises(MikeyValueError):
        SdesKey(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"tag": -1}, MikeyValueError),
        ({"tag": 10**9}, MikeyValueError),
        ({"tag": "1"}, MikeyValueError),
        ({"suite": "AES CM"}, MikeyValueError),
        ({"suite": "NULL_HMAC_SHA1_80"}, MikeyPolicyError),
        ({"keys": ()}, MikeyValueError),
        ({"keys": [SdesKey(master_key=K16, master_salt=S14)]}, MikeyValueError),
        ({"keys": (SdesKey(master_key=bytes(32), master_salt=S14),)}, MikeyValueError),
        (
            {"keys": (SdesKey(master_key=K16, master_salt=S14, lifetime=2**48 + 1),)},
            MikeyValueError,
        ),
        ({"kdr": 25}, MikeyValueError),
        ({"unencrypted_srtp": 1}, MikeyValueError),
        ({"fec_order": "SRTP"}, MikeyValueError),
        ({"fec_key": "inline:a b"}, MikeyValueError),
        ({"wsh": 63}, MikeyValueError),
        ({"extensions": ["-a"]}, MikeyValueError),
        ({"extensions": ("-a b",)}, MikeyValueError),
        ({"extensions": ("FOO",)}, MikeyPolicyParamError),
    ],
)
def test_crypto_constructor_errors(fields: dict[str, object], error: type[MikeyError]) -> None:
    arguments: dict[str, object] = {
        "tag": 1,
        "suite": "AES_CM_128_HMAC_SHA1_80",
        "keys": (SdesKey(master_key=K16, master_salt=S14),),
        **fields,
    }
    with pytest.raises(error):
        SdesCrypto(**arguments)  # type: ignore[arg-type]


# --- generate -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", (*ANSWER_SUITES, "AES_192_CM_HMAC_SHA1_80"))
def test_generate(suite: str) -> None:
    crypto = generate(suite, tag=5, mki_length=2, lifetime=2**31, rng=counter_rng(suite))
    definition = SUITES[suite]
    (key,) = crypto.keys
    expected = counter_rng(suite)(definition.key_length + definition.salt_length)
    assert key.master_key + key.master_salt == expected
    assert (crypto.tag, key.mki, key.mki_length, key.lifetime) == (5, 1, 2, 2**31)
    assert SdesCrypto.parse(crypto.to_attribute()) == crypto


def test_generate_defaults_and_randomness() -> None:
    first, second = generate(), generate()
    assert first.suite == "AES_CM_128_HMAC_SHA1_80"
    assert first.tag == 1
    assert first.keys[0].mki is None and first.keys[0].lifetime is None
    assert first.keys != second.keys


def test_generate_errors() -> None:
    with pytest.raises(MikeyPolicyError, match="unknown SRTP crypto suite"):
        generate("AES_CM_128_HMAC_SHA1_81")
    with pytest.raises(MikeyPolicyParamError, match="not supported by libsrtp"):
        generate("F8_128_HMAC_SHA1_80")
    with pytest.raises(MikeyValueError, match="must return 30 bytes"):
        generate(rng=lambda n: bytes(n - 1))
    with pytest.raises(MikeyValueError):
        generate(mki_length=200)
    with pytest.raises(MikeyValueError):
        generate(lifetime=2**49)


# --- offer/answer -------------------------------------------------------------------------------


def test_answer_takes_the_first_acceptable_offer_in_offer_order() -> None:
    offers: list[SdesCrypto | str] = [
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:garbage",  # invalid: skipped
        suite_line("F8_128_HMAC_SHA1_80").replace("crypto:1", "crypto:2"),  # libsrtp: no f8
        suite_line("AES_CM_128_HMAC_SHA1_80", "KDR=10").replace("crypto:1", "crypto:3"),
        suite_line("AES_CM_128_HMAC_SHA1_80", "NEW_PARAM").replace("crypto:1", "crypto:4"),
        generate("AES_CM_128_HMAC_SHA1_32", tag=5),
        generate("AEAD_AES_256_GCM", tag=6),
    ]
    chosen, ours = answer(offers, mki_length=1, lifetime=2**30)
    assert chosen is offers[4]
    assert (ours.tag, ours.suite) == (5, "AES_CM_128_HMAC_SHA1_32")
    assert (ours.keys[0].mki_length, ours.keys[0].lifetime) == (1, 2**30)
    assert ours.keys[0].master_key != chosen.keys[0].master_key
    offer_side, reply = process_answer([o for o in offers if isinstance(o, SdesCrypto)], ours)
    assert (offer_side, reply) == (chosen, ours)


def test_answer_echoes_negotiated_params_only() -> None:
    offer = suite_line(
        "AES_CM_128_HMAC_SHA1_80",
        "KDR=0 UNENCRYPTED_SRTCP UNENCRYPTED_SRTP UNAUTHENTICATED_SRTP WSH=512 -x",
    )
    _, ours = answer([offer], rng=counter_rng())
    assert ours.unencrypted_srtp and ours.unencrypted_srtcp and ours.unauthenticated_srtp
    assert (ours.kdr, ours.wsh, ours.extensions) == (None, None, ())
    assert ours.policy == SdesCrypto.parse(offer).policy


def test_answer_accept_and_case() -> None:
    offers = [generate("AEAD_AES_128_GCM", tag=1), generate("aes_cm_128_hmac_sha1_80", tag=2)]
    chosen, ours = answer(offers, accept=["AES_CM_128_HMAC_SHA1_80"])
    assert chosen.tag == 2
    assert ours.suite == "aes_cm_128_hmac_sha1_80"  # the suite as offered
    with pytest.raises(MikeyPolicyError, match="unknown SRTP crypto suite"):
        answer(offers, accept=["AES_CM_128_HMAC_SHA1_80", "CHACHA"])


def test_answer_aes_192_only_when_accepted() -> None:
    offers = [generate("AES_192_CM_HMAC_SHA1_80")]
    with pytest.raises(MikeyPolicyError, match="AES_192_CM_HMAC_SHA1_80 is not accepted"):
        answer(offers)
    chosen, _ = answer(offers, accept=["AES_192_CM_HMAC_SHA1_80"])
    assert chosen is offers[0]


def test_answer_nothing_acceptable() -> None:
    with pytest.raises(MikeyPolicyError, match="nothing was offered"):
        answer([])
    offers: list[SdesCrypto | str] = [suite_line("F8_128_HMAC_SHA1_80"), "a=crypto:x", generate()]
    with pytest.raises(MikeyPolicyError) as raised:
        answer(offers, accept=["F8_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"])
    assert "AES-f8 cipher is not supported" in str(raised.value)
    assert "a=crypto crypto-suite at byte 10: the crypto-suite is missing" in str(raised.value)
    assert "tag 1: AES_CM_128_HMAC_SHA1_80 is not accepted" in str(raised.value)


def test_answer_refuses_to_reuse_the_offered_key() -> None:
    offer = SdesCrypto.parse(RFC_7_1_5_ANSWER)
    material = offer.keys[0].master_key + offer.keys[0].master_salt
    with pytest.raises(MikeyValueError, match="must differ"):
        answer([offer], rng=lambda n: material[:n])


def test_process_answer_errors() -> None:
    offers = [generate(tag=1), generate("AES_CM_128_HMAC_SHA1_32", tag=2)]
    _, good = answer(offers)
    with pytest.raises(MikeyPolicyError, match="tag 3 was not offered"):
        process_answer(offers, dataclasses.replace(good, tag=3))
    with pytest.raises(MikeyPolicyError, match="names AES_CM_128_HMAC_SHA1_32"):
        process_answer(offers, dataclasses.replace(good, suite="AES_CM_128_HMAC_SHA1_32"))
    with pytest.raises(MikeyPolicyParamError, match="UNENCRYPTED_SRTCP"):
        process_answer(offers, dataclasses.replace(good, unencrypted_srtcp=True))
    with pytest.raises(MikeyPolicyError, match="reuses the offer's master key"):
        process_answer(offers, dataclasses.replace(good, keys=offers[0].keys))
    with pytest.raises(MikeyPolicyParamError, match="KDR"):
        process_answer(offers, dataclasses.replace(good, kdr=3))
    with pytest.raises(MikeyParseError):
        process_answer(offers, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x")
    assert process_answer(offers, "a=" + good.to_attribute()) == (offers[0], good)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def sdes_cryptos(draw: st.DrawFn) -> SdesCrypto:
    name = draw(st.sampled_from(list(SUITES)))
    suite = SUITES[name]
    count = draw(st.integers(1, 3))
    mki_length = draw(st.integers(1, 128) if count > 1 else st.none() | st.integers(1, 16))
    materials = draw(
        st.lists(
            st.binary(min_size=suite.key_length, max_size=suite.key_length),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    mkis: list[int | None] = [None] * count
    if mki_length is not None:
        mkis = list(
            draw(
                st.lists(
                    st.integers(0, 256**mki_length - 1),
                    min_size=count,
                    max_size=count,
                    unique=True,
                )
            )
        )
    lifetimes = st.none() | st.integers(1, 2**48) | st.integers(0, 48).map(lambda n: 2**n)
    keys = tuple(
        SdesKey(
            master_key=material,
            master_salt=draw(st.binary(min_size=suite.salt_length, max_size=suite.salt_length)),
            lifetime=draw(lifetimes),
            mki=mki,
            mki_length=mki_length,
        )
        for material, mki in zip(materials, mkis, strict=True)
    )
    return SdesCrypto(
        tag=draw(st.integers(0, 999_999_999)),
        suite=draw(st.sampled_from([name, name.lower(), name.title()])),
        keys=keys,
        kdr=draw(st.none() | st.integers(0, 24)),
        unencrypted_srtp=draw(st.booleans()),
        unencrypted_srtcp=draw(st.booleans()),
        unauthenticated_srtp=draw(st.booleans()),
        fec_order=draw(st.none() | st.sampled_from(["FEC_SRTP", "SRTP_FEC", "fec_srtp"])),
        fec_key=draw(st.none() | st.from_regex(r"[!-~]{1,20}", fullmatch=True)),
        wsh=draw(st.none() | st.integers(64, 999_999_999)),
        extensions=tuple(
            draw(st.lists(st.from_regex(r"-[!-~]{1,12}", fullmatch=True), max_size=3))
        ),
    )


@given(sdes_cryptos())
def test_round_trip(crypto: SdesCrypto) -> None:
    text = crypto.to_attribute()
    assert SdesCrypto.parse(text) == crypto
    assert SdesCrypto.parse(f" a={text}\r\n") == crypto
    try:
        policy = crypto.policy
    except MikeyPolicyParamError:
        return
    assert policy.master_key_length == len(crypto.keys[0].master_key)


def check_untrusted(text: str) -> None:
    try:
        crypto = SdesCrypto.parse(text)
    except MikeyError:
        return
    assert isinstance(crypto, SdesCrypto)
    assert SdesCrypto.parse(crypto.to_attribute()) == crypto


@given(st.text())
def test_arbitrary_text(text: str) -> None:
    check_untrusted(text)


SDES_WORDS = st.sampled_from(
    [
        "a=crypto:",
        "crypto:",
        "1",
        "0",
        "01",
        " ",
        "\t",
        "AES_CM_128_HMAC_SHA1_80",
        "AEAD_AES_256_GCM",
        "F8_128_HMAC_SHA1_80",
        "inline:",
        KEY_30,
        KEY_30[:20],
        "|",
        ":",
        ";",
        "2^",
        "2^20",
        "4",
        "=",
        "KDR=",
        "WSH=",
        "64",
        "FEC_KEY=",
        "-x",
        "UNENCRYPTED_SRTP",
        "\u00e9",
        "9" * 40,
    ]
)


@given(st.lists(SDES_WORDS, max_size=14).map("".join))
def test_attribute_like_text(text: str) -> None:
    check_untrusted(text)


@given(sdes_cryptos(), st.data())
def test_mutated_attributes(crypto: SdesCrypto, data: st.DataObject) -> None:
    text = crypto.to_attribute()
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(st.text(alphabet="0123456789:;|^= \t-_=+/aZ\x00\u00e9", max_size=3))
    check_untrusted(text[:at] + insert + text[at + cut :])
