"""The Diffie-Hellman methods: signed DH (RFC 3830 §3.3) and DHHMAC (RFC 4650). Both
sides end with the same TGK, g^(xi*xr), keying SRTP; each exchange (and each fork
branch) has its own; a downgraded group, a tampered signature or HMAC, an untrusted or
revoked certificate, a bad DH value and a replay are each refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509

from mikey.errors import (
    MikeyAuthenticationError,
    MikeyError,
    MikeyInvalidCertError,
    MikeyPeerError,
    MikeyProtocolError,
    MikeyReplayError,
)
from mikey.modes import (
    CryptoSessionSpec,
    DhHmacInitiator,
    DhHmacResponder,
    DhSignInitiator,
    DhSignResponder,
)
from mikey.pki import Revocation
from mikey.registry import DataType, DhGroup, ErrorNo, KeyDataType, PayloadType
from mikey.srtp.policy import AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80
from mikey.wire import decode_message
from mikey.wire.message import Message
from mikey.wire.publickey import DhPayload

from ..srtp.packets import rtp
from .certificates import BOB, NOW, Party, Pki, uri

PSK = b"a key Alice and Bob set up beforehand"
STREAMS = (
    CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0x11111111),
    CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=0),
)


def sign_pair(
    pki: Pki, party: Party | None = None, **responder: object
) -> tuple[DhSignInitiator, DhSignResponder]:
    party = party or pki.alice
    initiator = DhSignInitiator(
        private_key=party.key,
        certificates=party.chain,
        trust=pki.trust(),
        identity=uri(party),
        peer_identity=BOB,
        group=responder.pop("group", DhGroup.OAKLEY_5),  # type: ignore[arg-type]
    )
    options: dict[str, object] = {
        "private_key": pki.bob.key,
        "certificates": pki.bob.chain,
        "trust": pki.trust(),
        "identity": BOB,
        **responder,
    }
    return initiator, DhSignResponder(**options)  # type: ignore[arg-type]


def hmac_pair(**responder: object) -> tuple[DhHmacInitiator, DhHmacResponder]:
    initiator = DhHmacInitiator(
        psk=PSK,
        identity=b"alice",
        peer_identity=b"bob",
        group=responder.pop("group", DhGroup.OAKLEY_5),  # type: ignore[arg-type]
    )
    options: dict[str, object] = {"psk": PSK, "identity": b"bob", **responder}
    return initiator, DhHmacResponder(**options)  # type: ignore[arg-type]


def error_no(reply: bytes | None) -> ErrorNo:
    assert reply is not None
    answer = decode_message(reply)
    assert answer.data_type == DataType.ERROR
    (err,) = [p for p in answer.payloads if p.payload_type is PayloadType.ERR]
    return ErrorNo(err.error_no)  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", ["sign", "hmac"])
def test_both_sides_derive_one_tgk_that_keys_srtp(pki: Pki, method: str) -> None:
    alice, bob = sign_pair(pki) if method == "sign" else hmac_pair()
    request = alice.initiate(STREAMS, now=NOW)
    result = bob.receive(request, now=NOW)
    assert result.accepted, result.error
    assert result.bundle is not None and result.reply is not None
    bundle = alice.receive_response(result.reply, now=NOW)
    assert bundle.traffic_key.key_type == KeyDataType.TGK
    assert len(bundle.traffic_key.key) == DhGroup.OAKLEY_5.value_length
    assert bundle.traffic_key.key == result.bundle.traffic_key.key
    ssrc = bundle.crypto_sessions[1].ssrc
    assert ssrc != 0 and ssrc == result.bundle.crypto_sessions[1].ssrc
    sender = result.bundle.srtp_session(2, direction="outbound")
    receiver = bundle.srtp_session(2, direction="inbound")
    assert receiver.unprotect(sender.protect(rtp(seq=3, ssrc=ssrc))) == rtp(seq=3, ssrc=ssrc)


def test_message_layouts(pki: Pki) -> None:
    alice, bob = sign_pair(pki)
    request = alice.initiate(STREAMS, now=NOW)
    kinds = [p.payload_type.name for p in decode_message(request).payloads]
    assert kinds == ["T", "RAND", "ID", "ID", "CERT", "CERT", "SP", "SP", "DH", "SIGN"]
    reply = bob.receive(request, now=NOW).reply
    assert reply is not None
    answer = decode_message(reply)
    kinds = [p.payload_type.name for p in answer.payloads]
    assert kinds == ["T", "ID", "CERT", "CERT", "ID", "DH", "DH", "SIGN"]
    dh_i = decode_message(request).get(DhPayload)
    assert answer.payloads[6] == dh_i  # DHi echoed
    h_alice, h_bob = hmac_pair()
    h_request = h_alice.initiate(now=NOW)
    kinds = [p.payload_type.name for p in decode_message(h_request).payloads]
    assert kinds == ["T", "RAND", "ID", "ID", "SP", "DH", "KEMAC"]
    h_reply = h_bob.receive(h_request, now=NOW).reply
    assert h_reply is not None
    kinds = [p.payload_type.name for p in decode_message(h_reply).payloads]
    assert kinds == ["T", "ID", "ID", "DH", "DH", "KEMAC"]


def test_every_exchange_has_its_own_key(pki: Pki) -> None:
    alice, bob = sign_pair(pki)
    keys = set()
    for second in range(3):
        now = NOW + timedelta(seconds=second)
        result = bob.receive(alice.initiate(now=now), now=now)
        assert result.reply is not None
        keys.add(alice.receive_response(result.reply, now=now).traffic_key.key)
    assert len(keys) == 3


def test_fork_branches_get_their_own_keys(pki: Pki) -> None:
    alice, bob = sign_pair(pki)
    _, other_device = sign_pair(pki)
    request = alice.initiate(now=NOW)
    branches = []
    for device in (bob, other_device):
        reply = device.receive(request, now=NOW).reply
        branches.append(alice.receive_response(reply or b"", now=NOW))
    assert alice.branches(branches[0].csb_id) == branches
    assert branches[0].traffic_key.key != branches[1].traffic_key.key


@pytest.mark.parametrize("method", ["sign", "hmac"])
def test_a_weaker_group_is_refused_as_invalid_dh(pki: Pki, method: str) -> None:
    for group in (DhGroup.OAKLEY_1, DhGroup.OAKLEY_2):
        alice, bob = sign_pair(pki, group=group) if method == "sign" else hmac_pair(group=group)
        assert error_no(bob.receive(alice.initiate(now=NOW), now=NOW).reply) == ErrorNo.INVALID_DH
    # Allowed by policy, group 2 works.
    alice, bob = (
        sign_pair(pki, group=DhGroup.OAKLEY_2, groups=[DhGroup.OAKLEY_2])
        if method == "sign"
        else hmac_pair(group=DhGroup.OAKLEY_2, groups=[DhGroup.OAKLEY_2])
    )
    result = bob.receive(alice.initiate(now=NOW), now=NOW)
    assert result.accepted and result.reply is not None
    assert len(alice.receive_response(result.reply, now=NOW).traffic_key.key) == 128


@pytest.mark.parametrize("value", [0, 1, -1])
def test_a_bad_dh_value_is_invalid_dh(pki: Pki, value: int) -> None:
    """0, 1 and p-1 (here the all-ones value of the group's length minus nothing) are
    not in the group's large subgroup."""
    alice, bob = hmac_pair()
    request = decode_message(alice.initiate(now=NOW))
    dh = request.get(DhPayload)
    assert dh is not None
    from mikey.crypto.dh import group_prime

    p = group_prime(DhGroup.OAKLEY_5)
    bad = (value % p).to_bytes(DhGroup.OAKLEY_5.value_length)
    payloads = tuple(
        DhPayload(dh_group=dh.dh_group, dh_value=bad) if isinstance(q, DhPayload) else q
        for q in request.payloads
    )
    forged = alice._auth.seal(  # re-authenticate, as a peer holding the key could
        Message(header=request.header, payloads=payloads),
        csb_id=request.header.csb_id,
        rand=request.payloads[1].rand,  # type: ignore[attr-defined]
        prf_func=request.header.prf_func,
    )
    assert error_no(bob.receive(forged, now=NOW).reply) == ErrorNo.INVALID_DH


def test_tampering_is_auth_failure(pki: Pki) -> None:
    for alice, bob in (sign_pair(pki), hmac_pair()):
        request = alice.initiate(now=NOW)
        tampered = bytearray(request)
        tampered[-3] ^= 1
        assert error_no(bob.receive(bytes(tampered), now=NOW).reply) == ErrorNo.AUTH_FAILURE
    alice, _ = hmac_pair()
    stranger = DhHmacResponder(psk=b"another key", identity=b"bob")
    assert error_no(stranger.receive(alice.initiate(now=NOW), now=NOW).reply) == (
        ErrorNo.AUTH_FAILURE
    )


def test_certificates_are_validated_both_ways(pki: Pki) -> None:
    revoked = Revocation(
        serial_number=pki.mallory.chain[0].serial_number,
        revoked_at=NOW - timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    mallory, _ = sign_pair(pki, pki.mallory)
    bob = DhSignResponder(
        private_key=pki.bob.key, certificates=pki.bob.chain, trust=pki.trust(revoked)
    )
    result = bob.receive(mallory.initiate(now=NOW), now=NOW)
    assert error_no(result.reply) == ErrorNo.INVALID_CERT and "revoked" in str(result.error)
    stranger, bob = sign_pair(pki, pki.stranger)
    assert error_no(bob.receive(stranger.initiate(now=NOW), now=NOW).reply) == (
        ErrorNo.INVALID_CERT
    )
    # An impostor answering for Bob with a certificate Alice does not trust.
    alice, _ = sign_pair(pki)
    impostor = DhSignResponder(
        private_key=pki.stranger.key, certificates=pki.stranger.chain, trust=pki.trust()
    )
    reply = impostor.receive(alice.initiate(now=NOW), now=NOW).reply
    with pytest.raises(MikeyInvalidCertError):
        alice.receive_response(reply or b"", now=NOW)


def test_replays_and_stray_answers(pki: Pki) -> None:
    alice, bob = hmac_pair()
    request = alice.initiate(now=NOW)
    first = bob.receive(request, now=NOW)
    again = bob.receive(request, now=NOW + timedelta(seconds=1))
    assert isinstance(again.error, MikeyReplayError) and again.reply is None
    alice.receive_response(first.reply or b"", now=NOW)
    with pytest.raises(MikeyProtocolError, match="already answered"):
        alice.receive_response(first.reply or b"", now=NOW)
    other, _ = hmac_pair()
    with pytest.raises(MikeyProtocolError, match="no DHHMAC request"):
        other.receive_response(first.reply or b"", now=NOW)


def test_the_initiator_sees_refusals_and_tampered_answers(pki: Pki) -> None:
    alice, bob = hmac_pair(groups=[DhGroup.OAKLEY_2])
    refused = bob.receive(alice.initiate(now=NOW), now=NOW)
    with pytest.raises(MikeyPeerError) as info:
        alice.receive_response(refused.reply or b"", now=NOW)
    assert info.value.error_nos == (ErrorNo.INVALID_DH,)
    alice, bob = hmac_pair()
    reply = bob.receive(alice.initiate(now=NOW), now=NOW).reply
    assert reply is not None
    for index in range(0, len(reply), 9):
        altered = bytearray(reply)
        altered[index] ^= 0x10
        with pytest.raises(MikeyError):
            alice.receive_response(bytes(altered), now=NOW)
    with pytest.raises(MikeyAuthenticationError):
        alice.receive_response(reply[:-1] + bytes([reply[-1] ^ 1]), now=NOW)
    assert alice.receive_response(reply, now=NOW).traffic_key.key


@pytest.mark.parametrize("method", ["sign", "hmac"])
def test_updates_rekey_or_keep_the_key_and_add_streams(pki: Pki, method: str) -> None:
    """RFC 3830 §4.5, RFC 4650 §3.1: same CSB, no RAND; with DHi a new TGK, without DH
    values the TGK stays; added crypto sessions are keyed too."""
    alice, bob = sign_pair(pki) if method == "sign" else hmac_pair()
    first = bob.receive(alice.initiate(STREAMS, now=NOW), now=NOW)
    bundle = alice.receive_response(first.reply or b"", now=NOW)
    later = NOW + timedelta(seconds=10)
    update = alice.update(
        bundle, now=later, add=[CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0x33)]
    )
    kinds = [p.payload_type.name for p in decode_message(update).payloads]
    assert "RAND" not in kinds and kinds.count("DH") == 1
    second = bob.receive(update, now=later)
    assert second.accepted and second.bundle is not None, second.error
    rekeyed = alice.receive_response(second.reply or b"", now=later)
    assert rekeyed.generation == 1 and rekeyed.traffic_key.key != bundle.traffic_key.key
    assert rekeyed.traffic_key.key == second.bundle.traffic_key.key
    assert rekeyed.crypto_sessions[1].ssrc == bundle.crypto_sessions[1].ssrc  # kept
    assert rekeyed.srtp_master_key(3) == second.bundle.srtp_master_key(3)
    assert alice.bundles[bundle.csb_id] is rekeyed
    # Without a new key: no DH values either way, the TGK stays.
    latest = NOW + timedelta(seconds=20)
    keep = alice.update(rekeyed, now=latest, new_key=False)
    assert "DH" not in [p.payload_type.name for p in decode_message(keep).payloads]
    third = bob.receive(keep, now=latest)
    assert third.accepted and third.reply is not None
    assert "DH" not in [p.payload_type.name for p in decode_message(third.reply).payloads]
    kept = alice.receive_response(third.reply, now=latest)
    assert kept.traffic_key == rekeyed.traffic_key and kept.generation == 1
    # An update for a CSB the Responder does not know is refused.
    _, stranger = sign_pair(pki) if method == "sign" else hmac_pair()
    assert error_no(stranger.receive(keep, now=latest).reply) == ErrorNo.UNSPECIFIED_ERROR
