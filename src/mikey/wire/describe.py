"""A readable tree of every field of a decoded message, for people and for JSON.

Each payload becomes a node with its offset and length in the message and one child per
field of the RFC figure, registry numbers decoded into their IANA names. Where the wire
format hides structure, it is shown too: key data sub-payloads inside a NULL-encrypted
KEMAC (RFC 3830 §6.13), SRTP policy parameter names and values (§6.10.1), timestamps as
UTC times (§6.6), and certificate subjects (§6.7).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mikey.errors import MikeyError
from mikey.registry import (
    DataType,
    EncrAlg,
    FecOrder,
    IdType,
    PayloadType,
    ProtType,
    Registry,
    SrtpAuthAlg,
    SrtpEncrAlg,
    SrtpParam,
    SrtpPrf,
    TsType,
    label_of,
)
from mikey.wire.basic import CertPayload, IdPayload, TimestampPayload
from mikey.wire.header import CommonHeader, GenericIdEntry
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message, decode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.rules import kemac_first_sub_payload

__all__ = ["Node", "describe"]


@dataclass(frozen=True, slots=True)
class Node:
    """One field or structure: ``value`` is machine-readable, ``text`` is for people."""

    name: str
    value: int | str | bool | None = None
    text: str = ""
    offset: int | None = None
    length: int | None = None
    children: tuple[Node, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.value is not None:
            out["value"] = self.value
        if self.text:
            out["text"] = self.text
        if self.offset is not None:
            out["offset"] = self.offset
            out["length"] = self.length
        if self.children:
            out["children"] = [child.to_json() for child in self.children]
        return out


_PAYLOAD_TITLES = {
    PayloadType.KEMAC: "Key data transport (KEMAC)",
    PayloadType.PKE: "Envelope data (PKE)",
    PayloadType.DH: "DH data (DH)",
    PayloadType.SIGN: "Signature (SIGN)",
    PayloadType.T: "Timestamp (T)",
    PayloadType.ID: "ID",
    PayloadType.CERT: "Certificate (CERT)",
    PayloadType.CHASH: "Cert hash (CHASH)",
    PayloadType.V: "Verification (V)",
    PayloadType.SP: "Security policy (SP)",
    PayloadType.RAND: "RAND",
    PayloadType.ERR: "Error (ERR)",
    PayloadType.TR: "Timestamp with role (TR)",
    PayloadType.IDR: "ID with role (IDR)",
    PayloadType.RANDR: "RAND with role (RANDR)",
    PayloadType.TP: "Ticket policy (TP)",
    PayloadType.TICKET: "Ticket (TICKET)",
    PayloadType.KEY_DATA: "Key data",
    PayloadType.GENERAL_EXT: "General extension",
    PayloadType.IBAKE: "IBAKE",
    PayloadType.ESK: "Encrypted secret key (ESK)",
    PayloadType.SK: "Secret key (SK)",
    PayloadType.ECCPT: "ECC point (ECCPT)",
    PayloadType.SAKKE: "SAKKE",
}

_SRTP_VALUE_REGISTRIES: dict[int, type[Registry]] = {
    SrtpParam.ENCRYPTION_ALGORITHM: SrtpEncrAlg,
    SrtpParam.AUTHENTICATION_ALGORITHM: SrtpAuthAlg,
    SrtpParam.SRTP_PRF: SrtpPrf,
    SrtpParam.FEC_ORDER: FecOrder,
    SrtpParam.SRTP_AUTH_ALGORITHM: SrtpAuthAlg,
    SrtpParam.SRTCP_AUTH_ALGORITHM: SrtpAuthAlg,
}
_SRTP_FLAGS = {
    SrtpParam.SRTP_ENCRYPTION,
    SrtpParam.SRTCP_ENCRYPTION,
    SrtpParam.SRTP_AUTHENTICATION,
}


def _field_name(name: str) -> str:
    return name.replace("_", " ")


def _value_node(name: str, value: object) -> Node:
    if isinstance(value, Registry):
        return Node(name, int(value), f"{value.label} ({int(value)})")
    if isinstance(value, bool):
        return Node(name, value, str(int(value)))
    if isinstance(value, int):
        return Node(name, value, str(value))
    if isinstance(value, bytes):
        text = value.hex() if value else "(empty)"
        return Node(name, value.hex(), f"{text} ({len(value)} bytes)")
    if value is None:
        return Node(name, None, "absent")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return Node(name, None, type(value).__name__, children=_fields(value))
    if isinstance(value, tuple):
        return Node(
            name,
            None,
            f"{len(value)} item(s)",
            children=tuple(_value_node(f"{name} {i + 1}", item) for i, item in enumerate(value)),
        )
    return Node(name, None, str(value))


def _unassigned(name: str, value: object, field_type: str) -> Node | None:
    # Fields typed "Registry | int" hold plain ints for values IANA has not assigned.
    if isinstance(value, int) and not isinstance(value, (bool, Registry)) and "|" in field_type:
        return Node(name, value, f"unassigned ({value})")
    return None


def _fields(obj: Any) -> tuple[Node, ...]:
    nodes = []
    for f in dataclasses.fields(obj):
        if f.name.startswith("_"):
            continue
        value = getattr(obj, f.name)
        node = _unassigned(_field_name(f.name), value, str(f.type)) or _value_node(
            _field_name(f.name), value
        )
        nodes.append(node)
    return tuple(nodes)


def _header(header: CommonHeader, next_type: PayloadType, length: int) -> Node:
    cs_map = header.cs_id_map
    children = [
        Node("version", header.version, str(header.version)),
        _unassigned("data type", header.data_type, "|")
        or _value_node("data type", header.data_type),
        _value_node("next payload", next_type),
        Node(
            "V",
            header.v,
            f"{int(header.v)} ({'response expected' if header.v else 'no response expected'})",
        ),
        _unassigned("PRF func", header.prf_func, "|") or _value_node("PRF func", header.prf_func),
        Node("CSB ID", header.csb_id, f"{header.csb_id:#010x}"),
        Node("#CS", cs_map.cs_count, str(cs_map.cs_count)),
        _value_node("CS ID map type", cs_map.map_type),
    ]
    entries = getattr(cs_map, "entries", ())
    for index, entry in enumerate(entries):
        title = f"crypto session {getattr(entry, 'cs_id', index + 1)}"
        extra: tuple[Node, ...] = ()
        if isinstance(entry, GenericIdEntry) and entry.prot_type == ProtType.SRTP:
            try:
                srtp = entry.srtp_session_data
            except MikeyError:
                srtp = None
            if srtp is not None:
                extra = (_value_node("SRTP session data", srtp),)
        children.append(Node(title, None, "", children=_fields(entry) + extra))
    return Node("Common header (HDR)", None, "", 0, length, tuple(children))


def _srtp_param(number: int, value: bytes) -> Node:
    name = SrtpParam._value2member_map_.get(number)
    label = name.label if isinstance(name, Registry) else f"unassigned parameter {number}"
    as_int = int.from_bytes(value)
    registry = _SRTP_VALUE_REGISTRIES.get(number)
    if registry is not None and len(value) == 1:
        member = registry._value2member_map_.get(as_int)
        text = member.label if isinstance(member, Registry) else f"unassigned ({as_int})"
    elif number in _SRTP_FLAGS and len(value) == 1:
        text = {0: "off", 1: "on"}.get(as_int, f"invalid ({as_int})")
    elif number == SrtpParam.KEY_DERIVATION_RATE and value:
        text = f"{as_int}" if as_int else "0 (derive once)"
    else:
        text = f"{as_int}" if value else "(empty)"
    return Node(f"{label} ({number})", value.hex(), f"{text}  [{value.hex() or 'empty'}]")


def _interpret_sp(sp: SecurityPolicyPayload) -> tuple[Node, ...]:
    if sp.prot_type != ProtType.SRTP:
        return ()
    return (
        Node(
            "SRTP policy",
            None,
            f"{len(sp.params)} parameter(s)",
            children=tuple(_srtp_param(p.type, p.value) for p in sp.params),
        ),
    )


def _interpret_t(t: TimestampPayload) -> tuple[Node, ...]:
    if t.ts_type is TsType.COUNTER:
        return ()
    when = t.to_datetime()
    zone = "local time of the sender" if t.ts_type is TsType.NTP else "UTC"
    return (Node("time", when.isoformat(), f"{when:%Y-%m-%d %H:%M:%S.%f} ({zone})"),)


def _interpret_id(p: IdPayload) -> tuple[Node, ...]:
    if p.id_type in (IdType.NAI, IdType.URI):
        text = p.data.decode("utf-8", "replace")
        return (Node("identity", text, repr(text)),)
    return ()


def _interpret_cert(p: CertPayload) -> tuple[Node, ...]:
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(p.data)
    except ValueError:
        return (Node("certificate", None, "not a DER X.509 certificate"),)
    return (
        Node("subject", cert.subject.rfc4514_string(), cert.subject.rfc4514_string()),
        Node("issuer", cert.issuer.rfc4514_string(), cert.issuer.rfc4514_string()),
        Node("serial", str(cert.serial_number), hex(cert.serial_number)),
        Node(
            "validity",
            None,
            f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}",
        ),
    )


_INTERPRETERS: dict[type[Any], Callable[[Any], tuple[Node, ...]]] = {
    SecurityPolicyPayload: _interpret_sp,
    TimestampPayload: _interpret_t,
    IdPayload: _interpret_id,
    CertPayload: _interpret_cert,
}


def _kemac_inner(kemac: KemacPayload, message: Message, offset: int) -> tuple[Node, ...]:
    if kemac.encr_alg != EncrAlg.NULL:
        return (Node("key data", None, "encrypted: decrypting needs the key"),)
    subs = decode_sub_payloads(kemac.encr_data, first=kemac_first_sub_payload(message.data_type))
    nodes = []
    position = offset + 4
    from mikey.wire.buffer import Writer

    for index, sub in enumerate(subs):
        w = Writer()
        following = subs[index + 1].payload_type if index + 1 < len(subs) else PayloadType.LAST
        sub.encode(w, following)
        nodes.append(_payload_node(sub, message, following, position, len(w)))
        position += len(w)
    return (Node("key data (in clear: Encr alg NULL)", None, "", children=tuple(nodes)),)


def _payload_node(
    payload: Payload, message: Message, next_type: PayloadType, offset: int, length: int
) -> Node:
    title = _PAYLOAD_TITLES.get(payload.payload_type, payload.payload_type.label)
    children: list[Node] = []
    if payload.payload_type is not PayloadType.SIGN:
        children.append(_value_node("next payload", next_type))
    children.extend(_fields(payload))
    interpreter = _INTERPRETERS.get(type(payload))
    if interpreter is not None:
        children.extend(interpreter(payload))
    if isinstance(payload, KemacPayload):
        children.extend(_kemac_inner(payload, message, offset))
    content = getattr(payload, "content", None)
    if content is not None and not isinstance(content, bytes) and not callable(content):
        children.append(_value_node("content", content))
    return Node(title, None, "", offset, length, tuple(children))


def describe(message: Message) -> Node:
    """The tree of ``message``: header, then each payload with its offset and length."""
    kinds = [p.payload_type for p in message.payloads]
    first = kinds[0] if kinds else PayloadType.LAST
    header_end = message.payload_span(0)[0] if kinds else len(message.encode())
    nodes = [_header(message.header, first, header_end)]
    for index, payload in enumerate(message.payloads):
        start, end = message.payload_span(index)
        following = kinds[index + 1] if index + 1 < len(kinds) else PayloadType.LAST
        nodes.append(_payload_node(payload, message, following, start, end - start))
    total = len(message.encode())
    return Node(
        "MIKEY message",
        None,
        f"{label_of(message.header.data_type, DataType)}, {total} bytes",
        0,
        total,
        tuple(nodes),
    )
