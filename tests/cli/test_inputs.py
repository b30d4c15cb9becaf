"""``mikey.cli.inputs``: MIKEY messages found in raw bytes, hex, base64, SDP (RFC 4567 §3.1,
§4.1) and RTSP KeyMgmt headers (RFC 4567 §3.2, §4.2)."""

from __future__ import annotations

import base64

import pytest

from mikey.cli.inputs import Found, InputError, find_messages
from mikey.registry import DataType
from mikey.wire.samples import psk_message, sample_message

MESSAGE = psk_message().encode()
OTHER = sample_message(DataType.PSK_VER_MSG).encode()
B64 = base64.b64encode(MESSAGE).decode()
B64_OTHER = base64.b64encode(OTHER).decode()

# RFC 4567 §5.1, Example 1, as the RFC prints it: the base64 runs over three lines.
RFC4567_OFFER = """v=0
o=alice 2891092738 2891092738 IN IP4 w-land.example.com
s=Cool stuff
e=alice@w-land.example.com
t=0 0
c=IN IP4 w-land.example.com
a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2
UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt
0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV
m=audio 49000 RTP/SAVP 98
a=rtpmap:98 AMR/8000
m=video 52230 RTP/SAVP 31
a=rtpmap:31 H261/90000
"""


def _one(data: bytes | str, fmt: str = "auto") -> Found:
    found = find_messages(data.encode() if isinstance(data, str) else data, fmt)  # type: ignore[arg-type]
    assert len(found) == 1
    return found[0]


def test_raw_bytes() -> None:
    assert _one(MESSAGE) == Found("raw bytes", MESSAGE)


@pytest.mark.parametrize(
    "text",
    [
        MESSAGE.hex(),
        MESSAGE.hex().upper(),
        MESSAGE.hex(" "),
        MESSAGE.hex(":"),
        " ".join(f"0x{b:02x}" for b in MESSAGE),
        "\n".join(MESSAGE.hex()[i : i + 32] for i in range(0, 2 * len(MESSAGE), 32)),
    ],
    ids=["plain", "upper", "spaces", "colons", "0x", "lines"],
)
def test_hex(text: str) -> None:
    assert _one(text) == Found("hex", MESSAGE)


@pytest.mark.parametrize(
    "text",
    [
        B64,
        B64.rstrip("="),
        "\n".join(B64[i : i + 20] for i in range(0, len(B64), 20)),
        base64.urlsafe_b64encode(MESSAGE).decode(),
        f"  {B64}\r\n",
    ],
    ids=["plain", "unpadded", "lines", "urlsafe", "whitespace"],
)
def test_base64(text: str) -> None:
    assert _one(text) == Found("base64", MESSAGE)


def test_sdp_session_and_media_level() -> None:
    sdp = (
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
        f"a=key-mgmt:mikey {B64}\r\n"
        "m=audio 49000 RTP/SAVP 98\r\na=rtpmap:98 AMR/8000\r\n"
        "m=video 52230 RTP/SAVP 31\r\n"
        f"a=key-mgmt: mikey {B64_OTHER}\r\n"
    )
    assert find_messages(sdp.encode()) == [
        Found("SDP line 5 (session level)", MESSAGE),
        Found("SDP line 9 (media 2: video)", OTHER),
    ]


def test_sdp_with_base64_over_several_lines() -> None:
    found = _one(RFC4567_OFFER, "sdp")
    assert found.where == "SDP line 7 (session level)"
    assert found.data[:4] == bytes.fromhex("01000580")
    assert len(found.data) == 132


def test_sdp_skips_other_key_management_protocols() -> None:
    sdp = f"a=key-mgmt:keyp1 727gkdOshsuiSDF9sdhsdKnD\na=key-mgmt:mikey {B64}\n"
    assert find_messages(sdp.encode()) == [Found("SDP line 2 (session level)", MESSAGE)]


@pytest.mark.parametrize(
    "header",
    [
        f'KeyMgmt: prot=mikey; uri="rtsp://cam/stream"; data="{B64}"',
        f'keymgmt: prot=mikey;uri="rtsp://cam/stream";data={B64}',
        f'KeyMgmt: prot=keyp1; data="abcd", prot=mikey; uri="rtsp://cam/stream"; data="{B64}"',
        f'KeyMgmt: prot=mikey; uri="rtsp://cam/stream";\r\n data="{B64}"',
        f'prot=mikey; uri="rtsp://cam/stream"; data="{B64[:40]}\n{B64[40:]}"',
    ],
    ids=["quoted", "unquoted", "two-protocols", "folded", "bare-value-split"],
)
def test_rtsp_keymgmt(header: str) -> None:
    assert _one(header) == Found("KeyMgmt line 1 (uri rtsp://cam/stream)", MESSAGE)


def test_rtsp_request_with_headers() -> None:
    request = (
        "SETUP rtsp://cam/stream/track1 RTSP/1.0\r\nCSeq: 3\r\n"
        "Transport: RTP/SAVP/UDP;unicast;client_port=3056-3057\r\n"
        f'KeyMgmt: prot=mikey; data="{B64}"\r\n\r\n'
    )
    assert find_messages(request.encode()) == [Found("KeyMgmt line 4", MESSAGE)]


def test_one_bad_message_does_not_hide_the_others() -> None:
    sdp = f"a=key-mgmt:mikey AQ!!\na=key-mgmt:mikey {B64}\n"
    bad, good = find_messages(sdp.encode())
    assert bad.problem == "not valid base64: '!' at character 3"
    assert good == Found("SDP line 2 (session level)", MESSAGE)


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", "auto", "the input is empty"),
        (b" \n\t", "auto", "the input is empty"),
        (b"", "raw", "the input is empty"),
        (b"\xff\xfe\x00", "auto", "the input is neither text nor a raw MIKEY message"),
        (b"v=0\ns=-\n", "auto", "no MIKEY message found"),
        (b"a=key-mgmt:keyp1 abcd\n", "auto", "(key-mgmt only for keyp1)"),
        (B64.encode(), "sdp", "no a=key-mgmt:mikey attribute in the SDP text"),
        (B64.encode(), "rtsp", "no KeyMgmt header with prot=mikey in the RTSP text"),
        (b"01 00 0", "auto", "not valid hex: an odd number of digits (5)"),
        (b"01 zz", "hex", "not valid hex: 'z' is not a hex digit"),
        (b"AQ!!", "auto", "not valid base64: '!' at character 3"),
        (b"AQAFg", "base64", "not valid base64: 5 characters cannot encode whole bytes"),
    ],
)
def test_errors(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        find_messages(data, fmt)  # type: ignore[arg-type]
    assert message in str(error.value)


def test_short_base64_is_read_and_left_to_the_decoder() -> None:
    assert _one("AQ", "base64") == Found("base64", b"\x01")


def test_rtsp_spec_without_data() -> None:
    found = _one('KeyMgmt: prot=mikey; uri="rtsp://cam"')
    assert found.problem == "prot=mikey without a data parameter"
