"""Decoding and encoding one payload on its own, for the payload tests."""

from __future__ import annotations

from typing import TypeVar

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
