"""The receiving RTSP client (``mikey.signalling.rtsp_client``) without GStreamer: the
parsers on canned responses, and ``rtsp_receive`` and ``mikey rtsp-receive`` against an
in-process fake server that keys SRTP with our own MIKEY-NULL Initiator (RFC 2326 §10,
RFC 4567 §3.1)."""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mikey.cli.app import app
from mikey.errors import MikeySdpError
from mikey.interop import GSTREAMER
from mikey.modes import CryptoSessionSpec, PskInitiator
from mikey.signalling.rtsp_client import (
    MikeyRtspError,
    codec_of,
    parse_response,
    parse_url,
    rtsp_receive,
    select_media,
)
from mikey.signalling.sdp import SessionDescription
from mikey.srtp.policy import AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, SrtpPolicy

SSRC = 0x1234ABCD

# -- parsers ---------------------------------------------------------------------------------


def test_parse_response_complete_with_body_and_rest() -> None:
    data = (
        b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 3\r\nSession: 12;timeout=60\r\n\r\nabcREST"
    )
    parsed = parse_response(data)
    assert parsed is not None
    response, used = parsed
    assert (response.status, response.reason, response.body) == (200, "OK", b"abc")
    assert response.header("CSEQ") == "2"
    assert response.header("session") == "12;timeout=60"
    assert data[used:] == b"REST"


@pytest.mark.parametrize(
    "data",
    [
        b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n",
        b"RTSP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    ],
)
def test_parse_response_incomplete(data: bytes) -> None:
    assert parse_response(data) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"HTTP/1.1 200 OK\r\n\r\n", "not an RTSP status line"),
        (b"RTSP/1.0 abc OK\r\n\r\n", "not an RTSP status line"),
        (b"RTSP/1.0 200 OK\r\nno colon here\r\n\r\n", "not an RTSP header"),
        (b"RTSP/1.0 200 OK\r\nContent-Length: x\r\n\r\n", "is not a number"),
        (b"RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", "out of range"),
        (b"RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n", "out of range"),
        (b"RTSP/1.0 200 OK\r\nX: " + b"a" * 70_000, "exceed"),
    ],
)
def test_parse_response_errors(data: bytes, message: str) -> None:
    with pytest.raises(MikeyRtspError, match=message):
        parse_response(data)


def test_parse_url() -> None:
    assert parse_url("rtsp://cam.example/live") == ("cam.example", 554)
    assert parse_url("RTSP://127.0.0.1:8554/x") == ("127.0.0.1", 8554)
    for bad, message in [
        ("http://h/x", "not an rtsp:// URL"),
        ("rtsp:///x", "names no host"),
        ("rtsp://h:99999/x", "invalid port"),
    ]:
        with pytest.raises(MikeyRtspError, match=message):
            parse_url(bad)


def _sdp(media: str, *, session_extra: str = "") -> SessionDescription:
    return SessionDescription.parse(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n" + session_extra + media
    )


MIKEY_B64 = base64.b64encode(b"\x01\x02\x03").decode()


def test_select_media_resolves_control_and_takes_media_level_mikey() -> None:
    sdp = _sdp(
        "m=video 0 RTP/AVP 96\r\na=control:stream=0\r\n"
        f"m=audio 0 RTP/SAVP 8\r\na=control:stream=1\r\na=key-mgmt:mikey {MIKEY_B64}\r\n"
    )
    stream = select_media(sdp, "rtsp://h/test/")
    assert stream.control == "rtsp://h/test/stream=1"
    assert (stream.payload_type, stream.codec, stream.mikey) == (8, "PCMA/8000", b"\x01\x02\x03")


def test_select_media_session_level_mikey_and_absolute_control() -> None:
    sdp = _sdp(
        "m=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://h/t/v\r\n",
        session_extra=f"a=key-mgmt:mikey {MIKEY_B64}\r\n",
    )
    stream = select_media(sdp, "rtsp://h/t/")
    assert (stream.control, stream.codec) == ("rtsp://h/t/v", "H264/90000")


def test_select_media_without_control_uses_base() -> None:
    sdp = _sdp(f"m=audio 0 RTP/SAVP 0\r\na=key-mgmt:mikey {MIKEY_B64}\r\n")
    assert select_media(sdp, "rtsp://h/t").control == "rtsp://h/t"


def test_select_media_errors() -> None:
    with pytest.raises(MikeyRtspError, match="no RTP/SAVP media"):
        select_media(_sdp("m=audio 0 RTP/AVP 0\r\n"), "rtsp://h/")
    with pytest.raises(MikeyRtspError, match="no a=key-mgmt:mikey"):
        select_media(_sdp("m=audio 0 RTP/SAVP 0\r\n"), "rtsp://h/")
    with pytest.raises(MikeySdpError):
        select_media(_sdp("m=audio 0 RTP/SAVP 0\r\na=key-mgmt:mikey !!!\r\n"), "rtsp://h/")


def test_codec_of() -> None:
    sdp = _sdp("m=audio 0 RTP/SAVP 97\r\nm=audio 0 RTP/SAVP 111\r\na=rtpmap:111 opus/48000/2\r\n")
    assert codec_of(sdp.media[0]) == (97, "payload type 97")
    assert codec_of(sdp.media[1]) == (111, "opus/48000/2")


# -- a fake server ---------------------------------------------------------------------------


@dataclass
class FakeServer:
    """A one-connection RTSP server that keys SRTP with MIKEY-NULL (GStreamer's shape)."""

    policy: SrtpPolicy = AES_CM_128_HMAC_SHA1_80
    describe_status: int = 200
    silent: bool = False
    with_mikey: bool = True
    mikey_override: bytes | None = None  # sent instead of the real message
    tamper: frozenset[int] = frozenset()  # sequence numbers to corrupt
    skip: frozenset[int] = frozenset()  # sequence numbers not sent
    count: int = 20
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"rtsp://127.0.0.1:{self._listener.getsockname()[1]}/test"
        initiator = PskInitiator(psk=None, profile=GSTREAMER)
        spec = CryptoSessionSpec(policy=self.policy, ssrc=SSRC)
        self.mikey, self.bundle = initiator.initiate([spec], now=datetime.now(UTC))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _sdp(self) -> bytes:
        mikey = self.mikey if self.mikey_override is None else self.mikey_override
        key_mgmt = f"a=key-mgmt:mikey {base64.b64encode(mikey).decode()}\r\n"
        return (
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=fake\r\nt=0 0\r\na=control:*\r\n"
            "m=audio 0 RTP/SAVP 8\r\na=rtpmap:8 PCMA/8000\r\na=control:stream=0\r\n"
            + (key_mgmt if self.with_mikey else "")
        ).encode()

    def _serve(self) -> None:
        conn, _ = self._listener.accept()
        with conn, conn.makefile("rb") as reader:
            while True:
                lines = []
                while (line := reader.readline()) not in (b"\r\n", b""):
                    lines.append(line.decode().strip())
                if not lines:
                    return
                self.requests.append("\n".join(lines))
                if self.silent:
                    continue
                method = lines[0].split()[0]
                cseq = next(x for x in lines if x.lower().startswith("cseq")).split(":")[1]
                self._answer(conn, method, cseq.strip())

    def _answer(self, conn: socket.socket, method: str, cseq: str) -> None:
        status, body, extra = 200, b"", ""
        if method == "DESCRIBE":
            status = self.describe_status
            body = self._sdp()
            extra = f"Content-Type: application/sdp\r\nContent-Base: {self.url}/\r\n"
        elif method == "SETUP":
            extra = "Session: abc;timeout=60\r\nTransport: RTP/SAVP/TCP;interleaved=0-1\r\n"
        head = f"RTSP/1.0 {status} {'OK' if status == 200 else 'Not Found'}\r\nCSeq: {cseq}\r\n"
        conn.sendall(f"{head}{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        if method == "PLAY":
            self._stream(conn)

    def _stream(self, conn: socket.socket) -> None:
        with self.bundle.srtp_session(1, direction="outbound") as srtp:
            for seq in range(self.count):
                rtp = bytes([0x80, 8]) + seq.to_bytes(2, "big") + (seq * 160).to_bytes(4, "big")
                packet = srtp.protect(rtp + SSRC.to_bytes(4, "big") + bytes(160))
                if seq in self.skip:
                    continue
                if seq in self.tamper:
                    packet = packet[:-1] + bytes([packet[-1] ^ 1])
                conn.sendall(b"$\x00" + len(packet).to_bytes(2, "big") + packet)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeServer]]:
    servers: list[FakeServer] = []

    def make(**kwargs: object) -> FakeServer:
        server = FakeServer(**kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.mark.parametrize("policy", [AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM])
def test_receive_from_fake_server(fake: Callable[..., FakeServer], policy: SrtpPolicy) -> None:
    server = fake(policy=policy)
    stats = rtsp_receive(server.url, seconds=5, max_packets=20, timeout=5)
    assert (stats.packets, stats.losses, stats.auth_failures) == (20, 0, 0)
    assert (stats.codec, stats.payload_type, stats.policy) == ("PCMA/8000", 8, policy.name)
    assert stats.ssrcs == [SSRC]
    assert stats.payload_bytes == 20 * 160
    describe, setup, play = server.requests[:3]
    assert describe.startswith(f"DESCRIBE {server.url} RTSP/1.0")
    assert "Accept: application/sdp" in describe
    assert setup.startswith(f"SETUP {server.url}/stream=0 RTSP/1.0")
    assert "Transport: RTP/SAVP/TCP;unicast;interleaved=0-1" in setup
    assert play.startswith(f"PLAY {server.url}/ RTSP/1.0") and "Session: abc" in play


def test_counts_losses_and_authentication_failures(fake: Callable[..., FakeServer]) -> None:
    server = fake(tamper=frozenset({3, 7}), skip=frozenset({10}))
    stats = rtsp_receive(server.url, seconds=5, max_packets=17, timeout=5)
    assert stats.auth_failures == 2
    assert stats.packets == 17
    # 3 and 7 failed authentication, 10 never came: three holes in the sequence.
    assert stats.losses == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"describe_status": 404}, "DESCRIBE .* answered 404 Not Found"),
        ({"with_mikey": False}, "carries no a=key-mgmt:mikey"),
        ({"silent": True}, "no answer to DESCRIBE"),
        ({"mikey_override": b"\x01\x00garbage"}, "the server's MIKEY message was refused: "),
    ],
)
def test_server_errors(
    fake: Callable[..., FakeServer], kwargs: dict[str, object], message: str
) -> None:
    server = fake(**kwargs)
    with pytest.raises(MikeyRtspError, match=message):
        rtsp_receive(server.url, seconds=1, timeout=0.5)


def test_stream_ends_early(fake: Callable[..., FakeServer]) -> None:
    server = fake(count=3)
    stats = rtsp_receive(server.url, seconds=5, max_packets=10, timeout=0.5)
    assert stats.packets == 3
    assert stats.ended is not None
    assert re.fullmatch(r"the server closed .*|no media within 0.5 s", stats.ended)


def test_command_reports_no_packets(fake: Callable[..., FakeServer]) -> None:
    server = fake(count=0)
    result = CliRunner().invoke(app, ["rtsp-receive", server.url, "--timeout", "0.5"])
    assert result.exit_code == 1
    assert "packets:        0" in result.stdout and "ended early:" in result.stdout


def test_connection_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(MikeyRtspError, match="cannot connect"):
        rtsp_receive(f"rtsp://127.0.0.1:{port}/x", timeout=1)


# -- the command -----------------------------------------------------------------------------


def test_command_json(fake: Callable[..., FakeServer]) -> None:
    server = fake()
    result = CliRunner().invoke(app, ["rtsp-receive", server.url, "--packets", "5", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["packets"] == 5 and out["auth_failures"] == 0 and out["codec"] == "PCMA/8000"


def test_command_text_and_auth_failures_exit_1(fake: Callable[..., FakeServer]) -> None:
    server = fake(tamper=frozenset({1}))
    result = CliRunner().invoke(app, ["rtsp-receive", server.url, "--packets", "5"])
    assert result.exit_code == 1
    assert "codec:" in result.stdout and "PCMA/8000" in result.stdout
    assert "auth failures:  1" in result.stdout


def test_command_error_is_one_line(fake: Callable[..., FakeServer]) -> None:
    server = fake(describe_status=404)
    result = CliRunner().invoke(app, ["rtsp-receive", server.url, "--timeout", "1"])
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output
