"""RTP and RTCP packets and keys for the SRTP session tests."""

from __future__ import annotations

import hashlib

from mikey.srtp.policy import SrtpPolicy

SSRC = 0x1A2B3C4D
PAYLOAD = b"Gallia est omnis divisa in partes tres"


def rtp(seq: int, *, ssrc: int = SSRC, payload: bytes = PAYLOAD, timestamp: int = 0) -> bytes:
    """An RTP packet (RFC 3550 §5.1): V=2, no padding, extension or CSRC, PT 96."""
    return (
        bytes([0x80, 96])
        + seq.to_bytes(2, "big")
        + timestamp.to_bytes(4, "big")
        + ssrc.to_bytes(4, "big")
        + payload
    )


def rtcp(*, ssrc: int = SSRC, body: bytes = bytes(range(20))) -> bytes:
    """An RTCP sender report (RFC 3550 §6.4.1) with ``body`` after the sender SSRC."""
    words = (8 + len(body)) // 4 - 1
    return bytes([0x80, 200]) + words.to_bytes(2, "big") + ssrc.to_bytes(4, "big") + body


def keys(policy: SrtpPolicy, seed: str = "master") -> tuple[bytes, bytes]:
    """A deterministic master key and salt of the policy's lengths."""
    material = hashlib.sha512(seed.encode()).digest()
    return material[: policy.master_key_length], material[32 : 32 + policy.master_salt_length]
