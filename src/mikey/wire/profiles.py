"""Named interop profiles: the deviations from RFC 3830 that a decoder may tolerate.

Decoding is strict by default. Each profile names what it accepts and who sends it, so a
user opts in to exactly the lenience a peer needs (STYLE: "named lenience").
"""

from __future__ import annotations

from mikey.wire.buffer import STRICT, Profile

__all__ = ["LENIENT", "MCX", "PROFILES", "STRICT", "TRAILING_ZERO"]

TRAILING_ZERO = Profile(name="trailing-zero", trailing_zero_byte=True)
"""One 0x00 byte after the last payload: Milestone XProtect's RTSP client sends it
(gortsplib PR #953 accepts it for the same reason; ``tests/vectors/thirdparty``)."""

MCX = Profile(name="3gpp-mcx", sp_with_empty_map=True)
"""3GPP mission-critical (MCPTT/MCData/MCVideo) MIKEY-SAKKE stacks: ALEA's and
Streamwide's send an SP payload with #CS = 0 and the Empty map (TS 33.180 E.1.2 then
applies the policy to every stream), which RFC 4563 §5 forbids."""

LENIENT = Profile(
    name="lenient",
    trailing_zero_byte=True,
    nonzero_reserved=True,
    sp_with_empty_map=True,
    skip_payload_rules=True,
)
"""For looking at broken messages (``mikey decode --profile lenient``): everything above,
reserved bits that are not zero, and payload sets the data type does not allow, such as
an I_MESSAGE without T. Framing stays strict: lengths must agree and every byte is read.
Never use it to accept keys."""

PROFILES: dict[str, Profile] = {p.name: p for p in (STRICT, TRAILING_ZERO, MCX, LENIENT)}
