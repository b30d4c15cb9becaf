"""GStreamer's MIKEY (``gstmikey`` in libgstsdp) as a peer for interop tests.

The tests run in the project's virtualenv, which has no PyGObject.  Debian's ``/usr/bin/python3``
does (package ``python3-gi``), so every call here runs ``gst_mikey_helper.py`` under that
interpreter in a subprocess, with JSON on stdin and stdout.  Standard library only.

* :func:`gst_build` -- a message made by ``GstSdp.MIKEYMessage`` from a spec
  (see ``build_message`` in ``gst_mikey_helper.py`` for the spec format).
* :func:`gst_parse` -- what ``gst_mikey_message_new_from_bytes`` reads from bytes, as a dict
  (``{"error": ...}`` when it returns NULL).  GStreamer's parser loops forever on payloads it
  does not implement (ID, V, ERR, CERT, DH, SIGN, CHASH, general extensions, unknown values):
  the subprocess is killed after ``timeout`` seconds and :class:`GstTimeout` is raised.
* :func:`gst_caps` -- ``gst_mikey_message_to_caps`` output, for SRTP mapping checks.
* :func:`gst_available` -- raises a :class:`RuntimeError` naming the Debian packages to install
  when the helper interpreter cannot load GStreamer.

The interpreter can be changed with the ``MIKEY_GST_PYTHON`` environment variable.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

__all__ = [
    "DEBIAN_PACKAGES",
    "HELPER",
    "GstError",
    "GstTimeout",
    "gst_available",
    "gst_build",
    "gst_caps",
    "gst_parse",
    "gst_python",
    "gst_version",
]

HELPER = Path(__file__).with_name("gst_mikey_helper.py")
DEBIAN_PACKAGES = (
    "python3-gi",
    "gir1.2-gstreamer-1.0",
    "gir1.2-gst-plugins-base-1.0",
    "gstreamer1.0-plugins-base",
)
DEFAULT_TIMEOUT = 10.0

_PROBE = (
    "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstSdp', '1.0'); "
    "from gi.repository import Gst, GstSdp; Gst.init(None); GstSdp.MIKEYMessage.new()"
)


class GstError(RuntimeError):
    """The helper failed: a bad spec, GStreamer refusing a value, or a crash."""


class GstTimeout(GstError):
    """GStreamer did not answer in time (its MIKEY parser hung)."""


def gst_python() -> str:
    """The interpreter that has PyGObject: ``$MIKEY_GST_PYTHON`` or ``/usr/bin/python3``."""
    return os.environ.get("MIKEY_GST_PYTHON", "/usr/bin/python3")


def _env() -> dict[str, str]:
    # Keep the venv's Python settings away from Debian's interpreter.
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
    }


@functools.cache
def _availability_problem() -> str | None:
    python = gst_python()
    if not Path(python).exists():
        return f"{python} does not exist"
    try:
        proc = subprocess.run(
            [python, "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} could not be run: {exc}"
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return f"{python} cannot load GStreamer's GstSdp: {lines[-1] if lines else proc.returncode}"
    return None


def gst_available() -> None:
    """Return if GStreamer's MIKEY can be driven; raise :class:`RuntimeError` saying how if not."""
    problem = _availability_problem()
    if problem is not None:
        raise RuntimeError(
            f"GStreamer interop tests need PyGObject and GstSdp for Debian's Python: {problem}. "
            "Install them with: sudo apt-get install " + " ".join(DEBIAN_PACKAGES)
        )


def _run(command: str, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    gst_available()
    try:
        proc = subprocess.run(
            [gst_python(), "-I", str(HELPER), command],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed and reaped the helper.
        raise GstTimeout(f"GStreamer did not finish '{command}' within {timeout} s") from None
    try:
        reply = json.loads(proc.stdout) if proc.stdout.strip() else None
    except json.JSONDecodeError:
        reply = None
    if not isinstance(reply, dict):
        raise GstError(
            f"gst_mikey_helper.py {command} exited {proc.returncode} without a JSON reply; "
            f"stderr: {proc.stderr.strip()[-2000:]}"
        )
    if proc.returncode != 0:
        raise GstError(f"gst_mikey_helper.py {command}: {reply.get('error', reply)}")
    return reply


def gst_build(spec: dict[str, Any], timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The bytes ``gst_mikey_message_to_bytes`` gives for a message built from ``spec``."""
    reply = _run("build", spec, timeout)
    return base64.b64decode(reply["b64"])


def gst_parse(data: bytes, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """What GStreamer parses from ``data``: a dict of header, ``cs`` and ``payloads``.

    Returns ``{"error": ...}`` when ``gst_mikey_message_new_from_bytes`` returns NULL; raises
    :class:`GstTimeout` when it does not return within ``timeout`` seconds.
    """
    return _run("parse", {"b64": base64.b64encode(data).decode()}, timeout)


def gst_caps(data: bytes, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """``{"ok": bool, "caps": str}`` from ``gst_mikey_message_to_caps`` after parsing ``data``.

    ``{"error": ...}`` when the parse returned NULL; :class:`GstTimeout` when it hung.
    """
    return _run("caps", {"b64": base64.b64encode(data).decode()}, timeout)


def gst_version(timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """GStreamer, PyGObject and Python versions of the helper interpreter."""
    return _run("version", {}, timeout)
