"""The small payloads of RFC 3830: T, ID, V, RAND and ERR. RFC 3830 §6.6 (T), §6.7 (ID),
§6.9 (V), §6.11 (RAND), §6.12 (ERR).
"""

from __future__ import annotations

from typing import Any

from mikey.registry import ErrorNo, IdType, MacAlg, TsType, label_of
from mikey.wire.basic import (
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.describe._fields import Describer, Fields, hex_text, identity_text, plural
from mikey.wire.describe._times import time_parts, ts_value


def _timestamp(p: TimestampPayload, f: Fields) -> str:
    f.registry("TS type", 1, p.ts_type, TsType)
    text, hint = time_parts(p.ts_type, p.value, f.ctx.now)
    shown = f"{text} — {hint}" if hint else text
    f.put(ts_value("TS value", p.ts_type, p.value, shown), p.ts_type.value_length)
    return f"{p.ts_type.label}: {text}" + (" — implausible time" if hint else "")


def _id(p: IdPayload, f: Fields) -> str:
    f.registry("ID type", 1, p.id_type, IdType)
    f.length("ID len", 2, len(p.data))
    text = identity_text(p.data, p.id_type)
    f.data("ID data", p.data, text)
    return text


def _verification(p: VerificationPayload, f: Fields) -> str:
    f.registry("Auth alg", 1, p.auth_alg, MacAlg)
    f.data("Ver data", p.ver_data)
    return p.auth_alg.label


def _rand(p: RandPayload, f: Fields) -> str:
    f.length("RAND len", 1, len(p.rand))
    text = hex_text(p.rand, f.ctx.hex_limit)
    if len(p.rand) < 16:
        text += " — RFC 3830 §6.11: SHOULD be at least 16 bytes"
    f.data("RAND", p.rand, text)
    return plural(len(p.rand), "byte")


def _error(p: ErrorPayload, f: Fields) -> str:
    f.registry("Error no", 1, p.error_no, ErrorNo)
    f.reserved("Reserved", 2)
    return label_of(p.error_no, ErrorNo)


DESCRIBERS: dict[type[Any], Describer] = {
    TimestampPayload: _timestamp,
    IdPayload: _id,
    VerificationPayload: _verification,
    RandPayload: _rand,
    ErrorPayload: _error,
}
