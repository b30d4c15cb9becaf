"""Which payloads each MIKEY data type carries, and the codec for each payload type.

The message definitions come from RFC 3830 §3.1-3.3 (with the update messages of §4.5
and the error message of §5.1.2), RFC 4650 §3, RFC 4738 §3, RFC 6043 §4-5, RFC 6267 §4
and RFC 6509 §3-4. They list payloads in a *recommended* order (RFC 3830 §5.2), so only
counts and the last payload are enforced, not the order. General Extension payloads may
appear in any message (RFC 3830 §6.15). ``docs/research/message-payloads.md`` quotes
every definition used here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from mikey.registry import CsIdMapType, DataType, PayloadType
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.extension import GeneralExtensionPayload
from mikey.wire.header import CommonHeader
from mikey.wire.ibake import EncryptedSecretKeyPayload, IbakePayload
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.sakke import SakkePayload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketPayload,
    TicketPolicyPayload,
    TimestampRolePayload,
)

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
        TimestampRolePayload,
        IdRolePayload,
        RandRolePayload,
        TicketPolicyPayload,
        TicketPayload,
        IbakePayload,
        EncryptedSecretKeyPayload,
        GeneralExtensionPayload,
        SakkePayload,
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

    required: tuple[tuple[PayloadType, int], ...] = field(init=False, default=())
    """The payload types with a minimum count, derived from ``counts``."""

    def __post_init__(self) -> None:
        required = tuple((kind, low) for kind, (low, _) in self.counts.items() if low)
        object.__setattr__(self, "required", required)


_COUNT = re.compile(r"^([A-Z_]+)(\?|\*|\+|\{(\d+),(\d+)\})?$")
_NAMES = {"EXT": PayloadType.GENERAL_EXT}


def _rule(
    name: str,
    payloads: str,
    *,
    last: str = "",
    kemac_first: PayloadType = PayloadType.KEY_DATA,
    exclusive: tuple[str, ...] = (),
) -> MessageRule:
    """A rule from a compact form of the RFC's notation: ``X`` exactly one, ``X?`` at most
    one, ``X*`` any number, ``X+`` at least one, ``X{a,b}`` from a to b. General Extension
    payloads are always allowed (RFC 3830 §6.15)."""
    counts: dict[PayloadType, tuple[int, int]] = {PayloadType.GENERAL_EXT: (0, ANY)}
    for token in payloads.split():
        match = _COUNT.match(token)
        assert match is not None, token
        kind = _NAMES.get(match[1]) or PayloadType[match[1]]
        suffix = match[2] or ""
        counts[kind] = {"": (1, 1), "?": (0, 1), "*": (0, ANY), "+": (1, ANY)}.get(
            suffix, (int(match[3] or 0), int(match[4] or 0))
        )
    return MessageRule(
        name,
        counts,
        frozenset(PayloadType[k] for k in last.split()),
        kemac_first,
        tuple(frozenset(PayloadType[k] for k in group.split()) for group in exclusive),
    )


# Minimum counts are those of update messages where the RFC allows them: RAND, and the
# keys (KEMAC, DH, TICKET), may be left out of an update (RFC 3830 §4.5, RFC 6043 §5.2),
# and the data type alone does not say whether a message is an update.
# fmt: off
_VERIFY = _rule("verification message", "T ID? V", last="V")  # RFC 3830 §3.1, §3.2
MESSAGE_RULES: dict[int, MessageRule] = {
    # RFC 3830 §3.1, §4.5: HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC
    DataType.PRE_SHARED: _rule(
        "pre-shared key I_MESSAGE", "T RAND? ID{0,2} SP* KEMAC", last="KEMAC"
    ),
    DataType.PSK_VER_MSG: _VERIFY,
    # RFC 3830 §3.2, §4.5: HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, KEMAC, [CHASH], PKE, SIGNi
    DataType.PUBLIC_KEY: _rule(
        "public-key I_MESSAGE", "T RAND? ID{0,2} CERT* SP* KEMAC? CHASH? PKE SIGN",
        last="SIGN", kemac_first=PayloadType.ID,
    ),
    DataType.PK_VER_MSG: _VERIFY,
    # RFC 3830 §3.3, §4.5: HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi
    DataType.DH_INIT: _rule("DH I_MESSAGE", "T RAND? ID{0,2} CERT* SP* DH? SIGN", last="SIGN"),
    # RFC 3830 §3.3, §4.5: HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr
    DataType.DH_RESP: _rule("DH R_MESSAGE", "T ID{1,2} CERT* DH{0,2} SIGN", last="SIGN"),
    # RFC 3830 §5.1.2: HDR, T, {ERR}, {SP}, [V|SIGNr]
    DataType.ERROR: _rule("error message", "T ERR* SP* V? SIGN?", exclusive=("V SIGN",)),
    # RFC 4650 §3: HDR, T, RAND, [IDi|CERTi], IDr, {SP}, DHi, KEMAC (a MAC, no keys)
    DataType.DHHMAC_INIT: _rule(
        "DHHMAC I_MESSAGE", "T RAND? ID{1,2} SP* DH? KEMAC", last="KEMAC"
    ),
    # RFC 4650 §3: HDR, T, [IDr|CERTr], IDi, DHr, DHi, KEMAC
    DataType.DHHMAC_RESP: _rule("DHHMAC R_MESSAGE", "T ID{1,2} DH{0,2} KEMAC", last="KEMAC"),
    # RFC 4738 §3: HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, SIGNi
    DataType.RSA_R_I_MSG: _rule("RSA-R I_MESSAGE", "T RAND? ID{0,2} CERT* SP* SIGN", last="SIGN"),
    # RFC 4738 §3: HDR, [GenExt(CSB_ID)], T, [RAND], [IDr|CERTr], [SP], KEMAC, PKE, SIGNr
    DataType.RSA_R_R_MSG: _rule(
        "RSA-R R_MESSAGE", "T RAND? ID{0,2} CERT* SP* KEMAC PKE SIGN",
        last="SIGN", kemac_first=PayloadType.ID,
    ),
    # RFC 6043 §4.1-4.4 and §5: the ticket exchanges; IDR replaces ID throughout.
    DataType.REQUEST_INIT_PSK: _rule("REQUEST_INIT_PSK", "T RANDR IDR* TP V", last="V"),
    DataType.REQUEST_INIT_PK: _rule(
        "REQUEST_INIT_PK", "T RANDR IDR* CERT* TP CHASH? PKE SIGN", last="SIGN"
    ),
    DataType.REQUEST_RESP: _rule("REQUEST_RESP", "T IDR* TICKET KEMAC V", last="V"),
    DataType.TRANSFER_INIT: _rule(
        "TRANSFER_INIT", "T RANDR? IDR* SP* TICKET? KEMAC? V", last="V"
    ),
    DataType.TRANSFER_RESP: _rule("TRANSFER_RESP", "T RANDR? IDR* SP* KEMAC? V", last="V"),
    DataType.RESOLVE_INIT_PSK: _rule("RESOLVE_INIT_PSK", "T RANDR IDR* TICKET V", last="V"),
    DataType.RESOLVE_INIT_PK: _rule(
        "RESOLVE_INIT_PK", "T RANDR IDR* CERT* TICKET CHASH? PKE SIGN", last="SIGN"
    ),
    DataType.RESOLVE_RESP: _rule("RESOLVE_RESP", "T IDR* KEMAC RANDR? V", last="V"),
    # RFC 6267 §4: the IBAKE key request and the IBAKE exchange itself. Messages 22-24
    # carry no MAC or signature, so no last payload is fixed for them.
    DataType.REQUEST_KEY_PSK: _rule("REQUEST_KEY_PSK", "T RAND IDR{2,255} KEMAC? V", last="V"),
    DataType.REQUEST_KEY_PKE: _rule(
        "REQUEST_KEY_PKE", "T RAND IDR{2,255} CERT* KEMAC? CHASH? PKE SIGN", last="SIGN"
    ),
    DataType.REQUEST_KEY_RESP: _rule(
        "REQUEST_KEY_RESP", "T IDR* KEMAC V", last="V", kemac_first=PayloadType.IDR
    ),
    DataType.I_MESSAGE_1: _rule("IBAKE I_MESSAGE_1", "T RAND? IDR{0,2} IBAKE? ESK?"),
    DataType.R_MESSAGE_1: _rule("IBAKE R_MESSAGE_1", "T IDR{0,2} IBAKE? V?"),
    DataType.I_MESSAGE_2: _rule("IBAKE I_MESSAGE_2", "T RAND IDR{2,2} IBAKE ESK?"),
    DataType.R_MESSAGE_2: _rule("IBAKE R_MESSAGE_2", "T IDR* IBAKE? V", last="V"),
    # RFC 6509 §2.1: HDR, T, RAND, [IDRi], [IDRr], [IDRkmsi], [IDRkmsr], [CERT], {SP},
    # SAKKE, SIGN
    DataType.SAKKE_MSG: _rule("SAKKE I_MESSAGE", "T RAND IDR* CERT* SP* SAKKE SIGN", last="SIGN"),
}
# fmt: on


def check(
    header: CommonHeader, payloads: Sequence[Payload], *, sp_with_empty_map: bool = False
) -> tuple[int | None, str] | None:
    """The first violation of the message rules as (payload index or None, what), or None.

    Data types that are not registered are not checked here: a Responder answers them
    with Invalid DT (RFC 3830 §6.12).
    """
    kinds = tuple([p.payload_type for p in payloads])
    return _check_shape(
        header.data_type, header.cs_id_map.map_type is CsIdMapType.EMPTY, kinds, sp_with_empty_map
    )


# The verdict depends only on the message's shape, and peers send a few shapes over and
# over: it is cached (a bounded LRU, so odd shapes from a fuzzer cannot grow it).
@lru_cache(maxsize=1024)
def _check_shape(
    data_type: int, empty_map: bool, kinds: tuple[PayloadType, ...], sp_with_empty_map: bool
) -> tuple[int | None, str] | None:
    if _P.SIGN in kinds[:-1]:
        # SIGN has no Next payload field, so nothing can follow it (RFC 3830 §6.5).
        return kinds.index(_P.SIGN), "SIGN must be the last payload"
    if _P.KEY_DATA in kinds:
        return kinds.index(_P.KEY_DATA), "key data sub-payloads belong inside a KEMAC"
    if empty_map and _P.SP in kinds and not sp_with_empty_map:
        # RFC 4563 §5: with the Empty map "there MUST NOT be any Security Policy payload".
        return kinds.index(_P.SP), "an Empty map message must not carry SP payloads"
    rule = MESSAGE_RULES.get(data_type)
    if rule is None:
        return None
    seen: dict[PayloadType, int] = {}
    counts = rule.counts
    for index, kind in enumerate(kinds):
        n = seen[kind] = seen.get(kind, 0) + 1
        low_high = counts.get(kind)
        if low_high is None:
            return index, f"a {rule.name} cannot carry a {kind.label} payload"
        if n > low_high[1]:
            return index, f"a {rule.name} carries at most {low_high[1]} {kind.label} payload(s)"
    for group in rule.exclusive:
        if sum(seen.get(k, 0) for k in group) > 1:
            names = " or ".join(sorted(k.label for k in group))
            return None, f"a {rule.name} carries only one of {names}"
    for kind, low in rule.required:
        if seen.get(kind, 0) < low:
            return None, f"a {rule.name} needs {'a' if low == 1 else low} {kind.label} payload"
    if rule.last and (not kinds or kinds[-1] not in rule.last):
        names = " or ".join(sorted(k.label for k in rule.last))
        return (len(kinds) - 1 if kinds else None), f"a {rule.name} must end with {names}"
    return None


def kemac_first_sub_payload(data_type: DataType | int) -> PayloadType:
    rule = MESSAGE_RULES.get(data_type)
    return PayloadType.KEY_DATA if rule is None else rule.kemac_first
