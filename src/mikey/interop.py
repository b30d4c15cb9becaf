"""Named interop profiles: what a MIKEY peer sends and expects beyond the wire format.

RFC 3830 leaves room (TGK or TEK, salt carried or derived, MKI or not) and real peers
read some parameters differently (``tests/vectors/thirdparty``, interop-notes). A
profile names one peer family's choices so that an application opts into exactly the
behaviour it needs. What a Responder *accepts* is deliberately wider than what an
Initiator *sends*: any of TGK, TGK+SALT, TEK, TEK+SALT, and a TEK holding master key ‖
master salt, are accepted under every profile because none of them is ambiguous. The SP
reading of parameter 3 is ambiguous, so it follows the profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from mikey.errors import MikeyValueError
from mikey.registry import KeyDataType
from mikey.wire.buffer import STRICT, Profile
from mikey.wire.profiles import TRAILING_ZERO

__all__ = ["GSTREAMER", "INTEROP_PROFILES", "ONVIF", "RFC3830", "InteropProfile"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InteropProfile:
    """What an endpoint sends, and how it reads what peers disagree on.

    ``key_type``: the key data an Initiator sends: a TGK from which each crypto session's
    TEK and salt are derived (RFC 3830 §4.1.3), or a TEK used as the SRTP master key.
    ``tek_carries_salt``: a TEK key field holds master key ‖ master salt (GStreamer,
    ONVIF) rather than a TEK+SALT sub-payload. ``mki_length``: bytes of MKI sent in the
    key validity data (KV SPI, RFC 3830 §6.14) and in every SRTP packet (0 = none).
    ``gstreamer_sp``: SP parameter 3 is the tag length (``mikey.srtp.security_policy``).
    ``wire``: the decoder lenience the peer needs.
    """

    name: str
    key_type: KeyDataType = KeyDataType.TGK
    tek_carries_salt: bool = False
    mki_length: int = 0
    gstreamer_sp: bool = False
    wire: Profile = STRICT

    def __post_init__(self) -> None:
        if self.key_type not in (
            KeyDataType.TGK,
            KeyDataType.TGK_SALT,
            KeyDataType.TEK,
            KeyDataType.TEK_SALT,
        ):
            raise MikeyValueError(
                f"an SRTP profile sends a TGK or a TEK, not {self.key_type.label}"
            )
        if self.tek_carries_salt and self.key_type is not KeyDataType.TEK:
            raise MikeyValueError("tek_carries_salt needs key_type TEK")
        if not 0 <= self.mki_length <= 255:
            raise MikeyValueError(f"MKI length must fit in 8 bits, got {self.mki_length}")


RFC3830 = InteropProfile(name="rfc3830")
"""The RFC as written: a TGK per bundle, TEK and salt derived per crypto session, every SP
parameter spelled out, strict decoding."""

GSTREAMER = InteropProfile(
    name="gstreamer",
    key_type=KeyDataType.TEK,
    tek_carries_salt=True,
    gstreamer_sp=True,
)
"""GStreamer (gstmikey, gst-rtsp-server, rtspsrc): one TEK holding key ‖ salt, no MKI,
SP parameter 3 = tag length, one tag length for SRTP and SRTCP."""

ONVIF = InteropProfile(
    name="onvif",
    key_type=KeyDataType.TEK,
    tek_carries_salt=True,
    mki_length=4,
    wire=TRAILING_ZERO,
)
"""ONVIF Streaming / Axis / Genetec / Milestone: TEK key ‖ salt with a 4-byte MKI in KV
SPI, SP parameter 3 = 20 and 11 = 10, and a tolerated trailing zero byte."""

INTEROP_PROFILES: dict[str, InteropProfile] = {p.name: p for p in (RFC3830, GSTREAMER, ONVIF)}
