"""SDES end to end on libsrtp: an offer and an answer (RFC 4568 §7.1) key two pairs of
``SrtpSession``s, and packets protected with one side's key come out on the other side
(RFC 3711 §3.1, §3.4; RFC 7714 for AES-GCM)."""

from __future__ import annotations

import pytest

from mikey.errors import MikeyPolicyParamError, MikeySrtpError
from mikey.signalling import (
    ANSWER_SUITES,
    SdesCrypto,
    answer,
    generate,
    process_answer,
    srtp_session,
)
from mikey.srtp import _libsrtp
from tests.srtp.packets import PAYLOAD, SSRC, rtcp, rtp

OTHER_SSRC = 0x0BADCAFE


def negotiate(
    suite: str, *, mki_length: int | None = None, params: str = ""
) -> tuple[SdesCrypto, SdesCrypto]:
    """The offer and the answer, each side reading the other's as text.

    The offerer sends with the offer's key and receives with the answer's; the answerer
    the other way round (RFC 4568 §5.1.1).
    """
    offer = generate(suite, tag=3, mki_length=mki_length)
    offer_text = "a=" + offer.to_attribute() + (f" {params}" if params else "")
    offer = SdesCrypto.parse(offer_text)  # with the session parameters
    chosen, ours = answer([offer_text], mki_length=mki_length, accept=[suite])
    assert chosen == offer and chosen.keys != ours.keys
    accepted, reply = process_answer([offer], "a=" + ours.to_attribute())
    assert accepted == offer and reply == ours
    return offer, ours


def check_direction(crypto: SdesCrypto, ssrc: int) -> None:
    """The sender protects with its attribute; the receiver, which read it, unprotects."""
    policy = crypto.policy
    received = SdesCrypto.parse(crypto.to_attribute())
    with (
        srtp_session(crypto, "outbound") as sender,
        srtp_session(received, "inbound") as receiver,
    ):
        for seq in (1, 2, 3):
            packet = rtp(seq, ssrc=ssrc)
            protected = sender.protect(packet)
            assert len(protected) > len(packet) or not policy.srtp_authentication
            assert (protected[12 : len(packet)] != PAYLOAD) == policy.srtp_encryption
            assert receiver.unprotect(protected) == packet
        packet = rtcp(ssrc=ssrc)
        protected = sender.protect_rtcp(packet)
        assert (protected[8 : len(packet)] != packet[8:]) == policy.srtcp_encryption
        assert receiver.unprotect_rtcp(protected) == packet


@pytest.mark.parametrize("suite", ANSWER_SUITES)
@pytest.mark.parametrize("mki_length", [None, 1, 4])
def test_offer_answer_keys_both_directions(suite: str, mki_length: int | None) -> None:
    offer, ours = negotiate(suite, mki_length=mki_length)
    check_direction(offer, SSRC)  # offerer -> answerer, the offerer's key
    check_direction(ours, OTHER_SSRC)  # answerer -> offerer, the answerer's key


@pytest.mark.parametrize(
    "params",
    [
        "UNENCRYPTED_SRTP",
        "UNENCRYPTED_SRTCP",
        "UNAUTHENTICATED_SRTP",
        "UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP",
        "KDR=0 WSH=4096 -opt",
    ],
)
def test_session_params_end_to_end(params: str) -> None:
    offer, ours = negotiate("AES_CM_128_HMAC_SHA1_32", params=params)
    assert ours.policy == offer.policy
    check_direction(offer, SSRC)
    check_direction(ours, OTHER_SSRC)


@pytest.mark.parametrize(
    ("suite", "srtp_tag", "srtcp_tag"),
    [
        ("AES_CM_128_HMAC_SHA1_80", 10, 10),
        ("AES_CM_128_HMAC_SHA1_32", 4, 10),  # RFC 4568 §6.2: SRTCP keeps 80 bits
        ("AES_256_CM_HMAC_SHA1_32", 4, 10),  # RFC 6188 §4 table 4
        ("AEAD_AES_128_GCM", 16, 16),
    ],
)
def test_packet_lengths_follow_the_suite(suite: str, srtp_tag: int, srtcp_tag: int) -> None:
    crypto = generate(suite, mki_length=2, mki=0x1234)
    with srtp_session(crypto, "outbound") as sender:
        srtp = sender.protect(rtp(1))
        srtcp = sender.protect_rtcp(rtcp())
    assert len(srtp) == len(rtp(1)) + 2 + srtp_tag
    assert len(srtcp) == len(rtcp()) + 4 + 2 + srtcp_tag
    assert b"\x12\x34" in srtp[len(rtp(1)) :]


@pytest.mark.parametrize("suite", ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_256_GCM"])
def test_tampered_packets_are_refused(suite: str) -> None:
    offer, ours = negotiate(suite, mki_length=4)
    with (
        srtp_session(offer, "outbound") as sender,
        srtp_session(ours, "inbound") as wrong_key,
        srtp_session(offer, "inbound") as receiver,
    ):
        protected = sender.protect(rtp(1))
        tampered = bytearray(protected)
        tampered[14] ^= 1
        with pytest.raises(MikeySrtpError):
            receiver.unprotect(bytes(tampered))
        srtcp = sender.protect_rtcp(rtcp())
        tampered = bytearray(srtcp)
        tampered[9] ^= 0x80
        with pytest.raises(MikeySrtpError):
            receiver.unprotect_rtcp(bytes(tampered))
        with pytest.raises(MikeySrtpError):  # the answerer's key is not the offerer's
            wrong_key.unprotect(protected)
        assert receiver.unprotect(protected) == rtp(1)
        with pytest.raises(MikeySrtpError):  # replayed (RFC 3711 §3.3.2)
            receiver.unprotect(protected)


def test_mki_must_match() -> None:
    crypto = generate(mki_length=4, mki=7)
    other_mki = SdesCrypto.parse(crypto.to_attribute().replace("|7:4", "|8:4"))
    with (
        srtp_session(crypto, "outbound") as sender,
        srtp_session(other_mki, "inbound") as receiver,
    ):
        protected = sender.protect(rtp(1))
        assert protected[len(rtp(1)) : len(rtp(1)) + 4] == (7).to_bytes(4, "big")
        with pytest.raises(MikeySrtpError):
            receiver.unprotect(protected)


def test_first_key_of_several_keys_the_session() -> None:
    first, second = generate(mki_length=2, mki=1), generate(mki_length=2, mki=2)
    both = SdesCrypto.parse(first.to_attribute() + ";" + second.keys[0].to_key_param())
    assert len(both.keys) == 2
    with srtp_session(both, "outbound") as sender, srtp_session(first, "inbound") as receiver:
        assert receiver.unprotect(sender.protect(rtp(1))) == rtp(1)


def test_ssrc_roc_and_window_are_passed_on() -> None:
    crypto = SdesCrypto.parse(generate().to_attribute() + " WSH=1000")
    with (
        srtp_session(crypto, "outbound", ssrc=SSRC, roc=5) as sender,
        srtp_session(crypto, "inbound", ssrc=SSRC, roc=5) as receiver,
    ):
        assert sender.ssrc == SSRC
        assert sender.roc(SSRC) == 5
        assert receiver.unprotect(sender.protect(rtp(1))) == rtp(1)
        # The receiver's window follows the WSH hint: a packet 900 behind is still taken.
        late = sender.protect(rtp(100))
        for seq in range(101, 1001):
            sender.protect(rtp(seq))
        receiver.unprotect(sender.protect(rtp(1001)))
        assert receiver.unprotect(late) == rtp(100)
    with (
        srtp_session(crypto, "outbound") as sender,
        srtp_session(crypto, "inbound", replay_window=64) as receiver,
    ):
        late = sender.protect(rtp(1))
        for seq in range(2, 200):
            sender.protect(rtp(seq))
        receiver.unprotect(sender.protect(rtp(200)))
        with pytest.raises(MikeySrtpError):
            receiver.unprotect(late)


def test_unrunnable_attributes_make_no_session() -> None:
    f8 = SdesCrypto.parse(
        "a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4"
    )
    with pytest.raises(MikeyPolicyParamError, match="not supported by libsrtp"):
        srtp_session(f8, "inbound")
    kdr = SdesCrypto.parse(generate().to_attribute() + " KDR=4")
    with pytest.raises(MikeyPolicyParamError, match="KDR=4"):
        srtp_session(kdr, "outbound")


def test_aes_192_follows_the_libsrtp_version() -> None:
    offer, ours = negotiate("AES_192_CM_HMAC_SHA1_80", mki_length=1)
    if _libsrtp.version() < (2, 8, 0):
        # cisco/libsrtp#763: older libsrtp derives AES-192 keys wrongly; SrtpSession refuses.
        with pytest.raises(MikeyPolicyParamError, match="AES-192"):
            srtp_session(offer, "outbound")
    else:
        check_direction(offer, SSRC)
        check_direction(ours, OTHER_SSRC)
