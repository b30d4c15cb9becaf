"""A small HTTP message model for signing and verifying, tied to no HTTP library.

RFC 9421 works on the "signature context" of a message (§2): its control data (method,
target URI, status), its header and trailer fields, and for a response the request that
triggered it (§2.4). These classes hold exactly that; adapters for real HTTP libraries
build them at the edges.

Fields are an ordered multi-map with case-insensitive names (RFC 9110 §5.1, §5.3): the
order of field lines with the same name matters (RFC 9421 §2.1, Appendix B.4), the order
across names does not. Values are ``str`` holding the field's octets one character per
octet, as h11 and ASGI servers deliver them (ISO-8859-1); the signature base takes only
ASCII (RFC 9421 §2.5 step 4) unless a field is wrapped with ``bs`` (§2.1.3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Self

from mikey.errors import MikeyValueError

__all__ = ["Fields", "HttpRequest", "HttpResponse", "TargetUri"]

# field-name = token (RFC 9110 §5.1, §5.6.2)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 3986 Appendix B, the URI reference regular expression
_URI = re.compile(r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


class Fields:
    """An immutable, ordered list of field lines; names compare case-insensitively.

    Build it from ``(name, value)`` pairs or a mapping; ``with_added`` returns a copy with
    more lines.

    :raises MikeyValueError: a name is not an RFC 9110 §5.1 token.
    """

    __slots__ = ("_lines",)

    def __init__(self, lines: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        pairs = tuple(lines.items() if isinstance(lines, Mapping) else lines)
        for name, _ in pairs:
            if not _TOKEN.fullmatch(name):
                raise MikeyValueError(f"{name!r} is not a field name (RFC 9110 §5.1)")
        self._lines: tuple[tuple[str, str], ...] = pairs

    def get_all(self, name: str) -> tuple[str, ...]:
        """The values of every line named ``name``, in message order."""
        wanted = name.lower()
        return tuple(value for line_name, value in self._lines if line_name.lower() == wanted)

    def get(self, name: str) -> str | None:
        """The lines named ``name`` combined with ", " (RFC 9110 §5.3), or None."""
        values = self.get_all(name)
        return ", ".join(values) if values else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self.get_all(name))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fields) and self._lines == other._lines

    def __hash__(self) -> int:
        return hash(self._lines)

    def __repr__(self) -> str:
        return f"Fields({list(self._lines)!r})"

    def with_added(self, *lines: tuple[str, str]) -> Fields:
        """A copy with ``lines`` appended."""
        return Fields(self._lines + lines)


@dataclass(frozen=True, slots=True)
class TargetUri:
    """The parts of a target URI that RFC 9421 §2.2 derives components from."""

    scheme: str
    """Lowercase (§2.2.4)."""
    authority: str
    """Host lowercase, default port left out (§2.2.3, RFC 9110 §4.2.3)."""
    path: str
    """As sent, percent-encoding kept; "/" when empty (§2.2.6)."""
    query: str | None
    """After the "?", percent-encoding kept; None when there is no "?" (§2.2.7)."""

    @classmethod
    def parse(cls, uri: str) -> TargetUri:
        """Split an absolute http(s) URI (RFC 9110 §4.2, §7.1).

        :raises MikeyValueError: not an absolute URI with an authority, a fragment, user
            information (deprecated, RFC 9110 §4.2.4), a bad port, or characters that are
            not printable ASCII.
        """
        if not uri.isascii() or not all("!" <= char <= "~" for char in uri):
            raise MikeyValueError(f"target URI {uri!r} holds characters outside visible ASCII")
        match = _URI.match(uri)
        if match is None:  # pragma: no cover - every string matches RFC 3986's expression
            raise MikeyValueError(f"{uri!r} is not a URI")
        scheme, authority, path, query, fragment = match.group(2, 4, 5, 7, 9)
        if not scheme or not authority:
            raise MikeyValueError(f"target URI {uri!r} is not absolute (scheme://authority…)")
        if fragment is not None:
            raise MikeyValueError(f"target URI {uri!r} has a fragment")
        return cls(
            scheme=scheme.lower(),
            authority=_normalize_authority(authority, scheme.lower(), uri),
            path=path or "/",
            query=query,
        )


def _normalize_authority(authority: str, scheme: str, uri: str) -> str:
    if "@" in authority:
        raise MikeyValueError(f"target URI {uri!r} has user information (RFC 9110 §4.2.4)")
    if authority.startswith("["):  # IP literal (RFC 3986 §3.2.2)
        host, bracket, port = authority.partition("]")
        host += bracket
        if not bracket or (port and not port.startswith(":")):
            raise MikeyValueError(f"target URI {uri!r} has a malformed IP literal")
        port = port[1:]
    else:
        host, _, port = authority.partition(":")
    if port and not port.isdigit():
        raise MikeyValueError(f"target URI {uri!r} has a port that is not a number")
    if not host:
        raise MikeyValueError(f"target URI {uri!r} has an empty host")
    if port and port != _DEFAULT_PORTS.get(scheme):
        return f"{host.lower()}:{port}"
    return host.lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    """An HTTP request as RFC 9421 sees it.

    ``target_uri`` is the absolute target URI (RFC 9110 §7.1), rebuilt by the edge from the
    scheme, the Host or :authority, and the request target. ``request_target`` is the
    request line's target when it is not the origin form of ``target_uri`` (absolute form to
    a proxy, ``host:port`` for CONNECT, ``*`` for OPTIONS; RFC 9421 §2.2.5).

    :raises MikeyValueError: the method is not a token, or the target URI is not absolute.
    """

    method: str
    target_uri: str
    headers: Fields = field(default_factory=Fields)
    body: bytes = b""
    trailers: Fields = field(default_factory=Fields)
    request_target: str | None = None

    def __post_init__(self) -> None:
        if not _TOKEN.fullmatch(self.method):
            raise MikeyValueError(f"{self.method!r} is not a method (RFC 9110 §9.1)")
        TargetUri.parse(self.target_uri)
        if self.request_target is not None and (
            not self.request_target.isascii()
            or not all("!" <= char <= "~" for char in self.request_target)
        ):
            raise MikeyValueError(f"request target {self.request_target!r} is not visible ASCII")

    @property
    def uri(self) -> TargetUri:
        """``target_uri`` split into the parts components are derived from."""
        return TargetUri.parse(self.target_uri)

    def with_fields(self, *lines: tuple[str, str]) -> Self:
        """A copy with header field lines appended."""
        return replace(self, headers=self.headers.with_added(*lines))


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    """An HTTP response as RFC 9421 sees it; ``request`` is the request it answers, which
    components with the ``req`` parameter are taken from (§2.4).

    :raises MikeyValueError: the status is not a three-digit code (RFC 9110 §15).
    """

    status: int
    headers: Fields = field(default_factory=Fields)
    body: bytes = b""
    trailers: Fields = field(default_factory=Fields)
    request: HttpRequest | None = None

    def __post_init__(self) -> None:
        if isinstance(self.status, bool) or not 100 <= self.status <= 999:
            raise MikeyValueError(f"status {self.status!r} is not a three-digit code")

    def with_fields(self, *lines: tuple[str, str]) -> Self:
        """A copy with header field lines appended."""
        return replace(self, headers=self.headers.with_added(*lines))
