"""Replay protection (RFC 3830 §5.4): the clock-skew window, the bounded cache and its
shrinking window, and COUNTER timestamps (§6.6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mikey.errors import MikeyReplayError, MikeyTimestampError, MikeyValueError
from mikey.modes.replay import ReplayCache
from mikey.registry import TsType
from mikey.wire.basic import TimestampPayload

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def ts(offset_seconds: float) -> TimestampPayload:
    return TimestampPayload.at(NOW + timedelta(seconds=offset_seconds))


def accept(cache: ReplayCache, message: bytes, t: TimestampPayload, **kw: object) -> None:
    cache.record(cache.check(message, t, now=NOW, **kw))  # type: ignore[arg-type]


def test_fresh_messages_pass_once() -> None:
    cache = ReplayCache()
    accept(cache, b"one", ts(0))
    accept(cache, b"two", ts(0))
    with pytest.raises(MikeyReplayError):
        cache.check(b"one", ts(0), now=NOW)
    assert len(cache) == 2


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_timestamps_outside_the_skew_are_refused(offset: int) -> None:
    with pytest.raises(MikeyTimestampError, match="from the local clock"):
        ReplayCache(clock_skew=timedelta(minutes=5)).check(b"m", ts(offset), now=NOW)


@pytest.mark.parametrize("offset", [-299, 0, 299])
def test_timestamps_inside_the_skew_pass(offset: int) -> None:
    ReplayCache(clock_skew=timedelta(minutes=5)).check(b"m", ts(offset), now=NOW)


def test_unrecorded_messages_are_not_remembered() -> None:
    """Only authenticated messages enter the cache (§5.3): check alone records nothing."""
    cache = ReplayCache()
    cache.check(b"m", ts(0), now=NOW)
    cache.check(b"m", ts(0), now=NOW)
    assert len(cache) == 0


def test_entries_expire_with_the_window() -> None:
    cache = ReplayCache(clock_skew=timedelta(seconds=10))
    accept(cache, b"old", ts(-5))
    later = NOW + timedelta(seconds=30)
    cache.record(cache.check(b"new", TimestampPayload.at(later), now=later))
    assert len(cache) == 1


def test_a_full_cache_shrinks_the_window_instead_of_forgetting() -> None:
    cache = ReplayCache(max_entries=3)
    for i in range(3):
        accept(cache, bytes([i]), ts(-10 + i))
    accept(cache, b"newest", ts(0))  # evicts the entry stamped -10
    assert len(cache) == 3
    # The evicted message would now pass the digest check, so its age must refuse it.
    with pytest.raises(MikeyTimestampError, match="older than the replay cache"):
        cache.check(bytes([0]), ts(-10), now=NOW)
    with pytest.raises(MikeyTimestampError):
        cache.check(b"another", ts(-11), now=NOW)
    cache.check(b"another", ts(-9.5), now=NOW)


def counter(value: int) -> TimestampPayload:
    return TimestampPayload(ts_type=TsType.COUNTER, value=value)


def test_counters_must_grow_per_peer() -> None:
    cache = ReplayCache()
    accept(cache, b"a", counter(5), peer=b"alice")
    accept(cache, b"b", counter(1), peer=b"bob")
    with pytest.raises(MikeyReplayError, match="not above"):
        cache.check(b"c", counter(5), now=NOW, peer=b"alice")
    with pytest.raises(MikeyReplayError):
        cache.check(b"c", counter(4), now=NOW, peer=b"alice")
    accept(cache, b"c", counter(6), peer=b"alice")


def test_a_full_counter_table_refuses_new_peers() -> None:
    cache = ReplayCache(max_counter_peers=1)
    accept(cache, b"a", counter(1), peer=b"alice")
    with pytest.raises(MikeyTimestampError, match="full"):
        cache.check(b"b", counter(1), now=NOW, peer=b"bob")
    accept(cache, b"a2", counter(2), peer=b"alice")


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(MikeyValueError):
        ReplayCache(clock_skew=timedelta(0))
    with pytest.raises(MikeyValueError):
        ReplayCache(max_entries=0)


def test_a_naive_local_clock_is_refused() -> None:
    with pytest.raises(MikeyValueError, match="aware"):
        ReplayCache().check(b"m", ts(0), now=NOW.replace(tzinfo=None))
