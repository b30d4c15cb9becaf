"""``mikey rtsp-receive URL``: play an SRTP stream keyed by MIKEY in the RTSP server's SDP
and report what arrived (``mikey.signalling.rtsp_client``; RFC 2326, RFC 4567).

The server's MIKEY-NULL message (the key in clear, what gst-rtsp-server and cameras send)
is accepted under the GStreamer interop profile. Media comes interleaved on the RTSP TCP
connection (RFC 2326 §10.12).

Exit codes: 0 packets received and none failed authentication, 1 a failure (RTSP, MIKEY,
no packets, authentication failures), 2 bad usage.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from mikey.cli.app import app
from mikey.cli.output import fail
from mikey.errors import MikeyError
from mikey.signalling.rtsp_client import ReceiveStats, rtsp_receive

__all__: list[str] = []


def _print(stats: ReceiveStats) -> None:
    console = Console(highlight=False, emoji=False, soft_wrap=True)
    ssrcs = ", ".join(f"{s:#010x}" for s in stats.ssrcs) or "-"
    rows = [
        ("url", stats.url),
        ("codec", f"{stats.codec} (payload type {stats.payload_type})"),
        ("SRTP policy", stats.policy),
        ("SSRC", ssrcs),
        ("packets", f"{stats.packets} ({stats.payload_bytes} payload bytes)"),
        ("losses", str(stats.losses)),
        ("auth failures", str(stats.auth_failures)),
        ("other failures", str(stats.other_failures)),
        ("RTCP", f"{stats.rtcp_packets} packets, {stats.rtcp_auth_failures} auth failures"),
        ("duration", f"{stats.seconds:.1f} s"),
    ]
    if stats.ended is not None:
        rows.append(("ended early", stats.ended))
    for name, value in rows:
        console.print(f"{name + ':':<16}{escape(value)}")


@app.command("rtsp-receive")
def rtsp_receive_command(
    url: Annotated[str, typer.Argument(help="rtsp://host[:port]/path of an SRTP stream.")],
    seconds: Annotated[
        float, typer.Option("--seconds", min=0.1, help="How long to receive.")
    ] = 5.0,
    packets: Annotated[
        int | None, typer.Option("--packets", min=1, help="Stop after this many packets.")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for the server.")
    ] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Receive an SRTP stream over RTSP, keyed by the MIKEY in its SDP (RFC 4567).

    DESCRIBE, decode the server's MIKEY message, SETUP RTP/SAVP interleaved over TCP, PLAY,
    unprotect every packet, TEARDOWN; prints the codec, packets, losses and authentication
    failures. Exit status: 0 packets authenticated, 1 failure, 2 bad usage.
    """
    try:
        stats = rtsp_receive(url, seconds=seconds, max_packets=packets, timeout=timeout)
    except MikeyError as exc:
        fail(str(exc), 1, as_json=as_json)
    if as_json:
        print(json.dumps(stats.to_json(), indent=2))
    else:
        _print(stats)
    if stats.packets == 0 or stats.auth_failures or stats.rtcp_auth_failures:
        raise typer.Exit(1)
