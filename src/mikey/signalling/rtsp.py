"""The RTSP ``KeyMgmt`` header (RFC 4567 §3.2, §4.2).

    KeyMgmt       = "KeyMgmt" ":" key-mgmt-spec 0*("," key-mgmt-spec)
    key-mgmt-spec = "prot" "=" KMPID ";" ["uri" "=" %x22 URI %x22 ";"]
                    "data" "=" %x22 base64 %x22

The printed RFC lost the ``data`` part of the rule; its text (§4.2: the message is
"encapsulated in the 'data' field of the header") and examples (§5.3, §5.4) restore it as
above. The header goes in a DESCRIBE response, a SETUP request and a SETUP response
(§3.2 table); ``uri`` names the session (aggregate control URI) or media the message is
for, and the request URI is meant when it is absent.

Parsing takes what RTSP servers send: spaces around ``;``, ``=`` and ``,``, parameter
names in any case, an unquoted ``data`` value. Parameters other than ``prot``, ``uri`` and
``data`` are skipped (RTSP 2.0, RFC 7826 §18.27, lets a spec carry more). A key
management failure is answered with status 463 (``KEY_MANAGEMENT_FAILURE``), which MAY
carry a KeyMgmt header whose message says why (§3.2, §4.2).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mikey.errors import MikeySdpError, MikeyValueError
from mikey.signalling.keymgmt import decode_base64

__all__ = [
    "KEYMGMT_HEADER",
    "KEY_MANAGEMENT_FAILURE",
    "KeyMgmtSpec",
    "format_keymgmt",
    "keymgmt_spec_params",
    "parse_keymgmt",
]

KEYMGMT_HEADER = "KeyMgmt"
"""The header name (RFC 4567 §3.2, §9.2); RTSP header names are case-insensitive."""

KEY_MANAGEMENT_FAILURE = 463
"""RTSP status 463 Key management failure (RFC 4567 §3.2): a SETUP whose key management
message was refused (authentication failure, parameters not supported, …); the session
is aborted (§4.2)."""

_KMPID = re.compile(r"[A-Za-z0-9]+")  # RFC 4567 §3
_NEXT_SPEC = re.compile(r",\s*(?=prot\s*=)", re.IGNORECASE)
_HEADER = re.compile(r"\s*keymgmt\s*:(.*)", re.IGNORECASE | re.DOTALL)
_URI = re.compile(r'[^\s"]+')  # RFC 3986 §3 URIs hold no space or DQUOTE


def keymgmt_spec_params(value: str) -> list[dict[str, str]]:
    """The parameters of each key-mgmt-spec in a header value, names lower-cased and
    values unquoted, nothing else checked. ``value`` may start with ``KeyMgmt:``.

    Specs are split only at a comma followed by ``prot=``: base64 and URIs may hold no
    comma there.
    """
    if header := _HEADER.match(value):
        value = header.group(1)
    specs: list[dict[str, str]] = []
    for spec in _NEXT_SPEC.split(value.strip()):
        params: dict[str, str] = {}
        for part in spec.split(";"):
            key, sep, param = part.partition("=")
            if sep:
                params.setdefault(key.strip().lower(), param.strip().strip('"').strip())
        specs.append(params)
    return specs


@dataclass(frozen=True, slots=True)
class KeyMgmtSpec:
    """One key-mgmt-spec: a protocol, the context URI (``None``: the request URI) and its
    message (RFC 4567 §3.2).

    :raises MikeyValueError: for a protocol that is not a KMPID, a URI with spaces or
        quotes, or empty data.
    """

    protocol: str
    data: bytes = field(repr=False)
    uri: str | None = None

    def __post_init__(self) -> None:
        if not _KMPID.fullmatch(self.protocol):
            raise MikeyValueError(f"{self.protocol!r} is not a KMPID (RFC 4567 §3)")
        if self.uri is not None and not _URI.fullmatch(self.uri):
            raise MikeyValueError(f"{self.uri!r} is not a URI (RFC 3986 §3)")
        if not self.data:
            raise MikeyValueError("key management data is empty")

    def __str__(self) -> str:
        uri = "" if self.uri is None else f' uri="{self.uri}";'
        return f'prot={self.protocol};{uri} data="{base64.b64encode(self.data).decode()}"'


def parse_keymgmt(value: str) -> tuple[KeyMgmtSpec, ...]:
    """The specs of a ``KeyMgmt`` header value (with or without ``KeyMgmt:``), in order.

    :raises MikeySdpError: for a spec without ``prot`` or ``data``, or with a bad KMPID,
        URI or base64.
    """
    specs: list[KeyMgmtSpec] = []
    for number, params in enumerate(keymgmt_spec_params(value), 1):
        where = f"KeyMgmt spec {number}"
        for name in ("prot", "data"):
            if not params.get(name):
                raise MikeySdpError(f"{where} has no {name} (RFC 4567 §3.2)")
        data = decode_base64(params["data"], f"{where} data")
        try:
            specs.append(KeyMgmtSpec(params["prot"], data, params.get("uri")))
        except MikeyValueError as exc:
            raise MikeySdpError(f"{where}: {exc}") from None
    return tuple(specs)


def format_keymgmt(specs: Sequence[KeyMgmtSpec]) -> str:
    """The header value for ``specs`` (without ``KeyMgmt:``).

    :raises MikeyValueError: for no specs.
    """
    if not specs:
        raise MikeyValueError("a KeyMgmt header carries at least one spec (RFC 4567 §3.2)")
    return ", ".join(str(spec) for spec in specs)
