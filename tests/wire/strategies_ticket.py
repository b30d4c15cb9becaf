"""Hypothesis strategies for the MIKEY-TICKET (RFC 6043 §6.4-§6.10) and MIKEY-IBAKE
(RFC 6267 §6.1) payloads: one ``st.builds`` per payload class, valid values only.

Registry fields that the codec keeps as ``Enum | int`` draw both members and raw numbers
(including the Private Use ranges); the rest draw members only.
"""

from __future__ import annotations

from hypothesis import strategies as st

from mikey.registry import (
    EccCurve,
    IdRole,
    IdType,
    MacAlg,
    PayloadType,
    PrfFunc,
    RandRole,
    Registry,
    SkSubPayloadType,
    TicketType,
    TsRole,
    TsType,
)
from mikey.wire.ibake import (
    EcDiffieHellmanSubPayload,
    EncryptedSecretKeyPayload,
    IbakePayload,
    SecretKeySubPayload,
    ecc_point_lengths,
)
from mikey.wire.kemac import IntervalValidity, KeyValidity, SpiValidity
from mikey.wire.payload import Payload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)

__all__ = ["IBAKE_STRATEGIES", "PAYLOADS", "PAYLOAD_STRATEGIES", "TICKET_STRATEGIES"]

_MAX_DATA = 300  # enough to cross one-byte length boundaries without slow examples


def _carried(registry: type[Registry], low: int, high: int) -> st.SearchStrategy[Registry | int]:
    """A registry field the codec keeps as ``Enum | int``: a member, or any number from
    ``low`` to ``high`` (the field's range without the values marked Reserved)."""
    return st.one_of(st.sampled_from(registry), st.integers(low, high))


def _role(registry: type[Registry]) -> st.SearchStrategy[Registry | int]:
    return _carried(registry, 1, 0xFE)  # 0 and 255 are Reserved (RFC 6043 §14)


def _data(max_size: int = _MAX_DATA) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=max_size)


def _timestamp_role(ts_type: TsType) -> st.SearchStrategy[TimestampRolePayload]:
    return st.builds(
        TimestampRolePayload,
        ts_role=_role(TsRole),
        ts_type=st.just(ts_type),
        value=st.integers(0, (1 << (8 * ts_type.value_length)) - 1),
    )


_ticket_policies = st.builds(
    TicketPolicy,
    ticket_type=_carried(TicketType, 1, 0xFFFE),
    subtype=st.integers(0, 255),
    version=st.integers(0, 255),
    prf_func=_carried(PrfFunc, 0, 0x7F),
    flags=st.integers(0, 0xFFF).map(TicketFlag),
    tp_data=_data(),
)

TICKET_STRATEGIES: list[st.SearchStrategy[Payload]] = [
    st.sampled_from(TsType).flatmap(_timestamp_role),
    st.builds(
        IdRolePayload,
        id_role=_role(IdRole),
        id_type=_carried(IdType, 0, 0xFF),
        data=_data(),
    ),
    st.builds(RandRolePayload, rand_role=_role(RandRole), rand=_data(255)),
    st.builds(TicketPolicyPayload, policy=_ticket_policies),
    st.builds(
        TicketPayload,
        policy=_ticket_policies,
        ticket_data=_data(),
        initiator_data=_data(),
    ),
]

_validities: st.SearchStrategy[KeyValidity] = st.one_of(
    st.none(),
    st.builds(SpiValidity, spi=_data(255)),
    st.builds(IntervalValidity, valid_from=_data(255), valid_to=_data(255)),
)


def _ecc_points(curve: EccCurve) -> st.SearchStrategy[bytes]:
    compressed, uncompressed = ecc_point_lengths(curve)
    return st.one_of(
        st.tuples(
            st.sampled_from((0x02, 0x03)),
            st.binary(min_size=compressed - 1, max_size=compressed - 1),
        ),
        st.tuples(st.just(0x04), st.binary(min_size=uncompressed - 1, max_size=uncompressed - 1)),
    ).map(lambda form_rest: bytes((form_rest[0],)) + form_rest[1])


def _ec_diffie_hellman(curve: EccCurve) -> st.SearchStrategy[EcDiffieHellmanSubPayload]:
    return st.builds(
        EcDiffieHellmanSubPayload,
        ecc_curve=st.just(curve),
        ecc_point=_ecc_points(curve),
        auth_alg=_carried(MacAlg, 0, 0xFF),
        tgk_len=st.integers(0, 0xFFFF),
        validity=_validities,
    )


IBAKE_STRATEGIES: list[st.SearchStrategy[Payload]] = [
    st.builds(IbakePayload, encr_data=_data()),
    st.builds(EncryptedSecretKeyPayload, encr_data=_data()),
    st.sampled_from(EccCurve).flatmap(_ec_diffie_hellman),
    st.builds(
        SecretKeySubPayload,
        key=_data(),
        key_type=st.sampled_from(SkSubPayloadType),
        validity=_validities,
    ),
]

PAYLOAD_STRATEGIES: list[st.SearchStrategy[Payload]] = TICKET_STRATEGIES + IBAKE_STRATEGIES
"""Every payload class of ``mikey.wire.ticket`` and ``mikey.wire.ibake``."""

PAYLOADS: dict[PayloadType, st.SearchStrategy[Payload]] = dict(
    zip(
        [
            PayloadType.TR,
            PayloadType.IDR,
            PayloadType.RANDR,
            PayloadType.TP,
            PayloadType.TICKET,
            PayloadType.IBAKE,
            PayloadType.ESK,
            PayloadType.ECCPT,
            PayloadType.SK,
        ],
        PAYLOAD_STRATEGIES,
        strict=True,
    )
)
"""The same strategies by payload type, to merge into ``tests.wire.strategies.PAYLOADS``."""
