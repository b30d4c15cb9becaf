"""Property tests: every message round-trips; untrusted bytes give a Message or a
MikeyParseError, never anything else (RFC 3830 §6; DESIGN "Tests")."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyParseError
from mikey.registry import PayloadType
from mikey.wire.message import Message, decode_message
from mikey.wire.profiles import PROFILES
from mikey.wire.rules import TOP_LEVEL
from tests.wire import strategies as s


@pytest.mark.parametrize("data_type", s.registered_data_types(), ids=lambda t: f"dt{int(t)}")
@given(data=st.data())
def test_round_trip_every_data_type(data_type: int, data: st.DataObject) -> None:
    message = data.draw(s.message_of(data_type))
    encoded = message.encode()
    decoded = decode_message(encoded)
    assert decoded == message
    assert decoded.encode() == encoded


@given(
    header=s.header(st.integers(27, 255)),
    payloads=st.lists(
        st.sampled_from(
            sorted(k for k in s.PAYLOADS if k in TOP_LEVEL and k is not PayloadType.SIGN)
        ),
        max_size=6,
    ),
    sign=st.booleans(),
    data=st.data(),
)
def test_round_trip_unregistered_data_type(
    header: object, payloads: list[PayloadType], sign: bool, data: st.DataObject
) -> None:
    # A Responder must see an unknown data type to answer Invalid DT (RFC 3830 §6.12).
    kinds = payloads + ([PayloadType.SIGN] if sign else [])
    if PayloadType.SP in kinds:
        header = data.draw(
            s.header(st.just(header.data_type), st.one_of(s.srtp_map, s.generic_map))
        )  # type: ignore[attr-defined]
    message = Message(header=header, payloads=tuple(data.draw(s.PAYLOADS[k]) for k in kinds))  # type: ignore[arg-type]
    assert decode_message(message.encode()) == message


def _must_parse_or_refuse(data: bytes) -> None:
    for profile in PROFILES.values():
        with contextlib.suppress(MikeyParseError):
            decode_message(data, profile=profile)


@given(st.binary(max_size=512))
def test_arbitrary_bytes(data: bytes) -> None:
    _must_parse_or_refuse(data)


@given(st.binary(max_size=200).map(lambda b: b"\x01" + b))
def test_arbitrary_bytes_after_version(data: bytes) -> None:
    _must_parse_or_refuse(data)


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    data_type = draw(st.sampled_from(s.registered_data_types()))
    encoded = bytearray(draw(s.message_of(data_type)).encode())
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(0, len(encoded) - 1)))
        if action == "flip" and encoded:
            encoded[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "set" and encoded:
            encoded[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del encoded[at:]
        elif action == "insert":
            encoded[at:at] = draw(st.binary(min_size=1, max_size=3))
        elif action == "delete" and encoded:
            del encoded[at]
    return bytes(encoded)


@given(mutated_messages())
def test_mutated_messages(data: bytes) -> None:
    _must_parse_or_refuse(data)


@pytest.mark.parametrize("data_type", s.registered_data_types(), ids=lambda t: f"dt{int(t)}")
@given(data=st.data())
def test_every_truncation_is_refused(data_type: int, data: st.DataObject) -> None:
    encoded = data.draw(s.message_of(data_type)).encode()
    for end in range(len(encoded)):
        with pytest.raises(MikeyParseError):
            decode_message(encoded[:end])
