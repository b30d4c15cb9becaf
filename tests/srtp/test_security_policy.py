"""MIKEY SRTP policies to and from ``SrtpPolicy`` (RFC 3830 §6.10.1, RFC 5748, RFC 7714
§15), with GStreamer's reading of parameter 3 and the messages real peers sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mikey.errors import MikeyPolicyError, MikeyPolicyParamError
from mikey.registry import ProtType, SrtpAuthAlg, SrtpEncrAlg, SrtpParam
from mikey.srtp import policy as named
from mikey.srtp.policy import SrtpCipher, SrtpPolicy
from mikey.srtp.security_policy import security_policy_payload, srtp_policy_from_sp
from mikey.wire import decode_message
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload

VECTORS = Path(__file__).parent.parent / "vectors" / "thirdparty" / "messages.json"
NAMED = [
    named.AES_CM_128_HMAC_SHA1_80,
    named.AES_CM_128_HMAC_SHA1_32,
    named.AES_256_CM_HMAC_SHA1_80,
    named.AES_256_CM_HMAC_SHA1_32,
    named.AEAD_AES_128_GCM,
    named.AEAD_AES_256_GCM,
    named.NULL_HMAC_SHA1_80,
]
CUSTOM = [
    SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=4, srtcp_auth_tag_length=10),
    SrtpPolicy(cipher=SrtpCipher.AES_CM_192),
    SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtp_encryption=False),
    SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtcp_encryption=False),
    SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128,
        srtp_authentication=False,
        srtp_auth_tag_length=0,
        srtcp_auth_tag_length=10,
    ),
    SrtpPolicy(cipher=SrtpCipher.AES_GCM_128, srtp_auth_tag_length=8, srtcp_auth_tag_length=8),
]


def sp(*params: tuple[int, int], prot_type: int = ProtType.SRTP) -> SecurityPolicyPayload:
    return SecurityPolicyPayload(
        policy_no=0,
        prot_type=prot_type,
        params=tuple(PolicyParam(type=t, value=bytes([v])) for t, v in params),
    )


@pytest.mark.parametrize("policy", NAMED + CUSTOM, ids=lambda p: p.name)
def test_round_trip(policy: SrtpPolicy) -> None:
    payload = security_policy_payload(policy, 3)
    assert payload.policy_no == 3 and payload.prot_type == ProtType.SRTP
    assert srtp_policy_from_sp(payload) == policy


@pytest.mark.parametrize(
    "policy",
    [p for p in NAMED + CUSTOM if p.srtp_auth_tag_length == p.srtcp_auth_tag_length],
    ids=lambda p: p.name,
)
def test_round_trip_gstreamer(policy: SrtpPolicy) -> None:
    payload = security_policy_payload(policy, gstreamer_sp=True)
    assert srtp_policy_from_sp(payload, gstreamer_sp=True) == policy


def test_gstreamer_parameters_are_the_ones_it_writes() -> None:
    """interop-notes: 0 = 1, 1 = 16, 2 = 1, 3 = tag length, 7 = 8 = 10 = 1, nothing else."""
    payload = security_policy_payload(named.AES_CM_128_HMAC_SHA1_32, gstreamer_sp=True)
    assert [(p.type, p.int_value) for p in payload.params] == [
        (0, 1),
        (1, 16),
        (2, 1),
        (3, 4),
        (7, 1),
        (8, 1),
        (10, 1),
    ]
    with pytest.raises(MikeyPolicyError, match="one tag length"):
        security_policy_payload(CUSTOM[0], gstreamer_sp=True)


def test_an_empty_policy_is_rfc_3830s_defaults() -> None:
    assert srtp_policy_from_sp(sp()) == named.AES_CM_128_HMAC_SHA1_80


def test_rfc_7714_section_15_mapping() -> None:
    gcm = int(SrtpEncrAlg.AES_GCM)
    assert srtp_policy_from_sp(sp((0, gcm), (1, 16), (20, 16))) == named.AEAD_AES_128_GCM
    assert srtp_policy_from_sp(sp((0, gcm), (1, 32), (20, 16))) == named.AEAD_AES_256_GCM
    assert srtp_policy_from_sp(sp((0, gcm))) == named.AEAD_AES_128_GCM  # defaults 16/16


def test_rfc_5748_separate_tag_lengths() -> None:
    policy = srtp_policy_from_sp(sp((SrtpParam.SRTP_AUTH_TAG_LENGTH, 4)))
    assert (policy.srtp_auth_tag_length, policy.srtcp_auth_tag_length) == (4, 10)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (((0, SrtpEncrAlg.AES_F8),), "AES-F8 is not supported"),
        (((1, 20),), "AES-CM takes 16, 24 or 32"),
        (((2, SrtpAuthAlg.NULL),), "SRTCP must be authenticated"),
        (((2, SrtpAuthAlg.RCCM1),), "RCCm1 is not supported"),
        (((3, 10),), "use the 'gstreamer' interop profile"),
        (((3, 16),), "only 20-byte"),
        (((4, 12),), "14-byte master salt"),
        (((5, 1),), "only the AES-CM PRF"),
        (((6, 16),), "Key derivation rate"),
        (((7, 2),), "must be 0 \\(off\\) or 1 \\(on\\)"),
        (((9, 1),), "FEC"),
        (((11, 17),), "0-16 bytes"),
        (((12, 4),), "prefix"),
        (((13, 1),), "RFC 4771"),
        (((20, 16),), "needs the AES-GCM"),
        (((0, SrtpEncrAlg.AES_GCM), (1, 24)), "AES-GCM takes 16 or 32"),
        (((0, SrtpEncrAlg.AES_GCM), (20, 12)), "8 or 16"),
        (((0, SrtpEncrAlg.AES_GCM), (7, 0)), "cannot switch protection off"),
        (((1, 16), (1, 16)), "appears twice"),
        (((99, 1),), "not registered"),
    ],
)
def test_refusals_name_the_parameter(params: tuple[tuple[int, int], ...], match: str) -> None:
    with pytest.raises(MikeyPolicyParamError, match=match):
        srtp_policy_from_sp(sp(*params))


def test_srtp_authentication_off_with_a_zero_tag_is_accepted() -> None:
    policy = srtp_policy_from_sp(sp((10, 0), (SrtpParam.SRTP_AUTH_TAG_LENGTH, 0)))
    assert not policy.srtp_authentication and policy.srtcp_auth_tag_length == 10


def test_gcm_ignores_the_authentication_algorithm() -> None:
    """RFC 7714 §14.3: algorithm, key length and AEAD tag fully determine GCM."""
    gcm = int(SrtpEncrAlg.AES_GCM)
    assert srtp_policy_from_sp(sp((0, gcm), (2, 4))) == named.AEAD_AES_128_GCM


def test_the_null_cipher_never_encrypts() -> None:
    policy = srtp_policy_from_sp(sp((0, SrtpEncrAlg.NULL), (7, 1)))
    assert policy == named.NULL_HMAC_SHA1_80


def test_a_tesla_policy_is_invalid_sp_not_sppar() -> None:
    with pytest.raises(MikeyPolicyError) as info:
        srtp_policy_from_sp(sp(prot_type=ProtType.TESLA))
    assert type(info.value) is MikeyPolicyError


def test_empty_values_are_refused() -> None:
    payload = SecurityPolicyPayload(
        policy_no=0, prot_type=ProtType.SRTP, params=(PolicyParam(type=0, value=b""),)
    )
    with pytest.raises(MikeyPolicyParamError, match="empty"):
        srtp_policy_from_sp(payload)


def _peer_policies() -> list[tuple[str, SecurityPolicyPayload, bool]]:
    found = []
    for vector in json.loads(VECTORS.read_text()):
        profiles = {d["profile"] for d in vector.get("deviations", [])}
        try:
            message = decode_message(bytes.fromhex(vector["hex"]))
        except Exception:
            continue
        for payload in message.get_all(SecurityPolicyPayload):
            found.append((vector["name"], payload, "sp-auth-key-len-is-tag-len" in profiles))
    return found


@pytest.mark.parametrize(
    ("name", "payload", "gstreamer"),
    _peer_policies(),
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_policies_real_peers_sent(
    name: str, payload: SecurityPolicyPayload, gstreamer: bool
) -> None:
    """Every SP in the third-party corpus maps to a policy under the right reading; the
    GStreamer ones are refused as RFC 3830 with the hint that names the profile."""
    policy = srtp_policy_from_sp(payload, gstreamer_sp=gstreamer)
    assert policy.srtp_auth_tag_length in (4, 10, 16)
    if gstreamer:
        with pytest.raises(MikeyPolicyParamError, match="gstreamer"):
            srtp_policy_from_sp(payload)
