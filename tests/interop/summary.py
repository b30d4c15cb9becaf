"""A plain summary of a decoded message in the shape the recorded vectors use
(``tests/vectors/*/messages.json`` "expect"), so vectors and live peers compare
field by field with what mikey decoded."""

from __future__ import annotations

from typing import Any

from mikey.wire.basic import RandPayload, TimestampPayload
from mikey.wire.header import SrtpIdMap
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_sub_payloads
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import EnvelopePayload
from mikey.wire.rules import kemac_first_sub_payload


def key_data_summary(sub: KeyDataSubPayload) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": int(sub.key_type),
        "kv": int(sub.kv_type),
        "key_len": len(sub.key),
        "key": sub.key.hex(),
    }
    if sub.salt is not None:
        out["salt_len"] = len(sub.salt)
        out["salt"] = sub.salt.hex()
    if isinstance(sub.validity, SpiValidity):
        out["spi"] = sub.validity.spi.hex()
    elif isinstance(sub.validity, IntervalValidity):
        out["vf"] = sub.validity.valid_from.hex()
        out["vt"] = sub.validity.valid_to.hex()
    return out


def summarize(message: Message) -> dict[str, Any]:
    header = message.header
    out: dict[str, Any] = {
        "length": len(message.encode()),
        "version": header.version,
        "data_type": int(header.data_type),
        "v": header.v,
        "prf": int(header.prf_func),
        "csb_id": header.csb_id,
        "cs_count": header.cs_id_map.cs_count,
        "map_type": int(header.cs_id_map.map_type),
        "payload_types": [int(p.payload_type) for p in message.payloads],
    }
    if isinstance(header.cs_id_map, SrtpIdMap):
        out["cs"] = [
            {"policy": e.policy_no, "ssrc": e.ssrc, "roc": e.roc} for e in header.cs_id_map.entries
        ]
    if (t := message.get(TimestampPayload)) is not None:
        width = t.ts_type.value_length
        out["t"] = {"ts_type": int(t.ts_type), "value": t.value.to_bytes(width).hex()}
    if (rand := message.get(RandPayload)) is not None:
        out["rand"] = rand.rand.hex()
    policies = message.get_all(SecurityPolicyPayload)
    if policies:
        out["sp"] = [
            {
                "policy": sp.policy_no,
                "proto": int(sp.prot_type),
                "params": [[p.type, p.value.hex()] for p in sp.params],
            }
            for sp in policies
        ]
    if (kemac := message.get(KemacPayload)) is not None:
        k: dict[str, Any] = {
            "enc_alg": int(kemac.encr_alg),
            "encr_data_len": len(kemac.encr_data),
            "mac_alg": int(kemac.mac_alg),
            "mac_len": len(kemac.mac),
        }
        if kemac.encr_alg == 0:
            subs = decode_sub_payloads(
                kemac.encr_data, first=kemac_first_sub_payload(header.data_type)
            )
            k["key_data"] = [key_data_summary(s) for s in subs if isinstance(s, KeyDataSubPayload)]
        out["kemac"] = k
    if (pke := message.get(EnvelopePayload)) is not None:
        out["pke"] = {"c": int(pke.cache), "data": pke.data.hex()}
    return out


def matches(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The keys of ``expected`` whose values differ in ``actual`` (nested dicts recurse)."""
    problems = []
    for key, want in expected.items():
        got = actual.get(key, "<absent>")
        if isinstance(want, dict) and isinstance(got, dict):
            problems += [f"{key}.{p}" for p in matches(want, got)]
        elif want != got:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems
