"""Named interop profiles: the deviations from RFC 3830 that a decoder may tolerate.

Decoding is strict by default. Each profile names what it accepts and who sends it, so a
user opts in to exactly the lenience a peer needs (STYLE: "named lenience").
"""

from __future__ import annotations

from mikey.wire.buffer import STRICT, Profile

__all__ = ["LENIENT", "PROFILES", "STRICT", "TRAILING_ZERO"]

TRAILING_ZERO = Profile(name="trailing-zero", trailing_zero_byte=True)
"""One 0x00 byte after the last payload, seen from some RTSP cameras in the field
(gortsplib accepts it for the same reason)."""

LENIENT = Profile(name="lenient", trailing_zero_byte=True, nonzero_reserved=True)
"""Everything above, plus reserved bits that are not zero."""

PROFILES: dict[str, Profile] = {p.name: p for p in (STRICT, TRAILING_ZERO, LENIENT)}
