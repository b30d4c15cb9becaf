"""The tree's node, and laying out the fields of one structure in wire order.

``Node`` is one field or structure of the tree; ``Fields`` gives each field of an RFC
figure its absolute offset and length (RFC 3830 §6: bit fields share the offset of their
bytes). The text helpers name registry numbers after the IANA registries (RFC 3830 §10)
and show byte strings, lengths and identities (§6.7) for people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from mikey.registry import IdType, PayloadType, Registry


@dataclass(frozen=True, slots=True)
class Node:
    """One field or structure: ``value`` is machine-readable, ``text`` is for people.

    ``offset`` and ``length`` locate the node's bytes in the message; bit fields share the
    offset and length of the bytes that hold them, and interpretations of a field (a
    certificate's subject, a ticket flag) have none.
    """

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


class ChainWalker(Protocol):
    """Lays out the payload chain ``data`` held in a field at absolute offset ``base``."""

    def __call__(
        self, data: bytes, base: int, ctx: Context, *, first: PayloadType | None, what: str
    ) -> tuple[Node, ...]: ...


@dataclass(frozen=True, slots=True)
class Context:
    """What every describer may need: the caller's clock and hex limit, the first payload
    of a KEMAC's Encr data in clear, and the chain walker of the package (passed in, so that
    the payload modules need not import the dispatch table that imports them)."""

    now: datetime | None
    hex_limit: int | None
    kemac_first: PayloadType
    chain: ChainWalker


Describer = Callable[[Any, "Fields"], str]
"""Lays out the fields of one payload after its Next payload field; returns its summary."""


# ---------------------------------------------------------------------------------------
# Text helpers


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "ms" else f"{n} {word}s"


def hex_text(data: bytes, limit: int | None) -> str:
    if not data:
        return "(empty)"
    if limit is not None and len(data) > limit:
        shown = f"{data[: limit // 2].hex()}…{data[-8:].hex()}"
    else:
        shown = data.hex()
    return f"{shown} ({plural(len(data), 'byte')})"


def hex32(value: int) -> str:
    return f"{value:#010x} ({value})"


def registry_text(value: int, registry: type[Registry], private: range | None = None) -> str:
    value = int(value)  # a member's str() is its label
    member = registry._value2member_map_.get(value)
    if isinstance(member, Registry):
        return f"{member.label} ({value})"
    if private is not None and value in private:
        return f"private use ({value})"
    return f"unassigned ({value})"


def registry_node(
    name: str, value: int, registry: type[Registry], private: range | None = None
) -> Node:
    return Node(name, int(value), registry_text(int(value), registry, private))


def text_of(data: bytes) -> str | None:
    """``data`` as text if it is printable UTF-8, allowing one C string terminator."""
    body = data[:-1] if data.endswith(b"\x00") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text and text.isprintable() else None


def identity_text(data: bytes, id_type: int) -> str:
    text = text_of(data)
    if text is None:
        note = (
            " — binary, though the ID type says text" if id_type in (IdType.NAI, IdType.URI) else ""
        )
        return f"{data.hex()} ({plural(len(data), 'byte')}{note})"
    nul = " + NUL terminator" if data.endswith(b"\x00") else ""
    return f"{text!r}{nul} ({plural(len(data), 'byte')})"


def chain_text(nodes: tuple[Node, ...]) -> str:
    names = [n.name for n in nodes if n.name != "First payload"]
    return f"{plural(len(names), 'payload')}: {', '.join(names)}" if names else "no payloads"


# ---------------------------------------------------------------------------------------
# Laying out fields


class Fields:
    """The children of one structure, in wire order, from absolute offset ``base``.

    ``raw`` holds the structure's bytes as received, for fields the dataclasses do not keep
    (reserved bits).
    """

    def __init__(self, raw: bytes, base: int, ctx: Context) -> None:
        self.raw = raw
        self.base = base
        self.ctx = ctx
        self.at = 0
        self.nodes: list[Node] = []

    @property
    def pos(self) -> int:
        """Absolute offset of the next field."""
        return self.base + self.at

    def nested(self) -> Fields:
        """Fields of a structure that starts here."""
        return Fields(self.raw[self.at :], self.pos, self.ctx)

    def chain(self, data: bytes, *, first: PayloadType | None, what: str) -> tuple[Node, ...]:
        """The payloads of a chain held in the field that starts here (``Context.chain``)."""
        return self.ctx.chain(data, self.pos, self.ctx, first=first, what=what)

    def peek(self, size: int) -> int:
        return int.from_bytes(self.raw[self.at : self.at + size])

    def put(self, node: Node, size: int) -> None:
        self.nodes.append(replace(node, offset=self.pos, length=size))
        self.at += size

    def shared(self, size: int, *nodes: Node) -> None:
        """Bit fields that share ``size`` bytes."""
        for node in nodes:
            self.nodes.append(replace(node, offset=self.pos, length=size))
        self.at += size

    def group(self, name: str, text: str, sub: Fields, value: str | None = None) -> None:
        """A structure whose fields ``sub`` (from ``nested()``) laid out."""
        self.put(Node(name, value, text, children=tuple(sub.nodes)), sub.at)

    def number(self, name: str, size: int, value: int, text: str | None = None) -> None:
        value = int(value)
        self.put(Node(name, value, str(value) if text is None else text), size)

    def length(self, name: str, size: int, value: int, unit: str = "byte") -> None:
        self.put(Node(name, value, plural(value, unit)), size)

    def registry(
        self,
        name: str,
        size: int,
        value: int,
        registry: type[Registry],
        private: range | None = None,
    ) -> None:
        self.put(registry_node(name, value, registry, private), size)

    def data(
        self, name: str, data: bytes, text: str | None = None, children: tuple[Node, ...] = ()
    ) -> None:
        shown = hex_text(data, self.ctx.hex_limit)
        self.put(
            Node(name, data.hex(), shown if text is None else text, children=children), len(data)
        )

    def reserved(self, name: str, size: int) -> None:
        value = self.peek(size)
        note = "" if value == 0 else " — must be zero"
        self.put(Node(name, value, f"{value:#0{2 + 2 * size}x}{note}"), size)

    def next_payload(self, kind: PayloadType) -> None:
        self.registry("Next payload", 1, kind, PayloadType)
