"""Hypothesis strategies for the SAKKE payload (RFC 6509 §4.2) and the General Extension
payload (RFC 3830 §6.15) with every typed content: valid values only.

Registry fields kept as ``Enum | int`` draw registered members and numbers from the
Private Use range; Reserved and unassigned numbers are refused by the codec and never
drawn. General Extensions of unregistered types (8-255) carry arbitrary bytes.
"""

from __future__ import annotations

from hypothesis import strategies as st

from mikey.registry import (
    GeneralExtType,
    IdScheme,
    KeyIdType,
    OmaBcastDataSubtype,
    PayloadType,
    Registry,
    SakkeParams,
)
from mikey.wire.extension import (
    KEY_ID_PRIVATE_USE,
    OMA_BCAST_PRIVATE_USE,
    CsbId,
    GeneralExtensionContent,
    GeneralExtensionPayload,
    KeyIdInformation,
    KeyIdSubPayload,
    OmaBcast,
    SakkeToSelf,
    SdpIds,
    TeslaIKey,
    ThreeGppKeyParameters,
    VendorId,
)
from mikey.wire.payload import Payload
from mikey.wire.sakke import SAKKE_PRIVATE_USE, SakkePayload, encapsulated_data_length

__all__ = [
    "CONTENT_STRATEGIES",
    "PAYLOADS",
    "PAYLOAD_STRATEGIES",
    "general_extensions",
    "sakke_payloads",
    "unregistered_general_extensions",
]

_MAX_DATA = 300  # enough to cross one-byte length boundaries without slow examples


def _data(max_size: int = _MAX_DATA, min_size: int = 0) -> st.SearchStrategy[bytes]:
    return st.binary(min_size=min_size, max_size=max_size)


def _member_or_private(registry: type[Registry], private_use: range) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from(list(registry)), st.integers(private_use.start, private_use.stop - 1)
    )


@st.composite
def _sakke_data(draw: st.DrawFn, sakke_params: int) -> bytes:
    length = encapsulated_data_length(sakke_params)
    if length is None:  # private-use parameter set: any length
        return draw(_data())
    return b"\x04" + draw(_data(length - 1, length - 1))


@st.composite
def sakke_payloads(draw: st.DrawFn) -> SakkePayload:
    sakke_params = draw(_member_or_private(SakkeParams, SAKKE_PRIVATE_USE))
    return SakkePayload(
        sakke_params=sakke_params,
        id_scheme=draw(_member_or_private(IdScheme, SAKKE_PRIVATE_USE)),
        sakke_data=draw(_sakke_data(sakke_params)),
    )


_kmpids = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
    min_size=1,
    max_size=12,
)

CONTENT_STRATEGIES: dict[
    type[GeneralExtensionContent], st.SearchStrategy[GeneralExtensionContent]
] = {
    VendorId: st.builds(VendorId, data=_data()),
    SdpIds: st.builds(SdpIds, ids=st.lists(_kmpids, min_size=1, max_size=5).map(tuple)),
    TeslaIKey: st.builds(TeslaIKey, key=_data(min_size=1)),
    KeyIdInformation: st.builds(
        KeyIdInformation,
        key_ids=st.lists(
            st.builds(
                KeyIdSubPayload,
                key_id_type=_member_or_private(KeyIdType, KEY_ID_PRIVATE_USE),
                key_id=_data(255),
            ),
            min_size=1,
            max_size=4,
        ).map(tuple),
    ),
    CsbId: st.builds(CsbId, csb_id=st.integers(0, 0xFFFFFFFF)),
    OmaBcast: st.builds(
        OmaBcast,
        subtype=_member_or_private(OmaBcastDataSubtype, OMA_BCAST_PRIVATE_USE),
        data=_data(),
    ),
    SakkeToSelf: st.builds(SakkeToSelf, sakke=sakke_payloads()),
    ThreeGppKeyParameters: st.builds(ThreeGppKeyParameters, protected_payload=_data()),
}
"""One strategy per registered General Extension type (RFC 3830 Table 6.15 and after)."""


def general_extensions(
    content: st.SearchStrategy[GeneralExtensionContent],
) -> st.SearchStrategy[GeneralExtensionPayload]:
    return content.map(GeneralExtensionPayload.from_content)


unregistered_general_extensions = st.builds(
    GeneralExtensionPayload,
    ext_type=st.integers(max(GeneralExtType) + 1, 0xFF),
    data=_data(),
)
"""Unassigned (8-240) and private-use (241-255) types, carried as bytes."""

PAYLOAD_STRATEGIES: list[st.SearchStrategy[Payload]] = [
    sakke_payloads(),
    *(general_extensions(content) for content in CONTENT_STRATEGIES.values()),
    unregistered_general_extensions,
]
"""Every payload class of ``mikey.wire.sakke`` and ``mikey.wire.extension``."""

PAYLOADS: dict[PayloadType, st.SearchStrategy[Payload]] = {
    PayloadType.SAKKE: PAYLOAD_STRATEGIES[0],
    PayloadType.GENERAL_EXT: st.one_of(PAYLOAD_STRATEGIES[1:]),
}
"""The same strategies by payload type, to merge into ``tests.wire.strategies.PAYLOADS``."""
