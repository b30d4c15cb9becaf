"""Checks on ``mikey.wire.describe`` trees shared by the describe and command tests.

``FIELD_NODES`` names, for every payload dataclass and every dataclass nested in one, the
node that shows each of its fields; ``check_fields`` walks a decoded message and its tree
together and fails on any field without its node. ``check_tiling`` checks that the nodes
with offsets cover every byte exactly once (bit fields share their bytes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from mikey.registry import EncrAlg, PayloadType
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.describe import Node
from mikey.wire.extension import GeneralExtensionPayload
from mikey.wire.header import (
    CommonHeader,
    EmptyMap,
    GenericIdEntry,
    GenericIdMap,
    SrtpIdEntry,
    SrtpIdMap,
)
from mikey.wire.ibake import EncryptedSecretKeyPayload, IbakePayload
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_sub_payloads
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.rules import kemac_first_sub_payload
from mikey.wire.sakke import SakkePayload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)

FIELD_NODES: dict[type[Any], dict[str, str]] = {
    CommonHeader: {
        "version": "Version",
        "data_type": "Data type",
        "v": "V",
        "prf_func": "PRF func",
        "csb_id": "CSB ID",
        "cs_id_map": "CS ID map info",
    },
    SrtpIdEntry: {"policy_no": "Policy_no", "ssrc": "SSRC", "roc": "ROC"},
    GenericIdEntry: {
        "cs_id": "CS ID",
        "prot_type": "Prot type",
        "s_flag": "S",
        "policy_nos": "Ps",
        "session_data": "Session Data",
        "spi": "SPI",
    },
    KemacPayload: {
        "encr_alg": "Encr alg",
        "encr_data": "Encr data",
        "mac_alg": "MAC alg",
        "mac": "MAC",
    },
    KeyDataSubPayload: {
        "key_type": "Type",
        "key": "Key data",
        "salt": "Salt data",
        "validity": "KV data",
    },
    SpiValidity: {"spi": "SPI"},
    IntervalValidity: {"valid_from": "Valid From", "valid_to": "Valid To"},
    EnvelopePayload: {"data": "Data", "cache": "C"},
    DhPayload: {"dh_group": "DH-Group", "dh_value": "DH-value", "validity": "KV data"},
    SignaturePayload: {"s_type": "S type", "signature": "Signature"},
    CertHashPayload: {"hash_func": "Hash func", "hash": "Hash"},
    TimestampPayload: {"ts_type": "TS type", "value": "TS value"},
    IdPayload: {"id_type": "ID type", "data": "ID data"},
    CertPayload: {"cert_type": "Cert type", "data": "Certificate data"},
    VerificationPayload: {"auth_alg": "Auth alg", "ver_data": "Ver data"},
    RandPayload: {"rand": "RAND"},
    ErrorPayload: {"error_no": "Error no"},
    SecurityPolicyPayload: {
        "policy_no": "Policy no",
        "prot_type": "Prot type",
        "params": "Policy param",
    },
    GeneralExtensionPayload: {"ext_type": "Type", "data": "Data"},
    SakkePayload: {
        "sakke_params": "SAKKE params",
        "id_scheme": "ID scheme",
        "sakke_data": "SAKKE data",
    },
    TimestampRolePayload: {"ts_role": "TS Role", "ts_type": "TS Type", "value": "TS Value"},
    IdRolePayload: {"id_role": "ID Role", "id_type": "ID Type", "data": "ID Data"},
    RandRolePayload: {"rand_role": "RAND Role", "rand": "RAND"},
    TicketPolicyPayload: {"policy": "Ticket policy"},
    TicketPayload: {
        "policy": "Ticket policy",
        "ticket_data": "Ticket Data",
        "initiator_data": "Initiator Data",
    },
    TicketPolicy: {
        "ticket_type": "Ticket Type",
        "subtype": "Subtype",
        "version": "Version",
        "prf_func": "PRF Func",
        "flags": "Flags",
        "tp_data": "TP Data",
    },
    IbakePayload: {"encr_data": "Encr data"},
    EncryptedSecretKeyPayload: {"encr_data": "Encr data"},
}

# Payload types whose fields come after a Next payload field (SIGN has none).
_NO_NEXT_PAYLOAD = {PayloadType.SIGN}


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def child(node: Node, name: str) -> Node:
    matches = [c for c in node.children if c.name == name]
    assert matches, f"{node.name!r} has no child {name!r}: {[c.name for c in node.children]}"
    return matches[0]


def _expected_value(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    return None


def check_fields(obj: Any, node: Node) -> None:
    """Every dataclass field of ``obj`` has its node under ``node``, with its value."""
    names = FIELD_NODES[type(obj)]
    assert set(names) == {f.name for f in dataclasses.fields(obj)}, type(obj).__name__
    for field_name, node_name in names.items():
        value = getattr(obj, field_name)
        if value is None and node_name == "Salt data":
            continue  # key types without salt have no Salt len / Salt data fields
        field_node = child(node, node_name)
        expected = _expected_value(value)
        if expected is not None:
            assert field_node.value == expected, (type(obj).__name__, field_name)
        if isinstance(value, SrtpIdMap | GenericIdMap):
            assert len(field_node.children) == len(value.entries)
            for entry, entry_node in zip(value.entries, field_node.children, strict=True):
                check_fields(entry, entry_node)
        elif isinstance(value, EmptyMap):
            assert not field_node.children
        elif dataclasses.is_dataclass(value):
            check_fields(value, field_node)
        elif field_name == "params":
            assert len(field_node.children) == len(value)
            for param, param_node in zip(value, field_node.children, strict=True):
                assert param_node.name.endswith(f"({param.type})")
                assert param_node.value == param.value.hex()
                assert param_node.length == 2 + len(param.value)


def check_payload(payload: Any, node: Node, data_type: int) -> None:
    if payload.payload_type not in _NO_NEXT_PAYLOAD:
        assert node.children[0].name == "Next payload"
    check_fields(payload, node)
    if isinstance(payload, KemacPayload) and payload.encr_alg == EncrAlg.NULL:
        inner = decode_sub_payloads(payload.encr_data, first=kemac_first_sub_payload(data_type))
        encr = child(node, "Encr data")
        assert len(encr.children) == len(inner)
        for sub, sub_node in zip(inner, encr.children, strict=True):
            check_payload(sub, sub_node, data_type)


def check_message(message: Message, tree: Node) -> None:
    """The tree shows the header, every payload and every field, and tiles the bytes."""
    assert tree.name == "MIKEY message"
    header, *payload_nodes = [c for c in tree.children if c.name != "Trailing bytes"]
    assert header.name == "Common header (HDR)"
    check_fields(message.header, header)
    assert len(payload_nodes) == len(message.payloads)
    for index, (payload, node) in enumerate(zip(message.payloads, payload_nodes, strict=True)):
        start, end = message.payload_span(index)
        assert (node.offset, node.length) == (start, end - start)
        check_payload(payload, node, message.data_type)
    check_tiling(tree)
    names = {n.name for n in walk(tree)}
    assert "Unexplained bytes" not in names


def check_tiling(node: Node) -> None:
    """Children with offsets cover their parent's bytes in order, without gaps or overlaps."""
    placed = [c for c in node.children if c.offset is not None]
    if placed and node.offset is not None:
        assert node.length is not None
        position = node.offset
        previous: Node | None = None
        for c in placed:
            assert c.length is not None
            if previous is not None and (c.offset, c.length) == (previous.offset, previous.length):
                continue  # bit fields of the same bytes
            assert c.offset == position, (node.name, c.name, c.offset, position)
            position += c.length
            previous = c
        assert position == node.offset + node.length, (node.name, position)
    for c in node.children:
        check_tiling(c)
