"""gst-rtsp-server as an SRTP peer: a server on loopback keyed by its own MIKEY.

:func:`gst_rtsp_server` starts ``gst_rtsp_server_helper.py`` under Debian's Python
(``gstreamer.gst_python``; the venv has no PyGObject), reads the port it bound and yields
the stream's URL; closing the helper's stdin stops it, and it is killed if it lingers.
:func:`rtsp_server_available` raises a :class:`RuntimeError` naming the Debian packages
when GstRtspServer or the SRTP plugin cannot be loaded. Standard library only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import select
import subprocess
from collections.abc import Iterator
from pathlib import Path

from .gstreamer import _env, gst_python

__all__ = ["DEBIAN_PACKAGES", "HELPER", "gst_rtsp_server", "rtsp_server_available"]

HELPER = Path(__file__).with_name("gst_rtsp_server_helper.py")
DEBIAN_PACKAGES = (
    "python3-gi",
    "gir1.2-gst-rtsp-server-1.0",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-bad",
)
_PROBE = (
    "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); "
    "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
    "assert Gst.ElementFactory.find('srtpenc'), 'no srtpenc'; "
    "assert Gst.ElementFactory.find('rtppcmapay'), 'no rtppcmapay'"
)


@functools.cache
def _problem() -> str | None:
    try:
        proc = subprocess.run(
            [gst_python(), "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{gst_python()} could not be run: {exc}"
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {proc.returncode}"
    return None


def rtsp_server_available() -> None:
    """Return if gst-rtsp-server with SRTP can be run; raise :class:`RuntimeError` if not."""
    if (problem := _problem()) is not None:
        raise RuntimeError(
            f"the RTSP interop tests need gst-rtsp-server and srtpenc for Debian's Python: "
            f"{problem}. Install them with: bash scripts/ensure-debian-packages "
            f"(or apt-get install {' '.join(DEBIAN_PACKAGES)})"
        )


@contextlib.contextmanager
def gst_rtsp_server(cipher: str, auth: str, *, timeout: float = 20.0) -> Iterator[str]:
    """An RTSP server streaming SRTP (``cipher``/``auth`` as ``srtpenc`` names them);
    yields ``rtsp://127.0.0.1:PORT/test``."""
    rtsp_server_available()
    proc = subprocess.Popen(
        [gst_python(), "-I", str(HELPER), cipher, auth],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else ""
        if not line:
            proc.kill()
            _, err = proc.communicate(timeout=timeout)
            raise RuntimeError(f"gst_rtsp_server_helper.py did not start: {err.strip()[-2000:]}")
        info = json.loads(line)
        if "port" not in info:
            raise RuntimeError(f"gst_rtsp_server_helper.py: {info}")
        yield f"rtsp://127.0.0.1:{info['port']}{info['path']}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
