"""The exception tree: every failure a caller or a peer can cause is a ``MikeyError``.

Errors that have an answer on the wire carry it: ``error_no`` is the RFC 3830 §6.12
``ErrorNo`` a Responder puts in its ERR payload.
"""

from __future__ import annotations

from mikey.registry import ErrorNo

__all__ = ["MikeyError", "MikeyParseError", "MikeyValueError"]


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
