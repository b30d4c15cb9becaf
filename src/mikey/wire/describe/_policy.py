"""Security policy (SP) payloads and their parameters, named and decoded per protocol.
RFC 3830 §6.10 (SP), §6.10.1 (SRTP parameters), RFC 4771 §4 (ROC transmission rate),
RFC 5748, RFC 7714 §12 (SRTP parameter values), RFC 4442 §4.2 (TESLA parameters).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mikey.registry import (
    FecOrder,
    ProtType,
    Registry,
    SrtpAuthAlg,
    SrtpEncrAlg,
    SrtpParam,
    SrtpPrf,
    TeslaMac,
    TeslaParam,
    TeslaPrf,
    TsType,
    label_of,
)
from mikey.wire.describe._fields import Describer, Fields, Node, plural, registry_text
from mikey.wire.describe._times import time_text
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload

# ---------------------------------------------------------------------------------------
# SRTP (RFC 3830 §6.10.1, RFC 4771, RFC 5748, RFC 7714) and TESLA (RFC 4442 §4.2)

_PARAMS: dict[int, type[Registry]] = {ProtType.SRTP: SrtpParam, ProtType.TESLA: TeslaParam}
"""The registry of parameter types of each protocol that mikey names."""

_SRTP_REGISTRIES: dict[int, type[Registry]] = {
    SrtpParam.ENCRYPTION_ALGORITHM: SrtpEncrAlg,
    SrtpParam.AUTHENTICATION_ALGORITHM: SrtpAuthAlg,
    SrtpParam.SRTP_PRF: SrtpPrf,
    SrtpParam.FEC_ORDER: FecOrder,
    SrtpParam.SRTP_AUTH_ALGORITHM: SrtpAuthAlg,
    SrtpParam.SRTCP_AUTH_ALGORITHM: SrtpAuthAlg,
}
_SRTP_FLAGS = {SrtpParam.SRTP_ENCRYPTION, SrtpParam.SRTCP_ENCRYPTION, SrtpParam.SRTP_AUTHENTICATION}
_SRTP_LENGTHS = {
    SrtpParam.SESSION_ENCR_KEY_LENGTH,
    SrtpParam.SESSION_AUTH_KEY_LENGTH,
    SrtpParam.SESSION_SALT_KEY_LENGTH,
    SrtpParam.AUTH_TAG_LENGTH,
    SrtpParam.SRTP_PREFIX_LENGTH,
    SrtpParam.SRTP_SESSION_AUTH_KEY_LENGTH,
    SrtpParam.SRTCP_SESSION_AUTH_KEY_LENGTH,
    SrtpParam.SRTP_AUTH_TAG_LENGTH,
    SrtpParam.SRTCP_AUTH_TAG_LENGTH,
    SrtpParam.AEAD_AUTH_TAG_LENGTH,
}

# RFC 4442 §4.2: the values of parameters 1 and 3 come from the TESLA-PRF and TESLA-MAC
# registries (RFC 4442 §6).
_TESLA_REGISTRIES: dict[int, type[Registry]] = {
    TeslaParam.PRF_IDENTIFIER: TeslaPrf,
    TeslaParam.MAC_IDENTIFIER: TeslaMac,
}
_TESLA_TIMES = {TeslaParam.START_OF_SESSION, TeslaParam.LOCAL_TIMESTAMP_MEDIA_RECEIVER}
_TESLA_UNITS: dict[int, str] = {
    TeslaParam.PRF_OUTPUT_LENGTH: "bit",
    TeslaParam.MAC_OUTPUT_LENGTH: "bit",
    TeslaParam.INTERVAL_DURATION: "ms",
    TeslaParam.KEY_DISCLOSURE_DELAY: "interval",
    TeslaParam.KEY_CHAIN_LENGTH: "interval",
}


def _srtp_value(param: PolicyParam, sp: SecurityPolicyPayload) -> str:
    number, value = param.int_value, param.value
    kind = param.type
    if (registry := _SRTP_REGISTRIES.get(kind)) is not None:
        return registry_text(number, registry)
    if kind in _SRTP_FLAGS:
        return {0: "off", 1: "on"}.get(number, f"{number} — neither 0 (off) nor 1 (on)")
    if kind in _SRTP_LENGTHS:
        text = plural(number, "byte")
        auth = sp.get(SrtpParam.AUTHENTICATION_ALGORITHM)
        if (
            kind == SrtpParam.SESSION_AUTH_KEY_LENGTH
            and number in (4, 10)
            and auth in (None, bytes([SrtpAuthAlg.HMAC_SHA_1]))
            and sp.get(SrtpParam.AUTH_TAG_LENGTH) is None
        ):
            text += (
                f" — HMAC-SHA-1 keys are 20 bytes: {number} is the HMAC-SHA1-{8 * number}"
                " tag length (GStreamer writes it here)"
            )
        return text
    if kind == SrtpParam.KEY_DERIVATION_RATE:
        if number == 0:
            return "0 (keys derived once)"
        power = number.bit_length() - 1
        return f"{number} (2^{power})" if number == 1 << power else str(number)
    if kind == SrtpParam.ROC_TRANSMISSION_RATE and len(value) != 2:
        return f"{number} — RFC 4771 §4 defines a 16-bit integer"
    return str(number)


def _tesla_value(param: PolicyParam, now: datetime | None) -> str:
    number = param.int_value
    if (registry := _TESLA_REGISTRIES.get(param.type)) is not None:
        return registry_text(number, registry)
    if param.type in _TESLA_TIMES and len(param.value) == 8:
        return time_text(TsType.NTP_UTC, number, now)
    unit = _TESLA_UNITS.get(param.type)
    return plural(number, unit) if unit else str(number)


def _policy_param(param: PolicyParam, sp: SecurityPolicyPayload, now: datetime | None) -> Node:
    raw = param.value.hex() or "empty"
    number = int(param.type)  # a member's str() is its label
    name = "parameter"
    text = f"{param.int_value}" if param.value else "(empty)"
    if (params := _PARAMS.get(sp.prot_type)) is not None:
        member = params._value2member_map_.get(param.type)
        name = member.label if isinstance(member, Registry) else "unassigned parameter"
        if isinstance(member, Registry) and param.value and len(param.value) <= 8:
            text = _srtp_value(param, sp) if params is SrtpParam else _tesla_value(param, now)
    if len(param.value) > 8:
        text = f"{len(param.value)}-byte value"
    return Node(f"{name} ({number})", param.value.hex(), f"{text}  [raw {raw}]")


def _security_policy(p: SecurityPolicyPayload, f: Fields) -> str:
    f.number("Policy no", 1, p.policy_no)
    f.registry("Prot type", 1, p.prot_type, ProtType)
    f.length("Policy param length", 2, sum(2 + len(param.value) for param in p.params))
    params = f.nested()
    for param in p.params:
        params.put(_policy_param(param, p, f.ctx.now), 2 + len(param.value))
    protocol = label_of(p.prot_type, ProtType)
    f.group("Policy param", f"{plural(len(p.params), 'parameter')} ({protocol})", params)
    return f"policy {p.policy_no}, {protocol}, {plural(len(p.params), 'parameter')}"


DESCRIBERS: dict[type[Any], Describer] = {SecurityPolicyPayload: _security_policy}
