"""A whole MIKEY message: the Common Header and its ordered payload chain.

RFC 3830 §5.2 (creating a message: the chain of Next payload fields and what the MAC or
signature covers), §5.3 (parsing), §6 (payloads), and the message definitions of RFC 3830
§3, RFC 4650, RFC 4738, RFC 6043, RFC 6267 and RFC 6509 for which payloads each data
type carries (``mikey.wire.rules``).

``decode_message`` is the one boundary where untrusted bytes enter: it returns a complete
``Message`` or raises ``MikeyParseError`` naming the payload and the byte offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import DataType, EncrAlg, PayloadType
from mikey.wire import rules
from mikey.wire.basic import VerificationPayload
from mikey.wire.buffer import STRICT, Profile, Reader, Writer
from mikey.wire.header import CommonHeader
from mikey.wire.kemac import KemacPayload
from mikey.wire.payload import Payload, trusted
from mikey.wire.publickey import SignaturePayload

__all__ = [
    "Message",
    "decode_chain",
    "decode_message",
    "decode_sub_payloads",
    "encode_sub_payloads",
]

P = TypeVar("P", bound=Payload)


def _bytes(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each payload sits in the bytes a message was decoded from (or encoded to)."""

    data: bytes
    starts: tuple[int, ...]  # offset of each payload; the header starts at 0
    end: int  # end of the last payload (before any tolerated trailing byte)


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """A MIKEY message. Next payload fields are derived from the order of ``payloads``.

    Constructing a message checks the payloads against its data type (``mikey.wire.rules``)
    and raises ``MikeyValueError`` on a violation.
    """

    header: CommonHeader
    payloads: tuple[Payload, ...] = ()
    _layout: _Layout | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if (problem := rules.check(self.header, self.payloads)) is not None:
            raise MikeyValueError(problem[1])
        kemac = self.get(KemacPayload)
        if kemac is not None and kemac.encr_alg == EncrAlg.NULL:
            try:
                decode_sub_payloads(
                    kemac.encr_data, first=rules.kemac_first_sub_payload(self.data_type)
                )
            except MikeyParseError as exc:
                raise MikeyValueError(f"KEMAC with Encr alg NULL: {exc}") from None

    @property
    def data_type(self) -> DataType | int:
        return self.header.data_type

    def get(self, payload_class: type[P]) -> P | None:
        """The first payload of ``payload_class``, or None."""
        # Payload classes are leaves: compare types first, as isinstance on an ABC is slow.
        for payload in self.payloads:
            if type(payload) is payload_class or isinstance(payload, payload_class):
                return payload
        return None

    def get_all(self, payload_class: type[P]) -> tuple[P, ...]:
        """Every payload of ``payload_class``, in message order."""
        return tuple(
            p for p in self.payloads if type(p) is payload_class or isinstance(p, payload_class)
        )

    def encode(self) -> bytes:
        layout = self._get_layout()
        return layout.data[: layout.end]

    def _get_layout(self) -> _Layout:
        if self._layout is None:
            w = Writer()
            kinds = [p.payload_type for p in self.payloads]
            self.header.encode(w, kinds[0] if kinds else PayloadType.LAST)
            starts = []
            for index, payload in enumerate(self.payloads):
                starts.append(len(w))
                following = kinds[index + 1] if index + 1 < len(kinds) else PayloadType.LAST
                payload.encode(w, following)
            data = w.getvalue()
            object.__setattr__(self, "_layout", _Layout(data, tuple(starts), len(data)))
        assert self._layout is not None
        return self._layout

    def payload_span(self, index: int) -> tuple[int, int]:
        """Start and end offsets of ``payloads[index]`` in the encoded (or received) bytes."""
        layout = self._get_layout()
        end = layout.starts[index + 1] if index + 1 < len(layout.starts) else layout.end
        return layout.starts[index], end

    def authenticated_bytes(self) -> bytes:
        """What the message's final MAC or signature covers (RFC 3830 §5.2).

        The whole message as received, except the MAC or signature field of its last
        payload: KEMAC (pre-shared key, DHHMAC), V (verification messages; the caller
        appends the identities and timestamp) or SIGN (public key, DH, RSA-R, SAKKE).
        """
        if not self.payloads:
            raise MikeyValueError("a message without payloads carries no MAC or signature")
        last = self.payloads[-1]
        start, end = self.payload_span(len(self.payloads) - 1)
        data = self._get_layout().data
        if isinstance(last, SignaturePayload):
            return data[: start + 2]
        if isinstance(last, KemacPayload):
            return data[: end - len(last.mac)]
        if isinstance(last, VerificationPayload):
            return data[: end - len(last.ver_data)]
        raise MikeyValueError(f"the last payload, {last.payload_type.label}, has no MAC")

    def bytes_before(self, index: int) -> bytes:
        """The message up to (not including) ``payloads[index]``; negative indexes count
        from the end.

        RSA-R's R_MESSAGE signature covers "R_MESSAGE (excluding the SIGNr payload
        itself)" (RFC 4738 §3.6), i.e. ``bytes_before(-1)``, followed by IDi || IDr || T;
        RFC 3830 §5.2's signature also covers the SIGN payload's first two bytes
        (``authenticated_bytes``).
        """
        start, _ = self.payload_span(index % len(self.payloads))
        return self._get_layout().data[:start]

    def kemac_mac_bytes(self) -> bytes:
        """What the KEMAC MAC covers in the public-key method (RFC 3830 §6.2, §5.2):
        the KEMAC payload alone with its Next payload field set to zero, without the MAC.
        """
        for index, payload in enumerate(self.payloads):
            if isinstance(payload, KemacPayload):
                start, end = self.payload_span(index)
                data = self._get_layout().data
                return b"\x00" + data[start + 1 : end - len(payload.mac)]
        raise MikeyValueError("the message has no KEMAC payload")


def _decode_chain(
    r: Reader, kind: PayloadType, allowed: frozenset[PayloadType]
) -> tuple[list[int], list[Payload]]:
    """Follow the Next payload fields from ``kind`` to Last payload."""
    starts: list[int] = []
    payloads: list[Payload] = []
    classes = rules.PAYLOAD_CLASSES
    while kind is not PayloadType.LAST:
        starts.append(r.pos)
        r.payload = kind.label
        if kind not in allowed:
            r.fail(f"a {kind.label} payload cannot appear here")
        payload, kind = classes[kind].decode(r)
        payloads.append(payload)
    return starts, payloads


def decode_message(data: bytes, *, profile: Profile = STRICT) -> Message:
    """Decode one MIKEY message from untrusted bytes.

    :raises MikeyParseError: on any fault, naming the payload and byte offset: truncated
        or overlong input, inconsistent lengths, values the RFC does not allow, broken
        Next payload chains, payloads the data type does not allow, trailing bytes (unless
        ``profile`` tolerates them).
    """
    data = bytes(data)
    r = Reader(data, profile=profile)
    header, kind = CommonHeader.decode(r)
    starts, payloads = _decode_chain(r, kind, rules.TOP_LEVEL)
    end = r.pos
    r.payload = "message"
    if r.remaining and not (profile.trailing_zero_byte and r.remaining == 1 and data[end] == 0):
        r.fail(f"{_bytes(r.remaining)} after the last payload")
    problem = None
    if not profile.skip_payload_rules:
        problem = rules.check(header, payloads, sp_with_empty_map=profile.sp_with_empty_map)
    if problem is not None:
        index, what = problem
        offset = starts[index] if index is not None else 0
        name = payloads[index].payload_type.label if index is not None else "message"
        raise MikeyParseError(what, payload=name, offset=offset)
    kemac = None
    for payload in payloads:
        if payload.payload_type is PayloadType.KEMAC:
            kemac = payload
    if isinstance(kemac, KemacPayload) and kemac.encr_alg == EncrAlg.NULL:
        # Keys sent in clear: their sub-payloads must parse too (RFC 3830 §6.13).
        try:
            decode_sub_payloads(
                kemac.encr_data,
                first=rules.kemac_first_sub_payload(header.data_type),
                profile=profile,
            )
        except MikeyParseError as exc:
            base = starts[payloads.index(kemac)] + 4  # Next payload, Encr alg, Encr data len
            raise MikeyParseError(
                exc.what, payload=f"KEMAC {exc.payload}", offset=base + exc.offset
            ) from None
    # The rules were checked above; Message.__post_init__ would only repeat them.
    layout = _Layout(data, tuple(starts), end)
    return trusted(Message)(header=header, payloads=tuple(payloads), _layout=layout)


def decode_chain(
    data: bytes,
    *,
    first: PayloadType | None = None,
    allowed: frozenset[PayloadType] = rules.TOP_LEVEL,
    profile: Profile = STRICT,
    name: str = "payload chain",
) -> tuple[Payload, ...]:
    """Decode a chain of payloads that is not a whole message.

    With ``first`` given, the chain starts with that payload (a KEMAC's Encr data, RFC 3830
    §6.2); without it, the first byte is a First Payload field naming it, as in the TP Data
    and Initiator Data of RFC 6043 §6.10. The chain must fill ``data`` exactly.

    :raises MikeyParseError: with offsets relative to ``data``.
    """
    r = Reader(bytes(data), profile=profile, payload=name)
    if first is None:
        first = r.enum(PayloadType, "First Payload")
    payloads = tuple(_decode_chain(r, first, allowed)[1])
    r.payload = name
    r.expect_end("the last payload")
    return payloads


def decode_sub_payloads(
    plaintext: bytes, *, first: PayloadType = PayloadType.KEY_DATA, profile: Profile = STRICT
) -> tuple[Payload, ...]:
    """Decode the plaintext of a KEMAC's Encr data: key data sub-payloads, preceded by the
    Initiator's ID (or IDR) in the public-key methods (RFC 3830 §6.2, §6.13).

    :raises MikeyParseError: with offsets relative to ``plaintext``.
    """
    if not plaintext and first is PayloadType.KEY_DATA:
        return ()  # an update message may carry no keys (RFC 3830 §4.5, §6.2)
    return decode_chain(
        plaintext, first=first, allowed=rules.KEMAC_INNER, profile=profile, name="KEMAC Encr data"
    )


def encode_sub_payloads(payloads: Sequence[Payload]) -> bytes:
    """Encode the plaintext of a KEMAC's Encr data, chaining the Next payload fields."""
    w = Writer()
    for index, payload in enumerate(payloads):
        if payload.payload_type not in rules.KEMAC_INNER:
            raise MikeyValueError(f"a {payload.payload_type.label} payload cannot be in a KEMAC")
        following = (
            payloads[index + 1].payload_type if index + 1 < len(payloads) else PayloadType.LAST
        )
        payload.encode(w, following)
    return w.getvalue()
