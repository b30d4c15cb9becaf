"""The small payloads every exchange uses: T, ID, CERT, V, RAND and ERR.

RFC 3830 §6.6 (T), §6.7 (ID, CERT), §6.9 (V), §6.11 (RAND), §6.12 (ERR), with the
additions of RFC 6043 §6.3 (NTP-UTC-32), §6.5 (ID type Byte string) and §6.9 (errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Self

from mikey.errors import MikeyValueError
from mikey.registry import CertType, ErrorNo, IdType, MacAlg, PayloadType, TsType
from mikey.wire.buffer import Reader, Writer, check_length, check_uint
from mikey.wire.payload import Payload, trusted

__all__ = [
    "CertPayload",
    "ErrorPayload",
    "IdPayload",
    "RandPayload",
    "TimestampPayload",
    "VerificationPayload",
    "ntp_from_datetime",
    "ntp_to_datetime",
]

_NTP_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
_NTP_ERA_SECONDS = 1 << 32
# RFC 4330 §3: seconds values with the top bit clear belong to era 1 (from 2036-02-07).
_ERA_1_PIVOT = 1 << 31


def ntp_from_datetime(when: datetime, ts_type: TsType = TsType.NTP_UTC) -> int:
    """The TS value of ``when`` (an aware datetime) as NTP-UTC (64 bits) or NTP-UTC-32.

    NTP is local time by definition (RFC 3830 §6.6); only aware values are accepted, so a
    caller who wants NTP local time converts first.
    """
    if when.tzinfo is None:
        raise MikeyValueError("timestamps need an aware datetime (naive times are ambiguous)")
    delta = when - _NTP_EPOCH
    seconds = (delta.days * 86400 + delta.seconds) % _NTP_ERA_SECONDS
    if ts_type is TsType.NTP_UTC_32:
        return seconds
    if ts_type in (TsType.NTP_UTC, TsType.NTP):
        return seconds << 32 | (delta.microseconds << 32) // 1_000_000
    raise MikeyValueError(f"{ts_type.label} is not a clock time")


def ntp_to_datetime(value: int, ts_type: TsType = TsType.NTP_UTC) -> datetime:
    """The time a NTP-UTC, NTP or NTP-UTC-32 TS value stands for, era per RFC 4330 §3."""
    if ts_type is TsType.NTP_UTC_32:
        seconds, fraction = value, 0
    elif ts_type in (TsType.NTP_UTC, TsType.NTP):
        seconds, fraction = value >> 32, value & 0xFFFFFFFF
    else:
        raise MikeyValueError(f"{ts_type.label} is not a clock time")
    if seconds < _ERA_1_PIVOT:
        seconds += _NTP_ERA_SECONDS
    return _NTP_EPOCH + timedelta(seconds=seconds, microseconds=(fraction * 1_000_000) >> 32)


_TS_LENGTHS = {ts_type: ts_type.value_length for ts_type in TsType}


@dataclass(frozen=True, slots=True, kw_only=True)
class TimestampPayload(Payload):
    """T: a timestamp; the value's length is implicit in its type (RFC 3830 §6.6)."""

    payload_type = PayloadType.T
    ts_type: TsType
    value: int

    def __post_init__(self) -> None:
        check_uint(self.value, 8 * self.ts_type.value_length, f"{self.ts_type.label} value")

    @classmethod
    def at(cls, when: datetime, ts_type: TsType = TsType.NTP_UTC) -> Self:
        """A timestamp for ``when``, which must be aware."""
        return cls(ts_type=ts_type, value=ntp_from_datetime(when, ts_type))

    def to_datetime(self) -> datetime:
        """The time this timestamp stands for; COUNTER has none and raises."""
        return ntp_to_datetime(self.value, self.ts_type)

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        ts_type = r.enum(TsType, "TS type")
        # The value is read with the length of its type, so it is in range.
        value = int.from_bytes(r.take(_TS_LENGTHS[ts_type], "TS value"))
        return trusted(cls)(ts_type=ts_type, value=value), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.ts_type)
        w.raw(self.value.to_bytes(self.ts_type.value_length))


@dataclass(frozen=True, slots=True, kw_only=True)
class IdPayload(Payload):
    """ID: an identity (RFC 3830 §6.7, RFC 6043 §6.5). Unregistered ID types are kept."""

    payload_type = PayloadType.ID
    id_type: IdType | int
    data: bytes

    def __post_init__(self) -> None:
        check_uint(self.id_type, 8, "ID type")
        check_length(self.data, 16, "ID data")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        id_type = r.enum_or_int(IdType, "ID type")
        data = r.take(r.uint16("ID len"), "ID data")
        return cls(id_type=id_type, data=data), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.id_type)
        w.uint16(len(self.data))
        w.raw(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertPayload(Payload):
    """CERT: one certificate, DER or a URL (RFC 3830 §6.7). Unregistered types are kept."""

    payload_type = PayloadType.CERT
    cert_type: CertType | int
    data: bytes

    def __post_init__(self) -> None:
        check_uint(self.cert_type, 8, "Cert type")
        check_length(self.data, 16, "Certificate data")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        cert_type = r.enum_or_int(CertType, "Cert type")
        data = r.take(r.uint16("Cert len"), "Certificate data")
        return cls(cert_type=cert_type, data=data), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.cert_type)
        w.uint16(len(self.data))
        w.raw(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationPayload(Payload):
    """V: the Responder's verification MAC; its length is implicit (RFC 3830 §6.9)."""

    payload_type = PayloadType.V
    auth_alg: MacAlg
    ver_data: bytes

    def __post_init__(self) -> None:
        if len(self.ver_data) != self.auth_alg.mac_length:
            raise MikeyValueError(
                f"{self.auth_alg.label} verification data is {self.auth_alg.mac_length} bytes,"
                f" got {len(self.ver_data)}"
            )

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        auth_alg = r.enum(MacAlg, "Auth alg")
        return cls(auth_alg=auth_alg, ver_data=r.take(auth_alg.mac_length, "Ver data")), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.auth_alg)
        w.raw(self.ver_data)


@dataclass(frozen=True, slots=True, kw_only=True)
class RandPayload(Payload):
    """RAND: fresh random bytes per CSB, at least 16 recommended (RFC 3830 §6.11)."""

    payload_type = PayloadType.RAND
    rand: bytes

    def __post_init__(self) -> None:
        check_length(self.rand, 8, "RAND")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        return trusted(cls)(rand=r.take(r.uint8("RAND len"), "RAND")), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(len(self.rand))
        w.raw(self.rand)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorPayload(Payload):
    """ERR: one error number (RFC 3830 §6.12, RFC 6043 §6.9). Unregistered ones are kept."""

    payload_type = PayloadType.ERR
    error_no: ErrorNo | int

    def __post_init__(self) -> None:
        check_uint(self.error_no, 8, "Error no")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        error_no = r.enum_or_int(ErrorNo, "Error no")
        r.reserved(2)
        return cls(error_no=error_no), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.error_no)
        w.uint16(0)
