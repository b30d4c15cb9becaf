"""The public-key envelope method (RFC 3830 §3.2, §4.5, §5.2, §6.3, §6.5, §6.8) with
certificates from the project's CA: the exchange keys real SRTP, and every refusal comes
with the error number of §6.12: untrusted, revoked or malformed certificates (Invalid
Cert), a tampered signature or envelope (Auth failure), an IDi the certificate does not
name (Invalid ID), replays (dropped). Cached envelope keys serve pre-shared key updates
(§4.5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from mikey.errors import MikeyPeerError, MikeyReplayError, MikeyValueError
from mikey.modes import CryptoSessionSpec, PkeInitiator, PkeResponder
from mikey.pki import (
    Revocation,
    RevocationMode,
    TrustStore,
)
from mikey.registry import CacheIndicator, DataType, ErrorNo, HashFunc, PayloadType, SType
from mikey.srtp.policy import AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80
from mikey.wire import decode_message
from mikey.wire.basic import CertPayload
from mikey.wire.publickey import CertHashPayload, EnvelopePayload, SignaturePayload

from ..srtp.packets import rtp
from .certificates import BOB, NOW, Party, Pki, uri

AUDIO_VIDEO = (
    CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0x11111111),
    CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=0x22222222, roc=3),
)


def initiator(pki: Pki, party: Party | None = None, **options: object) -> PkeInitiator:
    party = party or pki.alice
    arguments: dict[str, object] = {
        "private_key": party.key,
        "certificates": party.chain,
        "peer_certificate": pki.bob.chain[0],
        "identity": uri(party),
        "peer_identity": BOB,
        **options,
    }
    return PkeInitiator(**arguments)  # type: ignore[arg-type]


def responder(pki: Pki, *revoked: Revocation, **options: object) -> PkeResponder:
    return PkeResponder(
        private_key=pki.bob.key,
        certificate=pki.bob.chain[0],
        trust=options.pop("trust", None) or pki.trust(*revoked),  # type: ignore[arg-type]
        identity=BOB,
        **options,  # type: ignore[arg-type]
    )


def refusal(pki: Pki, message: bytes, **options: object) -> tuple[ErrorNo, bool]:
    """The error number the Responder answers ``message`` with, and whether the answer
    is authenticated (as the Initiator sees it)."""
    result = responder(pki, **options).receive(message, now=NOW)
    assert not result.accepted and result.reply is not None
    answer = decode_message(result.reply)
    assert answer.data_type == DataType.ERROR
    error_nos = [p.error_no for p in answer.payloads if p.payload_type is PayloadType.ERR]
    return ErrorNo(error_nos[0]), answer.payloads[-1].payload_type is PayloadType.V


def test_exchange_keys_srtp_both_ways(pki: Pki) -> None:
    alice, bob = initiator(pki), responder(pki)
    message, _ = alice.initiate(AUDIO_VIDEO, now=NOW, verify=True)
    result = bob.receive(message, now=NOW)
    assert result.accepted, result.error
    assert result.bundle is not None and result.reply is not None
    assert decode_message(result.reply).data_type == DataType.PK_VER_MSG
    bundle = alice.receive_response(result.reply)
    for cs_id in (1, 2):
        assert bundle.srtp_master_key(cs_id) == result.bundle.srtp_master_key(cs_id)
    sender = bundle.srtp_session(2, direction="outbound")
    receiver = result.bundle.srtp_session(2, direction="inbound")
    packet = rtp(ssrc=0x22222222, seq=7)
    assert receiver.unprotect(sender.protect(packet)) == packet


def test_i_message_layout_follows_section_3_2(pki: Pki) -> None:
    message, _ = initiator(pki, chash=HashFunc.SHA_256).initiate(now=NOW)
    decoded = decode_message(message)
    assert decoded.data_type == DataType.PUBLIC_KEY
    kinds = [p.payload_type.name for p in decoded.payloads]
    assert kinds == ["T", "RAND", "ID", "ID", "CERT", "CERT", "SP", "KEMAC", "CHASH", "PKE", "SIGN"]
    certs = decoded.get_all(CertPayload)
    assert [x509.load_der_x509_certificate(c.data) for c in certs] == list(pki.alice.chain)
    chash = decoded.get(CertHashPayload)
    assert chash is not None
    assert chash.hash == pki.bob.chain[0].fingerprint(hashes.SHA256())
    envelope = decoded.get(EnvelopePayload)
    assert envelope is not None and len(envelope.data) == 256  # RSA-2048
    assert decoded.payloads[-1] == decoded.get(SignaturePayload)


@pytest.mark.parametrize("s_type", [SType.RSA_PKCS1_1_5, SType.RSA_PSS])
def test_both_signature_types(pki: Pki, s_type: SType) -> None:
    message, _ = initiator(pki, s_type=s_type).initiate(now=NOW)
    sign = decode_message(message).get(SignaturePayload)
    assert sign is not None and sign.s_type == s_type
    assert responder(pki).receive(message, now=NOW).accepted
    only_pkcs1 = responder(pki, s_types=[SType.RSA_PKCS1_1_5]).receive(message, now=NOW)
    assert only_pkcs1.accepted is (s_type == SType.RSA_PKCS1_1_5)


def test_an_initiator_may_leave_its_certificates_out_when_known(pki: Pki) -> None:
    message, _ = initiator(pki, certificates=()).initiate(now=NOW)
    assert decode_message(message).get(CertPayload) is None
    assert refusal(pki, message) == (ErrorNo.INVALID_CERT, False)
    known = {uri(pki.alice): pki.alice.chain}
    assert responder(pki, known_certificates=known).receive(message, now=NOW).accepted


def test_revoked_untrusted_and_malformed_certificates_are_invalid_cert(pki: Pki) -> None:
    revoked = Revocation(
        serial_number=pki.mallory.chain[0].serial_number,
        revoked_at=NOW - timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    mallory, _ = initiator(pki, pki.mallory).initiate(now=NOW)
    result = responder(pki, revoked).receive(mallory, now=NOW)
    assert result.error is not None and "revoked" in str(result.error)
    assert "keyCompromise" in str(result.error)
    assert refusal(pki, mallory, trust=pki.trust(revoked)) == (ErrorNo.INVALID_CERT, False)
    stranger, _ = initiator(pki, pki.stranger).initiate(now=NOW)
    assert refusal(pki, stranger) == (ErrorNo.INVALID_CERT, False)
    # Hard-fail: without a CRL for the issuing CA, nothing is trusted.
    no_crls = TrustStore(roots=(pki.root.certificate,))
    alice, _ = initiator(pki).initiate(now=NOW)
    assert refusal(pki, alice, trust=no_crls) == (ErrorNo.INVALID_CERT, False)
    soft = TrustStore(roots=(pki.root.certificate,), revocation=RevocationMode.SOFT)
    assert responder(pki, trust=soft).receive(alice, now=NOW).accepted


def test_a_tampered_signature_is_auth_failure(pki: Pki) -> None:
    message, _ = initiator(pki).initiate(now=NOW)
    tampered = message[:-1] + bytes([message[-1] ^ 1])
    assert refusal(pki, tampered) == (ErrorNo.AUTH_FAILURE, False)


def test_every_altered_byte_is_refused(pki: Pki) -> None:
    message, _ = initiator(pki).initiate(now=NOW)
    decoded = decode_message(message)
    bob = responder(pki)
    # Every 7th byte, and every byte of each certificate's header (tags, lengths,
    # version, serial): pyca raises more than ValueError on those.
    indexes = set(range(0, len(message), 7))
    for position, payload in enumerate(decoded.payloads):
        if isinstance(payload, CertPayload):
            start, _ = decoded.payload_span(position)
            indexes.update(range(start + 4, start + 4 + 40))
    for index in sorted(indexes):
        altered = bytearray(message)
        altered[index] ^= 0x20
        assert not bob.receive(bytes(altered), now=NOW).accepted, index


def test_an_envelope_for_someone_else_is_refused(pki: Pki) -> None:
    # Encrypted to Alice's key while Bob answers: CHASH says so (Invalid Cert); without
    # CHASH the envelope key does not decrypt (Auth failure).
    for chash, error_no in ((HashFunc.SHA_1, ErrorNo.INVALID_CERT), (None, ErrorNo.AUTH_FAILURE)):
        wrong = PkeInitiator(
            private_key=pki.alice.key,
            certificates=pki.alice.chain,
            peer_certificate=pki.alice.chain[0],
            identity=uri(pki.alice),
            chash=chash,
        )
        message, _ = wrong.initiate(now=NOW)
        assert refusal(pki, message)[0] == error_no


def test_an_idi_the_certificate_does_not_name_is_invalid_id(pki: Pki) -> None:
    message, _ = initiator(pki, identity=b"sip:ceo@example.com").initiate(now=NOW, verify=True)
    assert refusal(pki, message) == (ErrorNo.INVALID_ID, True)


def test_a_replayed_i_message_is_dropped(pki: Pki) -> None:
    bob = responder(pki)
    message, _ = initiator(pki).initiate(now=NOW)
    assert bob.receive(message, now=NOW).accepted
    again = bob.receive(message, now=NOW + timedelta(seconds=1))
    assert isinstance(again.error, MikeyReplayError) and again.reply is None


def test_updates_without_cache_send_a_new_envelope(pki: Pki) -> None:
    alice, bob = initiator(pki), responder(pki)
    message, bundle = alice.initiate(AUDIO_VIDEO, now=NOW)
    first = bob.receive(message, now=NOW)
    assert first.accepted and first.bundle is not None
    update, rekeyed = alice.update(bundle, now=NOW + timedelta(seconds=1))
    assert decode_message(update).data_type == DataType.PUBLIC_KEY
    second = bob.receive(update, now=NOW + timedelta(seconds=1))
    assert second.accepted and second.updated and second.bundle is not None
    assert second.bundle.srtp_master_key(1) == rekeyed.srtp_master_key(1)
    assert rekeyed.srtp_master_key(1) != first.bundle.srtp_master_key(1)


def test_a_cached_envelope_key_serves_pre_shared_key_updates(pki: Pki) -> None:
    alice = initiator(pki, cache=CacheIndicator.CACHE_FOR_CSB)
    bob = responder(pki)
    message, bundle = alice.initiate(AUDIO_VIDEO, now=NOW, verify=True)
    first = bob.receive(message, now=NOW)
    assert first.accepted and first.reply is not None
    bundle = alice.receive_response(first.reply)
    later = NOW + timedelta(seconds=5)
    update, _ = alice.update(bundle, now=later, verify=True)
    assert decode_message(update).data_type == DataType.PRE_SHARED  # §4.5: MUST NOT be PK
    second = bob.receive(update, now=later)
    assert second.accepted and second.updated, second.error
    assert second.reply is not None
    assert decode_message(second.reply).data_type == DataType.PSK_VER_MSG
    confirmed = alice.receive_response(second.reply)
    assert second.bundle is not None
    assert confirmed.srtp_master_key(1) == second.bundle.srtp_master_key(1)
    # Another Responder, which never saw the CSB or its envelope key, cannot take it.
    assert refusal(pki, update) == (ErrorNo.UNSPECIFIED_ERROR, False)


def test_caller_mistakes_are_clear_errors(pki: Pki) -> None:
    with pytest.raises(MikeyValueError, match="not the private key's"):
        initiator(pki, certificates=pki.bob.chain)
    with pytest.raises(MikeyValueError, match="identity"):
        PkeInitiator(
            private_key=pki.alice.key,
            certificates=pki.alice.chain,
            peer_certificate=pki.bob.chain[0],
            identity=b"",
        )


def test_the_initiator_sees_the_refusal(pki: Pki) -> None:
    alice = initiator(pki, pki.stranger)
    message, _ = alice.initiate(now=NOW, verify=True)
    result = responder(pki).receive(message, now=NOW)
    assert result.reply is not None
    with pytest.raises(MikeyPeerError) as info:
        alice.receive_response(result.reply)
    assert info.value.error_nos == (ErrorNo.INVALID_CERT,)


def test_signature_hashes_are_agreed_per_peer(pki: Pki) -> None:
    """RFC 3830 names no signature hash: SHA-256 by default, SHA-1 (minisip's) only for a
    Responder that lists it."""
    message, _ = initiator(pki, signature_hash=HashFunc.SHA_1).initiate(now=NOW)
    assert refusal(pki, message) == (ErrorNo.AUTH_FAILURE, False)
    both = (HashFunc.SHA_256, HashFunc.SHA_1)
    assert responder(pki, signature_hashes=both).receive(message, now=NOW).accepted


def test_an_initiator_with_a_trust_store_checks_the_responders_certificate(pki: Pki) -> None:
    """§4.3.1: the envelope key is sealed only to a certificate the Initiator trusts."""
    from mikey.errors import MikeyInvalidCertError

    good = initiator(pki, trust=pki.trust(), peer_chain=pki.bob.chain[1:])
    assert responder(pki).receive(good.initiate(now=NOW)[0], now=NOW).accepted
    revoked = Revocation(
        serial_number=pki.bob.chain[0].serial_number,
        revoked_at=NOW - timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    careful = initiator(pki, trust=pki.trust(revoked), peer_chain=pki.bob.chain[1:])
    with pytest.raises(MikeyInvalidCertError, match="revoked"):
        careful.initiate(now=NOW)
    stranger = initiator(pki, peer_certificate=pki.stranger.chain[0], trust=pki.trust())
    with pytest.raises(MikeyInvalidCertError):
        stranger.initiate(now=NOW)
