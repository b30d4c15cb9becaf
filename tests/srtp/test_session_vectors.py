"""libsrtp, through ``SrtpSession``, against the RFCs' vectors and an independent reference:
RFC 3711 Appendix B.3 (§4.3 key derivation), §4.1.1 AES-CM and §4.2.1 HMAC-SHA1 with the
ROC in IV and tag, §3.4 SRTCP; RFC 6188 (AES-256-CM); RFC 7714 §16 and §17 (AES-GCM); and
pylibsrtp's own ``Session`` as a second libsrtp user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pylibsrtp
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mikey.srtp import SrtpSession
from mikey.srtp import policy as named
from mikey.srtp.policy import SrtpCipher, SrtpPolicy

from . import reference_srtp as ref
from .packets import SSRC, keys, rtcp, rtp

VECTORS = Path(__file__).parent.parent / "vectors" / "srtp"
B3 = json.loads((VECTORS / "rfc3711-b3-key-derivation.json").read_text())[0]
GCM = json.loads((VECTORS / "rfc7714-aes-gcm.json").read_text())
GCM_POLICIES = {
    "AEAD_AES_128_GCM": named.AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": named.AEAD_AES_256_GCM,
}
MKI = bytes.fromhex("00c0ffee")


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def srtcp_index(packet: bytes, offset: int) -> int:
    return int.from_bytes(packet[offset : offset + 4], "big") & 0x7FFF_FFFF


# -- RFC 3711 B.3 --------------------------------------------------------------------------


def test_reference_key_derivation_matches_rfc3711_b3() -> None:
    master_key, master_salt = h(B3["master_key"]), h(B3["master_salt"])
    assert ref.derive(master_key, master_salt, ref.RTP_ENCRYPTION, 16) == h(B3["cipher_key"])
    assert ref.derive(master_key, master_salt, ref.RTP_SALT, 14) == h(B3["cipher_salt"])
    assert ref.derive(master_key, master_salt, ref.RTP_AUTH, 94) == h(B3["auth_key"])


@pytest.mark.parametrize("roc", [0, 5, 0xFFFF_FFFF])
def test_libsrtp_protects_with_the_b3_session_keys(roc: int) -> None:
    """Decrypt and verify libsrtp's packet by hand with B.3's printed session keys."""
    master_key, master_salt = h(B3["master_key"]), h(B3["master_salt"])
    cipher_key, cipher_salt = h(B3["cipher_key"]), h(B3["cipher_salt"])
    auth_key = h(B3["auth_key"])[:20]  # n_a = 160 for HMAC-SHA1 (RFC 3711 §8.2)
    policy = named.AES_CM_128_HMAC_SHA1_80
    session = SrtpSession(policy, master_key, master_salt, direction="outbound", ssrc=SSRC, roc=roc)
    packet = rtp(0x1234)
    protected = session.protect(packet)
    header, ciphertext, tag = protected[:12], protected[12:-10], protected[-10:]
    index = (roc << 16) | 0x1234  # RFC 3711 §3.3.1: i = 2^16 · ROC + SEQ
    iv = (int.from_bytes(cipher_salt, "big") << 16) ^ (SSRC << 64) ^ (index << 16)
    decryptor = Cipher(algorithms.AES(cipher_key), modes.CTR(iv.to_bytes(16, "big"))).decryptor()
    assert decryptor.update(ciphertext) + decryptor.finalize() == packet[12:]
    expected_tag = ref.hmac_sha1(auth_key, header + ciphertext + roc.to_bytes(4, "big"), 10)
    assert tag == expected_tag


def test_libsrtp_protects_srtcp_with_the_b3_derived_keys() -> None:
    master_key, master_salt = h(B3["master_key"]), h(B3["master_salt"])
    keys_rtcp = ref.session_keys(master_key, master_salt, rtcp=True)
    session = SrtpSession(
        named.AES_CM_128_HMAC_SHA1_80, master_key, master_salt, direction="outbound"
    )
    report = rtcp()
    protected = session.protect_rtcp(report)
    index = srtcp_index(protected, len(report))
    assert protected[len(report)] & 0x80  # E flag
    body = protected[8 : len(report)]
    assert ref.aes_cm(keys_rtcp, SSRC, index, body) == report[8:]
    tag = ref.hmac_sha1(keys_rtcp.auth, protected[: len(report) + 4], 10)
    assert protected[-10:] == tag


# -- every AES-CM / NULL policy against the reference ----------------------------------------

CM_POLICIES = {
    "AES_CM_128_HMAC_SHA1_80": named.AES_CM_128_HMAC_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": named.AES_CM_128_HMAC_SHA1_32,
    "AES_256_CM_HMAC_SHA1_80": named.AES_256_CM_HMAC_SHA1_80,
    "AES_256_CM_HMAC_SHA1_32": named.AES_256_CM_HMAC_SHA1_32,
    "NULL_HMAC_SHA1_80": named.NULL_HMAC_SHA1_80,
    "cm128-srtp-unencrypted-srtcp4": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_encryption=False, srtcp_auth_tag_length=4
    ),
    "cm256-srtcp-unencrypted-tag16": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_256,
        srtcp_encryption=False,
        srtp_auth_tag_length=16,
        srtcp_auth_tag_length=16,
    ),
    "cm128-srtp-auth-off": SrtpPolicy(
        cipher=SrtpCipher.AES_CM_128, srtp_authentication=False, srtp_auth_tag_length=0
    ),
}


@pytest.mark.parametrize("mki", [b"", MKI], ids=["no-mki", "mki"])
@pytest.mark.parametrize("roc", [0, 7])
@pytest.mark.parametrize("policy", CM_POLICIES.values(), ids=CM_POLICIES.keys())
def test_libsrtp_matches_the_reference_aes_cm(policy: SrtpPolicy, roc: int, mki: bytes) -> None:
    master_key, master_salt = keys(policy)
    rtp_keys = ref.session_keys(master_key, master_salt, rtcp=False)
    rtcp_keys = ref.session_keys(master_key, master_salt, rtcp=True)
    options: dict[str, Any] = {"ssrc": SSRC, "roc": roc, "mki": mki or None}
    sender = SrtpSession(policy, master_key, master_salt, direction="outbound", **options)
    receiver = SrtpSession(policy, master_key, master_salt, direction="inbound", **options)
    for seq in (0xFFFE, 0xFFFF):  # packets at the session's ROC
        expected = ref.srtp_cm(
            rtp_keys,
            rtp(seq),
            roc=roc,
            tag_length=policy.srtp_auth_tag_length,
            encrypt=policy.srtp_encryption,
            mki=mki,
        )
        assert sender.protect(rtp(seq)) == expected
        assert receiver.unprotect(expected) == rtp(seq)
    # The other way: a packet made by the reference, at ROC + 1 after the wrap.
    made = ref.srtp_cm(
        rtp_keys,
        rtp(3),
        roc=roc + 1,
        tag_length=policy.srtp_auth_tag_length,
        encrypt=policy.srtp_encryption,
        mki=mki,
    )
    assert receiver.unprotect(made) == rtp(3)
    assert receiver.roc(SSRC) == roc + 1

    report = rtcp()
    protected = sender.protect_rtcp(report)
    index = srtcp_index(protected, len(report))
    assert protected == ref.srtcp_cm(
        rtcp_keys,
        report,
        index=index,
        tag_length=policy.srtcp_auth_tag_length,
        encrypt=policy.srtcp_encryption,
        mki=mki,
    )
    made = ref.srtcp_cm(
        rtcp_keys,
        report,
        index=0x1234,
        tag_length=policy.srtcp_auth_tag_length,
        encrypt=policy.srtcp_encryption,
        mki=mki,
    )
    assert receiver.unprotect_rtcp(made) == report


# -- RFC 7714 AES-GCM ------------------------------------------------------------------------


@pytest.mark.parametrize("vector", GCM["srtp"], ids=[v["name"] for v in GCM["srtp"]])
def test_reference_gcm_matches_rfc7714_srtp(vector: dict[str, Any]) -> None:
    made = ref.srtp_gcm(
        h(vector["key"]), h(vector["salt"]), h(vector["rtp"]), roc=vector["roc"], tag_length=16
    )
    assert made == h(vector["srtp"])


@pytest.mark.parametrize("vector", GCM["srtcp"], ids=[v["name"] for v in GCM["srtcp"]])
def test_reference_gcm_matches_rfc7714_srtcp(vector: dict[str, Any]) -> None:
    made = ref.srtcp_gcm(
        h(vector["key"]),
        h(vector["salt"]),
        h(vector["rtcp"]),
        index=vector["index"],
        tag_length=16,
        encrypt=vector["encrypted"],
    )
    assert made == h(vector["srtcp"])


def gcm_session_keys(master_key: bytes, master_salt: bytes, *, rtcp: bool) -> tuple[bytes, bytes]:
    """RFC 7714 §11: the AES-CM PRF of RFC 3711 (RFC 6188 for 256 bits); 12-byte salt."""
    derived = ref.session_keys(master_key, master_salt, rtcp=rtcp, salt_length=12)
    return derived.encryption, derived.salt


@pytest.mark.parametrize("mki", [b"", MKI], ids=["no-mki", "mki"])
@pytest.mark.parametrize("roc", [0, 5])
@pytest.mark.parametrize("vector", GCM["srtp"], ids=[v["name"] for v in GCM["srtp"]])
def test_libsrtp_gcm_srtp_is_rfc7714(vector: dict[str, Any], roc: int, mki: bytes) -> None:
    """libsrtp, keyed with the RFC's key and salt as *master* key and salt, produces the
    RFC 7714 §8 packet for the session keys they derive; and opens such a packet."""
    policy = GCM_POLICIES[vector["cipher"]]
    master_key, master_salt, packet = h(vector["key"]), h(vector["salt"]), h(vector["rtp"])
    ssrc = int.from_bytes(packet[8:12], "big")
    key, salt = gcm_session_keys(master_key, master_salt, rtcp=False)
    options: dict[str, Any] = {"ssrc": ssrc, "roc": roc, "mki": mki or None}
    sender = SrtpSession(policy, master_key, master_salt, direction="outbound", **options)
    expected = ref.srtp_gcm(key, salt, packet, roc=roc, tag_length=16, mki=mki)
    assert sender.protect(packet) == expected
    receiver = SrtpSession(policy, master_key, master_salt, direction="inbound", **options)
    assert receiver.unprotect(expected) == packet
    # With the session key and salt themselves, the same function gives the RFC's bytes.
    if roc == 0 and not mki:
        assert ref.srtp_gcm(master_key, master_salt, packet, roc=0, tag_length=16) == h(
            vector["srtp"]
        )


@pytest.mark.parametrize("vector", GCM["srtcp"], ids=[v["name"] for v in GCM["srtcp"]])
def test_libsrtp_gcm_srtcp_is_rfc7714(vector: dict[str, Any]) -> None:
    base = GCM_POLICIES[vector["cipher"]]
    policy = SrtpPolicy(
        cipher=base.cipher,
        srtp_auth_tag_length=16,
        srtcp_auth_tag_length=vector["tag_length"],
        srtcp_encryption=vector["encrypted"],
    )
    master_key, master_salt, report = h(vector["key"]), h(vector["salt"]), h(vector["rtcp"])
    key, salt = gcm_session_keys(master_key, master_salt, rtcp=True)
    sender = SrtpSession(policy, master_key, master_salt, direction="outbound")
    protected = sender.protect_rtcp(report)
    index = srtcp_index(protected, len(protected) - 4)
    assert protected == ref.srtcp_gcm(
        key, salt, report, index=index, tag_length=16, encrypt=vector["encrypted"]
    )
    # The RFC's own index 0x5d4, made by the reference, opens in libsrtp.
    made = ref.srtcp_gcm(
        key, salt, report, index=vector["index"], tag_length=16, encrypt=vector["encrypted"]
    )
    receiver = SrtpSession(policy, master_key, master_salt, direction="inbound")
    assert receiver.unprotect_rtcp(made) == report


# -- pylibsrtp ---------------------------------------------------------------------------------

PYLIBSRTP_PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": (
        named.AES_CM_128_HMAC_SHA1_80,
        pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    ),
    "AEAD_AES_128_GCM": (named.AEAD_AES_128_GCM, pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM),
}


@pytest.mark.parametrize(
    ("policy", "profile"), PYLIBSRTP_PROFILES.values(), ids=PYLIBSRTP_PROFILES.keys()
)
def test_interoperates_with_pylibsrtp(policy: SrtpPolicy, profile: int) -> None:
    master_key, master_salt = keys(policy, "pylibsrtp")

    def theirs(ssrc_type: int) -> pylibsrtp.Session:
        return pylibsrtp.Session(
            pylibsrtp.Policy(
                key=master_key + master_salt, ssrc_type=ssrc_type, srtp_profile=profile
            )
        )

    ours_out = SrtpSession(policy, master_key, master_salt, direction="outbound")
    ours_in = SrtpSession(policy, master_key, master_salt, direction="inbound")
    their_in = theirs(pylibsrtp.Policy.SSRC_ANY_INBOUND)
    their_out = theirs(pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    for seq in (1, 2, 3):
        assert their_in.unprotect(ours_out.protect(rtp(seq))) == rtp(seq)
        assert ours_in.unprotect(their_out.protect(rtp(seq, ssrc=SSRC + 1))) == rtp(
            seq, ssrc=SSRC + 1
        )
    assert their_in.unprotect_rtcp(ours_out.protect_rtcp(rtcp())) == rtcp()
    assert ours_in.unprotect_rtcp(their_out.protect_rtcp(rtcp(ssrc=SSRC + 1))) == rtcp(
        ssrc=SSRC + 1
    )
