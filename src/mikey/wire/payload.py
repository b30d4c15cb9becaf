"""The shape every MIKEY payload codec shares (RFC 3830 §5.2, §6).

A payload is a frozen dataclass holding its fields as the RFC figure names them.
Derived fields (the Next payload byte, lengths) are not stored: ``encode`` computes them
and ``decode`` checks them. ``decode`` reads the payload's own Next payload byte and
returns it with the payload, so the message decoder knows what follows; the SIGN payload
has no such byte and always ends the chain.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Self, TypeVar

from mikey.registry import PayloadType
from mikey.wire.buffer import Reader, Writer

__all__ = ["Payload", "trusted"]

T = TypeVar("T")
_set = object.__setattr__
_new = object.__new__


def trusted(cls: type[T], **fields: Any) -> T:
    """An instance of the frozen dataclass ``cls`` built from values its decoder has just
    read and range-checked, skipping ``__init__`` and ``__post_init__``.

    For decoders' hot paths only (SP parameters, SRTP-ID entries), where every value comes
    straight from a bounded field and the checks cannot fail; every field must be given.
    """
    obj = _new(cls)
    for name, value in fields.items():
        _set(obj, name, value)
    return obj


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
