"""SIP-style offer/answer (RFC 3264) keying libsrtp through MIKEY (RFC 4567 §4.1.2, §7.1)
and SDES (RFC 4568 §7.1): what one side protects, the other unprotects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mikey.errors import MikeyBiddingDownError, MikeyKeyManagementError, MikeyValueError
from mikey.modes import PskInitiator, PskResponder
from mikey.session import CryptoSessionBundle
from mikey.signalling import Attribute, SessionDescription, SrtpPair
from mikey.signalling import offer_answer as oa
from tests.srtp.packets import rtp

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
PSK = b"k" * 32
OFFER = SessionDescription.parse(
    "v=0\no=alice 1 1 IN IP4 a.example\ns=-\nc=IN IP4 a.example\nt=0 0\n"
    "m=audio 49000 RTP/SAVP 98\na=rtpmap:98 AMR/8000\n"
    "m=video 52230 RTP/AVP 31\n"
    "m=video 52232 RTP/SAVP 31\n"
)
LOCAL = SessionDescription.parse(
    "v=0\no=bob 2 2 IN IP4 b.example\ns=-\nc=IN IP4 b.example\nt=0 0\n"
    "m=audio 49030 RTP/SAVP 98\nm=video 0 RTP/AVP 31\nm=video 52240 RTP/SAVP 31\n"
)


def check(
    offerer: tuple[SrtpPair | None, ...],
    answerer: tuple[SrtpPair | None, ...],
    bundles: tuple[CryptoSessionBundle, ...] = (),
) -> None:
    """Each side's packets come out on the other, with the SSRCs the MIKEY bundle fixed
    (CS 2k+1 the offerer's, CS 2k+2 the answerer's) or any SSRC (SDES, late binding)."""
    assert [p is None for p in offerer] == [p is None for p in answerer] == [False, True, False]
    ssrcs = [cs.ssrc or 0x22222222 for cs in bundles[0].crypto_sessions] if bundles else []
    for k, (ours, theirs) in enumerate(
        (o, t) for o, t in zip(offerer, answerer, strict=True) if o and t
    ):
        assert ours is not None and theirs is not None
        packet = rtp(1, ssrc=ssrcs[2 * k] if ssrcs else 0x11111111)
        assert theirs.inbound.unprotect(ours.outbound.protect(packet)) == packet
        packet = rtp(1, ssrc=ssrcs[2 * k + 1] if ssrcs else 0x22222222)
        assert ours.inbound.unprotect(theirs.outbound.protect(packet)) == packet


def test_mikey_psk_end_to_end() -> None:
    initiator = PskInitiator(psk=PSK)
    made = oa.offer(OFFER, initiator, now=NOW, ssrcs=[0x11111111, 0x11111111])
    assert len(made.sdp.attributes("key-mgmt")) == 1
    text = made.sdp.to_text()
    answered = oa.answer(text, PskResponder(psk=PSK), local=LOCAL, now=NOW)
    assert answered.sdp.attributes("key-mgmt")  # the verification message
    assert len(answered.bundles) == 1
    check(
        oa.process_answer(answered.sdp.to_text(), initiator, made),
        answered.sessions,
        answered.bundles,
    )


def test_sdes_end_to_end() -> None:
    made = oa.offer(OFFER, now=NOW, sdes_suites=["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"])
    assert len(made.sdp.media[0].attributes("crypto")) == 2
    assert not made.sdp.media[1].attributes("crypto")
    answered = oa.answer(made.sdp.to_text(), local=LOCAL, now=NOW)
    check(oa.process_answer(answered.sdp, None, made), answered.sessions)


def test_mikey_preferred_over_sdes() -> None:
    initiator = PskInitiator(psk=PSK)
    made = oa.offer(OFFER, initiator, now=NOW, sdes_suites=["AES_CM_128_HMAC_SHA1_80"])
    answered = oa.answer(made.sdp, PskResponder(psk=PSK), local=LOCAL, now=NOW)
    assert not any(m.attributes("crypto") for m in answered.sdp.media)
    check(oa.process_answer(answered.sdp, initiator, made), answered.sessions, answered.bundles)
    # Without a Responder the answerer falls back to SDES.
    fallback = oa.answer(made.sdp, local=LOCAL, now=NOW)
    check(oa.process_answer(fallback.sdp, initiator, made), fallback.sessions)


def test_mikey_without_verification() -> None:
    initiator = PskInitiator(psk=PSK)
    made = oa.offer(OFFER, initiator, now=NOW, verify=False)
    answered = oa.answer(made.sdp, PskResponder(psk=PSK), local=LOCAL, now=NOW)
    assert not answered.sdp.attributes("key-mgmt")
    check(oa.process_answer(answered.sdp, initiator, made), answered.sessions, answered.bundles)


def test_refusal_carries_the_error_message() -> None:
    made = oa.offer(OFFER, PskInitiator(psk=PSK), now=NOW)
    with pytest.raises(MikeyKeyManagementError, match="refused") as caught:
        oa.answer(made.sdp, PskResponder(psk=b"x" * 32), local=LOCAL, now=NOW)
    error = caught.value
    assert error.sip_status == 488 and error.rtsp_status == 463
    assert error.reply is not None and error.answer_sdp is not None
    (attribute,) = SessionDescription.parse(error.answer_sdp).attributes("key-mgmt")
    assert attribute.value is not None and attribute.value.startswith("mikey ")


def test_peer_error_message_refused_by_offerer() -> None:
    initiator = PskInitiator(psk=PSK)
    made = oa.offer(OFFER, initiator, now=NOW)
    with pytest.raises(MikeyKeyManagementError) as caught:
        oa.answer(made.sdp, PskResponder(psk=b"x" * 32), local=LOCAL, now=NOW)
    assert caught.value.answer_sdp is not None
    with pytest.raises(MikeyKeyManagementError, match="error message"):
        oa.process_answer(caught.value.answer_sdp, initiator, made)


def test_bidding_down_detected_in_answer() -> None:
    made = oa.offer(OFFER, PskInitiator(psk=PSK), now=NOW)
    tampered = made.sdp.with_attributes([Attribute("key-mgmt", "keyp1 AQID")])
    with pytest.raises(MikeyKeyManagementError) as caught:
        oa.answer(tampered, PskResponder(psk=PSK), local=LOCAL, now=NOW)
    assert isinstance(caught.value.__cause__, MikeyBiddingDownError)


def test_answer_without_keys_refused() -> None:
    made = oa.offer(OFFER, now=NOW, sdes_suites=["AES_CM_128_HMAC_SHA1_80"])
    with pytest.raises(MikeyKeyManagementError, match="without keys"):
        oa.process_answer(LOCAL, None, made)
    with pytest.raises(MikeyKeyManagementError, match="no a=crypto"):
        oa.answer(OFFER, PskResponder(psk=PSK), local=LOCAL, now=NOW)


def test_offer_errors() -> None:
    with pytest.raises(MikeyValueError, match="MIKEY"):
        oa.offer(OFFER, now=NOW)
    with pytest.raises(MikeyValueError, match="SSRCs"):
        oa.offer(OFFER, PskInitiator(psk=PSK), now=NOW, ssrcs=[1])
    made = oa.offer(OFFER, now=NOW, sdes_suites=["AES_CM_128_HMAC_SHA1_80"])
    with pytest.raises(MikeyValueError, match="already carries"):
        oa.offer(made.sdp, PskInitiator(psk=PSK), now=NOW)
    with pytest.raises(MikeyValueError, match="media descriptions"):
        oa.answer(OFFER, local=LOCAL.with_media(LOCAL.media[:1]), now=NOW)


def test_our_offer_authenticates_its_sdp_ids_against_bidding_down() -> None:
    """RFC 4567 §4.1.4: with another key management protocol offered beside MIKEY, the
    MIKEY message lists both (SDP IDs, under its MAC); stripping the other one on the
    way is detected, and the untouched offer is answered."""
    from mikey.signalling import KeyMgmt
    from mikey.wire.extension import GeneralExtensionPayload, SdpIds
    from mikey.wire.message import decode_message

    with_other = OFFER.with_attributes([Attribute("key-mgmt", "kmp2 AQID")])
    made = oa.offer(with_other, PskInitiator(psk=PSK), now=NOW)
    mikey = [KeyMgmt.from_attribute(a) for a in made.sdp.attributes("key-mgmt")]
    assert [k.protocol for k in mikey] == ["kmp2", "mikey"]
    ext = decode_message(mikey[1].data).get(GeneralExtensionPayload)
    assert ext is not None and ext.content == SdpIds(ids=("kmp2", "mikey"))
    answered = oa.answer(made.sdp, PskResponder(psk=PSK), local=LOCAL, now=NOW)
    assert answered.bundles
    stripped = made.sdp.without_attributes("key-mgmt").with_attributes(
        [made.sdp.attributes("key-mgmt")[1]]
    )
    with pytest.raises(MikeyKeyManagementError) as caught:
        oa.answer(stripped, PskResponder(psk=PSK), local=LOCAL, now=NOW)
    assert isinstance(caught.value.__cause__, MikeyBiddingDownError)
