"""``SrtpSession`` on libsrtp: round trips and packet layouts for every policy (RFC 3711
§3.1, §3.4; RFC 7714 §8.2, §9.2), MKI, ROC (§3.3.1), replay (§3.3.2), rekeying (§8.1)
and the errors of each."""

from __future__ import annotations

import contextlib
import dataclasses
import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyError, MikeyPolicyParamError, MikeySrtpError, MikeyValueError
from mikey.srtp import SrtpSession, _libsrtp
from mikey.srtp import policy as named
from mikey.srtp._libsrtp import Status
from mikey.srtp.policy import SrtpCipher, SrtpPolicy
from mikey.srtp.session import MAX_LEARNED_STREAMS

from .packets import PAYLOAD, SSRC, keys, rtcp, rtp

NAMED = {
    "AES_CM_128_HMAC_SHA1_80": named.AES_CM_128_HMAC_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": named.AES_CM_128_HMAC_SHA1_32,
    "AES_256_CM_HMAC_SHA1_80": named.AES_256_CM_HMAC_SHA1_80,
    "AES_256_CM_HMAC_SHA1_32": named.AES_256_CM_HMAC_SHA1_32,
    "AEAD_AES_128_GCM": named.AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": named.AEAD_AES_256_GCM,
    "NULL_HMAC_SHA1_80": named.NULL_HMAC_SHA1_80,
}
CUSTOM = {
    "cm128-srtp4-srtcp10": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=4, srtcp_auth_tag_length=10
    ),
    "cm128-srtp10-srtcp4": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_auth_tag_length=10, srtcp_auth_tag_length=4
    ),
    "cm256-tags16": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_256, srtp_auth_tag_length=16, srtcp_auth_tag_length=16
    ),
    "cm128-srtp-unencrypted": SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtp_encryption=False),
    "cm128-srtcp-unencrypted": SrtpPolicy(cipher=SrtpCipher.AES_CM_128, srtcp_encryption=False),
    "cm128-nothing-encrypted": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_encryption=False, srtcp_encryption=False
    ),
    "cm128-srtp-auth-off": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_authentication=False, srtp_auth_tag_length=0
    ),
    "null-srtp-auth-off": SrtpPolicy(
        cipher=SrtpCipher.NULL,
        srtp_encryption=False,
        srtcp_encryption=False,
        srtp_authentication=False,
        srtp_auth_tag_length=0,
        srtcp_auth_tag_length=4,
    ),
    "gcm128-tags8": SrtpPolicy(
        cipher=SrtpCipher.AES_GCM_128, srtp_auth_tag_length=8, srtcp_auth_tag_length=8
    ),
    "gcm256-srtp8-srtcp16": SrtpPolicy(
        cipher=SrtpCipher.AES_GCM_256, srtp_auth_tag_length=8, srtcp_auth_tag_length=16
    ),
    "gcm128-srtcp-unencrypted": SrtpPolicy(
        cipher=SrtpCipher.AES_GCM_128,
        srtp_auth_tag_length=16,
        srtcp_auth_tag_length=16,
        srtcp_encryption=False,
    ),
}
POLICIES = {**NAMED, **CUSTOM}
MKI = bytes.fromhex("cafe0001")
CM = named.AES_CM_128_HMAC_SHA1_80


def pair(
    policy: SrtpPolicy = CM, *, seed: str = "master", **options: object
) -> tuple[SrtpSession, SrtpSession]:
    key, salt = keys(policy, seed)
    return (
        SrtpSession(policy, key, salt, direction="outbound", **options),  # type: ignore[arg-type]
        SrtpSession(policy, key, salt, direction="inbound", **options),  # type: ignore[arg-type]
    )


# -- round trips and layouts ----------------------------------------------------------------


@pytest.mark.parametrize("mki", [None, MKI], ids=["no-mki", "mki"])
@pytest.mark.parametrize("policy", POLICIES.values(), ids=POLICIES.keys())
def test_rtp_round_trip_and_layout(policy: SrtpPolicy, mki: bytes | None) -> None:
    sender, receiver = pair(policy, mki=mki)
    mki_length = len(mki or b"")
    for seq in (1, 2, 3):
        packet = rtp(seq)
        protected = sender.protect(packet)
        assert len(protected) == len(packet) + mki_length + policy.srtp_auth_tag_length
        assert protected[:12] == packet[:12]  # the header stays clear (RFC 3711 §3.1)
        body = protected[12 : len(packet)]
        assert (body != PAYLOAD) == policy.srtp_encryption
        if mki is not None:
            if policy.cipher.is_aead:  # RFC 7714 §8.2: the MKI follows the tagged cipher
                assert protected[-mki_length:] == mki
            else:  # RFC 3711 §3.1: MKI, then tag
                assert protected[len(packet) : len(packet) + mki_length] == mki
        assert receiver.unprotect(protected) == packet


@pytest.mark.parametrize("mki", [None, MKI], ids=["no-mki", "mki"])
@pytest.mark.parametrize("policy", POLICIES.values(), ids=POLICIES.keys())
def test_rtcp_round_trip_and_layout(policy: SrtpPolicy, mki: bytes | None) -> None:
    sender, receiver = pair(policy, mki=mki)
    mki_length = len(mki or b"")
    packet = rtcp()
    for expected_index in (1, 2):
        protected = sender.protect_rtcp(packet)
        assert len(protected) == len(packet) + 4 + mki_length + policy.srtcp_auth_tag_length
        assert protected[:8] == packet[:8]
        assert (protected[8 : len(packet)] != packet[8:]) == policy.srtcp_encryption
        if policy.cipher.is_aead:  # RFC 7714 §9.2: cipher with tag, E ‖ index, MKI
            e_index = protected[len(packet) + policy.srtcp_auth_tag_length :][:4]
            assert protected[len(protected) - mki_length :] == (mki or b"")
        else:  # RFC 3711 §3.4: E ‖ index, MKI, tag
            e_index = protected[len(packet) : len(packet) + 4]
            assert protected[len(packet) + 4 : len(packet) + 4 + mki_length] == (mki or b"")
        assert bool(e_index[0] & 0x80) == policy.srtcp_encryption
        assert int.from_bytes(e_index, "big") & 0x7FFF_FFFF == expected_index
        assert receiver.unprotect_rtcp(protected) == packet


def test_trailer_lengths_agree_with_libsrtp() -> None:
    for policy in POLICIES.values():
        for mki in (None, MKI):
            sender, _ = pair(policy, mki=mki, ssrc=SSRC)
            context = sender._context
            assert context is not None
            extra = len(mki or b"")
            use_mki = mki is not None
            assert context.protect_trailer_length(rtcp=False, use_mki=use_mki) == (
                policy.srtp_auth_tag_length + extra
            )
            assert context.protect_trailer_length(rtcp=True, use_mki=use_mki) == (
                policy.srtcp_auth_tag_length + extra + 4
            )


@pytest.mark.parametrize("size", [0, 1, 1500, 20_000])
def test_packet_sizes_have_no_fixed_limit(size: int) -> None:
    sender, receiver = pair()
    packet = rtp(7, payload=bytes(range(256)) * (size // 256) + bytes(size % 256))
    assert receiver.unprotect(sender.protect(packet)) == packet
    report = rtcp(body=bytes(4 * (size // 4)))
    assert receiver.unprotect_rtcp(sender.protect_rtcp(report)) == report


def test_buffers_are_accepted_and_bytes_returned() -> None:
    sender, receiver = pair()
    protected = sender.protect(bytearray(rtp(1)))
    assert type(protected) is bytes
    assert receiver.unprotect(memoryview(protected)) == rtp(1)
    with pytest.raises(TypeError):
        sender.protect("not bytes")  # type: ignore[arg-type]


def test_streams_of_several_ssrcs_share_a_wildcard_session() -> None:
    sender, receiver = pair()
    for ssrc in (1, 2, 0xFFFFFFFF):
        assert receiver.unprotect(sender.protect(rtp(10, ssrc=ssrc))) == rtp(10, ssrc=ssrc)
        assert receiver.roc(ssrc) == 0


def test_a_session_for_one_ssrc_refuses_others() -> None:
    sender, receiver = pair(ssrc=SSRC)
    with pytest.raises(MikeySrtpError) as error:
        sender.protect(rtp(1, ssrc=SSRC + 1))
    assert error.value.status == Status.NO_CTX
    other_sender, _ = pair()
    with pytest.raises(MikeySrtpError) as error:
        receiver.unprotect(other_sender.protect(rtp(1, ssrc=SSRC + 1)))
    assert error.value.status == Status.NO_CTX


def test_direction_is_enforced() -> None:
    sender, receiver = pair()
    protected = sender.protect(rtp(1))
    for call, argument in (
        (sender.unprotect, protected),
        (sender.unprotect_rtcp, protected),
        (receiver.protect, rtp(1)),
        (receiver.protect_rtcp, rtcp()),
    ):
        with pytest.raises(MikeySrtpError, match="session cannot"):
            call(argument)


# -- policies libsrtp cannot run ---------------------------------------------------------------


def test_tags_longer_than_libsrtp_holds_are_refused() -> None:
    # libsrtp 2 copies a computed tag into a 16-byte buffer on unprotect, so 17-20 would
    # overflow it: SrtpPolicy itself refuses them.
    for srtp_tag, srtcp_tag in ((17, 10), (10, 20)):
        with pytest.raises(MikeyPolicyParamError, match=r"[04]-16 bytes"):
            SrtpPolicy(
                cipher=SrtpCipher.AES_CM_128,
                srtp_auth_tag_length=srtp_tag,
                srtcp_auth_tag_length=srtcp_tag,
            )


def test_unencrypted_gcm_srtp_is_refused() -> None:
    policy = SrtpPolicy(
        cipher=SrtpCipher.AES_GCM_128,
        srtp_auth_tag_length=16,
        srtcp_auth_tag_length=16,
        srtp_encryption=False,
    )
    key, salt = keys(policy)
    with pytest.raises(MikeyPolicyParamError, match="cannot be unencrypted"):
        SrtpSession(policy, key, salt, direction="outbound")


def test_aes_192_follows_the_libsrtp_version() -> None:
    policy = SrtpPolicy(cipher=SrtpCipher.AES_CM_192)
    key, salt = keys(policy)
    if _libsrtp.version() < (2, 8, 0):
        with pytest.raises(MikeyPolicyParamError, match="libsrtp#763"):
            SrtpSession(policy, key, salt, direction="outbound")
    else:  # pragma: no cover - the bundled libsrtp is 2.7.0 today
        sender, receiver = pair(policy)
        assert receiver.unprotect(sender.protect(rtp(1))) == rtp(1)


def test_a_policy_libsrtp_refuses_is_invalid_sp_par(monkeypatch: pytest.MonkeyPatch) -> None:
    from mikey.srtp import session as session_module

    real = session_module._crypto_policies

    def broken(policy: SrtpPolicy) -> tuple[_libsrtp.CryptoPolicy, _libsrtp.CryptoPolicy]:
        rtp_policy, rtcp_policy = real(policy)
        # A tag longer than HMAC-SHA1's output: srtp_hmac_alloc answers bad_param.
        return rtp_policy, dataclasses.replace(rtcp_policy, auth_tag_len=21)

    monkeypatch.setattr(session_module, "_crypto_policies", broken)
    key, salt = keys(CM)
    with pytest.raises(MikeyPolicyParamError, match="libsrtp refuses"):
        SrtpSession(CM, key, salt, direction="inbound")


# -- bad arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "key_length", "salt_length"),
    [
        (CM, 15, 14),
        (CM, 17, 14),
        (CM, 16, 13),
        (CM, 30, 14),  # key ‖ salt given as the key: never truncated
        (named.AEAD_AES_128_GCM, 16, 14),
        (named.AES_256_CM_HMAC_SHA1_80, 16, 14),
    ],
)
def test_bad_key_lengths(policy: SrtpPolicy, key_length: int, salt_length: int) -> None:
    with pytest.raises(MikeyValueError, match="needs a"):
        SrtpSession(policy, bytes(key_length), bytes(salt_length), direction="outbound")


@pytest.mark.parametrize(
    "options",
    [
        {"direction": "both"},
        {"ssrc": -1},
        {"ssrc": 2**32},
        {"roc": 2**32},
        {"roc": True},
        {"mki": b""},
        {"mki": bytes(129)},
        {"replay_window": 63},
        {"replay_window": 0x8000},
    ],
)
def test_bad_options(options: dict[str, object]) -> None:
    key, salt = keys(CM)
    arguments: dict[str, object] = {"direction": "outbound", **options}
    with pytest.raises(MikeyValueError):
        SrtpSession(CM, key, salt, **arguments)  # type: ignore[arg-type]


def test_closed_session() -> None:
    sender, receiver = pair()
    protected = sender.protect(rtp(1))
    sender.close()
    receiver.close()
    receiver.close()  # idempotent
    assert sender.closed
    key, salt = keys(CM)
    for call in (
        lambda: sender.protect(rtp(2)),
        lambda: sender.protect_rtcp(rtcp()),
        lambda: receiver.unprotect(protected),
        lambda: receiver.unprotect_rtcp(protected),
        lambda: receiver.roc(SSRC),
        lambda: receiver.rekey(key, salt),
    ):
        with pytest.raises(MikeySrtpError, match="closed"):
            call()
    with pytest.raises(MikeySrtpError, match="closed"), sender:
        pass


def test_context_manager_closes() -> None:
    key, salt = keys(CM)
    with SrtpSession(CM, key, salt, direction="outbound") as session:
        session.protect(rtp(1))
    assert session.closed
    assert "closed" in repr(session)


def test_unclosed_sessions_are_freed() -> None:
    key, salt = keys(CM)
    for _ in range(200):
        SrtpSession(CM, key, salt, direction="outbound").protect(rtp(1))
    gc.collect()


# -- authentication, replay, MKI ---------------------------------------------------------------


@pytest.mark.parametrize("policy", [CM, named.AEAD_AES_128_GCM], ids=["cm", "gcm"])
def test_tampered_packets_fail_authentication(policy: SrtpPolicy) -> None:
    sender, receiver = pair(policy)
    protected = sender.protect(rtp(1))
    for position in (1, 5, 12, len(protected) - 1):
        tampered = bytearray(protected)
        tampered[position] ^= 0x01
        with pytest.raises(MikeySrtpError, match="failed authentication") as error:
            receiver.unprotect(bytes(tampered))
        assert error.value.status == Status.AUTH_FAIL
    report = bytearray(sender.protect_rtcp(rtcp()))
    report[10] ^= 0x80
    with pytest.raises(MikeySrtpError) as error:
        receiver.unprotect_rtcp(bytes(report))
    assert error.value.status == Status.AUTH_FAIL
    assert receiver.unprotect(protected) == rtp(1)  # the genuine packet still passes


def test_replayed_packets_are_refused() -> None:
    sender, receiver = pair()
    first = sender.protect(rtp(1))
    receiver.unprotect(first)
    with pytest.raises(MikeySrtpError, match="packet replayed") as error:
        receiver.unprotect(first)
    assert error.value.status == Status.REPLAY_FAIL
    report = sender.protect_rtcp(rtcp())
    receiver.unprotect_rtcp(report)
    with pytest.raises(MikeySrtpError) as error:
        receiver.unprotect_rtcp(report)
    assert error.value.status == Status.REPLAY_FAIL


def test_packets_older_than_the_replay_window_are_refused() -> None:
    sender, receiver = pair(replay_window=64)
    old = sender.protect(rtp(10))
    receiver.unprotect(sender.protect(rtp(200)))
    with pytest.raises(MikeySrtpError, match="too old") as error:
        receiver.unprotect(old)
    assert error.value.status == Status.REPLAY_OLD


def test_wrong_or_missing_mki_is_refused() -> None:
    sender, _ = pair(mki=MKI)
    _, other_mki = pair(mki=bytes.fromhex("cafe0002"))
    protected = sender.protect(rtp(1))
    with pytest.raises(MikeySrtpError, match="MKI") as error:
        other_mki.unprotect(protected)
    assert error.value.status == Status.BAD_MKI
    with pytest.raises(MikeySrtpError) as error:
        other_mki.unprotect_rtcp(sender.protect_rtcp(rtcp()))
    assert error.value.status == Status.BAD_MKI
    plain_sender, _ = pair()
    with pytest.raises(MikeySrtpError):
        other_mki.unprotect(plain_sender.protect(rtp(2)))
    _, expects_none = pair()
    with pytest.raises(MikeySrtpError):  # the MKI is read as part of the payload
        expects_none.unprotect(protected)


# -- malformed packets ---------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [CM, named.AEAD_AES_128_GCM], ids=["cm", "gcm"])
def test_truncated_packets_are_errors(policy: SrtpPolicy) -> None:
    sender, receiver = pair(policy, mki=MKI)
    protected = sender.protect(rtp(1))
    for length in range(len(protected)):
        with pytest.raises(MikeySrtpError):
            receiver.unprotect(protected[:length])
    report = sender.protect_rtcp(rtcp())
    for length in range(len(report)):
        with pytest.raises(MikeySrtpError):
            receiver.unprotect_rtcp(report[:length])
    for length in range(12):
        with pytest.raises(MikeySrtpError, match="shorter than") as error:
            sender.protect(rtp(1)[:length])
        assert error.value.status == Status.BAD_PARAM
    for length in range(8):
        with pytest.raises(MikeySrtpError, match="shorter than"):
            sender.protect_rtcp(rtcp()[:length])
    assert receiver.unprotect(protected) == rtp(1)


def test_rtp_header_longer_than_the_packet_is_an_error() -> None:
    sender, _ = pair()
    too_many_csrcs = bytes([0x8F]) + rtp(1)[1:]  # CC = 15 needs 72 header bytes
    with pytest.raises(MikeySrtpError) as error:
        sender.protect(too_many_csrcs)
    assert error.value.status == Status.BAD_PARAM
    extension_overrun = bytes([0x90]) + rtp(1, payload=b"\xbe\xde\x00\xff")[1:]
    with pytest.raises(MikeySrtpError):
        sender.protect(extension_overrun)


@given(st.binary(max_size=200))
def test_untrusted_bytes_give_packets_or_srtp_errors(data: bytes) -> None:
    for policy in (CM, named.AEAD_AES_128_GCM):
        _, receiver = pair(policy)
        for call in (receiver.unprotect, receiver.unprotect_rtcp):
            with contextlib.suppress(MikeySrtpError):
                call(data)
        _, learning = pair(policy, roc=3)
        with contextlib.suppress(MikeySrtpError):
            learning.unprotect(data)


def test_all_errors_are_mikey_errors() -> None:
    assert issubclass(MikeySrtpError, MikeyError)
    assert issubclass(MikeyPolicyParamError, MikeyError)
    assert issubclass(MikeyValueError, MikeyError)


# -- rollover counter ------------------------------------------------------------------------


@pytest.mark.parametrize("receiver_ssrc", [SSRC, None], ids=["ssrc", "any-ssrc"])
@pytest.mark.parametrize("sender_ssrc", [SSRC, None], ids=["ssrc", "any-ssrc"])
def test_receiver_joining_at_roc_5(sender_ssrc: int | None, receiver_ssrc: int | None) -> None:
    key, salt = keys(CM)
    sender = SrtpSession(CM, key, salt, direction="outbound", ssrc=sender_ssrc, roc=5)
    receiver = SrtpSession(CM, key, salt, direction="inbound", ssrc=receiver_ssrc, roc=5)
    if sender_ssrc is not None:
        assert sender.roc(SSRC) == 5  # the ROC it was given, before any packet
    first = sender.protect(rtp(40_000))
    assert sender.roc(SSRC) == 5
    assert receiver.unprotect(first) == rtp(40_000)  # the first packet already decrypts
    assert receiver.roc(SSRC) == 5
    assert receiver.unprotect(sender.protect(rtp(40_001))) == rtp(40_001)
    report = sender.protect_rtcp(rtcp())
    assert receiver.unprotect_rtcp(report) == rtcp()
    late = SrtpSession(CM, key, salt, direction="inbound", roc=0)
    with pytest.raises(MikeySrtpError, match="failed authentication"):
        late.unprotect(sender.protect(rtp(40_002)))  # ROC 0 ≠ 5: the tag covers the ROC


def test_learned_streams_are_bounded_and_forgeries_take_none() -> None:
    sender, receiver = pair(roc=3)
    forger, _ = pair(seed="forger")
    for ssrc in range(1000, 1100):
        with pytest.raises(MikeySrtpError, match="failed authentication"):
            receiver.unprotect(forger.protect(rtp(1, ssrc=ssrc)))
    for ssrc in range(MAX_LEARNED_STREAMS):
        assert receiver.unprotect(sender.protect(rtp(1, ssrc=ssrc))) == rtp(1, ssrc=ssrc)
        assert receiver.roc(ssrc) == 3
    with pytest.raises(MikeySrtpError, match="at most 64"):
        sender.protect(rtp(1, ssrc=MAX_LEARNED_STREAMS))
    with pytest.raises(MikeySrtpError, match="at most 64"):
        receiver.unprotect_rtcp(rtcp(ssrc=999) + bytes(14))


def test_roc_of_an_unknown_stream_is_an_error() -> None:
    _, receiver = pair()
    with pytest.raises(MikeySrtpError, match="no SRTP stream"):
        receiver.roc(SSRC)


def wrap(sender: SrtpSession, receiver: SrtpSession, ssrc: int = SSRC) -> None:
    """Send sequence numbers 65534, 65535, 0: the ROC of both sides becomes 1."""
    for seq in (65534, 65535, 0):
        assert receiver.unprotect(sender.protect(rtp(seq, ssrc=ssrc))) == rtp(seq, ssrc=ssrc)
    assert sender.roc(ssrc) == receiver.roc(ssrc) == 1


@pytest.mark.parametrize(
    "options",
    [{}, {"ssrc": SSRC}, {"roc": 0, "mki": MKI}, {"ssrc": SSRC, "mki": MKI}],
    ids=["any-ssrc", "ssrc", "any-ssrc-mki", "ssrc-mki"],
)
def test_rekey_keeps_the_roc(options: dict[str, object]) -> None:
    sender, receiver = pair(**options)
    wrap(sender, receiver)
    held = sender.protect(rtp(1))  # protected under the old key, delivered after the rekey
    held_report = sender.protect_rtcp(rtcp())
    receiver.unprotect_rtcp(sender.protect_rtcp(rtcp()))
    new_key, new_salt = keys(CM, "second master key")
    new_mki = bytes.fromhex("cafe0002") if "mki" in options else None
    sender.rekey(new_key, new_salt, mki=new_mki)
    receiver.rekey(new_key, new_salt, mki=new_mki)
    assert receiver.unprotect(sender.protect(rtp(2))) == rtp(2)
    assert sender.roc(SSRC) == receiver.roc(SSRC) == 1
    assert receiver.unprotect_rtcp(sender.protect_rtcp(rtcp())) == rtcp()
    expected = Status.BAD_MKI if new_mki else Status.AUTH_FAIL
    with pytest.raises(MikeySrtpError) as error:
        receiver.unprotect(held)
    assert error.value.status == expected
    with pytest.raises(MikeySrtpError) as error:
        receiver.unprotect_rtcp(held_report)
    assert error.value.status in (expected, Status.REPLAY_OLD, Status.REPLAY_FAIL)
    # A receiver that never had the old key decrypts at ROC 1 only if told so.
    fresh = SrtpSession(CM, new_key, new_salt, direction="inbound", roc=1, mki=new_mki)
    assert fresh.unprotect(sender.protect(rtp(3))) == rtp(3)


def test_rekey_keeps_the_roc_of_learned_streams() -> None:
    sender, receiver = pair(roc=7)
    for ssrc in (1, 2):
        assert receiver.unprotect(sender.protect(rtp(65535, ssrc=ssrc))) == rtp(65535, ssrc=ssrc)
        assert receiver.unprotect(sender.protect(rtp(0, ssrc=ssrc))) == rtp(0, ssrc=ssrc)
        assert receiver.roc(ssrc) == 8
    new_key, new_salt = keys(CM, "second master key")
    sender.rekey(new_key, new_salt)
    receiver.rekey(new_key, new_salt)
    for ssrc in (1, 2):
        assert receiver.unprotect(sender.protect(rtp(1, ssrc=ssrc))) == rtp(1, ssrc=ssrc)
        assert sender.roc(ssrc) == receiver.roc(ssrc) == 8
    # A new SSRC after the rekey starts at the session's ROC, under the new key.
    assert receiver.unprotect(sender.protect(rtp(5, ssrc=3))) == rtp(5, ssrc=3)
    assert receiver.roc(3) == 7


def test_rekey_before_the_first_packet_keeps_the_starting_roc() -> None:
    # srtp_update_stream keeps the index but drops a pending ROC; the session sets it again.
    sender, receiver = pair(ssrc=SSRC, roc=5)
    new_key, new_salt = keys(CM, "second master key")
    sender.rekey(new_key, new_salt)
    receiver.rekey(new_key, new_salt)
    assert receiver.roc(SSRC) == 5
    assert receiver.unprotect(sender.protect(rtp(9))) == rtp(9)
    assert sender.roc(SSRC) == receiver.roc(SSRC) == 5


def test_rekey_checks_key_and_mki() -> None:
    sender, _ = pair(mki=MKI)
    key, salt = keys(CM)
    with pytest.raises(MikeyValueError, match="master key"):
        sender.rekey(key[:15], salt, mki=MKI)
    with pytest.raises(MikeyValueError, match="MKI"):
        sender.rekey(key, salt)  # the session's packets carry an MKI
    with pytest.raises(MikeyValueError, match="MKI"):
        sender.rekey(key, salt, mki=b"\x01")
    plain, _ = pair()
    with pytest.raises(MikeyValueError, match="MKI"):
        plain.rekey(key, salt, mki=MKI)
    assert plain.protect(rtp(1))  # a refused rekey leaves the session as it was
