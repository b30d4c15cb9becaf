"""Finding MIKEY messages in what a user pastes or pipes: raw bytes, base64, hex, SDP
``a=key-mgmt:mikey`` attributes (RFC 4567 §3.1, §4.1) or RTSP ``KeyMgmt`` headers (RFC 4567
§3.2, §4.2).

People paste messages from logs, specifications and packet captures, so the forms are read
leniently where nothing can be misread: base64 may be split over lines (as in RFC 4567 §5.1)
and may lack its padding, hex may have spaces, colons or ``0x`` prefixes, an RTSP ``data``
value may be quoted or not. One SDP text may hold several messages (session and media
level); each is found and labelled.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal, get_args

from mikey.errors import MikeyError
from mikey.signalling.keymgmt import MIKEY
from mikey.signalling.rtsp import keymgmt_spec_params

__all__ = ["FORMATS", "Found", "InputError", "InputFormat", "find_messages"]

InputFormat = Literal["auto", "raw", "base64", "hex", "sdp", "rtsp"]
FORMATS: tuple[str, ...] = get_args(InputFormat)


class InputError(MikeyError, ValueError):
    """The input holds no MIKEY message in the expected form."""


@dataclass(frozen=True, slots=True)
class Found:
    """One message found in the input, and where (``"SDP line 7 (session level)"``).

    ``problem`` says why its bytes could not be read (invalid base64); ``data`` is then empty.
    """

    where: str
    data: bytes = b""
    problem: str | None = None


_B64_CHARS = re.compile(r"[A-Za-z0-9+/_-]*=*")
_B64_LINE = re.compile(r"[A-Za-z0-9+/_-]+=*")
_SDP_LINE = re.compile(r"[a-z]=")
# RFC 4567 §3.1: key-mgmt-attribute = "key-mgmt" ":" 0*1SP prtcl-id SP keymgmt-data
_KEY_MGMT = re.compile(r"(?:a=)?key-mgmt:\s*(\S+)\s*(.*)", re.IGNORECASE)
_MEDIA = re.compile(r"m=(\S+)")
_KEYMGMT_HEADER = re.compile(r"\s*keymgmt\s*:(.*)", re.IGNORECASE)
_HEX_SEPARATORS = re.compile(r"0x|\\x|[\s:,]", re.IGNORECASE)
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def _b64(text: str) -> bytes:
    """Decode base64 with any whitespace, standard or URL-safe, padding optional.

    :raises InputError: naming the first character that cannot be base64.
    """
    cleaned = re.sub(r"\s", "", text)
    if not cleaned:
        raise InputError("no base64 data")
    match = _B64_CHARS.match(cleaned)
    end = match.end() if match else 0
    if end < len(cleaned):
        raise InputError(f"not valid base64: {cleaned[end]!r} at character {end + 1}")
    if len(cleaned.rstrip("=")) % 4 == 1:
        raise InputError(
            f"not valid base64: {len(cleaned)} characters cannot encode whole bytes (cut short?)"
        )
    padded = cleaned.rstrip("=") + "=" * (-len(cleaned.rstrip("=")) % 4)
    try:
        if "-" in padded or "_" in padded:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"not valid base64: {exc}") from None


def _found_b64(where: str, text: str) -> Found:
    try:
        return Found(where, _b64(text))
    except InputError as exc:
        return Found(where, problem=str(exc))


def _from_sdp(lines: list[str]) -> tuple[list[tuple[int, Found]], list[str]]:
    """``a=key-mgmt:mikey`` attributes, and the other key management protocols seen."""
    found: list[tuple[int, Found]] = []
    others: list[str] = []
    level = "session level"
    media = 0
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if match := _MEDIA.match(line):
            media += 1
            level = f"media {media}: {match.group(1)}"
            continue
        if not (match := _KEY_MGMT.match(line)):
            continue
        protocol, data = match.groups()
        if protocol.lower() != MIKEY:
            others.append(protocol)
            continue
        number = index
        # Base64 split over several lines, as specifications print it (RFC 4567 §5.1).
        while index < len(lines) and _B64_LINE.fullmatch(part := lines[index].strip()):
            if _SDP_LINE.match(part):
                break
            data += part
            index += 1
        found.append((number, _found_b64(f"SDP line {number} ({level})", data)))
    return found, others


def _unfold(lines: list[str]) -> list[tuple[int, str]]:
    """Header lines with their continuation lines (leading whitespace) joined."""
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line[:1] in (" ", "\t") and logical:
            first, text = logical[-1]
            logical[-1] = (first, f"{text} {line.strip()}")
        else:
            logical.append((number, line.strip()))
    return logical


def _from_rtsp(lines: list[str]) -> list[tuple[int, Found]]:
    """Key management specs with ``prot=mikey`` of ``KeyMgmt`` headers or bare values."""
    found: list[tuple[int, Found]] = []
    logical = _unfold(lines)
    index = 0
    while index < len(logical):
        number, line = logical[index]
        index += 1
        if header := _KEYMGMT_HEADER.match(line):
            line = header.group(1)
        elif not re.match(r"prot\s*=", line, re.IGNORECASE):
            continue
        # A quoted data value broken over lines: take lines up to the closing quote.
        while line.count('"') % 2 and index < len(logical):
            line += logical[index][1]
            index += 1
        for params in keymgmt_spec_params(line):
            if params.get("prot", "").lower() != MIKEY:
                continue
            where = f"KeyMgmt line {number}"
            if uri := params.get("uri"):
                where += f" (uri {uri})"
            if "data" not in params:
                found.append((number, Found(where, problem="prot=mikey without a data parameter")))
            else:
                found.append((number, _found_b64(where, params["data"])))
    return found


def _from_hex(text: str) -> bytes:
    digits = _HEX_SEPARATORS.sub("", text)
    match = _HEX_DIGITS.match(digits)
    end = match.end() if match else 0
    if end < len(digits):
        raise InputError(f"not valid hex: {digits[end]!r} is not a hex digit")
    if len(digits) % 2:
        raise InputError(f"not valid hex: an odd number of digits ({len(digits)})")
    return bytes.fromhex(digits)


def _looks_like_hex(text: str) -> bool:
    digits = _HEX_SEPARATORS.sub("", text)
    return bool(digits) and _HEX_DIGITS.fullmatch(digits) is not None


def _looks_like_signalling(lines: list[str]) -> bool:
    """SDP (``v=0`` …) or RTSP/SIP (a start line, ``Name: value`` headers)."""
    return any(
        _SDP_LINE.match(line) and not _B64_LINE.fullmatch(line)
        for line in (raw.strip() for raw in lines)
    ) or any(re.match(r"[A-Za-z-]+:\s", line) or "RTSP/" in line for line in lines)


def find_messages(data: bytes, fmt: InputFormat = "auto") -> list[Found]:
    """Every MIKEY message in ``data`` read as ``fmt``; ``auto`` tells the forms apart.

    :raises InputError: if ``data`` is empty or holds no MIKEY message in that form.
    """
    if not data.strip():
        raise InputError("the input is empty")
    if fmt == "raw" or (fmt == "auto" and data[:1] == b"\x01"):
        return [Found("raw bytes", data)]
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(
            "the input is neither text nor a raw MIKEY message (which starts with"
            f" version 1, byte 0x01; this starts with {data[:1].hex()})"
        ) from None
    lines = text.splitlines()
    if fmt in ("auto", "sdp", "rtsp"):
        sdp, others = _from_sdp(lines) if fmt != "rtsp" else ([], [])
        rtsp = _from_rtsp(lines) if fmt != "sdp" else []
        if found := [item for _, item in sorted(sdp + rtsp, key=lambda pair: pair[0])]:
            return found
        if fmt != "auto" or (not _looks_like_hex(text) and _looks_like_signalling(lines)):
            what = {
                "sdp": "no a=key-mgmt:mikey attribute in the SDP text",
                "rtsp": "no KeyMgmt header with prot=mikey in the RTSP text",
            }.get(
                fmt, "the text has no a=key-mgmt:mikey attribute or KeyMgmt header with prot=mikey"
            )
            also = f" (key-mgmt only for {', '.join(others)})" if others else ""
            raise InputError(f"no MIKEY message found: {what}{also}")
    if fmt == "hex" or (fmt == "auto" and _looks_like_hex(text)):
        return [Found("hex", _from_hex(text))]
    try:
        return [Found("base64", _b64(text))]
    except InputError as exc:
        if fmt == "auto":
            raise InputError(f"the input is not raw bytes, hex, SDP or RTSP, and {exc}") from None
        raise
