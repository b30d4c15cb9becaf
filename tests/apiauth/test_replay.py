"""Nonce stores and ``verify_request``: RFC 9421 verification with replay protection
(RFC 9421 §7.2.2)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from mikey.apiauth import (
    HttpRequest,
    MemoryNonceStore,
    SignatureFailure,
    VerificationKey,
    remember_nonce,
    sign,
    static_keys,
    verify_request,
)
from mikey.errors import MikeySignatureError, MikeyValueError

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)
KEY = ed25519.Ed25519PrivateKey.generate()
KEYS = static_keys({"k1": VerificationKey(key=KEY.public_key())})
REQUEST = HttpRequest(method="GET", target_uri="https://api.example.com/v1/keys")


def signed(nonce: str | None, created: datetime = NOW) -> HttpRequest:
    return sign(
        REQUEST, key=KEY, key_id="k1", components=["@method"], created=created, nonce=nonce
    ).apply(REQUEST)


def test_memory_store_first_time_then_replay_then_expiry() -> None:
    store = MemoryNonceStore()
    assert store.remember("k1", "n", LATER, now=NOW)
    assert not store.remember("k1", "n", LATER, now=NOW)
    assert store.remember("k2", "n", LATER, now=NOW)  # nonces are per key
    assert store.remember("k1", "n", LATER + timedelta(minutes=1), now=LATER)  # expired
    assert len(store) == 1  # ("k2", "n") expired as well


def test_memory_store_is_bounded_and_fails_closed() -> None:
    store = MemoryNonceStore(max_entries=2)
    assert store.remember("k", "a", LATER, now=NOW)
    assert store.remember("k", "b", LATER, now=NOW)
    with pytest.raises(MikeySignatureError) as caught:
        store.remember("k", "c", LATER, now=NOW)
    assert caught.value.reason == SignatureFailure.STORE_UNAVAILABLE
    assert store.remember("k", "c", LATER + timedelta(minutes=1), now=LATER)  # room again
    with pytest.raises(MikeyValueError):
        MemoryNonceStore(max_entries=0)


def test_memory_store_is_atomic_across_threads() -> None:
    store = MemoryNonceStore()
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(store.remember("k", "same", LATER, now=NOW))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_a_store_that_fails_refuses() -> None:
    class Broken:
        def remember(self, key_id: str, nonce: str, expires_at: datetime, *, now: datetime) -> bool:
            raise ConnectionError("redis is down")

    with pytest.raises(MikeySignatureError, match="redis is down") as caught:
        remember_nonce(Broken(), "k", "n", expires_at=LATER, now=NOW)
    assert caught.value.reason == SignatureFailure.STORE_UNAVAILABLE


def test_verify_request_refuses_a_replay() -> None:
    store = MemoryNonceStore()
    message = signed("abc")
    verified = verify_request(message, keys=KEYS, now=NOW, nonces=store)
    assert verified.nonce == "abc"
    with pytest.raises(MikeySignatureError) as caught:
        verify_request(message, keys=KEYS, now=LATER, nonces=store)
    assert caught.value.reason == SignatureFailure.REPLAYED
    assert caught.value.label == "sig1"
    assert verify_request(signed("def"), keys=KEYS, now=NOW, nonces=store).nonce == "def"


def test_verify_request_requires_a_nonce() -> None:
    with pytest.raises(MikeySignatureError) as caught:
        verify_request(signed(None), keys=KEYS, now=NOW, nonces=MemoryNonceStore())
    assert caught.value.reason == SignatureFailure.PARAMETER_MISSING


def test_verify_request_keeps_verify_freshness() -> None:
    store = MemoryNonceStore()
    old = signed("abc", created=NOW - timedelta(minutes=10))
    with pytest.raises(MikeySignatureError) as caught:
        verify_request(old, keys=KEYS, now=NOW, nonces=store)
    assert caught.value.reason == SignatureFailure.TOO_OLD
    assert len(store) == 0  # a refused request does not use up its nonce


def test_nonce_is_kept_as_long_as_the_signature_is_fresh() -> None:
    store = MemoryNonceStore()
    message = signed("abc")
    verify_request(message, keys=KEYS, now=NOW, nonces=store, max_age=timedelta(minutes=5))
    end_of_window = NOW + timedelta(minutes=5)
    with pytest.raises(MikeySignatureError) as caught:
        verify_request(message, keys=KEYS, now=end_of_window, nonces=store)
    assert caught.value.reason == SignatureFailure.REPLAYED
