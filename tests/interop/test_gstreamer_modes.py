"""The MIKEY-NULL exchange against GStreamer's MIKEY code, both ways, under the
``gstreamer`` interop profile (``mikey.interop.GSTREAMER``).

GStreamer builds its messages with ``gst_mikey_message_new_from_caps``'s shape (one TEK
holding key ‖ salt, SP parameter 3 = tag length); our Responder must take them and our
Initiator must produce what GStreamer maps to the same SRTP caps.
"""

from __future__ import annotations

import pytest

from mikey.errors import MikeyPolicyParamError
from mikey.interop import GSTREAMER
from mikey.modes import CryptoSessionSpec, PskInitiator, PskResponder
from mikey.srtp.policy import (
    AEAD_AES_128_GCM,
    AEAD_AES_256_GCM,
    AES_256_CM_HMAC_SHA1_80,
    AES_CM_128_HMAC_SHA1_32,
    AES_CM_128_HMAC_SHA1_80,
    SrtpPolicy,
)
from mikey.wire.basic import TimestampPayload
from mikey.wire.message import decode_message

from .gstreamer import gst_available, gst_build, gst_caps, gst_parse
from .test_gstreamer_harness import MASTER_KEY, MASTER_SALT, PSK_SPEC

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module", autouse=True)
def _gstreamer() -> None:
    gst_available()


# (policy, GStreamer's srtp-cipher, srtp-auth)
CAPS = [
    (AES_CM_128_HMAC_SHA1_80, "aes-128-icm", "hmac-sha1-80"),
    (AES_CM_128_HMAC_SHA1_32, "aes-128-icm", "hmac-sha1-32"),
    (AES_256_CM_HMAC_SHA1_80, "aes-256-icm", "hmac-sha1-80"),
    (AEAD_AES_128_GCM, "aes-128-gcm", "null"),  # GCM authenticates itself
    (AEAD_AES_256_GCM, "aes-256-gcm", "null"),
]


@pytest.mark.parametrize(("policy", "cipher", "auth"), CAPS, ids=lambda x: getattr(x, "name", x))
def test_gstreamer_maps_our_null_message_to_our_keys(
    policy: SrtpPolicy, cipher: str, auth: str
) -> None:
    from datetime import UTC, datetime

    message, bundle = PskInitiator(psk=None, profile=GSTREAMER).initiate(
        [CryptoSessionSpec(policy=policy, ssrc=0xCAFEBABE, roc=5)],
        now=datetime(2026, 11, 22, tzinfo=UTC),
    )
    parsed = gst_parse(message)
    assert "error" not in parsed, parsed
    assert parsed["cs"] == [{"policy": 0, "ssrc": 0xCAFEBABE, "roc": 5}]
    caps = gst_caps(message)
    assert caps["ok"] is True, caps
    key, salt = bundle.srtp_master_key(1)
    assert f"srtp-key=(buffer){(key + salt).hex()}" in caps["caps"]
    assert f"srtp-cipher=(string){cipher}" in caps["caps"]
    assert f"srtp-auth=(string){auth}" in caps["caps"]


def test_our_responder_takes_gstreamers_message() -> None:
    data = gst_build(PSK_SPEC)
    sent = decode_message(data).get(TimestampPayload)
    assert sent is not None
    responder = PskResponder(psk=None, allow_null=True, profile=GSTREAMER)
    result = responder.receive(data, now=sent.to_datetime())
    assert result.accepted, result.error
    assert result.bundle is not None
    session = result.bundle.crypto_session(1)
    assert (session.ssrc, session.roc, session.policy) == (0xCAFEBABE, 0, AES_CM_128_HMAC_SHA1_80)
    assert result.bundle.srtp_master_key(1) == (
        bytes.fromhex(MASTER_KEY),
        bytes.fromhex(MASTER_SALT),
    )


def test_read_as_rfc_3830_gstreamers_policy_is_refused_with_a_hint() -> None:
    data = gst_build(PSK_SPEC)
    sent = decode_message(data).get(TimestampPayload)
    assert sent is not None
    result = PskResponder(psk=None, allow_null=True).receive(data, now=sent.to_datetime())
    assert isinstance(result.error, MikeyPolicyParamError)
    assert "gstreamer" in str(result.error)
