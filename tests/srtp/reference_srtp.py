"""A minimal SRTP reference written from the RFC text, independent of libsrtp, for tests.

RFC 3711 §4.3.1-§4.3.3 (key derivation with the AES-CM PRF; RFC 6188 §7 for the
AES-192/256 PRF), §4.1.1 (AES-CM keystream), §4.2.1 (HMAC-SHA1 tag over the
authenticated portion ‖ ROC), §3.1 and §3.4 (SRTP and SRTCP packet layouts with MKI);
RFC 7714 §8.1-§8.2 and §9.1-§9.3 (AES-GCM IVs, AAD and layouts). Only ``cryptography``'s
AES, AES-GCM and HMAC are used. Packets have no header extension (X = 0).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# RFC 3711 §4.3.1 and §4.3.2 labels.
RTP_ENCRYPTION, RTP_AUTH, RTP_SALT = 0x00, 0x01, 0x02
RTCP_ENCRYPTION, RTCP_AUTH, RTCP_SALT = 0x03, 0x04, 0x05
SRTCP_E_FLAG = 0x8000_0000


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def prf(master_key: bytes, x: bytes, length: int) -> bytes:
    """RFC 3711 §4.3.3: PRF_n(k_master, x) = AES-CM keystream with IV x·2^16."""
    return _aes_ctr(master_key, x + bytes(2), bytes(length))


def derive(master_key: bytes, master_salt: bytes, label: int, length: int) -> bytes:
    """RFC 3711 §4.3.1 with kdr 0: key_id = label ‖ 0^48, x = key_id XOR master_salt.

    A 12-byte AES-GCM master salt is padded with two zero bytes on the right, as libsrtp
    does (RFC 7714 §11 names the RFC 3711 KDF and is silent on the 96-bit salt).
    """
    salt = master_salt.ljust(14, b"\0")
    key_id = bytes([label]) + bytes(6)
    return prf(master_key, _xor(salt, key_id.rjust(14, b"\0")), length)


@dataclass(frozen=True)
class SessionKeys:
    encryption: bytes
    salt: bytes
    auth: bytes


def session_keys(
    master_key: bytes, master_salt: bytes, *, rtcp: bool, salt_length: int = 14
) -> SessionKeys:
    """Session encryption key, salt and 160-bit HMAC key for SRTP or SRTCP."""
    labels = (
        (RTCP_ENCRYPTION, RTCP_SALT, RTCP_AUTH) if rtcp else (RTP_ENCRYPTION, RTP_SALT, RTP_AUTH)
    )
    return SessionKeys(
        encryption=derive(master_key, master_salt, labels[0], len(master_key)),
        salt=derive(master_key, master_salt, labels[1], salt_length),
        auth=derive(master_key, master_salt, labels[2], 20),
    )


def aes_cm(keys: SessionKeys, ssrc: int, index: int, data: bytes) -> bytes:
    """RFC 3711 §4.1.1: IV = (k_s·2^16) XOR (SSRC·2^64) XOR (i·2^16)."""
    iv = (int.from_bytes(keys.salt, "big") << 16) ^ (ssrc << 64) ^ (index << 16)
    return _aes_ctr(keys.encryption, iv.to_bytes(16, "big"), data)


def hmac_sha1(key: bytes, data: bytes, length: int) -> bytes:
    """RFC 3711 §4.2.1: HMAC-SHA1 truncated to the tag length."""
    mac = hmac.HMAC(key, hashes.SHA1())
    mac.update(data)
    return mac.finalize()[:length]


def rtp_header_length(packet: bytes) -> int:
    return 12 + 4 * (packet[0] & 0x0F)


def srtp_cm(
    keys: SessionKeys,
    rtp: bytes,
    *,
    roc: int,
    tag_length: int,
    encrypt: bool = True,
    mki: bytes = b"",
) -> bytes:
    """An SRTP packet (RFC 3711 §3.1): header ‖ encrypted payload ‖ MKI ‖ tag, the tag
    over header ‖ encrypted payload ‖ ROC (§4.2)."""
    split = rtp_header_length(rtp)
    ssrc = int.from_bytes(rtp[8:12], "big")
    index = (roc << 16) | int.from_bytes(rtp[2:4], "big")
    payload = aes_cm(keys, ssrc, index, rtp[split:]) if encrypt else rtp[split:]
    authenticated = rtp[:split] + payload
    tag = hmac_sha1(keys.auth, authenticated + roc.to_bytes(4, "big"), tag_length)
    return authenticated + mki + (tag if tag_length else b"")


def srtcp_cm(
    keys: SessionKeys,
    rtcp: bytes,
    *,
    index: int,
    tag_length: int,
    encrypt: bool = True,
    mki: bytes = b"",
) -> bytes:
    """An SRTCP packet (RFC 3711 §3.4): first 8 bytes ‖ encrypted rest ‖ E ‖ index ‖ MKI
    ‖ tag, the tag over everything before the MKI."""
    ssrc = int.from_bytes(rtcp[4:8], "big")
    body = aes_cm(keys, ssrc, index, rtcp[8:]) if encrypt else rtcp[8:]
    e_index = ((SRTCP_E_FLAG if encrypt else 0) | index).to_bytes(4, "big")
    authenticated = rtcp[:8] + body + e_index
    return authenticated + mki + hmac_sha1(keys.auth, authenticated, tag_length)


def _gcm(key: bytes, iv: bytes, plaintext: bytes, aad: bytes, tag_length: int) -> bytes:
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    # A shorter GCM tag is the leading part of the full one (NIST SP 800-38D §5.2.1.2).
    return sealed[: len(plaintext) + tag_length]


def srtp_gcm(
    key: bytes, salt: bytes, rtp: bytes, *, roc: int, tag_length: int, mki: bytes = b""
) -> bytes:
    """RFC 7714 §8.1-§8.2: IV = (0^16 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt, AAD the header,
    packet header ‖ ciphertext with tag ‖ MKI."""
    split = rtp_header_length(rtp)
    iv = _xor(bytes(2) + rtp[8:12] + roc.to_bytes(4, "big") + rtp[2:4], salt)
    return rtp[:split] + _gcm(key, iv, rtp[split:], rtp[:split], tag_length) + mki


def srtcp_gcm(
    key: bytes,
    salt: bytes,
    rtcp: bytes,
    *,
    index: int,
    tag_length: int,
    encrypt: bool = True,
    mki: bytes = b"",
) -> bytes:
    """RFC 7714 §9.1-§9.3: IV = (0^16 ‖ SSRC ‖ 0^16 ‖ 0 ‖ index) XOR salt; encrypted,
    AAD = first 8 bytes ‖ E ‖ index; tagged only (E = 0), AAD = whole packet ‖ E ‖ index.
    The E ‖ index word follows the ciphertext, then the MKI."""
    iv = _xor(bytes(2) + rtcp[4:8] + bytes(2) + index.to_bytes(4, "big"), salt)
    e_index = ((SRTCP_E_FLAG if encrypt else 0) | index).to_bytes(4, "big")
    if encrypt:
        body = rtcp[:8] + _gcm(key, iv, rtcp[8:], rtcp[:8] + e_index, tag_length)
    else:
        body = rtcp + _gcm(key, iv, b"", rtcp + e_index, tag_length)
    return body + e_index + mki
