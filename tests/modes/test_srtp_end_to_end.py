"""A PSK or NULL exchange keying real SRTP through libsrtp, end to end (RFC 3830 §3.1,
§4.1.3, §4.5, §6.1.1; RFC 3711 §3.3.1): what one side protects, the other recovers;
tampered and replayed packets are refused; rekeying keeps the ROC; a receiver joining a
stream with a non-zero ROC decrypts from its first packet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mikey.errors import MikeySrtpError
from mikey.interop import GSTREAMER, ONVIF, InteropProfile
from mikey.modes import CryptoSessionSpec, PskInitiator, PskResponder
from mikey.session import CryptoSessionBundle
from mikey.srtp.policy import (
    AEAD_AES_128_GCM,
    AEAD_AES_256_GCM,
    AES_256_CM_HMAC_SHA1_80,
    AES_CM_128_HMAC_SHA1_32,
    AES_CM_128_HMAC_SHA1_80,
    SrtpPolicy,
)

from ..srtp.packets import rtcp, rtp

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PSK = b"a pre-shared key of some length"


def exchange(
    sessions: list[CryptoSessionSpec],
    *,
    profile: InteropProfile | None = None,
    psk: bytes | None = PSK,
) -> tuple[PskInitiator, PskResponder, CryptoSessionBundle, CryptoSessionBundle]:
    options = {} if profile is None else {"profile": profile}
    initiator = PskInitiator(psk=psk, **options)  # type: ignore[arg-type]
    responder = PskResponder(psk=psk, allow_null=psk is None, **options)  # type: ignore[arg-type]
    message, _ = initiator.initiate(sessions, now=NOW, verify=True)
    result = responder.receive(message, now=NOW)
    assert result.accepted, result.error
    assert result.bundle is not None and result.reply is not None
    return initiator, responder, initiator.receive_response(result.reply), result.bundle


@pytest.mark.parametrize(
    "policy",
    [
        AES_CM_128_HMAC_SHA1_80,
        AES_CM_128_HMAC_SHA1_32,
        AES_256_CM_HMAC_SHA1_80,
        AEAD_AES_128_GCM,
        AEAD_AES_256_GCM,
    ],
    ids=lambda p: p.name,
)
def test_rtp_and_rtcp_cross_after_a_psk_exchange(policy: SrtpPolicy) -> None:
    ssrc = 0x5EC0DE01
    _, _, alice, bob = exchange([CryptoSessionSpec(policy=policy, ssrc=ssrc)])
    sender = alice.srtp_session(1, direction="outbound")
    receiver = bob.srtp_session(1, direction="inbound")
    for seq in range(50):
        packet = rtp(seq, ssrc=ssrc, payload=bytes([seq]) * 160)
        protected = sender.protect(packet)
        assert protected[12:] != packet[12:]
        assert len(protected) == len(packet) + policy.srtp_auth_tag_length
        assert receiver.unprotect(protected) == packet
    report = rtcp(ssrc=ssrc)
    assert receiver.unprotect_rtcp(sender.protect_rtcp(report)) == report


def test_tampered_and_replayed_packets_are_refused() -> None:
    ssrc = 0x01020304
    _, _, alice, bob = exchange([CryptoSessionSpec(ssrc=ssrc)])
    sender = alice.srtp_session(1, direction="outbound")
    receiver = bob.srtp_session(1, direction="inbound")
    protected = sender.protect(rtp(1, ssrc=ssrc))
    tampered = bytearray(protected)
    tampered[20] ^= 0x80
    with pytest.raises(MikeySrtpError, match="authentication"):
        receiver.unprotect(bytes(tampered))
    receiver.unprotect(protected)
    with pytest.raises(MikeySrtpError, match="replay"):
        receiver.unprotect(protected)


def test_two_crypto_sessions_and_a_responder_stream() -> None:
    """Audio and video from the Initiator, and a stream the Responder sends whose SSRC
    it fills in (RFC 3830 §6.1.1)."""
    sessions = [
        CryptoSessionSpec(ssrc=0xA0D10000),
        CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=0x71DE0000, roc=3),
        CryptoSessionSpec(ssrc=0),
    ]
    _, _, alice, bob = exchange(sessions)
    for cs_id in (1, 2):
        ssrc = alice.crypto_session(cs_id).ssrc
        sender = alice.srtp_session(cs_id, direction="outbound")
        receiver = bob.srtp_session(cs_id, direction="inbound")
        packet = rtp(9, ssrc=ssrc)
        assert receiver.unprotect(sender.protect(packet)) == packet
    # Crypto session 2's ROC of 3 is in the IV: a receiver told ROC 0 fails.
    wrong = CryptoSessionBundle(
        csb_id=bob.csb_id,
        rand=bob.rand,
        prf_func=bob.prf_func,
        traffic_key=bob.traffic_key,
        crypto_sessions=[*bob.crypto_sessions],
    )
    wrong.crypto_sessions[1] = type(bob.crypto_sessions[1])(
        cs_id=2, policy_no=1, ssrc=0x71DE0000, roc=0, policy=AEAD_AES_128_GCM
    )
    packet = alice.srtp_session(2, direction="outbound").protect(rtp(9, ssrc=0x71DE0000))
    with pytest.raises(MikeySrtpError):
        wrong.srtp_session(2, direction="inbound").unprotect(packet)
    # The Responder's own stream, in the other direction.
    ssrc = bob.crypto_session(3).ssrc
    assert ssrc != 0 and alice.crypto_session(3).ssrc == ssrc
    packet = rtp(1, ssrc=ssrc)
    sent = bob.srtp_session(3, direction="outbound").protect(packet)
    assert alice.srtp_session(3, direction="inbound").unprotect(sent) == packet
    # Each crypto session has its own TEK: cs 1's receiver cannot read cs 3's packets.
    other = bob.srtp_session(1, direction="inbound")
    with pytest.raises(MikeySrtpError):
        other.unprotect(sent)


def test_a_late_joiner_decrypts_from_the_first_packet() -> None:
    ssrc = 0x10C0FFEE
    _, _, alice, bob = exchange([CryptoSessionSpec(ssrc=ssrc, roc=7)])
    sender = alice.srtp_session(1, direction="outbound")
    receiver = bob.srtp_session(1, direction="inbound")
    packet = rtp(40000, ssrc=ssrc)
    assert receiver.unprotect(sender.protect(packet)) == packet
    assert receiver.roc(ssrc) == 7


def test_rekeying_keeps_the_roc() -> None:
    """An update with a new TGK takes over for new packets; the ROC continues across a
    sequence-number wrap (RFC 3711 §3.3.1, RFC 3830 §4.5)."""
    ssrc = 0x0BADCAFE
    initiator, responder, alice, bob = exchange([CryptoSessionSpec(ssrc=ssrc)])
    sender = alice.srtp_session(1, direction="outbound")
    receiver = bob.srtp_session(1, direction="inbound")
    for seq in (65534, 65535, 0, 1):  # wraps: ROC 0 -> 1
        packet = rtp(seq, ssrc=ssrc)
        assert receiver.unprotect(sender.protect(packet)) == packet
    assert receiver.roc(ssrc) == 1
    old_key_packet = sender.protect(rtp(2, ssrc=ssrc))
    later = NOW + timedelta(seconds=30)
    update, alice2 = initiator.update(alice, now=later, rocs={1: sender.roc(ssrc)})
    result = responder.receive(update, now=later)
    assert result.accepted and result.updated and result.bundle is not None
    bob2 = result.bundle
    assert alice2.srtp_master_key(1) == bob2.srtp_master_key(1) != alice.srtp_master_key(1)
    alice2.rekey_srtp_session(sender, 1)
    bob2.rekey_srtp_session(receiver, 1)
    with pytest.raises(MikeySrtpError):
        receiver.unprotect(old_key_packet)  # under the old key: no longer accepted
    for seq in (3, 4):
        packet = rtp(seq, ssrc=ssrc)
        assert receiver.unprotect(sender.protect(packet)) == packet
    assert receiver.roc(ssrc) == 1 and sender.roc(ssrc) == 1
    # A receiver set up afresh from the update (its map carries ROC 1) also decrypts.
    fresh = bob2.srtp_session(1, direction="inbound")
    packet = rtp(5, ssrc=ssrc)
    assert fresh.unprotect(sender.protect(packet)) == packet


def test_onvif_profile_keys_srtp_with_an_mki() -> None:
    ssrc = 0x0F1F0001
    initiator, responder, alice, bob = exchange([CryptoSessionSpec(ssrc=ssrc)], profile=ONVIF)
    sender = alice.srtp_session(1, direction="outbound")
    receiver = bob.srtp_session(1, direction="inbound")
    packet = rtp(1, ssrc=ssrc, payload=b"x" * 100)
    protected = sender.protect(packet)
    assert protected[len(packet) : len(packet) + 4] == b"\x00\x00\x00\x01"  # the MKI
    assert receiver.unprotect(protected) == packet
    later = NOW + timedelta(seconds=1)
    update, alice2 = initiator.update(alice, now=later)
    bob2 = responder.receive(update, now=later).bundle
    assert bob2 is not None and bob2.traffic_key.mki == b"\x00\x00\x00\x02"
    alice2.rekey_srtp_session(sender, 1)
    bob2.rekey_srtp_session(receiver, 1)
    packet = rtp(2, ssrc=ssrc)
    protected = sender.protect(packet)
    assert protected[len(packet) : len(packet) + 4] == b"\x00\x00\x00\x02"
    assert receiver.unprotect(protected) == packet


def test_mikey_null_with_the_gstreamer_profile() -> None:
    ssrc = 0x65700001
    _, _, alice, bob = exchange([CryptoSessionSpec(ssrc=ssrc)], profile=GSTREAMER, psk=None)
    packet = rtp(1, ssrc=ssrc)
    sent = alice.srtp_session(1, direction="outbound").protect(packet)
    assert bob.srtp_session(1, direction="inbound").unprotect(sent) == packet
