"""A small SDP model: session descriptions as ordered lines (RFC 8866 §5, §9; RFC 4566).

Only what key management needs is interpreted: the ``v=``, ``o=``, ``s=``, ``c=`` and
``t=`` lines of RFC 8866 §5.1-§5.3, §5.7, §5.9, the ``m=`` line of §5.14 and attributes
(``a=name`` or ``a=name:value``, §5.13) at session and media level. Every other line is
kept as it was, in its place, so ``SessionDescription.parse(text).to_text()`` gives the
same lines back: output lines end in CRLF (§5); input may end lines in LF alone.

**Why not a library.** PyPI's SDP packages were looked at for this module:
``sdp-transform`` (1.1.0, a port of the JavaScript library) parses into untyped dicts and
writes lines back in its own fixed order (``e=`` before ``c=`` as it lists them, unknown
attributes moved to the end), so a description does not round-trip and our typed
checks would sit on dicts; ``aiortc`` has an SDP module tied to its WebRTC stack (its
dependencies include PyAV and a full ICE/DTLS stack) and keeps only what WebRTC uses;
the packages named ``sdp`` and ``pysdp`` are unrelated or empty. What key management
needs is small: ordered lines, two levels, attributes. So it is written here.

**Lenience.** Blank lines are skipped and a line's trailing CR is dropped; the ``t=``
line is optional (RTSP servers often leave it out). Everything else of the grammar that
this model reads is checked: ``v=0`` first, one ``o=`` and one ``s=`` at session level,
``<type>=<value>`` lines with a one-letter type, the ``o=``, ``c=`` and ``m=`` fields.
Parsing untrusted text raises only ``MikeySdpError``, which names the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from mikey.errors import MikeySdpError, MikeyValueError

__all__ = [
    "MAX_SDP_LENGTH",
    "Attribute",
    "MediaDescription",
    "SdpLine",
    "SessionDescription",
]

MAX_SDP_LENGTH = 1 << 20
"""The largest description ``parse`` reads, in characters: SIP and RTSP bodies are far
smaller, and a bound keeps hostile input cheap."""

_TYPE = re.compile(r"[a-zA-Z]")  # RFC 8866 §9: type = ALPHA, one character
_FORBIDDEN = re.compile(r"[\x00\r\n]")  # RFC 8866 §9: text = byte-string, no NUL, CR, LF
_TOKEN = r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+"  # RFC 8866 §9 token
_ORIGIN = re.compile(rf"(\S+) ([0-9]+) ([0-9]+) ({_TOKEN}) ({_TOKEN}) (\S+)")  # §5.2
_CONNECTION = re.compile(rf"({_TOKEN}) ({_TOKEN}) (\S+)")  # §5.7
_MEDIA = re.compile(
    rf"({_TOKEN}) ([0-9]+)(?:/([0-9]+))? ({_TOKEN}(?:/{_TOKEN})*)((?: \S+)+)"
)  # §5.14
_ATTRIBUTE_NAME = re.compile(_TOKEN)  # §9 att-field = token


@dataclass(frozen=True, slots=True)
class SdpLine:
    """One ``<type>=<value>`` line (RFC 8866 §5), without its line ending.

    :raises MikeyValueError: for a type that is not one letter, or a value holding NUL,
        CR or LF.
    """

    type: str
    value: str

    def __post_init__(self) -> None:
        if not _TYPE.fullmatch(self.type):
            raise MikeyValueError(f"an SDP line type is one letter, not {self.type!r}")
        if _FORBIDDEN.search(self.value):
            raise MikeyValueError("an SDP value holds no NUL, CR or LF (RFC 8866 §9)")

    def __str__(self) -> str:
        return f"{self.type}={self.value}"

    @property
    def attribute(self) -> Attribute | None:
        """The attribute of an ``a=`` line whose name is a token, else ``None``."""
        if self.type != "a":
            return None
        name, colon, value = self.value.partition(":")
        if not _ATTRIBUTE_NAME.fullmatch(name):
            return None
        return Attribute(name, value if colon else None)


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute: ``a=<name>`` (a flag, ``value`` None) or ``a=<name>:<value>`` (RFC 8866
    §5.13). Names are matched case-sensitively, as RFC 8866 §6 registers them."""

    name: str
    value: str | None = None

    def __post_init__(self) -> None:
        if not _ATTRIBUTE_NAME.fullmatch(self.name):
            raise MikeyValueError(f"{self.name!r} is not an attribute name (a token)")

    def to_line(self) -> SdpLine:
        """The ``a=`` line."""
        return SdpLine("a", self.name if self.value is None else f"{self.name}:{self.value}")


def _attributes(lines: Iterable[SdpLine], name: str) -> Iterator[Attribute]:
    for line in lines:
        attribute = line.attribute
        if attribute is not None and attribute.name == name:
            yield attribute


@dataclass(frozen=True, slots=True)
class MediaDescription:
    """One media description: its ``m=`` line and the lines up to the next (RFC 8866 §5.14).

    :raises MikeyValueError: if ``lines`` does not start with a valid ``m=`` line.
    """

    lines: tuple[SdpLine, ...]

    def __post_init__(self) -> None:
        if not self.lines or self.lines[0].type != "m":
            raise MikeyValueError("a media description starts with its m= line")
        if not _MEDIA.fullmatch(self.lines[0].value):
            raise MikeyValueError(
                f"m={self.lines[0].value!r} is not '<media> <port>[/<n>] <proto> <fmt> ...'"
                " (RFC 8866 §5.14)"
            )
        for line in self.lines[1:]:
            if line.type in "vostm":
                raise MikeyValueError(f"a {line.type}= line does not belong in a media section")

    def _field(self, group: int) -> str:
        match = _MEDIA.fullmatch(self.lines[0].value)
        assert match is not None  # checked in __post_init__
        return match.group(group) or ""

    @property
    def media(self) -> str:
        """The media type: ``audio``, ``video``, ``application``, …"""
        return self._field(1)

    @property
    def port(self) -> int:
        return int(self._field(2))

    @property
    def proto(self) -> str:
        """The transport protocol: ``RTP/AVP``, ``RTP/SAVP``, ``RTP/SAVPF``, …"""
        return self._field(4)

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self._field(5).split())

    @property
    def secure_rtp(self) -> bool:
        """Whether the transport is SRTP: a ``SAVP`` or ``SAVPF`` profile (RFC 3711 §12,
        RFC 5124), the media a key management attribute keys (RFC 4567 §5.2)."""
        return self.proto.upper().split("/")[-1] in ("SAVP", "SAVPF")

    def attributes(self, name: str) -> tuple[Attribute, ...]:
        """The media-level attributes called ``name``, in order."""
        return tuple(_attributes(self.lines, name))

    def with_attributes(self, attributes: Iterable[Attribute]) -> MediaDescription:
        """This description with ``attributes`` added after its last line."""
        return MediaDescription(self.lines + tuple(a.to_line() for a in attributes))

    def without_attributes(self, *names: str) -> MediaDescription:
        """This description without its attributes called any of ``names``."""
        return MediaDescription(tuple(_drop(self.lines, names)))


def _drop(lines: Iterable[SdpLine], names: Sequence[str]) -> Iterator[SdpLine]:
    for line in lines:
        attribute = line.attribute
        if attribute is None or attribute.name not in names:
            yield line


@dataclass(frozen=True, slots=True)
class SessionDescription:
    """A session description: session-level lines, then media descriptions (RFC 8866 §5).

    :raises MikeyValueError: if the session level does not start with ``v=0`` or lacks
        exactly one ``o=`` and one ``s=`` line.
    """

    session: tuple[SdpLine, ...]
    media: tuple[MediaDescription, ...] = ()

    def __post_init__(self) -> None:
        if not self.session or str(self.session[0]) != "v=0":
            raise MikeyValueError("a session description starts with v=0 (RFC 8866 §5.1)")
        for kind in "os":
            count = sum(line.type == kind for line in self.session)
            if count != 1:
                raise MikeyValueError(
                    f"a session description has one {kind}= line, not {count} (RFC 8866 §5)"
                )
        if any(line.type in "vm" for line in self.session[1:]):
            raise MikeyValueError("v= comes once, and m= lines start media descriptions")
        origin = next(line for line in self.session if line.type == "o")
        if not _ORIGIN.fullmatch(origin.value):
            raise MikeyValueError(
                f"o={origin.value!r} is not '<username> <sess-id> <sess-version> <nettype>"
                " <addrtype> <unicast-address>' (RFC 8866 §5.2)"
            )
        for line in self.lines:
            if line.type == "c" and not _CONNECTION.fullmatch(line.value):
                raise MikeyValueError(
                    f"c={line.value!r} is not '<nettype> <addrtype> <address>' (RFC 8866 §5.7)"
                )

    @classmethod
    def parse(cls, text: str | bytes) -> SessionDescription:
        """Read a session description: UTF-8 bytes or text, lines ending in CRLF or LF.

        :raises MikeySdpError: for anything that is not a session description, naming
            the line.
        """
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MikeySdpError(f"not UTF-8 text (byte {exc.start})") from None
        if len(text) > MAX_SDP_LENGTH:
            raise MikeySdpError(f"longer than {MAX_SDP_LENGTH} characters")
        session: list[SdpLine] = []
        media: list[list[SdpLine]] = []
        numbers: list[int] = []  # the line number of each m= line, for errors
        for number, raw in enumerate(text.split("\n"), 1):
            stripped = raw.removesuffix("\r")
            if not stripped.strip():
                continue
            kind, equals, value = stripped.partition("=")
            try:
                if not equals:
                    raise MikeyValueError("not a '<type>=<value>' line")
                line = SdpLine(kind, value)
            except MikeyValueError as exc:
                raise MikeySdpError(str(exc), line=number) from None
            if line.type == "m":
                media.append([line])
                numbers.append(number)
            elif media:
                media[-1].append(line)
            else:
                session.append(line)
        built: list[MediaDescription] = []
        for lines, number in zip(media, numbers, strict=True):
            try:
                built.append(MediaDescription(tuple(lines)))
            except MikeyValueError as exc:
                raise MikeySdpError(str(exc), line=number) from None
        try:
            return cls(tuple(session), tuple(built))
        except MikeyValueError as exc:
            raise MikeySdpError(str(exc)) from None

    @property
    def lines(self) -> tuple[SdpLine, ...]:
        """Every line, in order."""
        return self.session + tuple(line for m in self.media for line in m.lines)

    def to_text(self) -> str:
        """The description with CRLF line endings (RFC 8866 §5)."""
        return "".join(f"{line}\r\n" for line in self.lines)

    def __str__(self) -> str:
        return self.to_text()

    def attributes(self, name: str) -> tuple[Attribute, ...]:
        """The session-level attributes called ``name``, in order."""
        return tuple(_attributes(self.session, name))

    def with_attributes(self, attributes: Iterable[Attribute]) -> SessionDescription:
        """This description with ``attributes`` added at the end of the session level
        (attributes follow the other session-level lines, RFC 8866 §5)."""
        added = tuple(a.to_line() for a in attributes)
        return SessionDescription(self.session + added, self.media)

    def without_attributes(self, *names: str) -> SessionDescription:
        """This description without attributes called any of ``names``, at any level."""
        return SessionDescription(
            tuple(_drop(self.session, names)),
            tuple(m.without_attributes(*names) for m in self.media),
        )

    def with_media(self, media: Iterable[MediaDescription]) -> SessionDescription:
        """This session level with other media descriptions."""
        return SessionDescription(self.session, tuple(media))
