"""Why a signature or a digest was refused: the ``reason`` of every ``MikeySignatureError``
that ``mikey.apiauth`` raises, so that a server can count and log failures by kind."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

from mikey.errors import MikeySignatureError

__all__ = ["SignatureFailure", "fail"]


class SignatureFailure(StrEnum):
    """The reasons a signature (RFC 9421 §3.2) or a content digest (RFC 9530 §2) fails."""

    MISSING = "missing"
    """No signature, none with the wanted label or tag, or no digest to check."""
    MALFORMED = "malformed"
    """A field or component identifier does not parse (``MikeyStructuredFieldError``)."""
    UNSUPPORTED = "unsupported"
    """Well formed, but asks for something not implemented (a Structured Field whose type
    is not known here, RFC 9421 §2.1.1)."""
    UNKNOWN_KEY = "unknown key"
    """The key resolver does not know or trust the key (§3.2 step 5)."""
    ALGORITHM = "algorithm refused"
    """The algorithm is unknown, not allowed, or does not fit the key (§3.2 step 6, §7.3.6)."""
    BAD_SIGNATURE = "bad signature"
    """The signature value does not verify over the signature base (§3.2 step 8)."""
    EXPIRED = "expired"
    """The ``expires`` time has passed (§3.2.1)."""
    TOO_OLD = "too old"
    """``created`` is further back than the verifier's maximum age (§3.2.1)."""
    NOT_YET_VALID = "not yet valid"
    """``created`` lies in the future beyond the allowed clock skew."""
    PARAMETER_MISSING = "parameter missing"
    """A signature parameter the verifier requires is absent (§3.2.1)."""
    NOT_COVERED = "component not covered"
    """A component the verifier requires is not covered by the signature (§3.2.1, §7.2.1)."""
    COMPONENT_MISSING = "component missing"
    """A covered component cannot be taken from the message (§2.5): a field that is not
    there, a Dictionary key or query parameter that is absent or repeated, a derived
    component that does not apply to this kind of message."""
    DIGEST_MISMATCH = "digest mismatch"
    """The content does not match its Content-Digest (RFC 9530 §2, RFC 9421 §7.2.8)."""
    REPLAYED = "replayed"
    """The (key id, nonce) pair was seen before, within the freshness window."""
    STORE_UNAVAILABLE = "nonce store unavailable"
    """The nonce store cannot take the nonce (full, or its backend failed): refused, fail
    closed (a server answers 503)."""


def fail(reason: SignatureFailure, message: str, *, label: str | None = None) -> NoReturn:
    """Raise ``MikeySignatureError`` for ``reason``."""
    raise MikeySignatureError(message, reason=reason, label=label)
