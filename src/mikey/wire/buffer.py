"""Bounds-checked reading and writing of MIKEY's byte-aligned fields (RFC 3830 §6).

Only ``Reader`` and ``Writer`` slice untrusted bytes. Every read is checked against the
bytes left and, on failure, raises one ``MikeyParseError`` naming the payload, the field
and the absolute byte offset in the message; the position is left unchanged.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import Registry

__all__ = ["STRICT", "Profile", "Reader", "Writer"]

E = TypeVar("E", bound=Registry)


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """What a decoder tolerates beyond the RFC. ``STRICT`` tolerates nothing.

    Each tolerance is named after the deviation it accepts and documented with the peers
    known to produce it; see ``mikey.wire.profiles`` for the named profiles.
    """

    name: str
    trailing_zero_byte: bool = False
    """Accept one 0x00 byte after the last payload."""
    sp_with_empty_map: bool = False
    """Accept SP payloads beside the Empty CS ID map, which RFC 4563 §5 forbids."""
    skip_payload_rules: bool = False
    """Accept payload sets the data type does not allow (framing is still checked)."""
    nonzero_reserved: bool = False
    """Accept reserved bits that are not zero. Re-encoding writes zeros; MAC and signature
    checks use the received bytes, so they are unaffected."""


STRICT = Profile(name="strict")


class Reader:
    """A cursor over one MIKEY message, or over a length-delimited part of one."""

    __slots__ = ("_data", "_end", "_pos", "payload", "profile")

    def __init__(
        self,
        data: bytes,
        *,
        profile: Profile = STRICT,
        payload: str = "HDR",
        start: int = 0,
        end: int | None = None,
    ) -> None:
        self._data = data
        self._pos = start
        self._end = len(data) if end is None else end
        self.payload = payload
        self.profile = profile

    @property
    def pos(self) -> int:
        """Absolute offset of the next byte to read."""
        return self._pos

    @property
    def remaining(self) -> int:
        return self._end - self._pos

    @property
    def data(self) -> bytes:
        """The whole underlying message (for recording spans, never for parsing)."""
        return self._data

    def fail(self, what: str, at: int | None = None) -> NoReturn:
        raise MikeyParseError(what, payload=self.payload, offset=self._pos if at is None else at)

    def take(self, n: int, field: str) -> bytes:
        left = self._end - self._pos
        if n < 0 or n > left:
            self.fail(f"{field}: needs {n} bytes, {left} left")
        start = self._pos
        self._pos = start + n
        return self._data[start : self._pos]

    def peek(self, n: int, field: str) -> bytes:
        """The next ``n`` bytes, without moving on (``take`` them afterwards)."""
        left = self._end - self._pos
        if n < 0 or n > left:
            self.fail(f"{field}: needs {n} bytes, {left} left")
        return self._data[self._pos : self._pos + n]

    def uint8(self, field: str) -> int:
        if self._pos >= self._end:
            self.fail(f"{field}: needs 1 byte, 0 left")
        value = self._data[self._pos]
        self._pos += 1
        return value

    def uint16(self, field: str) -> int:
        return int.from_bytes(self.take(2, field))

    def uint32(self, field: str) -> int:
        return int.from_bytes(self.take(4, field))

    def uint64(self, field: str) -> int:
        return int.from_bytes(self.take(8, field))

    def unpack(self, layout: struct.Struct, field: str) -> tuple[int, ...]:
        """Read a run of fixed-size integer fields at once (``layout`` is big-endian).

        Decoders use it for the fixed part of a payload: one bounds check instead of one
        per field. ``field`` names the run for the error message.
        """
        left = self._end - self._pos
        if layout.size > left:
            self.fail(f"{field}: needs {layout.size} bytes, {left} left")
        values = layout.unpack_from(self._data, self._pos)
        self._pos += layout.size
        return values

    def enum(
        self, registry: type[E], field: str, value: int | None = None, at: int | None = None
    ) -> E:
        """Read one byte (or check ``value``, read from offset ``at``, by default the byte
        before the position) as a member of ``registry``; unknown numbers fail."""
        if at is None:
            at = self._pos if value is None else self._pos - 1
        number = self.uint8(field) if value is None else value
        member = registry._value2member_map_.get(number)
        if member is None:
            self.fail(f"{field}: {number} is not a known {registry.__name__} value", at)
        return member  # type: ignore[return-value]

    def enum_or_int(self, registry: type[E], field: str, value: int | None = None) -> E | int:
        """Like ``enum`` but keeps unknown numbers, where the RFC lets a receiver carry them."""
        number = self.uint8(field) if value is None else value
        member = registry._value2member_map_.get(number)
        return number if member is None else member  # type: ignore[return-value]

    def enum_or_private(self, registry: type[E], field: str, private_use: range) -> E | int:
        """Read one byte: a registered member, or a number of the Private Use range kept
        as an int; anything else (unassigned, Reserved) fails."""
        at = self._pos
        value = self.enum_or_int(registry, field)
        if not is_assigned(value, registry, private_use):
            self.fail(f"{field}: {_not_assigned(value, registry, private_use)}", at)
        return value

    def reserved(self, n: int, field: str = "Reserved") -> None:
        """Read ``n`` reserved bytes, which the RFC sets to zero."""
        at = self._pos
        self.check_reserved(int.from_bytes(self.take(n, field)), field, at)

    def check_reserved(self, value: int, field: str, at: int) -> None:
        """Check reserved bits already read (from the byte at offset ``at``)."""
        if value and not self.profile.nonzero_reserved:
            self.fail(f"{field}: must be zero, got {value:#x}", at)

    def tlv8(self, n: int, field: str) -> list[tuple[int, bytes]]:
        """Read ``n`` bytes of Type (8 bits) / Length (8 bits) / Value items (RFC 3830 §6.10).

        The items must fill the ``n`` bytes exactly; a fault names the item's offset.
        """
        data = self.take(n, field)
        base = self._pos - n
        items = []
        i = 0
        while i < n:
            if i + 2 > n:
                self.fail(f"{field} type/length: needs 2 bytes, {n - i} left", base + i)
            end = i + 2 + data[i + 1]
            if end > n:
                self.fail(
                    f"{field} value: needs {data[i + 1]} bytes, {n - i - 2} left", base + i + 2
                )
            items.append((data[i], data[i + 2 : end]))
            i = end
        return items

    def child(self, n: int, field: str) -> Reader:
        """A reader over the next ``n`` bytes, which it must consume; this one skips them."""
        start = self._pos
        self.take(n, field)
        return Reader(
            self._data, profile=self.profile, payload=self.payload, start=start, end=start + n
        )

    def expect_end(self, what: str) -> None:
        if self._pos != self._end:
            self.fail(f"{self._end - self._pos} unexpected bytes after {what}")


class Writer:
    """Accumulates an encoded message; values are range-checked by the payload classes."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def __len__(self) -> int:
        return len(self._buf)

    def uint8(self, value: int) -> None:
        self._buf.append(value)

    def uint16(self, value: int) -> None:
        self._buf += value.to_bytes(2)

    def uint32(self, value: int) -> None:
        self._buf += value.to_bytes(4)

    def uint64(self, value: int) -> None:
        self._buf += value.to_bytes(8)

    def pack(self, layout: struct.Struct, *values: int) -> None:
        """Append a run of fixed-size integer fields (the mirror of ``Reader.unpack``)."""
        self._buf += layout.pack(*values)

    def raw(self, value: bytes) -> None:
        self._buf += value

    def getvalue(self) -> bytes:
        return bytes(self._buf)


def is_assigned(value: int, registry: type[Registry], private_use: range) -> bool:
    """A registered value (Reserved ones are not members) or one in the Private Use range."""
    return value in registry._value2member_map_ or value in private_use


def _not_assigned(value: int, registry: type[Registry], private_use: range) -> str:
    return (
        f"{value} is neither a registered {registry.__name__} value nor private use"
        f" ({private_use.start}-{private_use.stop - 1})"
    )


def check_assigned(value: int, registry: type[Registry], field: str, private_use: range) -> None:
    """Constructor check matching ``Reader.enum_or_private``."""
    check_uint(value, 8, field)
    if not is_assigned(value, registry, private_use):
        raise MikeyValueError(f"{field}: {_not_assigned(value, registry, private_use)}")


def check_uint(value: int, bits: int, field: str) -> None:
    """Constructor check: ``value`` fits an unsigned field of ``bits`` bits."""
    if not 0 <= value < 1 << bits:
        raise MikeyValueError(f"{field} must fit in {bits} bits, got {value}")


def check_length(data: bytes, bits: int, field: str) -> None:
    """Constructor check: ``len(data)`` fits a length field of ``bits`` bits."""
    if len(data) >= 1 << bits:
        raise MikeyValueError(f"{field} is {len(data)} bytes; its length field holds < 2^{bits}")
