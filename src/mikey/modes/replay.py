"""Replay protection for Responders (RFC 3830 §5.3, §5.4, §6.6).

Clock timestamps (NTP-UTC, NTP, NTP-UTC-32): a message is accepted only within the
allowed clock skew of the Responder's clock, and only once: the replay cache remembers
each accepted message by a hash of its bytes and its timestamp ("30 bytes for each
incoming authenticated message (the hash of the message is 20 bytes)", §5.4) until the
timestamp leaves the window. The cache is bounded. When it is full, the entry with the
oldest timestamp is dropped and every message not newer than it is refused from then on:
the window shrinks instead of forgetting, which is §5.4's "dynamically decrease the
looseness" and keeps the check closed under flooding.

COUNTER timestamps (§6.6) carry no time: each peer's counter must grow, so the cache
keeps the highest counter accepted per peer. When that table is full, messages from new
peers are refused rather than forgetting an old peer's counter.

Only messages that passed authentication are recorded (§5.3): ``check`` first, then
``record`` with what it returned once the MAC verified.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta

from mikey.errors import MikeyReplayError, MikeyTimestampError, MikeyValueError
from mikey.registry import TsType
from mikey.wire.basic import TimestampPayload

__all__ = ["ReplayCache", "ReplayEntry"]


@dataclass(slots=True, kw_only=True)  # short-lived: made per message, not frozen for speed
class ReplayEntry:
    """What ``ReplayCache.check`` learnt of a message, for ``record`` to store: the
    message digest and time for clock timestamps, the counter for COUNTER."""

    now: datetime
    peer: bytes = b""
    digest: bytes | None = None
    when: datetime | None = None
    counter: int | None = None


class ReplayCache:
    """A bounded replay cache with a clock-skew window (RFC 3830 §5.4).

    ``clock_skew`` is how far a timestamp may be from the local clock, either way.
    ``max_entries`` bounds the clock-timestamp cache, ``max_counter_peers`` the COUNTER
    table. Memory is about 150 bytes per entry.
    """

    def __init__(
        self,
        *,
        clock_skew: timedelta = timedelta(minutes=5),
        max_entries: int = 100_000,
        max_counter_peers: int = 10_000,
    ) -> None:
        if clock_skew <= timedelta(0):
            raise MikeyValueError("clock_skew must be positive")
        if max_entries < 1 or max_counter_peers < 1:
            raise MikeyValueError("the replay cache needs room for at least one entry")
        self.clock_skew = clock_skew
        self.max_entries = max_entries
        self.max_counter_peers = max_counter_peers
        self._seen: dict[bytes, datetime] = {}
        self._by_time: list[tuple[datetime, bytes]] = []  # heap: oldest timestamp first
        self._floor: datetime | None = None  # refuse timestamps not after this
        self._counters: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._seen) + len(self._counters)

    def _expire(self, now: datetime) -> None:
        horizon = now - self.clock_skew
        while self._by_time and self._by_time[0][0] < horizon:
            _, digest = heapq.heappop(self._by_time)
            del self._seen[digest]

    def check(
        self, message: bytes, timestamp: TimestampPayload, *, now: datetime, peer: bytes = b""
    ) -> ReplayEntry:
        """Refuse ``message`` if its timestamp is outside the window or it was seen;
        otherwise return the entry ``record`` stores once the message authenticated.

        ``message`` is the message as parsed (without tolerated trailing bytes); ``peer``
        identifies the Initiator for COUNTER timestamps (its ID, or its address).

        :raises MikeyTimestampError: outside the window, or older than what a full cache
            still covers (Invalid TS).
        :raises MikeyReplayError: seen before.
        """
        if now.tzinfo is None:
            raise MikeyValueError(
                "the local clock needs an aware datetime, such as datetime.now(UTC)"
            )
        if timestamp.ts_type == TsType.COUNTER:
            last = self._counters.get(peer)
            if last is not None and timestamp.value <= last:
                raise MikeyReplayError(
                    f"COUNTER {timestamp.value} is not above the last accepted {last}"
                )
            if last is None and len(self._counters) >= self.max_counter_peers:
                raise MikeyTimestampError(
                    "the COUNTER replay table is full: messages from new peers are refused"
                )
            return ReplayEntry(now=now, peer=peer, counter=timestamp.value)
        when = timestamp.to_datetime()
        if abs(when - now) > self.clock_skew:
            raise MikeyTimestampError(
                f"timestamp {when.isoformat()} is more than {self.clock_skew} from the local"
                f" clock {now.isoformat()}"
            )
        if self._floor is not None and when <= self._floor:
            raise MikeyTimestampError(
                f"timestamp {when.isoformat()} is older than the replay cache still covers"
                f" (cache full; newest forgotten {self._floor.isoformat()})"
            )
        digest = hashlib.sha256(message).digest()[:20]
        if digest in self._seen:
            raise MikeyReplayError("this message was accepted before (replay)")
        return ReplayEntry(now=now, peer=peer, digest=digest, when=when)

    def record(self, entry: ReplayEntry) -> None:
        """Remember an authenticated, accepted message (what ``check`` returned for it)."""
        if entry.counter is not None:
            self._counters[entry.peer] = entry.counter
            return
        assert entry.digest is not None and entry.when is not None
        self._expire(entry.now)
        if entry.digest in self._seen:
            return
        while len(self._seen) >= self.max_entries:
            oldest, dropped = heapq.heappop(self._by_time)
            del self._seen[dropped]
            self._floor = oldest if self._floor is None else max(self._floor, oldest)
        self._seen[entry.digest] = entry.when
        heapq.heappush(self._by_time, (entry.when, entry.digest))
