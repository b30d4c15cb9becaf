"""Decoding and encoding one payload on its own, for the payload tests."""

from __future__ import annotations

from typing import TypeVar

import pytest

from mikey.errors import MikeyParseError
from mikey.registry import PayloadType
from mikey.wire.buffer import STRICT, Profile, Reader, Writer
from mikey.wire.payload import Payload

P = TypeVar("P", bound=Payload)


def decode_payload(cls: type[P], data: bytes, profile: Profile = STRICT) -> tuple[P, PayloadType]:
    """Decode one ``cls`` payload that must use up ``data``."""
    r = Reader(data, profile=profile, payload=cls.payload_type.label)
    payload, next_type = cls.decode(r)
    r.expect_end(cls.payload_type.label)
    return payload, next_type


def encode_payload(payload: Payload, next_type: PayloadType) -> bytes:
    w = Writer()
    payload.encode(w, next_type)
    return w.getvalue()


def assert_vector(
    cls: type[Payload], data: bytes, expected: Payload, next_type: PayloadType
) -> None:
    """``data`` decodes to ``expected`` announcing ``next_type``, and re-encodes to ``data``."""
    payload, decoded_next = decode_payload(cls, data)
    assert payload == expected
    assert decoded_next is next_type
    assert encode_payload(payload, next_type) == data


def assert_truncations_refused(cls: type[Payload], data: bytes) -> None:
    """Every proper prefix of ``data`` is a MikeyParseError, never anything else."""
    for end in range(len(data)):
        with pytest.raises(MikeyParseError):
            decode_payload(cls, data[:end])


def with_byte(data: bytes, at: int, value: int) -> bytes:
    """``data`` with the byte at ``at`` replaced by ``value``."""
    changed = bytearray(data)
    changed[at] = value
    return bytes(changed)
