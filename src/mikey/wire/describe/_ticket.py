"""MIKEY-TICKET payloads, and the IBE-encrypted payloads of MIKEY-IBAKE. RFC 6043 §6.4 (TR),
§6.6 (IDR), §6.8 (RANDR), §6.10 (TP and TICKET: the Ticket Policy flags, and the payload
chains in TP Data and Initiator Data), Appendix A (the MIKEY Base Ticket); RFC 6267
§6.1.1 (IBAKE), §6.1.2 (ESK).
"""

from __future__ import annotations

from typing import Any

from mikey.registry import (
    IdRole,
    IdType,
    PrfFunc,
    RandRole,
    TicketType,
    TsRole,
    TsType,
    label_of,
)
from mikey.wire.describe._fields import (
    Describer,
    Fields,
    Node,
    chain_text,
    hex_text,
    identity_text,
    plural,
    registry_node,
    registry_text,
)
from mikey.wire.describe._times import time_text, ts_value
from mikey.wire.ibake import EncryptedSecretKeyPayload, IbakePayload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)

# ---------------------------------------------------------------------------------------
# MIKEY-TICKET: TR, IDR, RANDR, TP, TICKET (RFC 6043 §6.4, §6.6, §6.8, §6.10)

_ROLE_PRIVATE_USE = range(240, 255)
_TICKET_TYPE_PRIVATE_USE = range(61440, 65535)

_FLAG_MEANINGS: dict[TicketFlag, tuple[str, str]] = {
    TicketFlag.D: ("the KMS generated the ticket", "the Initiator generated the ticket"),
    TicketFlag.E: ("Ticket Resolve is MANDATORY", "the Responder MAY resolve the ticket"),
    TicketFlag.F: ("TRANSFER_RESP SHALL be sent", "TRANSFER_RESP SHALL NOT be sent"),
    TicketFlag.G: (
        "the Responder SHALL generate RANDRr",
        "the Responder SHALL NOT generate RANDRr",
    ),
    TicketFlag.H: (
        "RANDRi SHALL be used to derive keys",
        "RANDRi SHALL NOT be used to derive keys",
    ),
    TicketFlag.I: ("key forking SHALL be used", "key forking SHALL NOT be used"),
    TicketFlag.J: ("the ticket MAY be reused and cached", "the ticket SHALL NOT be reused"),
    TicketFlag.K: ("the KMS changed the desired policy or KEMAC", "the KMS changed nothing"),
    TicketFlag.L: ("the Initiator MAY supply session keys", "the Initiator SHALL NOT supply keys"),
    TicketFlag.M: ("the Responder MAY supply session keys", "the Responder SHALL NOT supply keys"),
    TicketFlag.N: ("an RFC 6043 Initiator can send TRANSFER_INIT", "the Initiator needs more"),
    TicketFlag.O: ("an RFC 6043 Responder can process TRANSFER_INIT", "the Responder needs more"),
}


def _flags_node(policy: TicketPolicy) -> Node:
    children = tuple(
        Node(
            flag.name or "",
            bool(policy.flags & flag),
            f"{int(bool(policy.flags & flag))} ({meanings[0 if policy.flags & flag else 1]})",
        )
        for flag, meanings in _FLAG_MEANINGS.items()
    )
    names = " ".join(flag.name or "" for flag in _FLAG_MEANINGS if policy.flags & flag)
    text = f"{names or 'none set'} ({int(policy.flags):#05x})"
    if conflicts := policy.flag_conflicts():
        text += f" — breaks RFC 6043 §6.10: {', '.join(conflicts)}"
    return Node("Flags", int(policy.flags), text, children=children)


def _ticket_policy(policy: TicketPolicy, f: Fields) -> None:
    sub = f.nested()
    sub.registry("Ticket Type", 2, policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)
    base_ticket = policy.ticket_type == TicketType.MIKEY_BASE_TICKET
    sub.number("Subtype", 1, policy.subtype)
    version_text = str(policy.version)
    if base_ticket and policy.subtype == 1 and policy.version == 1:
        version_text += " (Subtype 1, Version 1: the MIKEY Base Ticket of RFC 6043 Appendix A)"
    sub.number("Version", 1, policy.version, version_text)
    reserved = sub.peek(3) & 0x1F
    sub.shared(
        3,
        registry_node("PRF Func", policy.prf_func, PrfFunc),
        _flags_node(policy),
        Node("Res", reserved, f"{reserved:#x}" + (" — must be zero" if reserved else "")),
    )
    sub.length("TP Data length", 2, len(policy.tp_data))
    children = sub.chain(policy.tp_data, first=None, what="TP Data")
    text = chain_text(children) if policy.tp_data else "(empty)"
    sub.data("TP Data", policy.tp_data, text, children)
    ticket_type = registry_text(policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)
    f.group("Ticket policy", ticket_type, sub)


def _ticket_policy_payload(p: TicketPolicyPayload, f: Fields) -> str:
    _ticket_policy(p.policy, f)
    return registry_text(p.policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)


def _ticket(p: TicketPayload, f: Fields) -> str:
    _ticket_policy(p.policy, f)
    f.length("Ticket Data length", 2, len(p.ticket_data))
    text = hex_text(p.ticket_data, f.ctx.hex_limit)
    if p.policy.ticket_type == TicketType.MIKEY_BASE_TICKET:
        text += " — THDR, T, RAND, KEMAC, [IDRpsk], V (RFC 6043 Appendix A), for the KMS"
    f.data("Ticket Data", p.ticket_data, text)
    f.length("Initiator Data length", 2, len(p.initiator_data))
    children = f.chain(p.initiator_data, first=None, what="Initiator Data")
    text = chain_text(children) if p.initiator_data else "(empty: no key forking)"
    f.data("Initiator Data", p.initiator_data, text, children)
    return registry_text(p.policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)


def _timestamp_role(p: TimestampRolePayload, f: Fields) -> str:
    f.registry("TS Role", 1, p.ts_role, TsRole, _ROLE_PRIVATE_USE)
    f.registry("TS Type", 1, p.ts_type, TsType)
    if p.ts_role == TsRole.REKEYING_INTERVAL and p.ts_type is not TsType.COUNTER:
        seconds = p.value if p.ts_type is TsType.NTP_UTC_32 else p.value >> 32
        text = f"rekey at least every {plural(seconds, 'second')}"
    else:
        text = time_text(p.ts_type, p.value, f.ctx.now)
    f.put(ts_value("TS Value", p.ts_type, p.value, text), p.ts_type.value_length)
    return f"{label_of(p.ts_role, TsRole)}: {text}"


def _id_role(p: IdRolePayload, f: Fields) -> str:
    f.registry("ID Role", 1, p.id_role, IdRole, _ROLE_PRIVATE_USE)
    f.registry("ID Type", 1, p.id_type, IdType)
    f.length("ID len", 2, len(p.data))
    text = identity_text(p.data, p.id_type)
    f.data("ID Data", p.data, text)
    return f"{registry_text(p.id_role, IdRole, _ROLE_PRIVATE_USE)}: {text}"


def _rand_role(p: RandRolePayload, f: Fields) -> str:
    f.registry("RAND Role", 1, p.rand_role, RandRole, _ROLE_PRIVATE_USE)
    f.length("RAND length", 1, len(p.rand))
    f.data("RAND", p.rand)
    return f"{registry_text(p.rand_role, RandRole, _ROLE_PRIVATE_USE)}, {len(p.rand)} bytes"


# ---------------------------------------------------------------------------------------
# IBAKE and ESK (RFC 6267 §6.1.1, §6.1.2)


def _ibe_encrypted(p: IbakePayload | EncryptedSecretKeyPayload, f: Fields) -> str:
    f.length("Encr data len", 2, len(p.encr_data))
    text = (
        f"{hex_text(p.encr_data, f.ctx.hex_limit)} — IBE-encrypted:"
        " decrypting needs the private key"
    )
    f.data("Encr data", p.encr_data, text)
    return plural(len(p.encr_data), "byte")


DESCRIBERS: dict[type[Any], Describer] = {
    TimestampRolePayload: _timestamp_role,
    IdRolePayload: _id_role,
    RandRolePayload: _rand_role,
    TicketPolicyPayload: _ticket_policy_payload,
    TicketPayload: _ticket,
    IbakePayload: _ibe_encrypted,
    EncryptedSecretKeyPayload: _ibe_encrypted,
}
