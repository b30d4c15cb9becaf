"""Structured Field Values for HTTP, the part RFC 9421 and RFC 9530 need (RFC 8941).

Parsing follows RFC 8941 §4.2 step by step: Dictionaries (§4.2.2), Lists (§4.2.1), Items
(§4.2.3), Inner Lists (§4.2.1.2), Parameters (§4.2.3.2), Keys (§4.2.3.3), and the bare
items Integer and Decimal (§4.2.4), String (§4.2.5), Token (§4.2.6), Byte Sequence
(§4.2.7) and Boolean (§4.2.8). Serialization is §4.1, which is also the "strict
serialization" RFC 9421 §2.1.1 asks for. RFC 9651's Date and Display String are not
taken: a field holding one is refused, as RFC 9421 §2.5 wants for types an implementation
does not know.

RFC 9421 §7.5.3 asks for a fully compliant parser; this one is strict where RFC 8941 is
(no trailing commas, no leading or trailing garbage, only the characters each type allows)
and fails with ``MikeyStructuredFieldError`` naming the field and the character offset.
It is lenient only where §4.2.7 says to be: Byte Sequences without "=" padding are taken.

Values are plain Python where the type is unambiguous: ``int`` (Integer), ``Decimal``,
``str`` (String), ``bytes`` (Byte Sequence), ``bool`` (Boolean); a Token is ``Token`` so
that it is never mistaken for a String.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NoReturn

from mikey.errors import MikeyStructuredFieldError, MikeyValueError

__all__ = [
    "BareItem",
    "Dictionary",
    "InnerList",
    "Item",
    "Member",
    "Parameters",
    "Token",
    "parse_dictionary",
    "parse_item",
    "parse_list",
    "serialize_bare_item",
    "serialize_dictionary",
    "serialize_inner_list",
    "serialize_item",
    "serialize_key",
    "serialize_list",
    "serialize_member",
    "serialize_parameters",
]


@dataclass(frozen=True, slots=True)
class Token:
    """An RFC 8941 §3.3.4 Token: an unquoted word such as ``application/json`` or ``*``."""

    value: str


BareItem = bool | int | Decimal | str | Token | bytes
Parameters = Mapping[str, BareItem]
"""Ordered parameters (RFC 8941 §3.1.2); insertion order is the serialization order."""


@dataclass(frozen=True, slots=True)
class Item:
    """A bare item with its parameters (RFC 8941 §3.3)."""

    value: BareItem
    params: Parameters = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InnerList:
    """An Inner List of Items with the list's own parameters (RFC 8941 §3.1.1)."""

    items: tuple[Item, ...]
    params: Parameters = field(default_factory=dict)


Member = Item | InnerList
"""What a List or a Dictionary holds."""
Dictionary = dict[str, Member]

_DIGITS = "0123456789"
_LCALPHA = "abcdefghijklmnopqrstuvwxyz"
_ALPHA = _LCALPHA + _LCALPHA.upper()
_KEY_FIRST = frozenset(_LCALPHA + "*")
_KEY_CHARS = frozenset(_LCALPHA + _DIGITS + "_-.*")
_TOKEN_FIRST = frozenset(_ALPHA + "*")
# tchar (RFC 9110 §5.6.2) plus ":" and "/" (RFC 8941 §3.3.4)
_TOKEN_CHARS = frozenset(_ALPHA + _DIGITS + "!#$%&'*+-.^_`|~:/")
_BASE64_CHARS = frozenset(_ALPHA + _DIGITS + "+/=")
_MAX_INTEGER = 999_999_999_999_999  # RFC 8941 §3.3.1: at most 15 digits


class _Parser:
    """A cursor over one field value; every failure names the field and the offset."""

    def __init__(self, text: str, field_name: str) -> None:
        self.text = text
        self.pos = 0
        self.field = field_name

    def error(self, what: str, at: int | None = None) -> MikeyStructuredFieldError:
        offset = self.pos if at is None else at
        return MikeyStructuredFieldError(what, field=self.field, offset=offset)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char!r}, found {self._found()}")
        self.pos += 1

    def _found(self) -> str:
        return repr(self.peek()) if self.pos < len(self.text) else "the end"

    def start(self) -> None:
        """RFC 8941 §4.2 steps 1-2: ASCII only, leading spaces discarded."""
        for index, char in enumerate(self.text):
            if not char.isascii():
                raise self.error("not ASCII", index)
        self.skip(" ")

    def finish(self) -> None:
        """RFC 8941 §4.2 steps 6-7: trailing spaces discarded, nothing else may follow."""
        self.skip(" ")
        if not self.at_end():
            raise self.error(f"unexpected {self._found()} after the value")

    # RFC 8941 §4.2.1 and §4.2.2: the comma-separated members of a List or Dictionary.
    def members_follow(self) -> bool:
        """After a member: True if a comma and another member follow, False at the end."""
        self.skip(" \t")
        if self.at_end():
            return False
        self.expect(",")
        self.skip(" \t")
        if self.at_end():
            raise self.error("trailing comma")
        return True

    def list_(self) -> list[Member]:
        members: list[Member] = []
        while not self.at_end():
            members.append(self.item_or_inner_list())
            if not self.members_follow():
                break
        return members

    def dictionary(self, *, unique: bool) -> Dictionary:
        members: Dictionary = {}
        while not self.at_end():
            at = self.pos
            key = self.key()
            if unique and key in members:
                raise self.error(f"key {key!r} appears twice", at)
            if self.peek() == "=":
                self.pos += 1
                members[key] = self.item_or_inner_list()
            else:
                members[key] = Item(True, self.parameters())
            if not self.members_follow():
                break
        return members

    def item_or_inner_list(self) -> Member:
        return self.inner_list() if self.peek() == "(" else self.item()

    def inner_list(self) -> InnerList:
        """RFC 8941 §4.2.1.2."""
        self.expect("(")
        items: list[Item] = []
        while not self.at_end():
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return InnerList(tuple(items), self.parameters())
            items.append(self.item())
            if self.peek() not in (" ", ")"):
                raise self.error(f"expected ' ' or ')' in an inner list, found {self._found()}")
        raise self.error("inner list not closed")

    def item(self) -> Item:
        """RFC 8941 §4.2.3."""
        value = self.bare_item()
        return Item(value, self.parameters())

    def parameters(self) -> dict[str, BareItem]:
        """RFC 8941 §4.2.3.2: a later parameter with the same key overwrites the value."""
        params: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            key = self.key()
            value: BareItem = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare_item()
            params[key] = value
        return params

    def key(self) -> str:
        """RFC 8941 §4.2.3.3."""
        if self.peek() not in _KEY_FIRST:
            raise self.error(f"expected a key (lowercase letter or '*'), found {self._found()}")
        start = self.pos
        self.pos += 1
        self.skip_set(_KEY_CHARS)
        return self.text[start : self.pos]

    def skip_set(self, chars: frozenset[str]) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def bare_item(self) -> BareItem:
        """RFC 8941 §4.2.3.1."""
        char = self.peek()
        if char == "-" or (char and char in _DIGITS):
            return self.number()
        if char == '"':
            return self.string()
        if char and char in _TOKEN_FIRST:
            return self.token()
        if char == ":":
            return self.byte_sequence()
        if char == "?":
            return self.boolean()
        raise self.error(f"expected an item, found {self._found()}")

    def number(self) -> int | Decimal:
        """RFC 8941 §4.2.4."""
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
        digits_start = self.pos
        if not self.peek() or self.peek() not in _DIGITS:
            raise self.error(f"expected a digit, found {self._found()}")
        self.skip(_DIGITS)
        integer_digits = self.pos - digits_start
        if self.peek() != ".":
            if integer_digits > 15:
                raise self.error("integer longer than 15 digits", start)
            return int(self.text[start : self.pos])
        if integer_digits > 12:
            raise self.error("decimal with more than 12 integer digits", start)
        self.pos += 1
        fraction_start = self.pos
        self.skip(_DIGITS)
        fraction_digits = self.pos - fraction_start
        if not 1 <= fraction_digits <= 3:
            raise self.error("decimal needs 1 to 3 digits after the point", start)
        return Decimal(self.text[start : self.pos])

    def string(self) -> str:
        """RFC 8941 §4.2.5."""
        self.expect('"')
        chars: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                escaped = self.peek()
                if escaped not in ('"', "\\"):
                    raise self.error('only \\" and \\\\ may be escaped in a string')
                chars.append(escaped)
                self.pos += 1
            elif char == '"':
                return "".join(chars)
            elif not " " <= char <= "~":
                raise self.error("control character in a string", self.pos - 1)
            else:
                chars.append(char)
        raise self.error("string not closed")

    def token(self) -> Token:
        """RFC 8941 §4.2.6."""
        start = self.pos
        self.pos += 1
        self.skip_set(_TOKEN_CHARS)
        return Token(self.text[start : self.pos])

    def byte_sequence(self) -> bytes:
        """RFC 8941 §4.2.7; missing "=" padding is accepted, as the section advises."""
        start = self.pos
        self.expect(":")
        end = self.text.find(":", self.pos)
        if end < 0:
            raise self.error("byte sequence not closed", start)
        encoded = self.text[self.pos : end]
        for offset, char in enumerate(encoded):
            if char not in _BASE64_CHARS:
                raise self.error("not a base64 character", self.pos + offset)
        unpadded = encoded.rstrip("=")
        if "=" in unpadded or len(unpadded) % 4 == 1 or len(encoded) - len(unpadded) > 2:
            raise self.error("not valid base64", start)
        try:
            value = base64.b64decode(unpadded + "=" * (-len(unpadded) % 4), validate=True)
        except binascii.Error:
            raise self.error("not valid base64", start) from None
        self.pos = end + 1
        return value

    def boolean(self) -> bool:
        """RFC 8941 §4.2.8."""
        self.expect("?")
        char = self.peek()
        if char not in ("0", "1"):
            raise self.error(f"expected ?0 or ?1, found {self._found()}")
        self.pos += 1
        return char == "1"


def parse_dictionary(text: str, *, field: str, unique_keys: bool = False) -> Dictionary:
    """Parse a Dictionary field value (RFC 8941 §4.2.2).

    ``field`` names the field in error messages. RFC 8941 lets a later member overwrite an
    earlier one with the same key; ``unique_keys`` refuses that instead, as RFC 9421 §4.1 and
    §4.2 require for signature labels.

    :raises MikeyStructuredFieldError: the value is not a Dictionary.
    """
    parser = _Parser(text, field)
    parser.start()
    members = parser.dictionary(unique=unique_keys)
    parser.finish()
    return members


def parse_list(text: str, *, field: str) -> list[Member]:
    """Parse a List field value (RFC 8941 §4.2.1).

    :raises MikeyStructuredFieldError: the value is not a List.
    """
    parser = _Parser(text, field)
    parser.start()
    members = parser.list_()
    parser.finish()
    return members


def parse_item(text: str, *, field: str) -> Item:
    """Parse an Item field value (RFC 8941 §4.2.3).

    :raises MikeyStructuredFieldError: the value is not an Item.
    """
    parser = _Parser(text, field)
    parser.start()
    item = parser.item()
    parser.finish()
    return item


def _refuse(what: str) -> NoReturn:
    raise MikeyValueError(f"cannot serialize as a structured field: {what}")


def serialize_key(key: str) -> str:
    """RFC 8941 §4.1.1.3."""
    if not key or key[0] not in _KEY_FIRST or not set(key) <= _KEY_CHARS:
        _refuse(f"{key!r} is not a key (lowercase letters, digits, '_', '-', '.', '*')")
    return key


def _serialize_decimal(value: Decimal) -> str:
    """RFC 8941 §4.1.5: rounded half-even to three fractional digits, at least one shown."""
    if not value.is_finite() or abs(value) >= Decimal(10) ** 12:
        _refuse(f"decimal {value} is not finite or has more than 12 integer digits")
    rounded = value.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    if abs(rounded) >= Decimal(10) ** 12:
        _refuse(f"decimal {value} has more than 12 integer digits")
    text = f"{rounded:f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def serialize_bare_item(value: BareItem) -> str:
    """RFC 8941 §4.1.3.1.

    :raises MikeyValueError: the value cannot be represented (an integer beyond 15 digits, a
        string with characters outside %x20-7E, a malformed token).
    """
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "?1" if value else "?0"
    if isinstance(value, int):
        if abs(value) > _MAX_INTEGER:
            _refuse(f"integer {value} has more than 15 digits")
        return str(value)
    if isinstance(value, Decimal):
        return _serialize_decimal(value)
    if isinstance(value, str):
        if not all(" " <= char <= "~" for char in value):
            _refuse(f"string {value!r} holds characters outside printable ASCII")
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Token):
        token = value.value
        if not token or token[0] not in _TOKEN_FIRST or not set(token) <= _TOKEN_CHARS:
            _refuse(f"{token!r} is not a token")
        return token
    return ":" + base64.b64encode(value).decode("ascii") + ":"


def serialize_parameters(params: Parameters) -> str:
    """RFC 8941 §4.1.1.2: a true Boolean is written as the bare key."""
    return "".join(
        f";{serialize_key(key)}"
        if value is True
        else f";{serialize_key(key)}={serialize_bare_item(value)}"
        for key, value in params.items()
    )


def serialize_item(item: Item) -> str:
    """RFC 8941 §4.1.3."""
    return serialize_bare_item(item.value) + serialize_parameters(item.params)


def serialize_inner_list(inner: InnerList) -> str:
    """RFC 8941 §4.1.1.1."""
    return (
        "(" + " ".join(map(serialize_item, inner.items)) + ")" + serialize_parameters(inner.params)
    )


def serialize_member(member: Member) -> str:
    """An Item or Inner List, as a List member or a Dictionary member value (§4.1.1, §4.1.2)."""
    return serialize_inner_list(member) if isinstance(member, InnerList) else serialize_item(member)


def serialize_list(members: Iterable[Member]) -> str:
    """RFC 8941 §4.1.1."""
    return ", ".join(map(serialize_member, members))


def _serialize_dictionary_member(key: str, member: Member) -> str:
    if isinstance(member, Item) and member.value is True:
        return serialize_key(key) + serialize_parameters(member.params)
    return f"{serialize_key(key)}={serialize_member(member)}"


def serialize_dictionary(members: Mapping[str, Member]) -> str:
    """RFC 8941 §4.1.2: a member whose value is true is written as its key and parameters."""
    return ", ".join(_serialize_dictionary_member(key, member) for key, member in members.items())
