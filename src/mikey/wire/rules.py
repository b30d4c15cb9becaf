"""Which payloads each MIKEY data type carries, and the codec for each payload type.

The message definitions come from RFC 3830 §3.1-3.3 (with the update messages of §4.5
and the error message of §5.1.2), RFC 4650 §3, RFC 4738 §3, RFC 6043 §4-5, RFC 6267 §4
and RFC 6509 §3-4. They list payloads in a *recommended* order (RFC 3830 §5.2), so only
counts and the last payload are enforced, not the order. General Extension payloads may
appear in any message (RFC 3830 §6.15). ``docs/research/message-payloads.md`` quotes
every definition used here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from mikey.registry import CsIdMapType, DataType, PayloadType
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.header import CommonHeader
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload

__all__ = ["MESSAGE_RULES", "PAYLOAD_CLASSES", "MessageRule", "check"]

PAYLOAD_CLASSES: dict[PayloadType, type[Payload]] = {
    cls.payload_type: cls
    for cls in (
        KemacPayload,
        EnvelopePayload,
        DhPayload,
        SignaturePayload,
        TimestampPayload,
        IdPayload,
        CertPayload,
        CertHashPayload,
        VerificationPayload,
        SecurityPolicyPayload,
        RandPayload,
        ErrorPayload,
        KeyDataSubPayload,
    )
}

KEMAC_INNER = frozenset({PayloadType.KEY_DATA, PayloadType.ID, PayloadType.IDR})
"""Payloads that appear inside a KEMAC's Encr data, never at the top level."""

TOP_LEVEL = frozenset(PAYLOAD_CLASSES) - {PayloadType.KEY_DATA}

ANY = 255
_P = PayloadType


@dataclass(frozen=True, slots=True)
class MessageRule:
    """The payloads of one data type: how many of each (min, max) and which comes last."""

    name: str
    counts: dict[PayloadType, tuple[int, int]]
    last: frozenset[PayloadType] = frozenset()
    kemac_first: PayloadType = PayloadType.KEY_DATA
    """The first payload inside the KEMAC's Encr data (RFC 3830 §6.2)."""
    exclusive: tuple[frozenset[PayloadType], ...] = field(default=())
    """Groups of which at most one member may appear, e.g. [IDi|CERTi]."""


def _rule(
    name: str,
    last: set[PayloadType] | None = None,
    kemac_first: PayloadType = PayloadType.KEY_DATA,
    exclusive: tuple[set[PayloadType], ...] = (),
    **counts: tuple[int, int],
) -> MessageRule:
    table = {PayloadType[key]: value for key, value in counts.items()}
    table[PayloadType.GENERAL_EXT] = (0, ANY)
    return MessageRule(
        name, table, frozenset(last or ()), kemac_first, tuple(frozenset(g) for g in exclusive)
    )


# RFC 3830 §3.1 and §4.5: HDR, T, [RAND], [IDi], [IDr], {SP}, KEMAC (RAND only initially).
_PSK = _rule(
    "pre-shared key I_MESSAGE",
    {_P.KEMAC},
    T=(1, 1),
    RAND=(0, 1),
    ID=(0, 2),
    SP=(0, ANY),
    KEMAC=(1, 1),
)
# RFC 3830 §3.1, §3.2: HDR, T, [IDr], V.
_VERIFY = _rule("verification message", {_P.V}, T=(1, 1), ID=(0, 1), V=(1, 1))

MESSAGE_RULES: dict[int, MessageRule] = {
    DataType.PRE_SHARED: _PSK,
    DataType.PSK_VER_MSG: _VERIFY,
    # RFC 3830 §3.2, §4.5: HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, [KEMAC], [CHASH], PKE, SIGNi
    DataType.PUBLIC_KEY: _rule(
        "public-key I_MESSAGE",
        {_P.SIGN},
        kemac_first=_P.ID,
        T=(1, 1),
        RAND=(0, 1),
        ID=(0, 2),
        CERT=(0, ANY),
        SP=(0, ANY),
        KEMAC=(0, 1),
        CHASH=(0, 1),
        PKE=(1, 1),
        SIGN=(1, 1),
    ),
    DataType.PK_VER_MSG: _VERIFY,
    # RFC 3830 §3.3, §4.5: HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, [DHi], SIGNi
    DataType.DH_INIT: _rule(
        "DH I_MESSAGE",
        {_P.SIGN},
        T=(1, 1),
        RAND=(0, 1),
        ID=(0, 2),
        CERT=(0, ANY),
        SP=(0, ANY),
        DH=(0, 1),
        SIGN=(1, 1),
    ),
    # RFC 3830 §3.3, §4.5: HDR, T, [IDr|CERTr], IDi, [DHr, DHi], SIGNr
    DataType.DH_RESP: _rule(
        "DH R_MESSAGE",
        {_P.SIGN},
        T=(1, 1),
        ID=(1, 2),
        CERT=(0, ANY),
        SP=(0, ANY),
        DH=(0, 2),
        SIGN=(1, 1),
    ),
    # RFC 3830 §5.1.2: HDR, T, {ERR}, {SP}, [V|SIGNr]
    DataType.ERROR: _rule(
        "error message",
        exclusive=({_P.V, _P.SIGN},),
        T=(1, 1),
        ERR=(0, ANY),
        SP=(0, ANY),
        V=(0, 1),
        SIGN=(0, 1),
    ),
}


def check(header: CommonHeader, payloads: Sequence[Payload]) -> tuple[int | None, str] | None:
    """The first violation of the message rules as (payload index or None, what), or None.

    Data types that are not registered are not checked here: a Responder answers them
    with Invalid DT (RFC 3830 §6.12).
    """
    kinds = [p.payload_type for p in payloads]
    if _P.SIGN in kinds[:-1]:
        # SIGN has no Next payload field, so nothing can follow it (RFC 3830 §6.5).
        return kinds.index(_P.SIGN), "SIGN must be the last payload"
    if _P.KEY_DATA in kinds:
        return kinds.index(_P.KEY_DATA), "key data sub-payloads belong inside a KEMAC"
    if header.cs_id_map.map_type is CsIdMapType.EMPTY and _P.SP in kinds:
        # RFC 4563 §5: with the Empty map "there MUST NOT be any Security Policy payload".
        return kinds.index(_P.SP), "an Empty map message must not carry SP payloads"
    rule = MESSAGE_RULES.get(header.data_type)
    if rule is None:
        return None
    seen: Counter[PayloadType] = Counter()
    for index, kind in enumerate(kinds):
        seen[kind] += 1
        low_high = rule.counts.get(kind)
        if low_high is None:
            return index, f"a {rule.name} cannot carry a {kind.label} payload"
        if seen[kind] > low_high[1]:
            return index, f"a {rule.name} carries at most {low_high[1]} {kind.label} payload(s)"
    for group in rule.exclusive:
        if sum(seen[k] for k in group) > 1:
            names = " or ".join(sorted(k.label for k in group))
            return None, f"a {rule.name} carries only one of {names}"
    for kind, (low, _) in rule.counts.items():
        if seen[kind] < low:
            return None, f"a {rule.name} needs {'a' if low == 1 else low} {kind.label} payload"
    if rule.last and (not kinds or kinds[-1] not in rule.last):
        names = " or ".join(sorted(k.label for k in rule.last))
        return (len(kinds) - 1 if kinds else None), f"a {rule.name} must end with {names}"
    return None


def kemac_first_sub_payload(data_type: DataType | int) -> PayloadType:
    rule = MESSAGE_RULES.get(data_type)
    return PayloadType.KEY_DATA if rule is None else rule.kemac_first
