"""The Security Policy payload (SP) and its Type/Length/Value parameters.

RFC 3830 §6.10 (SP) and §6.10.1 (SRTP policy parameters 0-12), extended by RFC 4771
(13), RFC 5748 (14-19), RFC 7714 (20); TESLA policies (Prot type 1) by RFC 4442 §4.
The wire layer keeps parameters as numbers and bytes in their received order; which
values are acceptable is the session layer's policy.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Self

from mikey.registry import PayloadType, ProtType, Registry, SrtpParam, TeslaParam
from mikey.wire.buffer import Reader, Writer, check_length, check_uint
from mikey.wire.payload import Payload, trusted

__all__ = ["PolicyParam", "SecurityPolicyPayload"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyParam:
    """One policy parameter: Type (8 bits), Length (8 bits), Value (RFC 3830 §6.10)."""

    type: int
    value: bytes

    def __post_init__(self) -> None:
        check_uint(self.type, 8, "Policy param type")
        check_length(self.value, 8, "Policy param value")

    @property
    def int_value(self) -> int:
        """The value read as an unsigned big-endian integer (lengths, algorithms, flags)."""
        return int.from_bytes(self.value)


# RFC 3830 §6.10: Next payload, Policy no, Prot type, Policy param length.
_FIXED = struct.Struct(">BBBH")

# Parameter lists decoded and encoded recently, by their bytes and by the identity of
# their tuple; bounded (filled up to the limit, then only read) so that a peer sending
# endless variations cannot grow them.
_CACHE_SIZE = 256
_CACHEABLE = 128  # bytes of parameters: SRTP policies take about 40
_DECODED: dict[bytes, tuple[PolicyParam, ...]] = {}
_ENCODED: dict[int, tuple[tuple[PolicyParam, ...], bytes]] = {}

_PARAM_REGISTRIES: dict[int, type[Registry]] = {
    ProtType.SRTP: SrtpParam,
    ProtType.TESLA: TeslaParam,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityPolicyPayload(Payload):
    """SP: a numbered set of parameters for one security protocol (RFC 3830 §6.10).

    Unregistered protocol types and parameter types are kept, as their lengths are
    explicit; a Responder answers them with Invalid SP or Invalid SPpar.
    """

    payload_type = PayloadType.SP
    policy_no: int
    prot_type: ProtType | int
    params: tuple[PolicyParam, ...] = ()

    def __post_init__(self) -> None:
        check_uint(self.policy_no, 8, "Policy no")
        check_uint(self.prot_type, 8, "Prot type")
        check_uint(sum(2 + len(p.value) for p in self.params), 16, "Policy param length")

    def get(self, param_type: int) -> bytes | None:
        """The value of the first parameter of ``param_type``, or None if it is absent."""
        for param in self.params:
            if param.type == param_type:
                return param.value
        return None

    @property
    def param_registry(self) -> type[Registry] | None:
        """The registry that names this protocol's parameter types, where one exists."""
        return _PARAM_REGISTRIES.get(self.prot_type)

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        at = r.pos
        next_type, policy_no, prot_type, length = r.unpack(_FIXED, "SP fixed fields")
        # Peers send the same few parameter lists over and over: reuse their (immutable)
        # decoded form, keyed by the bytes, instead of building a dozen objects each time.
        raw = r.peek(length, "Policy param")
        params = _DECODED.get(raw)
        if params is None:
            items = r.tlv8(length, "Policy param")
            # Every value comes from an 8- or 16-bit field, so the constructors' checks
            # cannot fail: build the objects directly (SP decoding is a hot path).
            make_param = trusted(PolicyParam)
            params = tuple([make_param(type=t, value=v) for t, v in items])
            if len(_DECODED) < _CACHE_SIZE and length <= _CACHEABLE:
                _DECODED[raw] = params
        else:
            r.take(length, "Policy param")
        payload = trusted(cls)(
            policy_no=policy_no,
            prot_type=r.enum_or_int(ProtType, "Prot type", prot_type),
            params=params,
        )
        return payload, r.enum(PayloadType, "Next payload", next_type, at)

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        # Keyed by identity (the tuple is kept alive in the entry, so its id cannot be
        # reused): builders pass the same cached policy payloads for every message.
        cached = _ENCODED.get(id(self.params))
        if cached is not None and cached[0] is self.params:
            params = cached[1]
        else:
            params = b"".join([bytes((p.type, len(p.value))) + p.value for p in self.params])
            if len(_ENCODED) < _CACHE_SIZE:
                _ENCODED[id(self.params)] = (self.params, params)
        w.pack(_FIXED, next_type, self.policy_no, self.prot_type, len(params))
        w.raw(params)
