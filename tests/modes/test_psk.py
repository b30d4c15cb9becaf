"""The pre-shared key method and MIKEY-NULL (RFC 3830 §3.1, §4.5, §5): exchanges with and
without verification, several crypto sessions, updates, and every refusal with the error
number RFC 3830 §6.12 gives it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import (
    MikeyError,
    MikeyPeerError,
    MikeyProtocolError,
    MikeyReplayError,
    MikeyValueError,
)
from mikey.interop import GSTREAMER, ONVIF, RFC3830, InteropProfile
from mikey.modes import CryptoSessionSpec, PskInitiator, PskResponder, ReplayCache
from mikey.registry import (
    DataType,
    EncrAlg,
    ErrorNo,
    KeyDataType,
    KvType,
    MacAlg,
    PrfFunc,
    SrtpParam,
    TsType,
)
from mikey.srtp.policy import (
    AEAD_AES_128_GCM,
    AES_256_CM_HMAC_SHA1_32,
    AES_CM_128_HMAC_SHA1_80,
    NULL_HMAC_SHA1_80,
)
from mikey.wire import decode_message, decode_sub_payloads
from mikey.wire.basic import (
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload
from mikey.wire.policy import SecurityPolicyPayload

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TGK_SALT_PROFILE = InteropProfile(name="tgk+salt", key_type=KeyDataType.TGK_SALT)
PSK = bytes(range(32))
ALICE = b"sip:alice@example.com"
BOB = b"sip:bob@example.com"
AUDIO_VIDEO = (
    CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=0x11111111, roc=0),
    CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=0x22222222, roc=7),
)


def pair(**responder: object) -> tuple[PskInitiator, PskResponder]:
    initiator = PskInitiator(psk=PSK, identity=ALICE, peer_identity=BOB)
    options: dict[str, object] = {"psk": PSK, "identity": BOB, **responder}
    return initiator, PskResponder(**options)  # type: ignore[arg-type]


def refused(initiator: PskInitiator, reply: bytes | None) -> MikeyPeerError:
    assert reply is not None
    with pytest.raises(MikeyPeerError) as info:
        initiator.receive_response(reply)
    return info.value


def test_exchange_with_verification_gives_both_sides_the_same_keys() -> None:
    initiator, responder = pair()
    message, pending = initiator.initiate(AUDIO_VIDEO, now=NOW, verify=True)
    result = responder.receive(message, now=NOW)
    assert result.accepted and result.bundle is not None and result.reply is not None
    assert decode_message(result.reply).data_type == DataType.PSK_VER_MSG
    bundle = initiator.receive_response(result.reply)
    assert bundle is pending
    assert [s.ssrc for s in bundle.crypto_sessions] == [0x11111111, 0x22222222]
    assert [s.roc for s in result.bundle.crypto_sessions] == [0, 7]
    for cs_id, policy in ((1, AES_CM_128_HMAC_SHA1_80), (2, AEAD_AES_128_GCM)):
        key, salt = bundle.srtp_master_key(cs_id)
        assert (key, salt) == result.bundle.srtp_master_key(cs_id)
        assert (len(key), len(salt)) == (policy.master_key_length, policy.master_salt_length)
        assert result.bundle.crypto_session(cs_id).policy == policy
    # Each crypto session has its own TEK (cs_id is in the derivation label, §4.1.3).
    assert bundle.srtp_master_key(1)[0] != bundle.srtp_master_key(2)[0]


def test_i_message_layout_follows_section_3_1() -> None:
    initiator, _ = pair()
    message, bundle = initiator.initiate(AUDIO_VIDEO, now=NOW)
    decoded = decode_message(message)
    kinds = [type(p).__name__ for p in decoded.payloads]
    assert kinds == [
        "TimestampPayload",
        "RandPayload",
        "IdPayload",
        "IdPayload",
        "SecurityPolicyPayload",
        "SecurityPolicyPayload",
        "KemacPayload",
    ]
    assert decoded.header.csb_id == bundle.csb_id and not decoded.header.v
    kemac = decoded.get(KemacPayload)
    assert kemac is not None
    assert (kemac.encr_alg, kemac.mac_alg) == (EncrAlg.AES_CM_128, MacAlg.HMAC_SHA_1_160)
    assert len(decoded.get(RandPayload).rand) == 16  # type: ignore[union-attr]
    # The key data is encrypted: the TGK does not appear in clear.
    assert bundle.traffic_key.key not in message


def test_without_verification_the_bundle_is_in_force_at_once() -> None:
    initiator, responder = pair()
    message, bundle = initiator.initiate(now=NOW)
    result = responder.receive(message, now=NOW)
    assert result.accepted and result.reply is None
    assert initiator.bundles[bundle.csb_id] is bundle
    assert result.bundle is not None
    assert result.bundle.srtp_master_key(1) == bundle.srtp_master_key(1)


@pytest.mark.parametrize("prf_func", list(PrfFunc))
@pytest.mark.parametrize(
    ("encr_alg", "mac_alg"),
    [
        (EncrAlg.AES_CM_128, MacAlg.HMAC_SHA_1_160),
        (EncrAlg.NULL, MacAlg.HMAC_SHA_1_160),
        (EncrAlg.AES_CM_256, MacAlg.HMAC_SHA_256_256),
        (EncrAlg.AES_KW_128, MacAlg.HMAC_SHA_1_160),
    ],
)
def test_every_kemac_algorithm_and_prf(
    prf_func: PrfFunc, encr_alg: EncrAlg, mac_alg: MacAlg
) -> None:
    initiator = PskInitiator(psk=PSK, encr_alg=encr_alg, mac_alg=mac_alg, prf_func=prf_func)
    responder = PskResponder(psk=PSK)
    message, _ = initiator.initiate(AUDIO_VIDEO, now=NOW, verify=True)
    result = responder.receive(message, now=NOW)
    assert result.accepted, result.error
    bundle = initiator.receive_response(result.reply)  # type: ignore[arg-type]
    assert result.bundle is not None
    assert bundle.srtp_master_key(2) == result.bundle.srtp_master_key(2)


def test_mikey_null_needs_an_explicit_yes() -> None:
    initiator = PskInitiator(psk=None)
    message, bundle = initiator.initiate(now=NOW)
    kemac = decode_message(message).get(KemacPayload)
    assert kemac is not None and (kemac.encr_alg, kemac.mac_alg) == (EncrAlg.NULL, MacAlg.NULL)
    result = PskResponder(psk=None, allow_null=True).receive(message, now=NOW)
    assert result.accepted and result.bundle is not None
    assert result.bundle.srtp_master_key(1) == bundle.srtp_master_key(1)
    # A Responder with a pre-shared key does not take unauthenticated keys.
    refusal = PskResponder(psk=PSK).receive(message, now=NOW)
    assert refusal.error is not None and refusal.error.error_no == ErrorNo.INVALID_MAC
    with pytest.raises(MikeyValueError, match="allow_null"):
        PskResponder(psk=None)


def test_wrong_psk_yields_an_unauthenticated_auth_failure() -> None:
    initiator, _ = pair()
    message, _ = initiator.initiate(now=NOW, verify=True)
    result = PskResponder(psk=b"not the key", identity=BOB).receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.AUTH_FAILURE
    answer = decode_message(result.reply)  # type: ignore[arg-type]
    assert answer.data_type == DataType.ERROR
    assert [e.error_no for e in answer.get_all(ErrorPayload)] == [ErrorNo.AUTH_FAILURE]
    assert answer.get(VerificationPayload) is None  # no key to authenticate it with
    error = refused(initiator, result.reply)
    assert error.error_nos == (ErrorNo.AUTH_FAILURE,) and not error.authenticated
    assert "hint only" in str(error)


def test_a_tampered_kemac_fails_its_mac() -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(now=NOW)
    decoded = decode_message(message)
    kemac_at, _ = decoded.payload_span(len(decoded.payloads) - 1)  # the KEMAC is last
    tampered = bytearray(message)
    tampered[kemac_at + 5] ^= 0x01  # a byte of the encrypted key data
    result = responder.receive(bytes(tampered), now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.AUTH_FAILURE
    assert result.bundle is None and not responder.bundles


@given(index=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_no_altered_byte_is_accepted(index: int, flip: int) -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(AUDIO_VIDEO, now=NOW)
    altered = bytearray(message)
    altered[index % len(message)] ^= flip
    result = responder.receive(bytes(altered), now=NOW)
    assert not result.accepted and not responder.bundles


def test_a_replayed_i_message_is_dropped_without_an_answer() -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(now=NOW, verify=True)
    assert responder.receive(message, now=NOW).accepted
    again = responder.receive(message, now=NOW + timedelta(seconds=1))
    assert isinstance(again.error, MikeyReplayError) and again.reply is None


def test_a_stale_timestamp_is_answered_invalid_ts_authenticated() -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(now=NOW - timedelta(hours=1), verify=True)
    result = responder.receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_TS
    error = refused(initiator, result.reply)
    assert error.error_nos == (ErrorNo.INVALID_TS,) and error.authenticated


def test_a_stale_unauthenticated_message_gets_no_answer() -> None:
    initiator, _ = pair()
    message, _ = initiator.initiate(now=NOW - timedelta(hours=1), verify=True)
    result = PskResponder(psk=b"other").receive(message, now=NOW)
    # Auth failure is what is answered; the timestamp is not revealed as the reason.
    assert result.error is not None and result.error.error_no == ErrorNo.AUTH_FAILURE


def test_an_unacceptable_policy_is_answered_invalid_sp_with_what_is_supported() -> None:
    initiator, _ = pair()
    _, responder = pair(supported=(AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM))
    message, _ = initiator.initiate(
        [CryptoSessionSpec(policy=NULL_HMAC_SHA1_80)], now=NOW, verify=True
    )
    result = responder.receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_SP
    answer = decode_message(result.reply)  # type: ignore[arg-type]
    assert len(answer.get_all(SecurityPolicyPayload)) == 2
    assert answer.get(VerificationPayload) is not None
    error = refused(initiator, result.reply)
    assert error.authenticated and error.error_nos == (ErrorNo.INVALID_SP,)


def test_an_unsupported_policy_parameter_is_answered_invalid_sppar() -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(now=NOW, verify=True)
    decoded = decode_message(message)
    index = next(i for i, p in enumerate(decoded.payloads) if isinstance(p, SecurityPolicyPayload))
    start, end = decoded.payload_span(index)
    kdr_at = message.index(bytes([SrtpParam.KEY_DERIVATION_RATE, 1, 0]), start, end) + 2
    # Re-sign the message with a KDR of 2^24: the refusal must come from policy checking.
    patched = _resign(message, kdr_at, 24)
    result = responder.receive(patched, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_SPPAR
    assert "Key derivation rate" in str(result.error)
    error = refused(initiator, result.reply)
    assert error.authenticated and error.error_nos == (ErrorNo.INVALID_SPPAR,)


def _resign(message: bytes, offset: int, value: int) -> bytes:
    """``message`` with one byte changed and its HMAC-SHA-1 recomputed with the test PSK."""
    from mikey.crypto import compute_mac, message_keys

    decoded = decode_message(message)
    rand = decoded.get(RandPayload)
    assert rand is not None
    keys = message_keys(
        PSK,
        csb_id=decoded.header.csb_id,
        rand=rand.rand,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
    )
    body = bytearray(message[:-20])
    body[offset] = value
    return bytes(body) + compute_mac(MacAlg.HMAC_SHA_1_160, keys.authentication, bytes(body))


def test_identities_are_checked() -> None:
    initiator = PskInitiator(psk=PSK, identity=ALICE, peer_identity=b"sip:carol@example.com")
    message, _ = initiator.initiate(now=NOW, verify=True)
    result = PskResponder(psk=PSK, identity=BOB).receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_ID
    assert refused(initiator, result.reply).authenticated


def test_keys_are_looked_up_by_initiator_id() -> None:
    responder = PskResponder(psk={ALICE: PSK, b"sip:dave@example.com": b"dave's key"})
    message, _ = PskInitiator(psk=PSK, identity=ALICE).initiate(now=NOW)
    assert responder.receive(message, now=NOW).accepted
    stranger = PskInitiator(psk=PSK, identity=b"sip:eve@example.com")
    message, _ = stranger.initiate(now=NOW, verify=True)
    result = responder.receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_ID
    assert not refused(stranger, result.reply).authenticated
    anonymous, _ = PskInitiator(psk=PSK).initiate(now=NOW)
    result = responder.receive(anonymous, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_ID


def test_prf_and_data_type_refusals() -> None:
    initiator = PskInitiator(psk=PSK, prf_func=PrfFunc.PRF_HMAC_SHA_256)
    message, _ = initiator.initiate(now=NOW, verify=True)
    result = PskResponder(psk=PSK, prf_funcs=[PrfFunc.MIKEY_1]).receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_PRF
    from mikey.wire.samples import sample_message

    public_key = sample_message(DataType.PUBLIC_KEY)
    result = PskResponder(psk=PSK).receive(public_key.encode(), now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_DT
    answer = decode_message(result.reply)  # type: ignore[arg-type]
    assert answer.get(TimestampPayload) == public_key.get(TimestampPayload)  # echoed


def test_undecodable_bytes_are_dropped_with_a_parse_error() -> None:
    result = PskResponder(psk=PSK).receive(b"\x01\x00garbage", now=NOW)
    assert result.reply is None and result.error is not None
    assert "HDR" in str(result.error)


def test_placeholder_ssrcs_are_filled_in_by_the_responder() -> None:
    initiator, responder = pair()
    sessions = [CryptoSessionSpec(ssrc=0xAAAA0001), CryptoSessionSpec(ssrc=0)]
    message, _ = initiator.initiate(sessions, now=NOW, verify=True)
    result = responder.receive(message, now=NOW)
    assert result.bundle is not None
    chosen = result.bundle.crypto_session(2).ssrc
    assert chosen != 0
    bundle = initiator.receive_response(result.reply)  # type: ignore[arg-type]
    assert [s.ssrc for s in bundle.crypto_sessions] == [0xAAAA0001, chosen]


def test_update_rekeys_and_adds_crypto_sessions() -> None:
    initiator, responder = pair()
    message, bundle = initiator.initiate(AUDIO_VIDEO[:1], now=NOW)
    first = responder.receive(message, now=NOW).bundle
    assert first is not None
    update, updated = initiator.update(
        bundle, now=NOW + timedelta(seconds=1), add=AUDIO_VIDEO[1:], verify=True
    )
    decoded = decode_message(update)
    assert decoded.get(RandPayload) is None  # §4.5: no new RAND
    assert decoded.header.csb_id == bundle.csb_id
    result = responder.receive(update, now=NOW + timedelta(seconds=1))
    assert result.accepted and result.updated and result.bundle is not None
    assert result.bundle.generation == 1 and len(result.bundle.crypto_sessions) == 2
    assert initiator.receive_response(result.reply) is updated  # type: ignore[arg-type]
    assert updated.srtp_master_key(1) == result.bundle.srtp_master_key(1)
    assert updated.srtp_master_key(1) != first.srtp_master_key(1)
    assert updated.srtp_master_key(2) == result.bundle.srtp_master_key(2)
    assert updated.rand == bundle.rand


def test_an_update_without_a_key_keeps_the_traffic_key() -> None:
    initiator, responder = pair()
    message, bundle = initiator.initiate(now=NOW)
    responder.receive(message, now=NOW)
    update, _ = initiator.update(bundle, now=NOW + timedelta(seconds=1), new_key=False, rocs={1: 9})
    result = responder.receive(update, now=NOW + timedelta(seconds=1))
    assert result.bundle is not None and result.bundle.generation == 0
    assert result.bundle.crypto_session(1).roc == 9
    assert result.bundle.srtp_master_key(1) == bundle.srtp_master_key(1)


def test_updates_and_initial_messages_are_told_apart_by_rand() -> None:
    initiator, responder = pair()
    message, bundle = initiator.initiate(now=NOW)
    update, _ = initiator.update(bundle, now=NOW + timedelta(seconds=1))
    result = responder.receive(update, now=NOW + timedelta(seconds=1))  # before the initial
    assert isinstance(result.error, MikeyProtocolError) and "no RAND" in str(result.error)
    assert responder.receive(message, now=NOW).accepted
    # The initial message again, re-stamped: a new RAND for an established CSB is refused.
    again = PskInitiator(psk=PSK, identity=ALICE, peer_identity=BOB, rng=_replaying(bundle))
    message2, _ = again.initiate(now=NOW + timedelta(seconds=2))
    result = responder.receive(message2, now=NOW + timedelta(seconds=2))
    assert isinstance(result.error, MikeyProtocolError) and "RAND" in str(result.error)


def _replaying(bundle: object) -> object:
    csb_id = bundle.csb_id  # type: ignore[attr-defined]
    import os

    def rng(n: int) -> bytes:
        return csb_id.to_bytes(4) if n == 4 else os.urandom(n)

    return rng


def test_counter_timestamps() -> None:
    initiator = PskInitiator(psk=PSK, identity=ALICE, ts_type=TsType.COUNTER)
    responder = PskResponder(psk=PSK, replay_cache=ReplayCache())
    first, _ = initiator.initiate(now=NOW)
    second, _ = initiator.initiate(now=NOW)
    assert responder.receive(second, now=NOW).accepted
    late = responder.receive(first, now=NOW)  # counter 1 after counter 2
    assert isinstance(late.error, MikeyReplayError)


def test_gstreamer_profile_sends_one_tek_with_key_and_salt() -> None:
    initiator = PskInitiator(psk=None, profile=GSTREAMER)
    message, bundle = initiator.initiate(now=NOW)
    decoded = decode_message(message)
    kemac = decoded.get(KemacPayload)
    assert kemac is not None
    (key_data,) = decode_sub_payloads(kemac.encr_data)
    assert isinstance(key_data, KeyDataSubPayload)
    assert key_data.key_type == KeyDataType.TEK and len(key_data.key) == 30
    assert key_data.kv_type == KvType.NULL
    sp = decoded.get(SecurityPolicyPayload)
    assert sp is not None and sp.get(SrtpParam.SESSION_AUTH_KEY_LENGTH) == b"\x0a"
    assert bundle.srtp_master_key(1) == (key_data.key[:16], key_data.key[16:])
    result = PskResponder(psk=None, allow_null=True, profile=GSTREAMER).receive(message, now=NOW)
    assert result.bundle is not None and result.bundle.srtp_master_key(1) == bundle.srtp_master_key(
        1
    )
    # Read as RFC 3830, parameter 3 = 10 is a 10-byte auth key: refused, with the hint.
    result = PskResponder(psk=None, allow_null=True).receive(message, now=NOW)
    assert result.error is not None and result.error.error_no == ErrorNo.INVALID_SPPAR
    assert "gstreamer" in str(result.error)


def test_onvif_profile_sends_a_four_byte_mki() -> None:
    initiator = PskInitiator(psk=PSK, profile=ONVIF)
    message, bundle = initiator.initiate(now=NOW)
    assert bundle.traffic_key.mki == b"\x00\x00\x00\x01"
    result = PskResponder(psk=PSK, profile=ONVIF).receive(message + b"\x00", now=NOW)
    assert result.bundle is not None and result.bundle.traffic_key.mki == bundle.traffic_key.mki
    _, updated = initiator.update(bundle, now=NOW + timedelta(seconds=1))
    assert updated.traffic_key.mki == b"\x00\x00\x00\x02"


def test_a_tek_profile_needs_one_key_shape() -> None:
    initiator = PskInitiator(psk=PSK, profile=GSTREAMER)
    with pytest.raises(MikeyValueError, match="one TEK"):
        initiator.initiate(
            [CryptoSessionSpec(), CryptoSessionSpec(policy=AES_256_CM_HMAC_SHA1_32)], now=NOW
        )


def test_initiator_refuses_answers_it_did_not_ask_for() -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(now=NOW)
    assert responder.receive(message, now=NOW).reply is None
    other, other_responder = pair()
    m2, _ = other.initiate(now=NOW, verify=True)
    reply = other_responder.receive(m2, now=NOW).reply
    with pytest.raises(MikeyProtocolError, match="awaits"):
        initiator.receive_response(reply)  # type: ignore[arg-type]


def test_ids_in_the_answer() -> None:
    initiator, responder = pair()
    message, _ = initiator.initiate(now=NOW, verify=True)
    reply = responder.receive(message, now=NOW).reply
    ids = decode_message(reply).get_all(IdPayload)  # type: ignore[arg-type]
    assert [p.data for p in ids] == [BOB]


@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_and_are_never_accepted(data: bytes) -> None:
    responder = PskResponder(psk=PSK, allow_null=True)
    result = responder.receive(data, now=NOW)
    assert not result.accepted and not responder.bundles


@given(data=st.binary(max_size=300))
def test_arbitrary_answers_are_refused_with_mikey_errors(data: bytes) -> None:
    initiator, _ = pair()
    initiator.initiate(now=NOW, verify=True)
    with pytest.raises(MikeyError):
        initiator.receive_response(data)


@pytest.mark.parametrize("profile", [RFC3830, TGK_SALT_PROFILE], ids=lambda p: p.name)
def test_aes_kw_128_key_data_fills_whole_blocks(profile: InteropProfile) -> None:
    """The key wrap takes whole 8-byte blocks: the Initiator sizes the TGK to fit, and
    the Responder unwraps it (RFC 3830 §4.2.3)."""
    initiator = PskInitiator(psk=PSK, encr_alg=EncrAlg.AES_KW_128, profile=profile)
    message, bundle = initiator.initiate(now=NOW, verify=True)
    kemac = decode_message(message).get(KemacPayload)
    assert kemac is not None and kemac.encr_alg == EncrAlg.AES_KW_128
    assert len(kemac.encr_data) % 8 == 0
    assert bundle.traffic_key.key not in message
    result = PskResponder(psk=PSK, profile=profile).receive(message, now=NOW)
    assert result.bundle is not None
    assert result.bundle.srtp_master_key(1) == bundle.srtp_master_key(1)


def test_aes_kw_128_refuses_a_tek_that_does_not_fill_whole_blocks() -> None:
    """ONVIF's TEK (key ‖ salt, 4-byte MKI) makes 39 bytes of key data, and a TEK's
    length is fixed by the policy: the wrap cannot take it, and says why."""
    initiator = PskInitiator(psk=PSK, encr_alg=EncrAlg.AES_KW_128, profile=ONVIF)
    with pytest.raises(MikeyValueError, match="8-byte blocks"):
        initiator.initiate(now=NOW)


def test_crypto_session_specs_are_checked_when_made() -> None:
    with pytest.raises(MikeyValueError, match="SSRC"):
        CryptoSessionSpec(ssrc=1 << 32)
    with pytest.raises(MikeyValueError, match="ROC"):
        CryptoSessionSpec(roc=-1)


def test_bundles_can_be_looked_up_and_forgotten() -> None:
    initiator, responder = pair(max_bundles=1)
    message, bundle = initiator.initiate(now=NOW)
    assert responder.receive(message, now=NOW).accepted
    assert responder.bundle(bundle.csb_id, initiator=ALICE) is not None
    second, _ = initiator.initiate(now=NOW)
    refused = responder.receive(second, now=NOW)
    assert isinstance(refused.error, MikeyProtocolError) and "too many" in str(refused.error)
    responder.forget(bundle.csb_id, initiator=ALICE)
    assert responder.bundle(bundle.csb_id, initiator=ALICE) is None
    third, _ = initiator.initiate(now=NOW)
    assert responder.receive(third, now=NOW).accepted
    initiator.forget(bundle.csb_id)
    assert bundle.csb_id not in initiator.bundles
    with pytest.raises(MikeyValueError, match="not established"):
        initiator.update(bundle, now=NOW)


def test_a_naive_clock_is_a_caller_error_not_a_traceback() -> None:
    initiator, responder = pair()
    with pytest.raises(MikeyValueError, match="aware"):
        initiator.initiate(now=NOW.replace(tzinfo=None))
    message, _ = initiator.initiate(now=NOW)
    with pytest.raises(MikeyValueError, match="aware"):
        responder.receive(message, now=NOW.replace(tzinfo=None))
