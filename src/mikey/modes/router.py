"""One Responder for every method a peer accepts: messages are routed by their data type
(RFC 3830 §6.1 Table 6.1.a and its extensions), and a method the policy leaves out is
answered with Invalid DT (§5.1.2, §6.12) instead of being tried.

This is where "which modes a peer accepts" is decided: give the router only the
Responders of the methods allowed. Each Responder keeps its own policy (groups, SP,
identities, trust).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from mikey.errors import MikeyError, MikeyInvalidDataTypeError
from mikey.modes.common import ResponderResult, error_parts, require_aware
from mikey.registry import DataType, label_of
from mikey.wire.basic import TimestampPayload
from mikey.wire.message import Message, decode_message
from mikey.wire.profiles import LENIENT

__all__ = ["MethodResponder", "ResponderRouter"]


class MethodResponder(Protocol):
    """What every Responder of ``mikey.modes`` offers."""

    def receive(self, data: bytes, *, now: datetime, peer: bytes = b"") -> ResponderResult: ...


class ResponderRouter:
    """Routes each I_MESSAGE to the Responder of its data type.

    ``responders`` maps the I_MESSAGE data types taken (say ``DataType.PRE_SHARED`` and
    ``DataType.DH_INIT``) to their Responders; one Responder may serve several types (a
    ``PkeResponder`` takes PUBLIC_KEY and, for cached envelope keys, PRE_SHARED).
    """

    def __init__(self, responders: Mapping[DataType | int, MethodResponder]) -> None:
        if not responders:
            raise ValueError("a router needs at least one Responder")
        self.responders: dict[DataType | int, MethodResponder] = dict(responders)

    def receive(self, data: bytes, *, now: datetime, peer: bytes = b"") -> ResponderResult:
        """Process one message; never raises for anything the peer sent."""
        require_aware(now)
        try:
            # The data type is all that is read here; the chosen Responder decodes the
            # message under its own profile. LENIENT: do not refuse what it may accept.
            message = decode_message(data, profile=LENIENT)
        except MikeyError as exc:
            return ResponderResult(error=exc)
        responder = self.responders.get(message.data_type)
        if responder is None:
            return self._refuse(message)
        return responder.receive(data, now=now, peer=peer)

    def _refuse(self, message: Message) -> ResponderResult:
        accepted = ", ".join(sorted(label_of(t, DataType) for t in self.responders))
        error = MikeyInvalidDataTypeError(
            f"{label_of(message.data_type, DataType)} messages are not accepted here"
            f" (accepted: {accepted})"
        )
        header, payloads = error_parts(message.header, message.get(TimestampPayload), error)
        reply = Message(header=header, payloads=tuple(payloads)).encode()
        return ResponderResult(error=error, reply=reply)
