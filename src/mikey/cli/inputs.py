"""Finding MIKEY messages in what a user pastes or pipes: raw bytes, base64, hex, SDP
``a=key-mgmt:mikey`` lines (RFC 4567 §4.1) or RTSP ``KeyMgmt`` header values (RFC 4567 §4.2).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

from mikey.errors import MikeyError

__all__ = ["Found", "InputFormat", "find_messages"]

InputFormat = Literal["auto", "raw", "base64", "hex", "sdp", "rtsp"]

_SDP = re.compile(r"a=key-mgmt:\s*mikey\s+([A-Za-z0-9+/=_-]+)", re.IGNORECASE)
_RTSP_DATA = re.compile(r"data\s*=\s*\"?([A-Za-z0-9+/=_-]+)\"?", re.IGNORECASE)
_RTSP_PROT = re.compile(r"prot\s*=\s*\"?mikey\"?", re.IGNORECASE)
_HEX = re.compile(r"^(?:0x)?[0-9a-fA-F\s:]+$")


class InputError(MikeyError, ValueError):
    """The input holds no MIKEY message in the expected form."""


@dataclass(frozen=True, slots=True)
class Found:
    """One message found in the input, and where (``"SDP line 7"``, ``"hex"``)."""

    where: str
    data: bytes


def _b64(text: str, where: str) -> bytes:
    cleaned = re.sub(r"\s", "", text)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{where}: not valid base64 ({exc})") from None


def _from_sdp(text: str) -> list[Found]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _SDP.finditer(line):
            found.append(Found(f"SDP line {number}", _b64(match.group(1), f"SDP line {number}")))
    return found


def _from_rtsp(text: str) -> list[Found]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not _RTSP_PROT.search(line):
            continue
        # A KeyMgmt value may list several protocols, comma separated (RFC 4567 §4.2).
        for part in re.split(r",(?=\s*prot\s*=)", line):
            if _RTSP_PROT.search(part) and (match := _RTSP_DATA.search(part)):
                found.append(
                    Found(f"KeyMgmt line {number}", _b64(match.group(1), f"line {number}"))
                )
    return found


def find_messages(data: bytes, fmt: InputFormat = "auto") -> list[Found]:
    """Every MIKEY message in ``data`` read as ``fmt``; ``auto`` guesses the form.

    :raises InputError: if nothing in ``data`` can be a MIKEY message in that form.
    """
    if fmt == "raw" or (fmt == "auto" and data[:1] == b"\x01"):
        return [Found("raw bytes", data)]
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InputError("input is neither a raw MIKEY message nor text") from None
    if fmt in ("auto", "sdp") and (found := _from_sdp(text)):
        return found
    if fmt in ("auto", "rtsp") and (found := _from_rtsp(text)):
        return found
    if fmt in ("sdp", "rtsp"):
        raise InputError(f"no MIKEY message found in the {fmt.upper()} text")
    if fmt == "hex" or (
        fmt == "auto" and _HEX.match(text) and len(re.sub(r"[\s:]", "", text)) % 2 == 0
    ):
        digits = re.sub(r"[\s:]", "", text.removeprefix("0x"))
        try:
            return [Found("hex", bytes.fromhex(digits))]
        except ValueError:
            raise InputError("input is not valid hex") from None
    if not text:
        raise InputError("input is empty")
    return [Found("base64", _b64(text, "input"))]
