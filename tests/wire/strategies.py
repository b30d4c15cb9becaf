"""Hypothesis strategies for every payload and for whole messages of every data type.

Values are always valid; invalid bytes come from mutating encoded messages in
``test_message_properties.py``. Extension payload families add their strategies in
``strategies_ticket.py`` and ``strategies_ext.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from mikey.registry import (
    CacheIndicator,
    CertType,
    DataType,
    DhGroup,
    EncrAlg,
    ErrorNo,
    HashFunc,
    IdType,
    KeyDataType,
    MacAlg,
    PayloadType,
    PrfFunc,
    ProtType,
    SType,
    TsType,
)
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.header import (
    CommonHeader,
    EmptyMap,
    GenericIdEntry,
    GenericIdMap,
    SrtpIdEntry,
    SrtpIdMap,
    SrtpSessionData,
)
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, encode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.rules import ANY, MESSAGE_RULES

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)


def blob(max_size: int = 40, min_size: int = 0) -> st.SearchStrategy[bytes]:
    return st.binary(min_size=min_size, max_size=max_size)


def enum_or_unassigned(enum: type, low: int, high: int = 0xFF) -> st.SearchStrategy[int]:
    """Registered members and numbers IANA has not assigned (``Enum | int`` fields)."""
    return st.one_of(st.sampled_from(list(enum)), st.integers(low, high))


validity = st.one_of(
    st.none(),
    st.builds(SpiValidity, spi=blob(8)),
    st.builds(IntervalValidity, valid_from=blob(8), valid_to=blob(8)),
)


@st.composite
def key_data(draw: st.DrawFn) -> KeyDataSubPayload:
    key_type = draw(st.sampled_from(list(KeyDataType)))
    salt = draw(blob(16)) if key_type.has_salt else None
    return KeyDataSubPayload(
        key_type=key_type, key=draw(blob(48)), salt=salt, validity=draw(validity)
    )


@st.composite
def kemac(draw: st.DrawFn, first: PayloadType = PayloadType.KEY_DATA) -> KemacPayload:
    mac_alg = draw(st.sampled_from(list(MacAlg)))
    mac = draw(blob(mac_alg.mac_length, mac_alg.mac_length))
    encr_alg = draw(enum_or_unassigned(EncrAlg, 4))
    if encr_alg == EncrAlg.NULL:
        inner: list[Payload] = [] if first is PayloadType.KEY_DATA else [draw(PAYLOADS[first])]
        inner += draw(st.lists(key_data(), max_size=3))
        encr_data = encode_sub_payloads(inner)
    else:
        encr_data = draw(blob(64))
    return KemacPayload(encr_alg=encr_alg, encr_data=encr_data, mac_alg=mac_alg, mac=mac)


@st.composite
def timestamp(draw: st.DrawFn) -> TimestampPayload:
    ts_type = draw(st.sampled_from(list(TsType)))
    value = draw(st.integers(0, (1 << (8 * ts_type.value_length)) - 1))
    return TimestampPayload(ts_type=ts_type, value=value)


@st.composite
def verification(draw: st.DrawFn) -> VerificationPayload:
    alg = draw(st.sampled_from(list(MacAlg)))
    return VerificationPayload(auth_alg=alg, ver_data=draw(blob(alg.mac_length, alg.mac_length)))


@st.composite
def dh(draw: st.DrawFn) -> DhPayload:
    group = draw(st.sampled_from(list(DhGroup)))
    value = draw(blob(group.value_length, group.value_length))
    return DhPayload(dh_group=group, dh_value=value, validity=draw(validity))


@st.composite
def chash(draw: st.DrawFn) -> CertHashPayload:
    func = draw(st.sampled_from(list(HashFunc)))
    return CertHashPayload(hash_func=func, hash=draw(blob(func.digest_length, func.digest_length)))


id_payload = st.builds(IdPayload, id_type=enum_or_unassigned(IdType, 3), data=blob(30))
policy = st.builds(
    SecurityPolicyPayload,
    policy_no=u8,
    prot_type=enum_or_unassigned(ProtType, 2),
    params=st.lists(st.builds(PolicyParam, type=u8, value=blob(6)), max_size=8).map(tuple),
)

PAYLOADS: dict[PayloadType, st.SearchStrategy[Payload]] = {
    PayloadType.KEMAC: kemac(),
    PayloadType.PKE: st.builds(
        EnvelopePayload, data=blob(80), cache=enum_or_unassigned(CacheIndicator, 3, 3)
    ),
    PayloadType.DH: dh(),
    PayloadType.SIGN: st.builds(
        SignaturePayload, s_type=enum_or_unassigned(SType, 3, 15), signature=blob(80)
    ),
    PayloadType.T: timestamp(),
    PayloadType.ID: id_payload,
    PayloadType.CERT: st.builds(
        CertPayload, cert_type=enum_or_unassigned(CertType, 4), data=blob(80)
    ),
    PayloadType.CHASH: chash(),
    PayloadType.V: verification(),
    PayloadType.SP: policy,
    PayloadType.RAND: st.builds(RandPayload, rand=blob(32)),
    PayloadType.ERR: st.builds(ErrorPayload, error_no=enum_or_unassigned(ErrorNo, 16)),
}
"""One strategy per top-level payload type; extension modules add theirs."""


def _merge_extension_strategies() -> None:
    from tests.wire import strategies_ext, strategies_ticket

    PAYLOADS.update(strategies_ticket.PAYLOADS)
    PAYLOADS.update(strategies_ext.PAYLOADS)


_merge_extension_strategies()


def payload_of_type(kind: PayloadType) -> st.SearchStrategy[Payload]:
    return PAYLOADS[kind]


srtp_map = st.builds(
    SrtpIdMap,
    entries=st.lists(st.builds(SrtpIdEntry, policy_no=u8, ssrc=u32, roc=u32), max_size=4).map(
        tuple
    ),
)


@st.composite
def generic_entry(draw: st.DrawFn) -> GenericIdEntry:
    prot_type = draw(enum_or_unassigned(ProtType, 2))
    s_flag = draw(st.booleans())
    if prot_type == ProtType.SRTP:
        with_data = draw(st.booleans())
        if with_data:
            roc_seq = (draw(u32), draw(u16)) if s_flag else (None, None)
            session = SrtpSessionData(ssrc=draw(u32), roc=roc_seq[0], seq=roc_seq[1]).encode()
        else:
            session = b""
    else:
        session = draw(blob(12))
    return GenericIdEntry(
        cs_id=draw(u8),
        prot_type=prot_type,
        s_flag=s_flag,
        policy_nos=tuple(draw(st.lists(u8, max_size=4))),
        session_data=session,
        spi=draw(blob(6)),
    )


generic_map = st.builds(GenericIdMap, entries=st.lists(generic_entry(), max_size=3).map(tuple))
empty_map = st.builds(EmptyMap, cs_count=u8)


def header(
    data_type: st.SearchStrategy[int], maps: st.SearchStrategy[object] | None = None
) -> st.SearchStrategy[CommonHeader]:
    return st.builds(
        CommonHeader,
        data_type=data_type,
        csb_id=u32,
        cs_id_map=maps if maps is not None else st.one_of(srtp_map, empty_map, generic_map),
        v=st.booleans(),
        prf_func=enum_or_unassigned(PrfFunc, 2, 127),
    )


@st.composite
def message_of(
    draw: st.DrawFn,
    data_type: int,
    strategies: Callable[[PayloadType], st.SearchStrategy[Payload]] | None = None,
) -> Message:
    """A valid message of ``data_type``: payload counts within the rules, last payload last."""
    lookup = strategies or payload_of_type
    rule = MESSAGE_RULES[data_type]
    kinds: list[PayloadType] = []
    for kind, (low, high) in rule.counts.items():
        if kind not in PAYLOADS and kind is not PayloadType.KEMAC:
            continue
        kinds += [kind] * draw(st.integers(low, min(high if high != ANY else low + 2, low + 2)))
    for group in rule.exclusive:
        present = [k for k in kinds if k in group]
        for extra in present[1:]:
            kinds.remove(extra)
    kinds = draw(st.permutations(kinds))
    if PayloadType.SIGN in kinds:
        kinds = [k for k in kinds if k is not PayloadType.SIGN] + [PayloadType.SIGN]
    elif rule.last:
        last = next(k for k in kinds if k in rule.last)
        kinds.remove(last)
        kinds.append(last)
    payloads = []
    for kind in kinds:
        if kind is PayloadType.KEMAC:
            payloads.append(draw(kemac(rule.kemac_first)))
        else:
            payloads.append(draw(lookup(kind)))
    has_sp = PayloadType.SP in kinds
    maps = st.one_of(srtp_map, generic_map) if has_sp else None
    return Message(header=draw(header(st.just(data_type), maps)), payloads=tuple(payloads))


def registered_data_types() -> list[int]:
    return sorted(MESSAGE_RULES)


def all_data_types() -> list[DataType]:
    return list(DataType)
