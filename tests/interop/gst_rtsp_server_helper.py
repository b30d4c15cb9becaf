"""An SRTP RTSP server on loopback: gst-rtsp-server keyed by its own MIKEY.

Run by Debian's ``/usr/bin/python3`` (PyGObject, GstRtspServer), never by the test
virtualenv: ``gst_rtsp_server_helper.py CIPHER AUTH``. It binds a free loopback port,
prints one JSON line ``{"port": N, "path": "/test"}`` on stdout and serves until its
stdin closes or it is killed. The media factory offers RTP/SAVP only
(``GstRtsp.RTSPProfile.SAVP``); each stream's ``srtpenc`` (made with a random key by
gst-rtsp-server) is set to CIPHER (``aes-128-icm``, ``aes-256-icm``, ``aes-128-gcm``,
``aes-256-gcm``) and AUTH (``hmac-sha1-80``, ``hmac-sha1-32``, ``null`` for GCM) in the
stream's ``new-rtp-encoder`` signal (connected in ``media-configure``), before the server
writes its SDP with ``a=key-mgmt:mikey``. Standard library and gi only.
"""

import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PIPELINE = (
    "( audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=8000,channels=1"
    " ! alawenc ! rtppcmapay name=pay0 pt=8 )"
)


def main() -> int:
    cipher, auth = sys.argv[1], sys.argv[2]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")  # a free port
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(False)
    factory.set_profiles(GstRtsp.RTSPProfile.SAVP)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)

    def on_encoder(_stream, encoder):
        encoder.set_property("rtp-cipher", cipher)
        encoder.set_property("rtcp-cipher", cipher)
        encoder.set_property("rtp-auth", auth)
        encoder.set_property("rtcp-auth", auth)

    def on_configure(_factory, media):
        # The streams exist by now ("new-stream" has fired); their encoders do not yet.
        for index in range(media.n_streams()):
            stream = media.get_stream(index)
            stream.connect("new-rtp-encoder", on_encoder)
            stream.connect("new-rtcp-encoder", on_encoder)

    factory.connect("media-configure", on_configure)
    server.get_mount_points().add_factory("/test", factory)
    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        print(json.dumps({"error": "could not attach the server"}), flush=True)
        return 1
    print(json.dumps({"port": server.get_bound_port(), "path": "/test"}), flush=True)

    def wait_stdin() -> None:
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=wait_stdin, daemon=True).start()
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
