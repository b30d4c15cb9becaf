"""The SDP model (RFC 8866 §5): RFC vectors round trip, lenient input, clear errors, and
arbitrary text raises nothing but ``MikeySdpError``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeySdpError, MikeyValueError
from mikey.signalling import Attribute, SdpLine, SessionDescription

VECTORS = Path(__file__).parent.parent / "vectors" / "rfc4567"
FILES = sorted(VECTORS.glob("*.sdp"))


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_vectors_round_trip(path: Path) -> None:
    data = path.read_bytes()
    sdp = SessionDescription.parse(data)
    assert sdp.to_text().encode() == data
    assert SessionDescription.parse(data.replace(b"\r\n", b"\n")) == sdp  # LF input


def test_rfc4566_example_fields() -> None:
    sdp = SessionDescription.parse((VECTORS / "rfc4566-section-5.sdp").read_bytes())
    assert [m.media for m in sdp.media] == ["audio", "video"]
    assert [m.port for m in sdp.media] == [49170, 51372]
    assert sdp.media[1].formats == ("99",)
    assert sdp.media[1].attributes("rtpmap") == (Attribute("rtpmap", "99 h263-1998/90000"),)
    assert sdp.attributes("recvonly") == (Attribute("recvonly"),)
    assert not any(m.secure_rtp for m in sdp.media)


def test_unknown_lines_keep_their_place() -> None:
    text = "v=0\r\nz=unknown\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=audio 5/2 RTP/SAVPF 0\r\ny=x\r\n"
    sdp = SessionDescription.parse(text)
    assert sdp.to_text() == text
    assert sdp.media[0].secure_rtp and sdp.media[0].port == 5


def test_build_and_remove_attributes() -> None:
    sdp = SessionDescription.parse("v=0\no=- 1 1 IN IP4 h\ns=-\nm=audio 5 RTP/AVP 0\n\n")
    added = sdp.with_attributes([Attribute("x", "1")]).with_media(
        [sdp.media[0].with_attributes([Attribute("x", "2"), Attribute("y")])]
    )
    assert added.to_text().endswith("s=-\r\na=x:1\r\nm=audio 5 RTP/AVP 0\r\na=x:2\r\na=y\r\n")
    assert added.without_attributes("x", "y") == sdp


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "starts with v=0"),
        ("v=1\no=- 1 1 IN IP4 h\ns=-\n", "starts with v=0"),
        ("v=0\ns=-\n", "one o= line"),
        ("v=0\no=- 1 1 IN IP4 h\n", "one s= line"),
        ("v=0\no=- 1 1 IN IP4 h\ns=-\ns=-\n", "one s= line"),
        ("v=0\no=- x 1 IN IP4 h\ns=-\n", "RFC 8866 §5.2"),
        ("v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4\n", "RFC 8866 §5.7"),
        ("v=0\no=- 1 1 IN IP4 h\ns=-\nm=audio x RTP/AVP 0\n", "SDP line 4"),
        ("v=0\no=- 1 1 IN IP4 h\ns=-\nm=audio 1 RTP/AVP 0\ns=x\n", "media section"),
        ("v=0\nhello\n", "SDP line 2"),
        ("v=0\nab=c\n", "one letter"),
        ("v=0\ra=b\n", "NUL, CR or LF"),
    ],
)
def test_invalid(text: str, message: str) -> None:
    with pytest.raises(MikeySdpError, match=message):
        SessionDescription.parse(text)


def test_not_utf8() -> None:
    with pytest.raises(MikeySdpError, match="UTF-8"):
        SessionDescription.parse(b"v=0\n\xff")


def test_constructors_refuse_bad_values() -> None:
    with pytest.raises(MikeyValueError):
        SdpLine("a", "x\ny")
    with pytest.raises(MikeyValueError):
        Attribute("a b")


SDP_CHARS = st.sampled_from(list("vosctma=:/ \r\n01AZaz-.\x00\xff"))


@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(SDP_CHARS, max_size=200).map("".join),
        st.binary(max_size=200),
    )
)
def test_arbitrary_text_raises_only_sdp_errors(text: str | bytes) -> None:
    with contextlib.suppress(MikeySdpError):
        sdp = SessionDescription.parse(text)
        assert SessionDescription.parse(sdp.to_text()) == sdp
