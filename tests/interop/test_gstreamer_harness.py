"""The GStreamer harness itself: build with gstmikey, parse back with gstmikey.

These do not skip when GStreamer is missing: ``gst_available`` fails with the packages to install.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .gstreamer import GstError, GstTimeout, gst_available, gst_build, gst_caps, gst_parse

pytestmark = pytest.mark.interop

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "gstreamer" / "messages.json"

MASTER_KEY = "00112233445566778899aabbccddeeff"
MASTER_SALT = "0102030405060708090a0b0c0d0e"
KEY = MASTER_KEY + MASTER_SALT  # one TEK field holding key || salt, as GStreamer sends it
RAND = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
NTP = "e9c1b2a380000000"
# GStreamer's own SRTP policy for aes-128-icm / hmac-sha1-80 (gst_mikey_message_new_from_caps)
SP_PARAMS = [[0, "01"], [1, "10"], [2, "01"], [3, "0a"], [7, "01"], [8, "01"], [10, "01"]]

PSK_SPEC: dict[str, Any] = {
    "data_type": "psk_init",
    "v": False,
    "prf": 0,
    "csb_id": 0x1234ABCD,
    "map_type": "srtp",
    "cs": [{"policy": 0, "ssrc": 0xCAFEBABE, "roc": 0}],
    "payloads": [
        {"type": "T", "ts_type": "ntp_utc", "value": NTP},
        {"type": "RAND", "rand": RAND},
        {
            "type": "SP",
            "policy": 0,
            "proto": "srtp",
            "params": SP_PARAMS,
        },
        {
            "type": "KEMAC",
            "enc_alg": "null",
            "mac_alg": "null",
            "subpayloads": [{"key_type": "tek", "key": KEY, "kv": {"type": "null"}}],
        },
    ],
}


@pytest.fixture(scope="module", autouse=True)
def _gstreamer() -> None:
    gst_available()


def test_psk_round_trip_through_gstreamer() -> None:
    data = gst_build(PSK_SPEC)
    parsed = gst_parse(data)
    assert "error" not in parsed, parsed
    assert parsed["version"] == 1
    assert parsed["type"] == 0
    assert parsed["v"] is False
    assert parsed["prf"] == 0
    assert parsed["csb_id"] == 0x1234ABCD
    assert parsed["map_type"] == 0
    assert parsed["cs"] == [{"policy": 0, "ssrc": 0xCAFEBABE, "roc": 0}]
    assert [p["name"] for p in parsed["payloads"]] == ["T", "RAND", "SP", "KEMAC"]
    t, rand, sp, kemac = parsed["payloads"]
    assert t == {"type": 5, "name": "T", "ts_type": 0, "value": NTP}
    assert rand == {"type": 11, "name": "RAND", "rand": RAND}
    assert sp["policy"] == 0
    assert sp["proto"] == 0
    assert sp["params"] == SP_PARAMS
    assert kemac["enc_alg"] == 0
    assert kemac["mac_alg"] == 0
    assert kemac["subpayloads"] == [
        {
            "type": 20,
            "name": "KEY_DATA",
            "key_type": 2,
            "key": KEY,
            "salt": None,
            "kv_type": 0,
        }
    ]


def test_psk_bytes_follow_rfc3830_layout() -> None:
    data = gst_build(PSK_SPEC)
    # HDR: version 1, PSK init (0), next = T (5), V=0|PRF 0, CSB ID, #CS 1, map type SRTP-ID
    assert data[:10] == bytes.fromhex("01 00 05 00 1234abcd 01 00")
    assert data[10:19] == bytes.fromhex("00 cafebabe 00000000")
    # T: next = RAND (11), NTP-UTC (0), 8-byte value
    assert data[19:29] == bytes.fromhex("0b 00") + bytes.fromhex(NTP)
    # RAND: next = SP (10), length 16
    assert data[29:47] == bytes.fromhex("0a 10") + bytes.fromhex(RAND)
    # SP: next = KEMAC (1), policy 0, SRTP, 7 one-byte params = 21 bytes
    assert data[47:52] == bytes.fromhex("01 00 00 0015")
    # KEMAC: last, NULL encryption, 34 bytes of key data, then MAC alg NULL and no MAC
    kemac = data[73:]
    assert kemac[:4] == bytes.fromhex("00 00 0022")
    assert kemac[4:8] == bytes.fromhex("00 20 001e")  # last sub-payload, TEK, KV NULL, 30
    assert kemac[8:38] == bytes.fromhex(KEY)
    assert kemac[38:] == b"\x00"


def test_key_validity_and_salt_round_trip() -> None:
    spec = json.loads(json.dumps(PSK_SPEC))
    spec["payloads"][3]["subpayloads"] = [
        {
            "key_type": "tek",
            "key": MASTER_KEY,
            "salt": MASTER_SALT,
            "kv": {"type": "spi", "spi": "0a"},
        },
        {
            "key_type": "tgk",
            "key": MASTER_KEY,
            "kv": {"type": "interval", "vf": "000000000000", "vt": "0000ffffffff"},
        },
    ]
    subs = gst_parse(gst_build(spec))["payloads"][3]["subpayloads"]
    assert subs[0]["key_type"] == 2
    assert subs[0]["key"] == MASTER_KEY
    assert subs[0]["salt"] == MASTER_SALT
    assert (subs[0]["kv_type"], subs[0]["spi"]) == (1, "0a")
    assert subs[1]["key_type"] == 0
    assert subs[1]["salt"] is None
    assert (subs[1]["kv_type"], subs[1]["vf"], subs[1]["vt"]) == (2, "000000000000", "0000ffffffff")


def test_caps_mapping() -> None:
    caps = gst_caps(gst_build(PSK_SPEC))
    assert caps["ok"] is True
    assert f"srtp-key=(buffer){KEY}" in caps["caps"]
    assert "srtp-cipher=(string)aes-128-icm" in caps["caps"]
    assert "srtp-auth=(string)hmac-sha1-80" in caps["caps"]


def test_parse_failure_is_reported() -> None:
    assert "error" in gst_parse(bytes.fromhex("02 00 00 00 00000000 00 00"))  # version 2
    assert "error" in gst_parse(bytes.fromhex("01 00 00"))  # truncated header


def test_unimplemented_payload_hangs_and_times_out() -> None:
    # HDR with next payload = ID (6): gstmikey's parser loops forever.
    header = "01 00 06 00 00000001 00 00"
    data = bytes.fromhex(header + " 00 01 0004 74657374")
    with pytest.raises(GstTimeout):
        gst_parse(data, timeout=2)


def test_bad_spec_is_an_error() -> None:
    with pytest.raises(GstError, match="not a MIKEYKeyDataType value"):
        gst_build({"payloads": [{"type": "KEMAC", "subpayloads": [{"key_type": 3, "key": "00"}]}]})


def test_recorded_vectors_still_match_gstreamer() -> None:
    vectors = json.loads(VECTORS.read_text())
    assert len(vectors) >= 6
    for vector in vectors:
        spec = vector.get("spec")
        if spec is None or vector.get("random_fields"):
            continue
        assert gst_build(spec).hex() == vector["hex"], vector["name"]
