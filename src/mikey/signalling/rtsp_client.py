"""A receiving RTSP client for SRTP media keyed by MIKEY in the SDP (RFC 2326, RFC 4567).

    DESCRIBE (§10.2) → SDP with ``a=key-mgmt:mikey`` (RFC 4567 §3.1, §4.2)
    SETUP    (§10.4) → ``Transport: RTP/SAVP/TCP;unicast;interleaved=0-1`` (§12.39),
                       ``KeyMgmt`` with the Responder's answer when it has one (RFC 4567 §4.2)
    PLAY     (§10.5) → interleaved frames ``$ channel length data`` (§10.12)
    TEARDOWN (§10.7)

The MIKEY message is handed to a Responder (by default MIKEY-NULL under the GStreamer
profile, what gst-rtsp-server and cameras send); the bundle it establishes keys one
inbound SRTP session per crypto session (RFC 3830 §6.1.1: one per sending SSRC). RTP on
the even channel and RTCP on the odd one are unprotected and counted: packets, sequence
number losses (RFC 3550 §A.3), authentication failures.

This is an edge module: it opens a TCP socket. The parsing helpers (``parse_response``,
``parse_url``, ``select_media``, ``codec_of``) do no I/O and are what the unit tests
drive. Every failure is a :class:`MikeyRtspError` (or the ``MikeyError`` the key
management raised) with a message, never a bare ``OSError``.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from mikey.errors import MikeyError, MikeyRtspError, MikeySdpError, MikeySrtpError
from mikey.interop import GSTREAMER
from mikey.modes.common import Responder
from mikey.modes.psk import PskResponder
from mikey.session import CryptoSessionBundle
from mikey.signalling.keymgmt import MIKEY, effective_key_mgmt
from mikey.signalling.rtsp import KEYMGMT_HEADER, KeyMgmtSpec, format_keymgmt
from mikey.signalling.sdp import MediaDescription, SessionDescription

__all__ = [
    "DEFAULT_PORT",
    "MikeyRtspError",
    "ReceiveStats",
    "RtspClient",
    "RtspResponse",
    "StreamInfo",
    "codec_of",
    "parse_response",
    "parse_url",
    "rtsp_receive",
    "select_media",
]

DEFAULT_PORT = 554  # RFC 2326 §3.2
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
_AUTH_FAIL = 7  # libsrtp srtp_err_status_auth_fail
_USER_AGENT = "mikey-rtsp-receive"


@dataclass(frozen=True, slots=True)
class RtspResponse:
    """One RTSP response (RFC 2326 §7): status, headers (names lower-cased), body."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def parse_response(buffer: bytes) -> tuple[RtspResponse, int] | None:
    """The response at the start of ``buffer`` and its length in bytes, or None while it
    is incomplete (RFC 2326 §7: status line, headers, CRLF, ``Content-Length`` body).

    :raises MikeyRtspError: for a status line or header that is not RTSP, or sizes past
        the limits.
    """
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEADER_BYTES:
            raise MikeyRtspError(f"RTSP response headers exceed {MAX_HEADER_BYTES} bytes")
        return None
    lines = buffer[:end].decode("utf-8", "replace").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("RTSP/") or not parts[1].isdigit():
        raise MikeyRtspError(f"not an RTSP status line (RFC 2326 §7.1): {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise MikeyRtspError(f"not an RTSP header (RFC 2326 §4): {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise MikeyRtspError(
            f"Content-Length {headers['content-length']!r} is not a number"
        ) from None
    if not 0 <= length <= MAX_BODY_BYTES:
        raise MikeyRtspError(f"Content-Length {length} is out of range")
    start = end + 4
    if len(buffer) < start + length:
        return None
    reason = parts[2] if len(parts) > 2 else ""
    response = RtspResponse(int(parts[1]), reason, headers, bytes(buffer[start : start + length]))
    return response, start + length


def parse_url(url: str) -> tuple[str, int]:
    """Host and port of an ``rtsp://`` URL (RFC 2326 §3.2; port 554 by default).

    :raises MikeyRtspError: for another scheme or no host.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "rtsp":
        raise MikeyRtspError(f"{url!r} is not an rtsp:// URL (RFC 2326 §3.2)")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise MikeyRtspError(f"{url!r} has an invalid port") from None
    if not parts.hostname:
        raise MikeyRtspError(f"{url!r} names no host")
    return parts.hostname, port


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """The media chosen from the SDP: its control URL, format, codec and MIKEY message."""

    control: str
    payload_type: int
    codec: str
    mikey: bytes = field(repr=False)


def codec_of(media: MediaDescription) -> tuple[int, str]:
    """The first format of ``media`` and its codec (``a=rtpmap``, RFC 8866 §6.6; the
    static payload types of RFC 3551 §6 otherwise).

    :raises MikeySdpError: for a format that is not a number.
    """
    if not media.formats or not media.formats[0].isdigit():
        raise MikeySdpError(f"m={media.media} has no RTP payload type")
    pt = int(media.formats[0])
    for attribute in media.attributes("rtpmap"):
        number, _, encoding = (attribute.value or "").partition(" ")
        if number == str(pt) and encoding:
            return pt, encoding
    return pt, _STATIC_PT.get(pt, f"payload type {pt}")


_STATIC_PT = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 14: "MPA/90000", 26: "JPEG/90000"}


def select_media(sdp: SessionDescription, base: str) -> StreamInfo:
    """The first RTP/SAVP media of ``sdp`` with its control URL resolved against ``base``
    (RFC 2326 §C.1.1) and its MIKEY message (media level overriding the session level,
    RFC 4567 §3.1).

    :raises MikeyRtspError: for no secure media or no MIKEY offer.
    :raises MikeySdpError: for an invalid ``a=key-mgmt``.
    """
    for media in sdp.media:
        if not media.secure_rtp:
            continue
        offers, _ = effective_key_mgmt(sdp, media)
        mikey = next((o.data for o in offers if o.protocol.lower() == MIKEY), None)
        if mikey is None:
            raise MikeyRtspError(
                f"m={media.media} is {media.proto} but carries no a=key-mgmt:mikey (RFC 4567)"
            )
        controls = media.attributes("control")
        control = controls[0].value if controls and controls[0].value else ""
        pt, codec = codec_of(media)
        return StreamInfo(urljoin(base, control) if control else base, pt, codec, mikey)
    raise MikeyRtspError("the SDP offers no RTP/SAVP media: the stream is not SRTP")


@dataclass(slots=True)
class _SeqState:
    base: int
    max_ext: int
    received: int = 0

    def update(self, seq: int) -> None:
        # Extend the 16-bit number around the highest seen (RFC 3550 §A.1).
        ext = self.max_ext + ((seq - self.max_ext + 0x8000) % 0x10000) - 0x8000
        self.max_ext = max(self.max_ext, ext)
        self.base = min(self.base, ext)
        self.received += 1

    @property
    def lost(self) -> int:
        return max(0, self.max_ext - self.base + 1 - self.received)  # RFC 3550 §A.3


@dataclass(slots=True)
class ReceiveStats:
    """What was received: packets that authenticated (``packets``), sequence numbers
    missing (``losses``, RFC 3550 §A.3), packets whose tag did not verify
    (``auth_failures``), others libsrtp refused (replays, malformed), SRTCP packets.
    ``ended`` says why reception stopped early (the server went quiet or hung up), None
    when it ran for the time or packet count asked."""

    url: str
    codec: str
    payload_type: int
    policy: str = ""
    packets: int = 0
    payload_bytes: int = 0
    losses: int = 0
    auth_failures: int = 0
    other_failures: int = 0
    rtcp_packets: int = 0
    rtcp_auth_failures: int = 0
    ssrcs: list[int] = field(default_factory=list)
    seconds: float = 0.0
    ended: str | None = None
    _seq: dict[int, _SeqState] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "codec": self.codec,
            "payload_type": self.payload_type,
            "policy": self.policy,
            "packets": self.packets,
            "payload_bytes": self.payload_bytes,
            "losses": self.losses,
            "auth_failures": self.auth_failures,
            "other_failures": self.other_failures,
            "rtcp_packets": self.rtcp_packets,
            "rtcp_auth_failures": self.rtcp_auth_failures,
            "ssrcs": [f"{s:#010x}" for s in self.ssrcs],
            "seconds": round(self.seconds, 3),
            "ended": self.ended,
        }


class RtspClient:
    """One RTSP/1.0 control connection over TCP with interleaved media (RFC 2326 §10.12).

    Every socket operation times out after ``timeout`` seconds.
    """

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.session: str | None = None
        self._cseq = 0
        self._buffer = bytearray()
        host, port = parse_url(url)
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise MikeyRtspError(f"cannot connect to {host}:{port}: {exc}") from None

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> RtspClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _recv(self, waiting_for: str) -> None:
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError:
            raise MikeyRtspError(f"no {waiting_for} within {self.timeout} s") from None
        except OSError as exc:
            raise MikeyRtspError(f"reading from the server failed: {exc}") from None
        if not chunk:
            raise MikeyRtspError(f"the server closed the connection (waiting for {waiting_for})")
        self._buffer += chunk

    def _take_frame(self) -> tuple[int, bytes] | None:
        """The interleaved frame at the head of the buffer (RFC 2326 §10.12:
        ``$``, channel, 16-bit length, data), or None if there is none complete."""
        if self._buffer[:1] != b"$" or len(self._buffer) < 4:
            return None
        length = int.from_bytes(self._buffer[2:4], "big")
        if len(self._buffer) < 4 + length:
            return None
        channel, data = self._buffer[1], bytes(self._buffer[4 : 4 + length])
        del self._buffer[: 4 + length]
        return channel, data

    def _skip_frames(self, on_frame: Callable[[int, bytes], None] | None) -> bool:
        """Consume interleaved frames at the head of the buffer; False if one is partial."""
        while (frame := self._take_frame()) is not None:
            if on_frame is not None:
                on_frame(*frame)
        return self._buffer[:1] != b"$"

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        on_frame: Callable[[int, bytes], None] | None = None,
    ) -> RtspResponse:
        """Send one request and return its response (RFC 2326 §6, §7); interleaved frames
        arriving first go to ``on_frame``.

        :raises MikeyRtspError: for an I/O failure, a timeout or a status other than 2xx.
        """
        self._cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self._cseq}", f"User-Agent: {_USER_AGENT}"]
        if self.session is not None:
            lines.append(f"Session: {self.session}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        try:
            self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        except OSError as exc:
            raise MikeyRtspError(f"sending {method} failed: {exc}") from None
        deadline = time.monotonic() + self.timeout
        while True:
            if self._skip_frames(on_frame) and self._buffer:
                parsed = parse_response(bytes(self._buffer))
                if parsed is not None:
                    response, used = parsed
                    del self._buffer[:used]
                    if response.header("cseq") not in (None, str(self._cseq)):
                        continue  # a late answer to an earlier request
                    break
            if time.monotonic() > deadline:
                raise MikeyRtspError(f"no answer to {method} within {self.timeout} s")
            self._recv(f"answer to {method}")
        if not 200 <= response.status < 300:
            raise MikeyRtspError(
                f"{method} {url} answered {response.status} {response.reason}".rstrip()
            )
        if session := response.header("session"):
            self.session = session.split(";")[0].strip()  # RFC 2326 §12.37
        return response

    def read_frame(self) -> tuple[int, bytes]:
        """The next interleaved frame (RFC 2326 §10.12), skipping any RTSP message.

        :raises MikeyRtspError: on timeout or a closed connection.
        """
        while True:
            if (frame := self._take_frame()) is not None:
                return frame
            if self._buffer and self._buffer[:1] != b"$":
                parsed = parse_response(bytes(self._buffer))
                if parsed is not None:
                    del self._buffer[: parsed[1]]
                    continue
            self._recv("media")


def _default_responder() -> Responder:
    return PskResponder(psk=None, allow_null=True, profile=GSTREAMER)


def _establish(
    responder: Responder, data: bytes, peer: bytes
) -> tuple[CryptoSessionBundle, bytes | None]:
    result = responder.receive(data, now=datetime.now(UTC), peer=peer)
    if result.error is not None or result.bundle is None:
        raise MikeyRtspError(f"the server's MIKEY message was refused: {result.error}")
    return result.bundle, result.reply


def rtsp_receive(
    url: str,
    *,
    seconds: float = 5.0,
    max_packets: int | None = None,
    responder: Responder | None = None,
    timeout: float = 5.0,
) -> ReceiveStats:
    """Receive an SRTP stream from ``url`` for ``seconds`` (or ``max_packets``) and return
    what came: DESCRIBE, MIKEY, SETUP over interleaved TCP, PLAY, TEARDOWN.

    Reception that stops early (the server goes quiet for ``timeout`` or hangs up) ends
    with ``ended`` set rather than an error: check ``packets``.

    ``responder`` processes the server's MIKEY message; by default MIKEY-NULL is accepted
    (the key travels in clear: use it over a trusted network or RTSP over TLS).

    :raises MikeyRtspError: for RTSP failures, timeouts and a refused MIKEY message.
    :raises MikeyError: for an invalid SDP or crypto sessions libsrtp cannot run.
    """
    responder = responder if responder is not None else _default_responder()
    with RtspClient(url, timeout=timeout) as client, contextlib.ExitStack() as stack:
        described = client.request("DESCRIBE", url, {"Accept": "application/sdp"})
        base = described.header("content-base") or described.header("content-location") or url
        try:
            sdp = SessionDescription.parse(described.body)
        except MikeyError as exc:
            raise MikeyRtspError(f"the DESCRIBE answer is not SDP: {exc}") from None
        stream = select_media(sdp, base)
        host, port = parse_url(url)
        bundle, reply = _establish(responder, stream.mikey, f"{host}:{port}".encode())
        sessions = {
            cs.cs_id: stack.enter_context(bundle.srtp_session(cs.cs_id, direction="inbound"))
            for cs in bundle.crypto_sessions
        }
        by_ssrc = {cs.ssrc: sessions[cs.cs_id] for cs in bundle.crypto_sessions if cs.ssrc}
        fallback = sessions[bundle.crypto_sessions[0].cs_id]
        stats = ReceiveStats(
            url=url,
            codec=stream.codec,
            payload_type=stream.payload_type,
            policy=bundle.crypto_sessions[0].policy.name,
        )
        setup_headers = {"Transport": "RTP/SAVP/TCP;unicast;interleaved=0-1"}
        if reply is not None:
            setup_headers[KEYMGMT_HEADER] = format_keymgmt(
                [KeyMgmtSpec(MIKEY, reply, stream.control)]
            )
        client.request("SETUP", stream.control, setup_headers)

        def on_frame(channel: int, data: bytes) -> None:
            if channel > 1:
                return  # not a channel this client set up
            if len(data) < 12:
                stats.other_failures += 1
                return
            ssrc = int.from_bytes(data[8:12] if channel % 2 == 0 else data[4:8], "big")
            srtp = by_ssrc.get(ssrc, fallback)
            try:
                if channel % 2:
                    srtp.unprotect_rtcp(data)
                    stats.rtcp_packets += 1
                    return
                rtp = srtp.unprotect(data)
            except MikeySrtpError as exc:
                if exc.status == _AUTH_FAIL:
                    if channel % 2:
                        stats.rtcp_auth_failures += 1
                    else:
                        stats.auth_failures += 1
                else:
                    stats.other_failures += 1
                return
            stats.packets += 1
            stats.payload_bytes += len(rtp) - 12 - 4 * (rtp[0] & 0x0F)
            seq = int.from_bytes(rtp[2:4], "big")
            if (state := stats._seq.get(ssrc)) is None:
                state = stats._seq[ssrc] = _SeqState(base=seq, max_ext=seq)
                stats.ssrcs.append(ssrc)
            state.update(seq)

        start = time.monotonic()
        client.request("PLAY", base, {"Range": "npt=0.000-"}, on_frame=on_frame)
        while time.monotonic() - start < seconds and (
            max_packets is None or stats.packets < max_packets
        ):
            try:
                on_frame(*client.read_frame())
            except MikeyRtspError as exc:
                stats.ended = str(exc)  # the server stopped sending or hung up
                break
        stats.seconds = time.monotonic() - start
        stats.losses = sum(s.lost for s in stats._seq.values())
        # The media is in; a server that hangs up before answering TEARDOWN is no failure.
        with contextlib.suppress(MikeyRtspError):
            client.request("TEARDOWN", base, on_frame=lambda _c, _d: None)
    return stats
