"""Real MIKEY messages from other implementations decode to what their sources say.

``tests/vectors/thirdparty/messages.json`` holds messages published by ONVIF (Genetec,
an ONVIF device), gortsplib (GStreamer layout, Milestone XProtect), tsitle's RTSP server
tests, GStreamer's unit tests and the MIKEY-SAKKE vectors of Streamwide, Softil, SmartMS,
ALEA and Thales (``SOURCE.md``). Each "expect" summary was decoded by hand from the RFCs
and cross-checked with tshark; every field of it must equal what mikey decodes.
Deviations from the RFCs that affect framing need a named profile, and strict decoding
must refuse them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mikey.errors import MikeyParseError
from mikey.wire.basic import RandPayload, TimestampPayload
from mikey.wire.extension import GeneralExtensionPayload
from mikey.wire.header import GenericIdMap, SrtpIdMap
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload
from mikey.wire.message import Message, decode_message, decode_sub_payloads
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.profiles import LENIENT, MCX, TRAILING_ZERO
from mikey.wire.publickey import SignaturePayload
from mikey.wire.rules import kemac_first_sub_payload
from mikey.wire.sakke import SakkePayload
from mikey.wire.ticket import IdRolePayload

from .summary import key_data_summary, matches

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors/thirdparty/messages.json").read_text()
)
_NAMES = {"GENERAL_EXT": "GENEXT"}

# Messages whose framing breaks RFC 3830, and the profile that reads them.
NEEDS_PROFILE = {
    "milestone-xprotect-trailing-byte": TRAILING_ZERO,  # one extra 0x00 at the end
    "gortsplib-synthetic-kemac-spi": LENIENT,  # HDR then KEMAC: no T (hand-written test)
    "gstreamer-unit-test-header-only": LENIENT,  # a bare HDR: no T, no KEMAC
    "streamwide-sakke-pck-v5": MCX,  # SP beside the Empty map
    "alea-sakke-gmk-v3": MCX,
    "alea-sakke-csk-v3": MCX,
}


def _summary(message: Message, data: bytes) -> dict[str, Any]:
    header = message.header
    length = len(message.encode())
    out: dict[str, Any] = {
        "message_len": len(data),
        "parsed_len": length,
        "trailing_bytes": data[length:].hex(),
        "version": header.version,
        "data_type": int(header.data_type),
        "next_payload": int(message.payloads[0].payload_type) if message.payloads else 0,
        "v": header.v,
        "prf": int(header.prf_func),
        "csb_id": header.csb_id,
        "csb_id_hex": f"{header.csb_id:08x}",
        "n_cs": header.cs_id_map.cs_count,
        "cs_id_map_type": int(header.cs_id_map.map_type),
        "payloads": [int(p.payload_type) for p in message.payloads],
        "payload_names": [
            _NAMES.get(p.payload_type.name, p.payload_type.name) for p in message.payloads
        ],
    }
    cs_map = header.cs_id_map
    if isinstance(cs_map, SrtpIdMap):
        out["cs_id_map"] = [
            {"policy_no": e.policy_no, "ssrc": e.ssrc, "ssrc_hex": f"{e.ssrc:08x}", "roc": e.roc}
            for e in cs_map.entries
        ]
    elif isinstance(cs_map, GenericIdMap):
        out["cs_id_map"] = [
            {
                "cs_id": e.cs_id,
                "prot_type": int(e.prot_type),
                "s": e.s_flag,
                "policies": list(e.policy_nos),
                "session_data": e.session_data.hex(),
                "spi": e.spi.hex(),
            }
            for e in cs_map.entries
        ]
    else:
        out["cs_id_map"] = []
    if (t := message.get(TimestampPayload)) is not None:
        out["t"] = {
            "ts_type": int(t.ts_type),
            "ts_value": t.value.to_bytes(t.ts_type.value_length).hex(),
        }
    if (rand := message.get(RandPayload)) is not None:
        out["rand"] = {"len": len(rand.rand), "value": rand.rand.hex()}
    if policies := message.get_all(SecurityPolicyPayload):
        out["sp"] = [
            {
                "policy_no": sp.policy_no,
                "prot_type": int(sp.prot_type),
                "param_len": sum(2 + len(p.value) for p in sp.params),
                "params": [[p.type, p.value.hex()] for p in sp.params],
            }
            for sp in policies
        ]
    if (kemac := message.get(KemacPayload)) is not None:
        subs = decode_sub_payloads(kemac.encr_data, first=kemac_first_sub_payload(header.data_type))
        out["kemac"] = {
            "encr_alg": int(kemac.encr_alg),
            "encr_data_len": len(kemac.encr_data),
            "mac_alg": int(kemac.mac_alg),
            "mac": kemac.mac.hex(),
            "key_data": [key_data_summary(s) for s in subs if isinstance(s, KeyDataSubPayload)],
        }
    if (sakke := message.get(SakkePayload)) is not None:
        out["sakke"] = {
            "params": int(sakke.sakke_params),
            "id_scheme": int(sakke.id_scheme),
            "data_len": len(sakke.sakke_data),
            "data_first_byte": sakke.sakke_data[:1].hex(),
        }
    if (sign := message.get(SignaturePayload)) is not None:
        out["sign"] = {"s_type": int(sign.s_type), "len": len(sign.signature)}
    if idrs := message.get_all(IdRolePayload):
        out["idr"] = [
            {
                "role": int(p.id_role),
                "id_type": int(p.id_type),
                "len": len(p.data),
                "data_hex": p.data.hex(),
                **({"data_text": p.data.decode("ascii")} if p.data.isascii() else {}),
            }
            for p in idrs
        ]
    if exts := message.get_all(GeneralExtensionPayload):
        out["general_ext"] = [
            {"type": int(p.ext_type), "len": len(p.data), "data": p.data.hex()} for p in exts
        ]
    return out


def _list_matches(expected: list[Any], actual: Any, where: str) -> list[str]:
    if not isinstance(actual, list) or len(actual) != len(expected):
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    problems = []
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        if isinstance(want, dict) and isinstance(got, dict):
            problems += [f"{where}[{index}].{p}" for p in _deep(want, got)]
        elif want != got:
            problems.append(f"{where}[{index}]: expected {want!r}, got {got!r}")
    return problems


def _deep(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    for key, want in expected.items():
        got = actual.get(key, "<absent>")
        if isinstance(want, list) and want and isinstance(want[0], dict):
            problems += _list_matches(want, got, key)
        elif isinstance(want, dict) and isinstance(got, dict):
            problems += [f"{key}.{p}" for p in _deep(want, got)]
        elif want != got:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_third_party_message_decodes(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["hex"])
    profile = NEEDS_PROFILE.get(vector["name"])
    if profile is not None:
        with pytest.raises(MikeyParseError):
            decode_message(data)
        message = decode_message(data, profile=profile)
    else:
        message = decode_message(data)
        assert message.encode() == data  # strict decoding re-encodes byte for byte
    assert _deep(vector["expect"], _summary(message, data)) == []


def test_summaries_compare_something() -> None:
    # Guard against an "expect" table that silently stopped matching our keys.
    assert matches({"a": 1}, {"a": 2}) and _deep({"a": [{"b": 1}]}, {"a": [{"b": 2}]})
    assert sum(len(v["expect"]) for v in VECTORS) > 25 * 15
