"""mikey against GStreamer's MIKEY library (gstmikey), both directions.

1. Messages GStreamer builds, recorded (``tests/vectors/gstreamer``) and rebuilt live
   now, decode with mikey to the fields GStreamer was asked to write.
2. Messages mikey builds (everything gstmikey implements: MIKEY-NULL style PSK
   messages with T, RAND, SP and key data) parse in GStreamer to the same fields.
3. GStreamer's known wire bugs (PKE length field, payloads it cannot write) are
   refused by mikey's strict decoder rather than silently misread.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mikey.errors import MikeyParseError
from mikey.registry import DataType, EncrAlg, KeyDataType, MacAlg, ProtType, TsType
from mikey.wire.basic import RandPayload, TimestampPayload
from mikey.wire.header import CommonHeader, SrtpIdEntry, SrtpIdMap
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_message, encode_sub_payloads
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload

from .gstreamer import gst_available, gst_build, gst_parse
from .summary import matches, summarize

pytestmark = pytest.mark.interop

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors/gstreamer/messages.json").read_text()
)
CONFORMANT = [v for v in VECTORS if v["rfc3830_conformant"] and v["expect"]["data_type"] == 0]


@pytest.fixture(scope="module", autouse=True)
def _gstreamer() -> None:
    gst_available()


@pytest.mark.parametrize("vector", CONFORMANT, ids=[v["name"] for v in CONFORMANT])
def test_recorded_gstreamer_messages_decode(vector: dict[str, Any]) -> None:
    message = decode_message(bytes.fromhex(vector["hex"]))
    assert matches(vector["expect"], summarize(message)) == []
    assert message.encode().hex() == vector["hex"]


LIVE = [v for v in CONFORMANT if "from_caps" not in v["spec"]]


@pytest.mark.parametrize("vector", LIVE, ids=[v["name"] for v in LIVE])
def test_live_gstreamer_messages_decode(vector: dict[str, Any]) -> None:
    data = gst_build(vector["spec"])
    assert matches(vector["expect"], summarize(decode_message(data))) == []


def test_gstreamer_rtsp_server_shape_decodes() -> None:
    # What gst-rtsp-server puts in its SDP: built from SRTP caps, random CSB ID and RAND.
    spec = next(v for v in VECTORS if "from_caps" in v["spec"])["spec"]
    message = decode_message(gst_build(spec))
    summary = summarize(message)
    assert summary["payload_types"] == [5, 11, 10, 1]
    key_data = summary["kemac"]["key_data"]
    assert [k["type"] for k in key_data] == [KeyDataType.TEK]
    assert key_data[0]["key_len"] == 30  # master key || master salt in one TEK field


def test_gstreamer_wire_bugs_are_refused() -> None:
    by_name = {v["name"]: v for v in VECTORS}
    for name in ("deviation-pke-length-field", "deviation-dangling-v"):
        with pytest.raises(MikeyParseError):
            decode_message(bytes.fromhex(by_name[name]["hex"]))


def _our_message(key_data: list[KeyDataSubPayload], *, v: bool, ts: TsType) -> Message:
    sp = SecurityPolicyPayload(
        policy_no=3,
        prot_type=ProtType.SRTP,
        params=tuple(
            PolicyParam(type=t, value=bytes([x]))
            for t, x in [(0, 1), (1, 16), (2, 1), (3, 20), (4, 14), (11, 10)]
        ),
    )
    return Message(
        header=CommonHeader(
            data_type=DataType.PRE_SHARED,
            csb_id=0x0BADCAFE,
            v=v,
            cs_id_map=SrtpIdMap(
                entries=(
                    SrtpIdEntry(policy_no=3, ssrc=0x11111111, roc=7),
                    SrtpIdEntry(policy_no=3, ssrc=0x22222222, roc=0),
                )
            ),
        ),
        payloads=(
            TimestampPayload(ts_type=ts, value=0xE9C1B2A312345678 if ts.value_length == 8 else 42),
            RandPayload(rand=bytes(range(32, 48))),
            sp,
            KemacPayload(
                encr_alg=EncrAlg.NULL,
                encr_data=encode_sub_payloads(key_data),
                mac_alg=MacAlg.NULL,
                mac=b"",
            ),
        ),
    )


OUR_MESSAGES = {
    "tek-salt-spi": _our_message(
        [
            KeyDataSubPayload(
                key_type=KeyDataType.TEK_SALT,
                key=bytes(range(16)),
                salt=bytes(range(100, 114)),
                validity=SpiValidity(spi=b"\x00\x00\x00\x01"),
            )
        ],
        v=True,
        ts=TsType.NTP_UTC,
    ),
    "tgk-interval-and-tek": _our_message(
        [
            KeyDataSubPayload(
                key_type=KeyDataType.TGK,
                key=b"\x42" * 16,
                validity=IntervalValidity(
                    valid_from=bytes(6), valid_to=b"\x00\x00\xff\xff\xff\xff"
                ),
            ),
            KeyDataSubPayload(key_type=KeyDataType.TEK, key=b"\x17" * 30),
        ],
        v=False,
        ts=TsType.COUNTER,
    ),
}


@pytest.mark.parametrize("name", sorted(OUR_MESSAGES))
def test_gstreamer_parses_our_messages(name: str) -> None:
    message = OUR_MESSAGES[name]
    ours = summarize(message)
    parsed = gst_parse(message.encode())
    assert "error" not in parsed, parsed
    assert (parsed["version"], parsed["type"], parsed["v"], parsed["prf"]) == (
        1,
        ours["data_type"],
        ours["v"],
        ours["prf"],
    )
    assert parsed["csb_id"] == ours["csb_id"]
    assert parsed["cs"] == ours["cs"]
    assert [p["type"] for p in parsed["payloads"]] == ours["payload_types"]
    t, rand, sp, kemac = parsed["payloads"]
    assert (t["ts_type"], t["value"]) == (ours["t"]["ts_type"], ours["t"]["value"])
    assert rand["rand"] == ours["rand"]
    assert [sp["policy"], sp["proto"], sp["params"]] == [
        ours["sp"][0]["policy"],
        ours["sp"][0]["proto"],
        ours["sp"][0]["params"],
    ]
    assert (kemac["enc_alg"], kemac["mac_alg"]) == (0, 0)
    gst_keys = kemac["subpayloads"]
    assert len(gst_keys) == len(ours["kemac"]["key_data"])
    for theirs, mine in zip(gst_keys, ours["kemac"]["key_data"], strict=True):
        # gstmikey keeps only bit 1 of the type (TEK/TGK) and reports the salt separately.
        assert theirs["key_type"] == mine["type"] & 2
        assert theirs["key"] == mine["key"]
        assert theirs["salt"] == mine.get("salt")
        assert theirs["kv_type"] == mine["kv"]
        assert theirs.get("spi") == mine.get("spi")
        assert (theirs.get("vf"), theirs.get("vt")) == (mine.get("vf"), mine.get("vt"))
