"""The shape every MIKEY payload codec shares (RFC 3830 §5.2, §6).

A payload is a frozen dataclass holding its fields as the RFC figure names them.
Derived fields (the Next payload byte, lengths) are not stored: ``encode`` computes them
and ``decode`` checks them. ``decode`` reads the payload's own Next payload byte and
returns it with the payload, so the message decoder knows what follows; the SIGN payload
has no such byte and always ends the chain.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Self

from mikey.registry import PayloadType
from mikey.wire.buffer import Reader, Writer

__all__ = ["Payload"]


class Payload(ABC):
    """Base of all payload dataclasses (not of the Common Header)."""

    __slots__ = ()

    payload_type: ClassVar[PayloadType]
    """The Next payload value that announces this payload (RFC 3830 Table 6.1.b)."""

    @classmethod
    @abstractmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        """Read the payload at ``r``'s position; return it and the type of the next one."""

    @abstractmethod
    def encode(self, w: Writer, next_type: PayloadType) -> None:
        """Append the payload, announcing ``next_type`` in its Next payload field."""
