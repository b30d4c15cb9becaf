"""A readable tree of every field of a decoded message, for people and for JSON.

Each payload becomes a node with its offset and length in the message, and one child per
field of its RFC figure, in wire order and with its own offset and length: derived fields
(Next payload, the length fields) included, registry numbers named after the IANA
registries, bit fields sharing the offset of their bytes. Where the wire format hides
structure it is decoded too: the key data sub-payloads of a NULL-encrypted KEMAC (RFC 3830
§6.13, §6.14), SRTP and TESLA policy parameters (RFC 3830 §6.10.1, RFC 4442 §4.2),
timestamps as times (§6.6), certificates (§6.7), General Extension contents (§6.15 and its
extensions), the Ticket Policy flags and the payload chains in TP Data and Initiator Data
(RFC 6043 §6.10), ECCSI signatures (RFC 6507 §3.3) and SAKKE Encapsulated Data (RFC 6508
§4). Hints point at what real peers get wrong, such as a Windows FILETIME in an NTP-UTC
timestamp.

The wire layer reads no clock: timestamps and certificate validity are checked against the
``now`` the caller passes, if any.

This module holds the dispatch from payload class to describer and walks payload chains;
the describers live in modules named after what they describe: ``_header`` (HDR),
``_keys`` (KEMAC, PKE, DH, SIGN, CHASH, CERT), ``_basic`` (T, ID, V, RAND, ERR),
``_policy`` (SP), ``_extensions`` (General Extension, SAKKE) and ``_ticket`` (MIKEY-TICKET,
IBAKE), on top of ``_fields`` (the tree's ``Node`` and the field layout) and ``_times``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import datetime
from typing import Any

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import DataType, PayloadType, label_of
from mikey.wire.buffer import Reader
from mikey.wire.describe import _basic, _extensions, _keys, _policy, _ticket
from mikey.wire.describe._fields import (
    Context,
    Describer,
    Fields,
    Node,
    hex_text,
    plural,
    registry_text,
)
from mikey.wire.describe._header import describe_header
from mikey.wire.message import Message
from mikey.wire.payload import Payload
from mikey.wire.rules import PAYLOAD_CLASSES, kemac_first_sub_payload

__all__ = ["Node", "describe"]

# ---------------------------------------------------------------------------------------
# Payloads and chains

_TITLES = {
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

_DESCRIBERS: dict[type[Any], Describer] = {
    **_keys.DESCRIBERS,
    **_basic.DESCRIBERS,
    **_policy.DESCRIBERS,
    **_extensions.DESCRIBERS,
    **_ticket.DESCRIBERS,
}
"""The describer of each payload class: ``PAYLOAD_CLASSES`` in ``mikey.wire.rules``."""


def _fallback(payload: Payload, f: Fields) -> str:
    """Dataclass fields of a payload without a describer, without field offsets."""
    for field in dataclasses.fields(payload):  # type: ignore[arg-type]
        value = getattr(payload, field.name)
        if isinstance(value, bytes):
            node = Node(field.name, value.hex(), hex_text(value, f.ctx.hex_limit))
        elif isinstance(value, int):
            node = Node(field.name, int(value), str(value))
        else:
            node = Node(field.name, None, str(value))
        f.nodes.append(node)
    return ""


def _payload_node(
    payload: Payload, next_type: PayloadType, raw: bytes, base: int, ctx: Context
) -> Node:
    f = Fields(raw, base, ctx)
    if payload.payload_type is not PayloadType.SIGN:
        f.next_payload(next_type)
    describer = _DESCRIBERS.get(type(payload))
    summary = describer(payload, f) if describer is not None else _fallback(payload, f)
    if describer is not None and f.at < len(raw):  # a describer that misses bytes is a bug
        f.data("Unexplained bytes", raw[f.at :])
    title = _TITLES.get(payload.payload_type, payload.payload_type.label)
    return Node(title, None, summary, base, len(raw), tuple(f.nodes))


def _chain(
    data: bytes, base: int, ctx: Context, *, first: PayloadType | None, what: str
) -> tuple[Node, ...]:
    """The payloads of a chain inside a field: KEMAC Encr data in clear (``first`` given by
    the data type), or TP Data and Initiator Data, which start with a First Payload byte.

    Unlike the message itself, such a chain may fail to decode (it was kept as bytes); the
    payloads before the failing one are still shown, then the bytes from the failing
    payload on, with the error. (``mikey.wire.message.decode_chain`` cannot serve here: it
    gives neither the payloads' offsets nor, on an error, the payloads that decoded.)
    """
    if not data:
        return ()
    inner = replace(ctx, kemac_first=PayloadType.KEY_DATA)
    nodes: list[Node] = []
    r = Reader(data, payload=what)
    start = 0
    try:
        if first is None:
            kind = r.enum(PayloadType, "First payload")
            nodes.append(
                Node("First payload", int(kind), registry_text(kind, PayloadType), base, 1)
            )
        else:
            kind = first
        while kind is not PayloadType.LAST:
            start = r.pos
            r.payload = f"{what} {kind.label}"
            payload_class = PAYLOAD_CLASSES.get(kind)
            if payload_class is None:
                r.fail(f"a {kind.label} payload cannot be decoded here")
            payload, following = payload_class.decode(r)
            raw = data[start : r.pos]
            nodes.append(_payload_node(payload, following, raw, base + start, inner))
            kind = following
        start = r.pos
        r.payload = what
        r.expect_end("the last payload")
    except MikeyParseError as exc:
        rest = data[start:]
        text = f"{hex_text(rest, ctx.hex_limit)} — does not decode: {exc}"
        nodes.append(Node("Undecodable bytes", rest.hex(), text, base + start, len(rest)))
    return tuple(nodes)


def describe(
    message: Message, *, now: datetime | None = None, hex_limit: int | None = None
) -> Node:
    """The tree of ``message``: the header, then each payload with its offset and length.

    ``now`` (aware) enables the checks that need a clock: timestamps more than a year in the
    future, expired certificates. ``hex_limit`` shortens the text of byte strings longer than
    that many bytes (values keep every byte).
    """
    if now is not None and now.tzinfo is None:
        raise MikeyValueError("describe() needs an aware datetime for now")
    data = message.encode()
    ctx = Context(
        now=now,
        hex_limit=hex_limit,
        kemac_first=kemac_first_sub_payload(message.data_type),
        chain=_chain,
    )
    kinds = [p.payload_type for p in message.payloads]
    header_end = message.payload_span(0)[0] if kinds else len(data)
    f = Fields(data[:header_end], 0, ctx)
    summary = describe_header(message.header, kinds[0] if kinds else PayloadType.LAST, f)
    nodes = [Node("Common header (HDR)", None, summary, 0, header_end, tuple(f.nodes))]
    for index, payload in enumerate(message.payloads):
        start, end = message.payload_span(index)
        following = kinds[index + 1] if index + 1 < len(kinds) else PayloadType.LAST
        nodes.append(_payload_node(payload, following, data[start:end], start, ctx))
    return Node(
        "MIKEY message",
        None,
        f"{label_of(message.header.data_type, DataType)}, {plural(len(data), 'byte')}",
        0,
        len(data),
        tuple(nodes),
    )
