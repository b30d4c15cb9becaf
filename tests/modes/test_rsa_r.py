"""MIKEY-RSA-R (RFC 4738 §3): the Responder chooses the key and returns it encrypted to
the Initiator's certificate; both end with the same bundle keying SRTP. RAND comes from
exactly one side; SIGNr covers the R_MESSAGE with IDi ‖ IDr ‖ T appended (§3.6); every
certificate is validated by an explicit trust store; refusals carry their error number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509

from mikey.errors import (
    MikeyError,
    MikeyIdentityError,
    MikeyInvalidCertError,
    MikeyPeerError,
    MikeyProtocolError,
    MikeyReplayError,
)
from mikey.modes import CryptoSessionSpec, RsaRInitiator, RsaRResponder
from mikey.modes.pubkey import sign_message
from mikey.pki import Revocation
from mikey.registry import DataType, ErrorNo, PayloadType, SType
from mikey.srtp.policy import AEAD_AES_128_GCM, AES_256_CM_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_80
from mikey.wire import decode_message
from mikey.wire.basic import RandPayload, TimestampPayload
from mikey.wire.message import Message
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import SignaturePayload

from ..srtp.packets import rtp
from .certificates import BOB, NOW, Party, Pki, uri

SESSIONS = (
    CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0x11111111),
    CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=0),  # the Responder's stream
)


def initiator(pki: Pki, party: Party | None = None, **options: object) -> RsaRInitiator:
    party = party or pki.alice
    arguments: dict[str, object] = {
        "private_key": party.key,
        "certificates": party.chain,
        "trust": pki.trust(),
        "identity": uri(party),
        "peer_identity": BOB,
        **options,
    }
    return RsaRInitiator(**arguments)  # type: ignore[arg-type]


def responder(pki: Pki, *revoked: Revocation, **options: object) -> RsaRResponder:
    arguments: dict[str, object] = {
        "private_key": pki.bob.key,
        "certificates": pki.bob.chain,
        "trust": pki.trust(*revoked),
        "identity": BOB,
        **options,
    }
    return RsaRResponder(**arguments)  # type: ignore[arg-type]


def error_no(reply: bytes | None) -> ErrorNo:
    assert reply is not None
    answer = decode_message(reply)
    assert answer.data_type == DataType.ERROR
    (err,) = [p for p in answer.payloads if p.payload_type is PayloadType.ERR]
    return ErrorNo(err.error_no)  # type: ignore[attr-defined]


@pytest.mark.parametrize("send_rand", [True, False])
def test_exchange_keys_srtp_both_ways(pki: Pki, send_rand: bool) -> None:
    alice, bob = initiator(pki, send_rand=send_rand), responder(pki)
    request = alice.initiate(SESSIONS, now=NOW)
    assert decode_message(request).header.v  # §3.4: always set
    result = bob.receive(request, now=NOW)
    assert result.accepted, result.error
    assert result.bundle is not None and result.reply is not None
    answer = decode_message(result.reply)
    assert answer.data_type == DataType.RSA_R_R_MSG
    assert (answer.get(RandPayload) is None) is send_rand  # RAND from exactly one side
    bundle = alice.receive_response(result.reply, now=NOW)
    assert bundle.rand == result.bundle.rand
    responder_ssrc = bundle.crypto_sessions[1].ssrc
    assert responder_ssrc != 0 and responder_ssrc == result.bundle.crypto_sessions[1].ssrc
    for cs_id in (1, 2):
        assert bundle.srtp_master_key(cs_id) == result.bundle.srtp_master_key(cs_id)
    # The Responder sends on the stream whose SSRC it chose; the Initiator receives.
    sender = result.bundle.srtp_session(2, direction="outbound")
    receiver = bundle.srtp_session(2, direction="inbound")
    packet = rtp(seq=1, ssrc=responder_ssrc)
    assert receiver.unprotect(sender.protect(packet)) == packet


def test_message_layouts_follow_section_3(pki: Pki) -> None:
    request = initiator(pki).initiate(SESSIONS, now=NOW)
    kinds = [p.payload_type.name for p in decode_message(request).payloads]
    assert kinds == ["T", "RAND", "ID", "ID", "CERT", "CERT", "SP", "SP", "SIGN"]
    reply = responder(pki).receive(request, now=NOW).reply
    assert reply is not None
    kinds = [p.payload_type.name for p in decode_message(reply).payloads]
    assert kinds == ["T", "ID", "CERT", "CERT", "SP", "SP", "KEMAC", "PKE", "SIGN"]


def test_the_responder_chooses_among_the_offered_policies(pki: Pki) -> None:
    offer = (CryptoSessionSpec(policy=AES_256_CM_HMAC_SHA1_80, ssrc=5),)
    strict = responder(pki, accept_policy=lambda p: p is AES_CM_128_HMAC_SHA1_80)
    result = strict.receive(initiator(pki).initiate(offer, now=NOW), now=NOW)
    assert error_no(result.reply) == ErrorNo.INVALID_SPPAR  # RFC 4738 §3.4
    bob = responder(pki)
    alice = initiator(pki)
    result = bob.receive(alice.initiate(offer, now=NOW), now=NOW)
    assert result.reply is not None
    assert alice.receive_response(result.reply, now=NOW).crypto_sessions[0].policy == (
        AES_256_CM_HMAC_SHA1_80
    )


def test_an_r_message_choosing_what_was_not_offered_is_discarded(pki: Pki) -> None:
    alice = initiator(pki)
    request = alice.initiate((CryptoSessionSpec(ssrc=5),), now=NOW)
    reply = responder(pki).receive(request, now=NOW).reply
    assert reply is not None
    # Bob (his key, a valid signature) answers with a policy Alice did not offer.
    message = decode_message(reply)
    other = SecurityPolicyPayload(policy_no=0, prot_type=0, params=())
    blank = SignaturePayload(s_type=SType.RSA_PKCS1_1_5, signature=bytes(256))
    payloads = [other if isinstance(p, SecurityPolicyPayload) else p for p in message.payloads]
    unsigned = Message(header=message.header, payloads=(*payloads[:-1], blank))
    t = decode_message(request).get(TimestampPayload)
    assert t is not None
    trailer = uri(pki.alice) + BOB + t.value.to_bytes(8)
    forged = sign_message(unsigned, pki.bob.key, SType.RSA_PKCS1_1_5, trailer=trailer)
    with pytest.raises(MikeyProtocolError, match="did not offer"):
        alice.receive_response(forged, now=NOW)
    assert alice.receive_response(reply, now=NOW).crypto_sessions[0].ssrc == 5


def test_a_tampered_r_message_is_refused(pki: Pki) -> None:
    alice = initiator(pki)
    reply = responder(pki).receive(alice.initiate(now=NOW), now=NOW).reply
    assert reply is not None
    for index in range(0, len(reply), 11):
        altered = bytearray(reply)
        altered[index] ^= 0x04
        with pytest.raises(MikeyError):
            alice.receive_response(bytes(altered), now=NOW)
    assert alice.receive_response(reply, now=NOW).csb_id == decode_message(reply).header.csb_id


def test_a_tampered_signature_on_the_request_is_auth_failure(pki: Pki) -> None:
    request = initiator(pki).initiate(now=NOW)
    tampered = request[:-1] + bytes([request[-1] ^ 1])
    assert error_no(responder(pki).receive(tampered, now=NOW).reply) == ErrorNo.AUTH_FAILURE


def test_certificates_are_validated_on_both_sides(pki: Pki) -> None:
    revoked = Revocation(
        serial_number=pki.mallory.chain[0].serial_number,
        revoked_at=NOW - timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    mallory = initiator(pki, pki.mallory).initiate(now=NOW)
    result = responder(pki, revoked).receive(mallory, now=NOW)
    assert error_no(result.reply) == ErrorNo.INVALID_CERT and "revoked" in str(result.error)
    stranger = initiator(pki, pki.stranger).initiate(now=NOW)
    assert error_no(responder(pki).receive(stranger, now=NOW).reply) == ErrorNo.INVALID_CERT
    # The Initiator refuses a Responder whose chain it does not trust, or who is not Bob.
    alice = initiator(pki, peer_identity=None)
    request = alice.initiate(now=NOW)
    impostor = RsaRResponder(
        private_key=pki.stranger.key,
        certificates=pki.stranger.chain,
        trust=pki.trust(),
        identity=uri(pki.stranger),
    )
    reply = impostor.receive(request, now=NOW).reply
    assert reply is not None
    with pytest.raises(MikeyInvalidCertError):
        alice.receive_response(reply, now=NOW)
    mallory_as_bob = RsaRResponder(
        private_key=pki.mallory.key, certificates=pki.mallory.chain, trust=pki.trust(), identity=BOB
    )
    alice = initiator(pki)
    reply = mallory_as_bob.receive(alice.initiate(now=NOW), now=NOW).reply
    assert reply is not None
    with pytest.raises(MikeyIdentityError):
        alice.receive_response(reply, now=NOW)


def test_replays_are_dropped_and_answers_match_requests(pki: Pki) -> None:
    alice, bob = initiator(pki), responder(pki)
    request = alice.initiate(now=NOW)
    first = bob.receive(request, now=NOW)
    assert first.accepted and first.reply is not None
    again = bob.receive(request, now=NOW + timedelta(seconds=1))
    assert isinstance(again.error, MikeyReplayError) and again.reply is None
    alice.receive_response(first.reply, now=NOW)
    with pytest.raises(MikeyProtocolError, match="already answered"):
        alice.receive_response(first.reply, now=NOW)
    with pytest.raises(MikeyProtocolError, match="no RSA-R request"):
        initiator(pki).receive_response(first.reply, now=NOW)


def test_the_initiator_sees_refusals(pki: Pki) -> None:
    alice = initiator(pki, pki.stranger)
    result = responder(pki).receive(alice.initiate(now=NOW), now=NOW)
    assert result.reply is not None
    with pytest.raises(MikeyPeerError) as info:
        alice.receive_response(result.reply, now=NOW)
    assert info.value.error_nos == (ErrorNo.INVALID_CERT,)
    assert not info.value.authenticated


def test_pss_signatures_both_ways(pki: Pki) -> None:
    alice = initiator(pki, s_type=SType.RSA_PSS)
    bob = responder(pki, s_type=SType.RSA_PSS, s_types=[SType.RSA_PSS])
    result = bob.receive(alice.initiate(now=NOW), now=NOW)
    assert result.accepted and result.reply is not None
    assert alice.receive_response(result.reply, now=NOW).csb_id
    pkcs1 = initiator(pki).initiate(now=NOW)
    assert error_no(bob.receive(pkcs1, now=NOW).reply) == ErrorNo.AUTH_FAILURE


def test_group_mode_gives_every_member_the_group_keys(pki: Pki) -> None:
    """RFC 4738 §3.2: members ask (listen-only: no crypto session, no SP); the key server
    answers each with GenExt(CSB_ID), the group's RAND, SPs, crypto sessions and TGK."""
    from mikey.modes import RsaRGroup
    from mikey.wire.extension import CsbId, GeneralExtensionPayload

    group = RsaRGroup.create(
        [
            CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0xAAAA0001),
            CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=0xAAAA0002),
        ]
    )
    server = responder(pki, group=group)
    members = [initiator(pki), initiator(pki, pki.mallory, peer_identity=BOB)]
    keys, requests = [], []
    for member in members:
        request = member.initiate((), now=NOW)
        requests.append(decode_message(request).header.csb_id)
        assert SecurityPolicyPayload not in {type(p) for p in decode_message(request).payloads}
        result = server.receive(request, now=NOW)
        assert result.accepted and result.reply is not None, result.error
        answer = decode_message(result.reply)
        assert answer.header.csb_id == decode_message(request).header.csb_id  # §3.6
        ext = answer.get(GeneralExtensionPayload)
        assert ext is not None and ext.content == CsbId(csb_id=group.csb_id)
        assert answer.get(RandPayload) is not None  # the group's, although the member sent one
        bundle = member.receive_response(result.reply, now=NOW)
        assert bundle.csb_id == group.csb_id and bundle.rand == group.rand
        assert member.bundles[group.csb_id] is bundle
        assert [s.ssrc for s in bundle.crypto_sessions] == [0xAAAA0001, 0xAAAA0002]
        keys.append([bundle.srtp_master_key(cs) for cs in (1, 2)])
    assert keys[0] == keys[1]
    # The key server keeps each member's bundle under the CSB ID that member asked with.
    sender = server.bundle(requests[0], initiator=uri(pki.alice))
    assert sender is not None and keys[0][0] == sender.srtp_master_key(1)
