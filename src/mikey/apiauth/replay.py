"""Replay protection for signed requests: a nonce store, and RFC 9421 verification that
uses it.

A signature is only fresh once: RFC 9421 §7.2.2 leaves nonce uniqueness to the verifier,
and the ``PKI`` scheme (``mikey.apiauth.pki_scheme``) needs the same check. A
``NonceStore`` remembers each (key id, nonce) pair until the signature it came with would
be refused as too old anyway, so a bounded store suffices.

A store that cannot answer (full, unreachable) refuses the request: security decisions fail
closed (DESIGN.md, Error model).
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from mikey.apiauth.algorithms import Algorithm
from mikey.apiauth.components import ComponentId, HttpMessage
from mikey.apiauth.failure import SignatureFailure
from mikey.apiauth.signatures import (
    DEFAULT_CLOCK_SKEW,
    DEFAULT_MAX_AGE,
    KeyResolver,
    VerifiedSignature,
    verify,
)
from mikey.errors import MikeySignatureError, MikeyValueError

__all__ = [
    "DEFAULT_MAX_NONCES",
    "MemoryNonceStore",
    "NonceStore",
    "remember_nonce",
    "verify_request",
]

DEFAULT_MAX_NONCES = 100_000
"""How many unexpired nonces a ``MemoryNonceStore`` holds by default."""


class NonceStore(Protocol):
    """Remembers nonces per key until they expire.

    ``remember`` is one atomic "first time?" question: it records ``(key_id, nonce)`` until
    ``expires_at`` and returns True, or returns False when the pair is already held and
    has not expired. ``now`` is the caller's clock (sans-I/O: the store reads none), used to
    drop expired entries. A store that cannot answer raises; the verifier refuses.
    """

    def remember(self, key_id: str, nonce: str, expires_at: datetime, *, now: datetime) -> bool:
        """Record the pair; True if it was not held."""
        ...


class MemoryNonceStore:
    """A ``NonceStore`` in this process's memory: thread-safe, bounded, expiring.

    Entries are dropped once expired (a heap ordered by expiry makes that cheap). When
    ``max_entries`` unexpired entries are held, a new one is refused with reason "nonce store
    unavailable" rather than evicting a live one, which would let that nonce be replayed.
    For several processes use a shared store (Redis, not in this module).
    """

    def __init__(self, *, max_entries: int = DEFAULT_MAX_NONCES) -> None:
        if max_entries < 1:
            raise MikeyValueError("a nonce store must hold at least one entry")
        self._max_entries = max_entries
        self._expiry: dict[tuple[str, str], float] = {}
        self._heap: list[tuple[float, tuple[str, str]]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._expiry)

    def remember(self, key_id: str, nonce: str, expires_at: datetime, *, now: datetime) -> bool:
        """Record ``(key_id, nonce)`` until ``expires_at``; False if already held.

        :raises MikeySignatureError: reason "nonce store unavailable" when full.
        """
        entry, expires, moment = (key_id, nonce), expires_at.timestamp(), now.timestamp()
        with self._lock:
            self._drop_expired(moment)
            if entry in self._expiry:
                return False
            if len(self._expiry) >= self._max_entries:
                raise MikeySignatureError(
                    f"the nonce store holds {self._max_entries} live nonces and takes no more",
                    reason=SignatureFailure.STORE_UNAVAILABLE,
                )
            self._expiry[entry] = expires
            heapq.heappush(self._heap, (expires, entry))
            return True

    def _drop_expired(self, moment: float) -> None:
        while self._heap and self._heap[0][0] <= moment:
            expires, entry = heapq.heappop(self._heap)
            if self._expiry.get(entry) == expires:
                del self._expiry[entry]


def remember_nonce(
    nonces: NonceStore,
    key_id: str,
    nonce: str,
    *,
    expires_at: datetime,
    now: datetime,
    label: str | None = None,
) -> None:
    """Ask ``nonces`` whether ``(key_id, nonce)`` is new; refuse it if not. Call it only
    after the signature verified, so that forged requests cannot use up nonces.

    :raises MikeySignatureError: reason "replayed"; "nonce store unavailable" when the store
        raised anything but a ``MikeySignatureError`` (fail closed).
    """
    try:
        first = nonces.remember(key_id, nonce, expires_at, now=now)
    except MikeySignatureError:
        raise
    except Exception as error:  # any store fault refuses the request (DESIGN.md)
        raise MikeySignatureError(
            f"the nonce store cannot answer: {error}",
            reason=SignatureFailure.STORE_UNAVAILABLE,
            label=label,
        ) from error
    if not first:
        raise MikeySignatureError(
            f"nonce {nonce!r} of key {key_id!r} was already used",
            reason=SignatureFailure.REPLAYED,
            label=label,
        )


def verify_request(
    message: HttpMessage,
    *,
    keys: KeyResolver,
    now: datetime,
    nonces: NonceStore,
    max_age: timedelta = DEFAULT_MAX_AGE,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    label: str | None = None,
    tag: str | None = None,
    required_components: Collection[str | ComponentId] = (),
    algorithms: Collection[Algorithm] = frozenset(Algorithm),
) -> VerifiedSignature:
    """``verify`` (RFC 9421 §3.2) with replay protection (§7.2.2): the signature must carry
    ``created`` and ``nonce`` (§2.3), and its (``keyid``, ``nonce``) pair must be new to
    ``nonces``. The pair is remembered until ``created + max_age + clock_skew``, after which
    ``verify`` refuses the signature as too old anyway. A signature without ``keyid`` is
    remembered under the key id "".

    :raises MikeySignatureError: as ``verify`` does (reason "parameter missing" without a
        nonce), or reason "replayed" / "nonce store unavailable".
    :raises MikeyValueError: ``now`` is a naive datetime.
    """
    verified = verify(
        message,
        keys=keys,
        now=now,
        label=label,
        tag=tag,
        max_age=max_age,
        clock_skew=clock_skew,
        required_components=required_components,
        required_parameters=("created", "nonce"),
        algorithms=algorithms,
    )
    # required_parameters made sure both are there
    created, nonce = verified.created, verified.nonce
    assert created is not None and nonce is not None
    remember_nonce(
        nonces,
        verified.key_id or "",
        nonce,
        expires_at=created + max_age + clock_skew,
        now=now,
        label=verified.label,
    )
    return verified
