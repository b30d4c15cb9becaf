"""``a=key-mgmt`` (RFC 4567 §3.1), session vs media level, SDP IDs and bidding-down
(§4.1.4, §7), and the RTSP ``KeyMgmt`` header (§3.2)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyBiddingDownError, MikeySdpError, MikeyValueError
from mikey.registry import DataType
from mikey.signalling import (
    KEY_MANAGEMENT_FAILURE,
    KeyMgmt,
    KeyMgmtSpec,
    SessionDescription,
    check_sdp_ids,
    effective_key_mgmt,
    format_keymgmt,
    parse_keymgmt,
    protocol_list,
    sdp_ids_payload,
)
from mikey.wire.message import Message, decode_message

VECTORS = Path(__file__).parent.parent / "vectors" / "rfc4567"
HEAD = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n"


def test_rfc4567_example_1() -> None:
    offer = SessionDescription.parse((VECTORS / "example-1-offer.sdp").read_bytes())
    answer = SessionDescription.parse((VECTORS / "example-1-answer.sdp").read_bytes())
    (sent,), media_level = effective_key_mgmt(offer, offer.media[1])
    (reply,), _ = effective_key_mgmt(answer)
    assert not media_level and sent.protocol == reply.protocol == "mikey"
    i_message, verification = decode_message(sent.data), decode_message(reply.data)
    assert i_message.data_type == DataType.PRE_SHARED
    assert verification.data_type == DataType.PSK_VER_MSG
    assert i_message.header.csb_id == verification.header.csb_id
    check_sdp_ids(i_message, protocol_list((sent,)))  # one protocol: none needed


def test_media_level_overrides_session_level() -> None:
    session = KeyMgmt("mikey", b"session")
    media = KeyMgmt("mikey", b"media")
    other = KeyMgmt("keyp1", b"other")
    sdp = SessionDescription.parse(
        HEAD
        + f"a={session.to_attribute().name}:{session.to_attribute().value}\r\n"
        + "m=audio 1 RTP/SAVP 0\r\n"
        + f"a=key-mgmt:{media.to_attribute().value}\r\n"
        + f"a=key-mgmt: {other.to_attribute().value}\r\n"  # 0*1SP before prtcl-id
        + "m=video 2 RTP/SAVP 31\r\n"
    )
    assert effective_key_mgmt(sdp, sdp.media[0]) == ((media, other), True)
    assert effective_key_mgmt(sdp, sdp.media[1]) == ((session,), False)
    assert effective_key_mgmt(sdp) == ((session,), False)


def test_example_2_media_level_only() -> None:
    sdp = SessionDescription.parse((VECTORS / "example-2-offer.sdp").read_bytes())
    assert [m.secure_rtp for m in sdp.media] == [True, False]
    assert sdp.media[0].attributes("key-mgmt") and not sdp.attributes("key-mgmt")
    with pytest.raises(MikeySdpError, match="not base64"):  # the RFC elides the data
        effective_key_mgmt(sdp, sdp.media[0])


@pytest.mark.parametrize(
    "value", ["mikey", "mikey  AQ==", "mi-key AQ==", "mikey AQ", "mikey A Q==", "  mikey AQ=="]
)
def test_invalid_key_mgmt(value: str) -> None:
    with pytest.raises(MikeySdpError):
        KeyMgmt.parse(value)


def test_key_mgmt_round_trip() -> None:
    attribute = KeyMgmt("mikey", b"\x01\x02\x03").to_attribute()
    assert attribute.value == "mikey AQID"
    assert KeyMgmt.parse(attribute.value) == KeyMgmt("mikey", b"\x01\x02\x03")
    with pytest.raises(MikeyValueError):
        KeyMgmt("mi key", b"x")


def _message(*ids: str) -> Message:
    """RFC 4567 §5.1's I_MESSAGE, with SDP IDs before its KEMAC (its MAC is not checked)."""
    offer = SessionDescription.parse((VECTORS / "example-1-offer.sdp").read_bytes())
    (sent,), _ = effective_key_mgmt(offer)
    message = decode_message(sent.data)
    extension = (sdp_ids_payload(ids),) if ids else ()
    payloads = message.payloads[:-1] + extension + message.payloads[-1:]
    return Message(header=message.header, payloads=payloads)


def test_sdp_ids_match() -> None:
    check_sdp_ids(_message("mikey", "keyp1"), ("mikey", "keyp1"))
    check_sdp_ids(_message("mikey"), ("mikey",), require_sdp_ids=True)


@pytest.mark.parametrize(
    ("ids", "offered", "required"),
    [
        (("mikey", "keyp1"), ("mikey",), False),  # keyp1 stripped from the SDP
        (("mikey",), ("mikey", "keyp1"), False),  # a protocol added
        (("keyp1", "mikey"), ("mikey", "keyp1"), False),  # order changed
        ((), ("mikey", "keyp1"), False),  # several offered, nothing authenticated
        ((), ("mikey",), True),
    ],
)
def test_bidding_down_refused(
    ids: tuple[str, ...], offered: tuple[str, ...], required: bool
) -> None:
    with pytest.raises(MikeyBiddingDownError, match=r"RFC 4567 §4\.1\.4"):
        check_sdp_ids(_message(*ids), offered, require_sdp_ids=required)


def test_rtsp_keymgmt_rfc_examples() -> None:
    header = (
        'keymgmt: prot=mikey; uri="rtsp://movie.example.com/action";\r\n'
        '         data="AQEFgM0XflABAAAAAAAAAAAAAAYAyONQ6g=="'
    )
    (spec,) = parse_keymgmt(header)
    assert spec.protocol == "mikey" and spec.uri == "rtsp://movie.example.com/action"
    assert spec.data[:2] == b"\x01\x01"
    assert parse_keymgmt(format_keymgmt([spec])) == (spec,)
    assert KEY_MANAGEMENT_FAILURE == 463


def test_rtsp_keymgmt_several_specs() -> None:
    specs = (
        KeyMgmtSpec("mikey", b"\x01" * 7, "rtsp://h/a/audio"),
        KeyMgmtSpec("keyp1", b"\x02\x03"),
    )
    value = format_keymgmt(specs)
    assert (
        value == 'prot=mikey; uri="rtsp://h/a/audio"; data="AQEBAQEBAQ==", prot=keyp1; data="AgM="'
    )
    assert parse_keymgmt(f"KeyMgmt: {value}") == specs
    assert parse_keymgmt("PROT = mikey ; DATA = AgM= ; x=1") == (KeyMgmtSpec("mikey", b"\x02\x03"),)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "no prot"),
        ('prot=mikey; uri="x"', "no data"),
        ('prot=mi-key; data="AQ=="', "KMPID"),
        ('prot=mikey; data="AQ"', "not base64"),
        ('prot=mikey; uri="a b"; data="AQ=="', "URI"),
    ],
)
def test_rtsp_keymgmt_errors(value: str, message: str) -> None:
    with pytest.raises(MikeySdpError, match=message):
        parse_keymgmt(value)


def test_rtsp_keymgmt_needs_a_spec() -> None:
    with pytest.raises(MikeyValueError):
        format_keymgmt([])


@given(st.text(max_size=200))
def test_arbitrary_headers_raise_only_sdp_errors(value: str) -> None:
    with contextlib.suppress(MikeySdpError):
        parse_keymgmt(value)


@given(st.text(max_size=100))
def test_arbitrary_key_mgmt_values_raise_only_sdp_errors(value: str) -> None:
    with contextlib.suppress(MikeySdpError):
        KeyMgmt.parse(value)
