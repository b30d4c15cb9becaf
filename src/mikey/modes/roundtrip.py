"""What the methods with a mandatory answer share: RSA-R (RFC 4738 §3) and the DH methods
(RFC 3830 §3.3, RFC 4650 §3), where the Responder's message carries or completes the
keys, so the Initiator has no bundle until the answer comes.

The Initiator side keeps each request until answered and then, for a while
(``MAX_ANSWERED`` requests), the answered ones: a request forked to several Responders
gets one answer per branch, each a bundle of its own (RFC 5197 §5.2), and a repeated
answer is refused. An error message is reported as an unauthenticated hint (§5.1.2).

The Responder side answers every request it accepts, drops replays (§5.4) and answers
other refusals with an unauthenticated error message; the method builds the answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from mikey.errors import (
    MikeyError,
    MikeyInvalidDataTypeError,
    MikeyInvalidPrfError,
    MikeyPeerError,
    MikeyProtocolError,
    MikeyReplayError,
    MikeyTimestampError,
)
from mikey.interop import InteropProfile
from mikey.modes.common import MAX_ANSWERED, ResponderResult, error_parts, require_aware
from mikey.modes.replay import ReplayCache, ReplayEntry
from mikey.registry import DataType, ErrorNo, IdType, PrfFunc, label_of
from mikey.session import CryptoSessionBundle
from mikey.srtp.policy import SrtpPolicy
from mikey.wire.basic import ErrorPayload, IdPayload, TimestampPayload
from mikey.wire.message import Message, decode_message

__all__ = ["Request", "RoundTripInitiator", "RoundTripResponder", "id_data"]


def id_data(message: Message) -> list[bytes]:
    """The data of the message's ID payloads, in order."""
    return [p.data for p in message.payloads if isinstance(p, IdPayload)]


@dataclass(slots=True, kw_only=True)
class Request:
    """A request sent: its T, and the answers taken so far with their bundles."""

    timestamp: TimestampPayload
    branches: list[tuple[bytes, CryptoSessionBundle]] = field(default_factory=list)


class RoundTripInitiator:
    """Requests awaiting answers, answered requests, and their bundles. A method
    supplies ``answer_type`` and ``method`` (its name in messages)."""

    answer_type: ClassVar[DataType]
    method: ClassVar[str]

    def __init__(self, *, rng: Callable[[int], bytes]) -> None:
        self._rng = rng
        self.bundles: dict[int, CryptoSessionBundle] = {}
        self._pending: dict[int, Request] = {}
        self._answered: OrderedDict[int, Request] = OrderedDict()

    def forget(self, csb_id: int) -> None:
        """Drop the bundle (or pending request) with ``csb_id``."""
        self.bundles.pop(csb_id, None)
        self._pending.pop(csb_id, None)
        self._answered.pop(csb_id, None)

    def branches(self, csb_id: int) -> list[CryptoSessionBundle]:
        """The bundles of every answer to ``csb_id``, first one first: one per Responder
        when the request was forked, each with keys of its own (RFC 5197 §5.2)."""
        request = self._answered.get(csb_id)
        return [bundle for _, bundle in request.branches] if request is not None else []

    def _new_csb_id(self) -> int:
        while True:
            csb_id = int.from_bytes(self._rng(4))
            if csb_id and csb_id not in self.bundles and csb_id not in self._pending:
                return csb_id

    def _request_for(self, message: Message, data: bytes) -> Request:
        """The request ``message`` answers, once it is known to be an answer of the
        method's type and not one already taken.

        :raises MikeyPeerError: the answer is an error message (unauthenticated).
        :raises MikeyProtocolError: it answers nothing we sent, or was taken before.
        """
        header = message.header
        request = self._pending.get(header.csb_id) or self._answered.get(header.csb_id)
        if request is None:
            raise MikeyProtocolError(f"no {self.method} request with CSB ID {header.csb_id:#010x}")
        if any(data == answer for answer, _ in request.branches):
            raise MikeyProtocolError(f"CSB {header.csb_id:#010x} was already answered")
        if message.data_type == DataType.ERROR:
            error_nos = tuple(int(e.error_no) for e in message.get_all(ErrorPayload))
            names = ", ".join(label_of(n, ErrorNo) for n in error_nos) or "no error number"
            raise MikeyPeerError(
                f"the Responder refused CSB {header.csb_id:#010x}: {names}"
                " (unauthenticated: a hint only)",
                error_nos=error_nos,
                authenticated=False,
            )
        if message.data_type != self.answer_type:
            raise MikeyProtocolError(
                f"a {self.method} request is answered by {label_of(self.answer_type, DataType)}"
                f" or an error message, not {label_of(message.data_type, DataType)}"
            )
        if message.get(TimestampPayload) != request.timestamp:
            raise MikeyProtocolError("the answer does not echo our timestamp")
        return request

    def _settle(
        self, request: Request, data: bytes, bundle: CryptoSessionBundle, *, csb_id: int
    ) -> None:
        """Record an accepted answer to the request sent under ``csb_id``: the first one
        puts its bundle in force (under the bundle's own CSB ID, which a group key
        server may have changed, RFC 4738 §3.6)."""
        request.branches.append((data, bundle))
        if self._pending.pop(csb_id, None) is not None:
            self._answered[csb_id] = request
            if len(self._answered) > MAX_ANSWERED:
                self._answered.popitem(last=False)
            self.bundles[bundle.csb_id] = bundle


class RoundTripResponder:
    """Receives requests and answers them. A method supplies ``request_type``,
    ``method`` and ``_process``; bundles are kept by (Initiator, CSB ID), where the
    Initiator is its IDi or, without one, the ``peer`` given to ``receive``."""

    request_type: ClassVar[DataType]
    method: ClassVar[str]

    def __init__(
        self,
        *,
        identity: bytes | None,
        prf_funcs: Iterable[PrfFunc],
        accept_policy: Callable[[SrtpPolicy], bool],
        replay_cache: ReplayCache | None,
        profile: InteropProfile,
        id_type: IdType,
        max_bundles: int,
        rng: Callable[[int], bytes],
    ) -> None:
        self.identity = identity
        self.prf_funcs = frozenset(prf_funcs)
        self.accept_policy = accept_policy
        self.replay_cache = replay_cache if replay_cache is not None else ReplayCache()
        self.profile = profile
        self.id_type = id_type
        self.max_bundles = max_bundles
        self._rng = rng
        self.bundles: dict[tuple[bytes, int], CryptoSessionBundle] = {}

    def bundle(self, csb_id: int, *, initiator: bytes) -> CryptoSessionBundle | None:
        """The bundle established with ``initiator`` under ``csb_id``, if any."""
        return self.bundles.get((initiator, csb_id))

    def forget(self, csb_id: int, *, initiator: bytes) -> None:
        self.bundles.pop((initiator, csb_id), None)

    def receive(self, data: bytes, *, now: datetime, peer: bytes = b"") -> ResponderResult:
        """Process one request; never raises for anything the peer sent.

        :raises MikeyValueError: for a naive ``now``.
        """
        require_aware(now)
        try:
            message = decode_message(data, profile=self.profile.wire)
        except MikeyError as exc:
            return ResponderResult(error=exc)
        try:
            if message.data_type != self.request_type:
                raise MikeyInvalidDataTypeError(
                    f"this Responder takes {self.method} requests, not"
                    f" {label_of(message.data_type, DataType)}"
                )
            bundle, reply = self._process(message, now=now, peer=peer)
        except MikeyReplayError as exc:
            return ResponderResult(error=exc)
        except MikeyError as exc:
            header, payloads = error_parts(message.header, message.get(TimestampPayload), exc)
            answer = Message(header=header, payloads=tuple(payloads)).encode()
            return ResponderResult(error=exc, reply=answer)
        return ResponderResult(bundle=bundle, reply=reply)

    def _process(
        self, message: Message, *, now: datetime, peer: bytes
    ) -> tuple[CryptoSessionBundle, bytes]:
        """The bundle and the answer for an authentic, acceptable request."""
        raise NotImplementedError

    def _freshness(
        self, message: Message, t: TimestampPayload, *, now: datetime, peer: bytes
    ) -> tuple[ReplayEntry | None, MikeyTimestampError | None]:
        """The replay-cache entry to record once the request is accepted, or the
        timestamp error to raise once it has authenticated (§5.3: a stale message is
        answered only if authentic).

        :raises MikeyReplayError: a replay, dropped without an answer.
        """
        try:
            return self.replay_cache.check(message.encode(), t, now=now, peer=peer), None
        except MikeyTimestampError as exc:
            return None, exc

    def _check_prf_and_room(self, message: Message, key: tuple[bytes, int]) -> None:
        header = message.header
        if header.prf_func not in self.prf_funcs:
            raise MikeyInvalidPrfError(f"PRF {label_of(header.prf_func, PrfFunc)} is not accepted")
        if key not in self.bundles and len(self.bundles) >= self.max_bundles:
            raise MikeyProtocolError("too many crypto session bundles: refusing new ones")

    def _keep(
        self, entry: ReplayEntry | None, key: tuple[bytes, int], bundle: CryptoSessionBundle
    ) -> None:
        assert entry is not None  # a stale request raised before
        self.replay_cache.record(entry)
        self.bundles[key] = bundle
