"""Routing by data type: the methods a peer accepts are the Responders it is given;
anything else is answered with Invalid DT (RFC 3830 §6.12)."""

from __future__ import annotations

import pytest

from mikey.errors import MikeyInvalidDataTypeError, MikeyParseError
from mikey.modes import (
    DhHmacInitiator,
    DhHmacResponder,
    PskInitiator,
    PskResponder,
    ResponderRouter,
)
from mikey.registry import DataType, ErrorNo
from mikey.wire import decode_message
from mikey.wire.basic import ErrorPayload

from .certificates import NOW

PSK = b"a key for both methods"


def test_each_message_goes_to_its_method_and_others_are_invalid_dt() -> None:
    router = ResponderRouter({DataType.PRE_SHARED: PskResponder(psk=PSK)})
    psk_message, _ = PskInitiator(psk=PSK).initiate(now=NOW)
    assert router.receive(psk_message, now=NOW).accepted
    dh_message = DhHmacInitiator(psk=PSK, peer_identity=b"bob").initiate(now=NOW)
    refused = router.receive(dh_message, now=NOW)
    assert isinstance(refused.error, MikeyInvalidDataTypeError)
    assert "accepted: Pre-shared" in str(refused.error)
    assert refused.reply is not None
    answer = decode_message(refused.reply)
    assert answer.data_type == DataType.ERROR
    assert [e.error_no for e in answer.get_all(ErrorPayload)] == [ErrorNo.INVALID_DT]
    both = ResponderRouter(
        {
            DataType.PRE_SHARED: PskResponder(psk=PSK),
            DataType.DHHMAC_INIT: DhHmacResponder(psk=PSK, identity=b"bob"),
        }
    )
    assert both.receive(dh_message, now=NOW).accepted


def test_garbage_is_dropped_and_an_empty_router_is_a_mistake() -> None:
    router = ResponderRouter({DataType.PRE_SHARED: PskResponder(psk=PSK)})
    result = router.receive(b"\x01\x00garbage", now=NOW)
    assert isinstance(result.error, MikeyParseError) and result.reply is None
    with pytest.raises(ValueError, match="at least one"):
        ResponderRouter({})
