"""RFC 5197 scenarios: SIP forking (one I_MESSAGE answered by several Responders) and
group keying.

PSK and PKE give every branch the same TGK: the Initiator takes each branch's answer
with the SSRCs that Responder chose, and refuses a branch whose SSRC for a Responder's
stream repeats another branch's, since packets under one key and one SSRC would reuse
keystream (§5.2). RSA-R gives each branch its own keys. PKE distributes one group key to
several members, each under its own envelope (§5.4)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta

import pytest

from mikey.errors import MikeyProtocolError, MikeyTwoTimePadError
from mikey.modes import (
    CryptoSessionSpec,
    PkeInitiator,
    PkeResponder,
    PskInitiator,
    PskResponder,
    RsaRInitiator,
    RsaRResponder,
)
from mikey.srtp.policy import AES_CM_128_HMAC_SHA1_80

from ..srtp.packets import rtp
from .certificates import BOB, NOW, Pki, uri

PSK = b"the key every device of Bob's holds"
STREAMS = (
    CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0x11111111),  # Alice sends
    CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0),  # Bob's device sends
)


def fixed_ssrc(ssrc: int) -> Callable[[int], bytes]:
    """A Responder's randomness whose SSRC choices (4-byte draws) are all ``ssrc``."""

    def rng(n: int) -> bytes:
        return ssrc.to_bytes(4) if n == 4 else os.urandom(n)

    return rng


def test_psk_fork_branches_share_the_key_and_differ_in_ssrc() -> None:
    alice = PskInitiator(psk=PSK, identity=b"sip:alice@example.com")
    message, _ = alice.initiate(STREAMS, now=NOW, verify=True)
    desk, phone = PskResponder(psk=PSK), PskResponder(psk=PSK)
    answers = [r.receive(message, now=NOW) for r in (desk, phone)]
    assert all(a.accepted and a.reply is not None for a in answers)
    first = alice.receive_response(answers[0].reply or b"")
    second = alice.receive_response(answers[1].reply or b"")
    assert alice.branches(first.csb_id) == [first, second]
    assert alice.bundles[first.csb_id] is first  # the first answer stays in force
    assert first.srtp_master_key(2) == second.srtp_master_key(2)  # one TGK for all
    assert first.crypto_sessions[1].ssrc != second.crypto_sessions[1].ssrc
    for answer, branch in zip(answers, (first, second), strict=True):
        assert answer.bundle is not None
        ssrc = branch.crypto_sessions[1].ssrc
        assert answer.bundle.crypto_sessions[1].ssrc == ssrc
        sender = answer.bundle.srtp_session(2, direction="outbound")
        receiver = branch.srtp_session(2, direction="inbound")
        assert receiver.unprotect(sender.protect(rtp(seq=1, ssrc=ssrc))) == rtp(seq=1, ssrc=ssrc)
    with pytest.raises(MikeyProtocolError, match="already answered"):
        alice.receive_response(answers[1].reply or b"")


def test_psk_fork_branches_with_one_ssrc_are_a_two_time_pad() -> None:
    alice = PskInitiator(psk=PSK)
    message, bundle = alice.initiate(STREAMS, now=NOW, verify=True)
    same = fixed_ssrc(0x5EED5EED)
    desk = PskResponder(psk=PSK, identity=b"desk", rng=same)
    phone = PskResponder(psk=PSK, identity=b"phone", rng=same)
    first, second = (r.receive(message, now=NOW).reply for r in (desk, phone))
    alice.receive_response(first or b"")
    with pytest.raises(MikeyTwoTimePadError, match="reuse keystream"):
        alice.receive_response(second or b"")
    assert len(alice.branches(bundle.csb_id)) == 1


def test_pke_fork_to_two_devices_holding_bobs_key(pki: Pki) -> None:
    alice = PkeInitiator(
        private_key=pki.alice.key,
        certificates=pki.alice.chain,
        peer_certificate=pki.bob.chain[0],
        identity=uri(pki.alice),
    )
    message, _ = alice.initiate(STREAMS, now=NOW, verify=True)
    devices = [
        PkeResponder(private_key=pki.bob.key, certificate=pki.bob.chain[0], trust=pki.trust())
        for _ in range(2)
    ]
    answers = [d.receive(message, now=NOW) for d in devices]
    branches = [alice.receive_response(a.reply or b"") for a in answers]
    assert branches[0].srtp_master_key(1) == branches[1].srtp_master_key(1)
    assert branches[0].crypto_sessions[1].ssrc != branches[1].crypto_sessions[1].ssrc


def test_rsa_r_fork_gives_each_branch_its_own_keys(pki: Pki) -> None:
    alice = RsaRInitiator(
        private_key=pki.alice.key,
        certificates=pki.alice.chain,
        trust=pki.trust(),
        identity=uri(pki.alice),
        peer_identity=BOB,
    )
    request = alice.initiate(STREAMS, now=NOW)
    devices = [
        RsaRResponder(
            private_key=pki.bob.key, certificates=pki.bob.chain, trust=pki.trust(), identity=BOB
        )
        for _ in range(2)
    ]
    answers = [d.receive(request, now=NOW) for d in devices]
    branches = [alice.receive_response(a.reply or b"", now=NOW) for a in answers]
    assert alice.branches(branches[0].csb_id) == branches
    assert branches[0].srtp_master_key(1) != branches[1].srtp_master_key(1)
    for answer, branch in zip(answers, branches, strict=True):
        assert answer.bundle is not None
        assert answer.bundle.srtp_master_key(2) == branch.srtp_master_key(2)


def test_pke_group_keying_gives_every_member_the_same_keys(pki: Pki) -> None:
    chair = PkeInitiator(
        private_key=pki.alice.key,
        certificates=pki.alice.chain,
        peer_certificate=pki.bob.chain[0],
        identity=uri(pki.alice),
    )
    message, group = chair.initiate(STREAMS[:1], now=NOW)
    later = NOW + timedelta(seconds=1)
    deliveries = [
        (pki.bob, message),
        (pki.mallory, chair.invite(group, peer_certificate=pki.mallory.chain[0], now=later)),
        (pki.stranger, chair.invite(group, peer_certificate=pki.stranger.chain[0], now=later)),
    ]
    keys = []
    for member, data in deliveries:
        # The stranger's CA is trusted by the stranger; every member trusts Alice's.
        trust = pki.trust()
        responder = PkeResponder(private_key=member.key, certificate=member.chain[0], trust=trust)
        result = responder.receive(data, now=later)
        assert result.accepted and result.bundle is not None, result.error
        assert result.bundle.csb_id == group.csb_id
        keys.append(result.bundle.srtp_master_key(1))
    assert keys == [group.srtp_master_key(1)] * len(deliveries)
    # An invite opens only with its member's key.
    bob = PkeResponder(private_key=pki.bob.key, certificate=pki.bob.chain[0], trust=pki.trust())
    assert not bob.receive(deliveries[1][1], now=later).accepted
