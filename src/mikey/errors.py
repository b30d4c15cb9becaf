"""The exception tree: every failure a caller or a peer can cause is a ``MikeyError``.

Errors that have an answer on the wire carry it: ``error_no`` is the RFC 3830 §6.12
``ErrorNo`` a Responder puts in its ERR payload.
"""

from __future__ import annotations

from mikey.registry import ErrorNo

__all__ = [
    "MikeyAuthenticationError",
    "MikeyError",
    "MikeyInvalidEncrAlgError",
    "MikeyInvalidMacAlgError",
    "MikeyParseError",
    "MikeyUnsupportedAlgorithmError",
    "MikeyValueError",
]


class MikeyError(Exception):
    """Base class of every error mikey raises on purpose."""

    error_no: ErrorNo | None = None


class MikeyValueError(MikeyError, ValueError):
    """A value given to a constructor or encoder breaks a rule of the RFC."""


class MikeyParseError(MikeyError, ValueError):
    """Untrusted bytes do not form a valid MIKEY message.

    ``payload`` names the payload being read (``"HDR"``, ``"KEMAC"``, …) and ``offset`` is
    the byte offset from the start of the message where the fault was found.
    """

    error_no = ErrorNo.UNSPECIFIED_ERROR

    def __init__(self, what: str, *, payload: str, offset: int) -> None:
        super().__init__(f"{payload} at byte {offset}: {what}")
        self.what = what
        self.payload = payload
        self.offset = offset


class MikeyAuthenticationError(MikeyError):
    """A MAC does not verify: the message was altered or the keys differ.

    A Responder answers with Auth failure (RFC 3830 §6.12); the message is rejected.
    """

    error_no = ErrorNo.AUTH_FAILURE


class MikeyUnsupportedAlgorithmError(MikeyError, ValueError):
    """An algorithm the message names is not one this implementation can use."""


class MikeyInvalidEncrAlgError(MikeyUnsupportedAlgorithmError):
    """The KEMAC encryption algorithm is not supported: Invalid EA (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_EA


class MikeyInvalidMacAlgError(MikeyUnsupportedAlgorithmError):
    """The MAC algorithm is not supported: Invalid MAC (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_MAC
