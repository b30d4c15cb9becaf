"""Timestamps as times, with hints when a time is implausible. RFC 3830 §6.6 (TS types
NTP-UTC, NTP, COUNTER), RFC 6043 §6.4 (NTP-UTC-32, TS Value in TR), RFC 4442 §4.2 (TESLA
start of session).

A time before 2000, or more than a year after the caller's ``now``, is implausible; the
hint then names the mistake a real sender may have made, such as a Windows FILETIME in an
NTP-UTC timestamp. The wire layer reads no clock: ``now`` is the caller's, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from mikey.registry import TsType
from mikey.wire.basic import ntp_to_datetime
from mikey.wire.describe._fields import Node

_EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=UTC)
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _plausible(when: datetime, now: datetime | None) -> bool:
    return when >= _EARLIEST_PLAUSIBLE and (now is None or when <= now + timedelta(days=365))


def _guesses(value: int, ts_type: TsType) -> Iterator[tuple[str, Callable[[], datetime]]]:
    """What an implausible TS value may have meant: mistakes real senders make."""
    if ts_type.value_length == 4:
        yield "Unix time", lambda: _UNIX_EPOCH + timedelta(seconds=value)
        return
    seconds, fraction = value >> 32, value & 0xFFFFFFFF
    yield (
        "a Windows FILETIME (100 ns since 1601)",
        lambda: _FILETIME_EPOCH + timedelta(microseconds=value // 10),
    )
    if seconds == 0:
        yield (
            "NTP seconds in the low (fraction) word",
            lambda: ntp_to_datetime(fraction, TsType.NTP_UTC_32),
        )
    yield "Unix time in the seconds word", lambda: _UNIX_EPOCH + timedelta(seconds=seconds)
    yield "Unix time in milliseconds", lambda: _UNIX_EPOCH + timedelta(milliseconds=value)
    yield "Unix time in microseconds", lambda: _UNIX_EPOCH + timedelta(microseconds=value)


def _time(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S.%f}" if when.microsecond else f"{when:%Y-%m-%d %H:%M:%S}"


def time_parts(ts_type: TsType, value: int, now: datetime | None) -> tuple[str, str]:
    """A TS value as a time, and a hint if the time is implausible (else "")."""
    if ts_type is TsType.COUNTER:
        return f"counter {value}", ""
    when = ntp_to_datetime(value, ts_type)
    zone = "local time of the sender" if ts_type is TsType.NTP else "UTC"
    text = f"{_time(when)} {zone}"
    if _plausible(when, now):
        return text, ""
    for meaning, convert in _guesses(value, ts_type):
        try:
            guess = convert()
        except (OverflowError, ValueError):
            continue
        if _plausible(guess, now):
            return text, f"implausible time: looks like {meaning}: {_time(guess)} UTC"
    return text, "implausible time"


def time_text(ts_type: TsType, value: int, now: datetime | None) -> str:
    text, hint = time_parts(ts_type, value, now)
    return f"{text} — {hint}" if hint else text


def ts_value(name: str, ts_type: TsType, value: int, text: str) -> Node:
    """The TS value field of T or TR: ``text``, then the raw value in hex."""
    return Node(name, value, f"{text}  [raw {value:0{2 * ts_type.value_length}x}]")
