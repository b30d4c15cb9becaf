"""The shape every MIKEY payload codec shares (RFC 3830 §5.2, §6).

A payload is a frozen dataclass holding its fields as the RFC figure names them.
Derived fields (the Next payload byte, lengths) are not stored: ``encode`` computes them
and ``decode`` checks them. ``decode`` reads the payload's own Next payload byte and
returns it with the payload, so the message decoder knows what follows; the SIGN payload
has no such byte and always ends the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, ClassVar, Self, TypeVar

from mikey.registry import PayloadType
from mikey.wire.buffer import Reader, Writer

__all__ = ["Payload", "trusted"]

T = TypeVar("T")


_MAKERS: dict[type[Any], Callable[..., Any]] = {}


def trusted(cls: type[T]) -> Callable[..., T]:
    """A constructor for the frozen dataclass ``cls`` that skips ``__init__`` and
    ``__post_init__``: ``trusted(SrtpIdEntry)(policy_no=…, ssrc=…, roc=…)``.

    For decoders' hot paths only, where every value comes straight from a field of its
    own width and the constructor's checks cannot fail. It is generated once per class,
    as ``dataclasses`` does for ``__init__``, and every field must be given.
    """
    make = _MAKERS.get(cls)
    if make is None:
        make = _MAKERS[cls] = _generate(cls)
    return make


def _generate(cls: type[T]) -> Callable[..., T]:
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{name}": cls.__dict__[name].__set__ for name in names})
    lines = [f"def make(*, {', '.join(names)}):", "    obj = _new(_cls)"]
    lines += [f"    _set_{name}(obj, {name})" for name in names]
    lines.append("    return obj")
    exec("\n".join(lines), namespace)
    make: Callable[..., T] = namespace["make"]
    return make


class Payload:
    """Base of all payload dataclasses (not of the Common Header).

    Deliberately not an ``abc.ABC``: messages test payload types all the time, and
    ``isinstance`` against an ABC goes through ``ABCMeta.__instancecheck__``. Every
    subclass implements both methods (the codec tests build and decode one of each); the
    base raises ``NotImplementedError``.
    """

    __slots__ = ()

    payload_type: ClassVar[PayloadType]
    """The Next payload value that announces this payload (RFC 3830 Table 6.1.b)."""

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        """Read the payload at ``r``'s position; return it and the type of the next one."""
        raise NotImplementedError(f"{cls.__name__}.decode")

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        """Append the payload, announcing ``next_type`` in its Next payload field."""
        raise NotImplementedError(f"{type(self).__name__}.encode")
