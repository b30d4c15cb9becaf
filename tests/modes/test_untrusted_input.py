"""Whatever bytes reach a Responder or an Initiator of the certificate and DH methods, the
result is a refusal with a MikeyError, never another exception, and nothing is kept:
arbitrary bytes, and real messages with bytes changed (property tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mikey.errors import MikeyError
from mikey.modes import (
    DhHmacInitiator,
    DhHmacResponder,
    DhSignInitiator,
    DhSignResponder,
    PkeInitiator,
    PkeResponder,
    RsaRInitiator,
    RsaRResponder,
)

from .certificates import BOB, NOW, Pki, make_pki, uri

PKI = make_pki()  # module level: hypothesis re-runs the test body, not fixtures


def _responders() -> dict[str, Callable[[], object]]:
    trust = PKI.trust()
    return {
        "pke": lambda: PkeResponder(
            private_key=PKI.bob.key, certificate=PKI.bob.chain[0], trust=trust
        ),
        "rsa_r": lambda: RsaRResponder(
            private_key=PKI.bob.key, certificates=PKI.bob.chain, trust=trust, identity=BOB
        ),
        "dh_sign": lambda: DhSignResponder(
            private_key=PKI.bob.key, certificates=PKI.bob.chain, trust=trust
        ),
        "dhhmac": lambda: DhHmacResponder(psk=b"shared key", identity=b"bob"),
    }


def _requests(pki: Pki) -> dict[str, bytes]:
    trust = pki.trust()
    alice = {"private_key": pki.alice.key, "identity": uri(pki.alice)}
    return {
        "pke": PkeInitiator(
            **alice, certificates=pki.alice.chain, peer_certificate=pki.bob.chain[0]
        ).initiate(now=NOW)[0],
        "rsa_r": RsaRInitiator(**alice, certificates=pki.alice.chain, trust=trust).initiate(
            now=NOW
        ),
        "dh_sign": DhSignInitiator(**alice, certificates=pki.alice.chain, trust=trust).initiate(
            now=NOW
        ),
        "dhhmac": DhHmacInitiator(psk=b"shared key", peer_identity=b"bob").initiate(now=NOW),
    }


REQUESTS = _requests(PKI)
METHODS = sorted(REQUESTS)
SLOW = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=40)


@pytest.mark.parametrize("method", METHODS)
def test_the_unaltered_requests_are_accepted(method: str) -> None:
    assert _responders()[method]().receive(REQUESTS[method], now=NOW).accepted  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", METHODS)
@SLOW
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_refused(method: str, data: bytes) -> None:
    responder = _responders()[method]()
    result = responder.receive(data, now=NOW)  # type: ignore[attr-defined]
    assert not result.accepted and isinstance(result.error, MikeyError)
    assert not responder.bundles  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", METHODS)
@SLOW
@given(data=st.data())
def test_changed_requests_are_refused_with_mikey_errors(method: str, data: st.DataObject) -> None:
    request = bytearray(REQUESTS[method])
    positions = st.integers(0, len(request) - 1)
    for index in data.draw(st.lists(positions, min_size=1, max_size=3, unique=True)):
        request[index] ^= data.draw(st.integers(1, 255))
    responder = _responders()[method]()
    result = responder.receive(bytes(request), now=NOW + timedelta(seconds=1))  # type: ignore[attr-defined]
    # Every byte is covered by the signature or the MAC, or is the signature or MAC.
    assert not result.accepted and isinstance(result.error, MikeyError)
    assert not responder.bundles  # type: ignore[attr-defined]
