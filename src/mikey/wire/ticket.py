"""The MIKEY-TICKET payloads: TR, IDR, RANDR, TP and TICKET.

RFC 6043 §6.4 (TR, timestamp with role), §6.6 (IDR, identity with role), §6.8 (RANDR,
RAND with role) and §6.10 (Ticket Policy TP and Ticket TICKET, which share the Ticket
Policy fields); the registries are RFC 6043 §14.

Roles, the Ticket Type and the PRF Func have Private Use ranges (RFC 6043 §14, RFC 3830
§10) and never change the framing, so unregistered numbers are kept as ``int``; the
numbers RFC 6043 §14 marks Reserved (0 and the all-ones value) are refused. TP Data
and Initiator Data are MIKEY payload chains (RFC 6043 §6.10); they stay bytes here, as
received, because the Vr MAC covers the Initiator Data bytes and the chain decoder lives
in ``mikey.wire.message``. Ticket Data is opaque (its format depends on the Ticket Type,
RFC 6043 §11, Appendix A).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntFlag
from typing import Self, TypeVar

from mikey.errors import MikeyValueError
from mikey.registry import (
    IdRole,
    IdType,
    PayloadType,
    PrfFunc,
    RandRole,
    Registry,
    TicketType,
    TsRole,
    TsType,
)
from mikey.wire.basic import ntp_from_datetime, ntp_to_datetime
from mikey.wire.buffer import Reader, Writer, check_length, check_uint
from mikey.wire.payload import Payload

__all__ = [
    "IdRolePayload",
    "RandRolePayload",
    "TicketFlag",
    "TicketPayload",
    "TicketPolicy",
    "TicketPolicyPayload",
    "TimestampRolePayload",
]

R = TypeVar("R", bound=Registry)

# RFC 6043 §14: in the TS Role, ID Role and RAND Role registries 0 and 255 are Reserved,
# in the Ticket Type registry 0 and 65535; 240-254 and 61440-65534 are Private Use.
_RESERVED_ROLES = frozenset({0, 0xFF})
_RESERVED_TICKET_TYPES = frozenset({0, 0xFFFF})


def _check_not_reserved(value: int, reserved: frozenset[int], field: str) -> None:
    if value in reserved:
        raise MikeyValueError(f"{field} {value} is Reserved (RFC 6043 §14)")


def _read_carried(
    r: Reader, registry: type[R], field: str, *, reserved: frozenset[int], value: int, at: int
) -> R | int:
    """A registry value the receiver keeps even if unassigned, but never a Reserved one."""
    if value in reserved:
        r.fail(f"{field}: {value} is Reserved (RFC 6043 §14)", at)
    return r.enum_or_int(registry, field, value)


def _read_role(r: Reader, registry: type[R], field: str) -> R | int:
    at = r.pos
    return _read_carried(r, registry, field, reserved=_RESERVED_ROLES, value=r.uint8(field), at=at)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimestampRolePayload(Payload):
    """TR: a timestamp and what it means (RFC 6043 §6.4); the value length is implicit.

    The TS Type decides the framing, so it must be registered; unregistered TS Roles are
    kept. RFC 6043 §6.10 wants TRr (rekeying interval) as NTP-UTC-32: a policy check for
    the ticket layer, not a framing rule.
    """

    payload_type = PayloadType.TR
    ts_role: TsRole | int
    ts_type: TsType
    value: int

    def __post_init__(self) -> None:
        check_uint(self.ts_role, 8, "TS Role")
        _check_not_reserved(self.ts_role, _RESERVED_ROLES, "TS Role")
        check_uint(self.value, 8 * self.ts_type.value_length, f"{self.ts_type.label} TS Value")

    @classmethod
    def at(cls, when: datetime, ts_role: TsRole | int, ts_type: TsType = TsType.NTP_UTC) -> Self:
        """A timestamp with role ``ts_role`` for ``when``, which must be aware."""
        return cls(ts_role=ts_role, ts_type=ts_type, value=ntp_from_datetime(when, ts_type))

    def to_datetime(self) -> datetime:
        """The time this timestamp stands for (RFC 4330 eras); COUNTER has none and raises."""
        return ntp_to_datetime(self.value, self.ts_type)

    # RFC 6043 §6.4 figure: Next Payload | TS Role | TS Type | TS Value ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        ts_role = _read_role(r, TsRole, "TS Role")
        ts_type = r.enum(TsType, "TS Type")
        value = int.from_bytes(r.take(ts_type.value_length, "TS Value"))
        return cls(ts_role=ts_role, ts_type=ts_type, value=value), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.ts_role)
        w.uint8(self.ts_type)
        w.raw(self.value.to_bytes(self.ts_type.value_length))


@dataclass(frozen=True, slots=True, kw_only=True)
class IdRolePayload(Payload):
    """IDR: an identity and its role (RFC 6043 §6.6). Unregistered roles and types are kept."""

    payload_type = PayloadType.IDR
    id_role: IdRole | int
    id_type: IdType | int
    data: bytes

    def __post_init__(self) -> None:
        check_uint(self.id_role, 8, "ID Role")
        _check_not_reserved(self.id_role, _RESERVED_ROLES, "ID Role")
        check_uint(self.id_type, 8, "ID Type")
        check_length(self.data, 16, "ID Data")

    # RFC 6043 §6.6 figure: Next Payload | ID Role | ID Type | ID len (16) | ID Data ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        id_role = _read_role(r, IdRole, "ID Role")
        id_type = r.enum_or_int(IdType, "ID Type")
        data = r.take(r.uint16("ID len"), "ID Data")
        return cls(id_role=id_role, id_type=id_type, data=data), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.id_role)
        w.uint8(self.id_type)
        w.uint16(len(self.data))
        w.raw(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class RandRolePayload(Payload):
    """RANDR: a RAND and the entity that generated it (RFC 6043 §6.8). Unregistered roles
    are kept."""

    payload_type = PayloadType.RANDR
    rand_role: RandRole | int
    rand: bytes

    def __post_init__(self) -> None:
        check_uint(self.rand_role, 8, "RAND Role")
        _check_not_reserved(self.rand_role, _RESERVED_ROLES, "RAND Role")
        check_length(self.rand, 8, "RAND")

    # RFC 6043 §6.8 figure: Next Payload | RAND Role | RAND length | RAND ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        rand_role = _read_role(r, RandRole, "RAND Role")
        rand = r.take(r.uint8("RAND length"), "RAND")
        return cls(rand_role=rand_role, rand=rand), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.rand_role)
        w.uint8(len(self.rand))
        w.raw(self.rand)


class TicketFlag(IntFlag):
    """The twelve flags D to O of the Ticket Policy (RFC 6043 §6.10); not an IANA registry.

    Each value is the flag's bit in the 12-bit group that follows the PRF Func on the wire.
    """

    D = 1 << 11
    """The KMS generated the ticket (set) or the Initiator did (clear)."""
    E = 1 << 10
    """The Ticket Resolve exchange is MANDATORY (set) or the Responder MAY resolve (clear)."""
    F = 1 << 9
    """The TRANSFER_RESP message SHALL be sent (set) or SHALL NOT (clear)."""
    G = 1 << 8
    """The Responder SHALL generate RANDRr (set) or SHALL NOT (clear)."""
    H = 1 << 7
    """RANDRi SHALL be used when deriving keys from a TGK/GTGK (set) or SHALL NOT (clear)."""
    I = 1 << 6  # noqa: E741 - the RFC's name for the key forking flag
    """Key forking SHALL be used (set) or SHALL NOT (clear)."""
    J = 1 << 5
    """The ticket MAY be reused and cached (set) or SHALL NOT be reused (clear)."""
    K = 1 << 4
    """The KMS changed the desired Ticket Policy or KEMAC; '0' from the Initiator in TP."""
    L = 1 << 3
    """The Initiator MAY supply session keys (set) or SHALL NOT (clear)."""
    M = 1 << 2
    """The Responder MAY supply session keys (set) or SHALL NOT (clear)."""
    N = 1 << 1
    """An Initiator following RFC 6043 can send TRANSFER_INIT with the ticket (set)."""
    O = 1 << 0  # noqa: E741 - the RFC's name for this flag
    """A Responder following RFC 6043 can process TRANSFER_INIT with the ticket (set)."""


# RFC 6043 §6.10: "NOT D implies L, G implies F, NOT G implies H, NOT H implies G, I implies
# E, K implies D, and M implies F." Each rule: (premise flag, premise value, implied flag).
_FLAG_RULES: tuple[tuple[TicketFlag, bool, TicketFlag], ...] = (
    (TicketFlag.D, False, TicketFlag.L),
    (TicketFlag.G, True, TicketFlag.F),
    (TicketFlag.G, False, TicketFlag.H),
    (TicketFlag.H, False, TicketFlag.G),
    (TicketFlag.I, True, TicketFlag.E),
    (TicketFlag.K, True, TicketFlag.D),
    (TicketFlag.M, True, TicketFlag.F),
)

_FLAG_BITS = 12
_RES_BITS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketPolicy:
    """The Ticket Policy fields that TP and TICKET share (RFC 6043 §6.10).

    ``tp_data`` is the TP Data field as sent: a First Payload byte and a chain of MIKEY
    payloads (IDRkms, IDRi, TRs, TRe, TRr, KEMAC, IDRapp, IDRr). ``flags`` holds D to O;
    ``flag_conflicts`` lists the dependencies between them that the policy breaks.
    """

    ticket_type: TicketType | int
    subtype: int
    version: int
    prf_func: PrfFunc | int
    flags: TicketFlag
    tp_data: bytes

    def __post_init__(self) -> None:
        check_uint(self.ticket_type, 16, "Ticket Type")
        _check_not_reserved(self.ticket_type, _RESERVED_TICKET_TYPES, "Ticket Type")
        check_uint(self.subtype, 8, "Subtype")
        check_uint(self.version, 8, "Version")
        check_uint(self.prf_func, 7, "PRF Func")
        check_uint(self.flags, _FLAG_BITS, "Ticket Policy flags")
        check_length(self.tp_data, 16, "TP Data")

    def flag_conflicts(self) -> tuple[str, ...]:
        """The flag dependencies of RFC 6043 §6.10 this policy breaks, e.g. "G implies F".

        Not a framing rule, so decoding accepts such a policy; a KMS or peer answers it
        with ERR "Invalid TPpar" (RFC 6043 §6.9).
        """
        conflicts = []
        for premise, value, implied in _FLAG_RULES:
            if bool(self.flags & premise) == value and not self.flags & implied:
                conflicts.append(f"{'' if value else 'NOT '}{premise.name} implies {implied.name}")
        return tuple(conflicts)

    # RFC 6043 §6.10 figure, after Next Payload: Ticket Type (16) | Subtype (8) |
    # Version (8) | PRF Func (7) D E F G H I J K L M N O (12) Res (5) |
    # TP Data length (16) | TP Data ~
    @classmethod
    def decode(cls, r: Reader) -> Self:
        """Read the fields from Ticket Type to TP Data."""
        at = r.pos
        number = r.uint16("Ticket Type")
        ticket_type = _read_carried(
            r, TicketType, "Ticket Type", reserved=_RESERVED_TICKET_TYPES, value=number, at=at
        )
        subtype = r.uint8("Subtype")
        version = r.uint8("Version")
        at = r.pos
        bits = int.from_bytes(r.take(3, "PRF Func / flags / Res"))
        prf_func = r.enum_or_int(PrfFunc, "PRF Func", bits >> (_FLAG_BITS + _RES_BITS))
        r.check_reserved(bits & ((1 << _RES_BITS) - 1), "Res", at + 2)
        flags = TicketFlag((bits >> _RES_BITS) & ((1 << _FLAG_BITS) - 1))
        tp_data = r.take(r.uint16("TP Data length"), "TP Data")
        return cls(
            ticket_type=ticket_type,
            subtype=subtype,
            version=version,
            prf_func=prf_func,
            flags=flags,
            tp_data=tp_data,
        )

    def encode(self, w: Writer) -> None:
        """Write the fields from Ticket Type to TP Data."""
        w.uint16(self.ticket_type)
        w.uint8(self.subtype)
        w.uint8(self.version)
        bits = (self.prf_func << _FLAG_BITS | self.flags) << _RES_BITS
        w.raw(bits.to_bytes(3))
        w.uint16(len(self.tp_data))
        w.raw(self.tp_data)


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketPolicyPayload(Payload):
    """TP: the Ticket Policy the Initiator desires (RFC 6043 §6.10).

    The TP payload ends after TP Data: it has no Ticket Data or Initiator Data fields.
    """

    payload_type = PayloadType.TP
    policy: TicketPolicy

    # RFC 6043 §6.10 figure, down to the TP Data row.
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        return cls(policy=TicketPolicy.decode(r)), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        self.policy.encode(w)


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketPayload(Payload):
    """TICKET: the granted Ticket Policy, the Ticket Data and the Initiator Data (RFC 6043
    §6.10).

    ``ticket_data`` is opaque; its format is given by the policy's Ticket Type (the MIKEY
    base ticket is RFC 6043 Appendix A). ``initiator_data`` is empty unless the Initiator
    uses key forking (I flag); it is then a First Payload byte and the payloads Vi and Vr.
    The wire layer does not tie it to the I flag, because the KMS sends the ticket in
    REQUEST_RESP before the Initiator inserts it.
    """

    payload_type = PayloadType.TICKET
    policy: TicketPolicy
    ticket_data: bytes
    initiator_data: bytes = b""

    def __post_init__(self) -> None:
        check_length(self.ticket_data, 16, "Ticket Data")
        check_length(self.initiator_data, 16, "Initiator Data")

    # RFC 6043 §6.10 figure, all rows: the TP fields, then Ticket Data length (16) |
    # Ticket Data ~ | Initiator Data length (16) | Initiator Data (OPTIONAL) ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        policy = TicketPolicy.decode(r)
        ticket_data = r.take(r.uint16("Ticket Data length"), "Ticket Data")
        initiator_data = r.take(r.uint16("Initiator Data length"), "Initiator Data")
        payload = cls(policy=policy, ticket_data=ticket_data, initiator_data=initiator_data)
        return payload, next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        self.policy.encode(w)
        w.uint16(len(self.ticket_data))
        w.raw(self.ticket_data)
        w.uint16(len(self.initiator_data))
        w.raw(self.initiator_data)
