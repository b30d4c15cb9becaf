"""``rtsp_receive`` against a real gst-rtsp-server on loopback (issue 7 item 3).

The server keys its SRTP with its own MIKEY-NULL message in the DESCRIBE SDP; the client
decodes it with the GStreamer profile, plays over interleaved TCP and must authenticate
every packet, for each SRTP profile ``srtpenc`` offers.
"""

from __future__ import annotations

import pytest

from mikey.signalling.rtsp_client import rtsp_receive

from .rtsp_server import gst_rtsp_server, rtsp_server_available

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module", autouse=True)
def _server_available() -> None:
    rtsp_server_available()


# (srtpenc rtp-cipher, rtp-auth, the policy our Responder must resolve)
PROFILES = [
    ("aes-128-icm", "hmac-sha1-80", "AES_CM_128_HMAC_SHA1_80"),
    ("aes-128-icm", "hmac-sha1-32", "AES_CM_128_HMAC_SHA1_32"),
    ("aes-256-icm", "hmac-sha1-80", "AES_256_CM_HMAC_SHA1_80"),
    ("aes-256-icm", "hmac-sha1-32", "AES_256_CM_HMAC_SHA1_32"),
    ("aes-128-gcm", "null", "AEAD_AES_128_GCM"),
    ("aes-256-gcm", "null", "AEAD_AES_256_GCM"),
]


@pytest.mark.parametrize(("cipher", "auth", "policy"), PROFILES)
def test_receives_and_authenticates_every_packet(cipher: str, auth: str, policy: str) -> None:
    with gst_rtsp_server(cipher, auth) as url:
        stats = rtsp_receive(url, seconds=10.0, max_packets=8, timeout=10.0)
    assert stats.policy == policy
    assert stats.codec == "PCMA/8000"
    assert stats.payload_type == 8
    assert stats.packets >= 8
    assert stats.payload_bytes > 0
    assert stats.auth_failures == 0
    assert stats.rtcp_auth_failures == 0
    assert stats.other_failures == 0
    assert stats.losses == 0
    assert len(stats.ssrcs) == 1
