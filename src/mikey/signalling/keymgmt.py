"""Key management in SDP: the ``a=key-mgmt`` attribute and bidding-down prevention
(RFC 4567 §3, §3.1, §4.1.2, §4.1.4, §7).

``a=key-mgmt:<prtcl-id> <keymgmt-data>`` carries one key management message, base64
encoded (§3.1), at session level, media level or both; a media-level attribute overrides
the session-level ones for its media (§3.1). Several attributes at one level are
alternative protocols in order of preference (§4.1.2).

Bidding-down (§4.1.4, §7): a man in the middle could strip the strong offers and leave
the weak ones. So each protocol authenticates the ``;``-separated list of every KMPID
offered at its level, in SDP order; MIKEY carries it in a General Extension payload of
type SDP IDs (``mikey.wire.SdpIds``) under its MAC or signature. ``check_sdp_ids``
compares that list with the SDP. A message without SDP IDs is taken only where there is
nothing to strip, a single protocol offered, unless ``require_sdp_ids`` says otherwise:
RFC 4567 asks for the list even then, but peers in the field (RFC 4567 §5.1's own
example among them) leave it out.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mikey.errors import MikeyBiddingDownError, MikeySdpError, MikeyValueError
from mikey.signalling.sdp import Attribute, MediaDescription, SessionDescription
from mikey.wire.extension import GeneralExtensionPayload, SdpIds
from mikey.wire.message import Message

__all__ = [
    "KEY_MGMT",
    "MIKEY",
    "KeyMgmt",
    "check_sdp_ids",
    "decode_base64",
    "effective_key_mgmt",
    "protocol_list",
    "sdp_ids_payload",
    "split_key_mgmt",
]

KEY_MGMT = "key-mgmt"
"""The attribute name (RFC 4567 §3.1, §9.1)."""

MIKEY = "mikey"
"""MIKEY's protocol identifier, KMPID (RFC 4567 §7, §9.3)."""

_KMPID = re.compile(r"[A-Za-z0-9]+")  # RFC 4567 §3: KMPID = 1*(ALPHA / DIGIT)
# RFC 4567 §3.1: key-mgmt-att-value = 0*1SP prtcl-id SP keymgmt-data
_VALUE = re.compile(r" ?([A-Za-z0-9]+) (\S+)")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def decode_base64(text: str, what: str) -> bytes:
    """Strict base64 (RFC 4648 §4, the ``base64`` of RFC 8866 §9): whole quanta, padded.

    :raises MikeySdpError: naming ``what``.
    """
    if not text or not _BASE64.fullmatch(text):
        raise MikeySdpError(f"{what} is not base64 (RFC 4648 §4)")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):  # pragma: no cover - the pattern admits only base64
        raise MikeySdpError(f"{what} is not base64 (RFC 4648 §4)") from None


def split_key_mgmt(value: str) -> tuple[str, str]:
    """The protocol identifier and the base64 text of a ``key-mgmt`` attribute value,
    undecoded (RFC 4567 §3.1).

    :raises MikeySdpError: if the value is not ``[SP] prtcl-id SP keymgmt-data``.
    """
    match = _VALUE.fullmatch(value)
    if match is None:
        raise MikeySdpError(
            f"a=key-mgmt:{value[:40]!r} is not '<prtcl-id> <base64 data>' (RFC 4567 §3.1)"
        )
    return match.group(1), match.group(2)


@dataclass(frozen=True, slots=True)
class KeyMgmt:
    """One ``a=key-mgmt`` attribute: a protocol identifier and its message (RFC 4567 §3.1).

    :raises MikeyValueError: for a protocol identifier that is not a KMPID or empty data.
    """

    protocol: str
    data: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KMPID.fullmatch(self.protocol):
            raise MikeyValueError(f"{self.protocol!r} is not a KMPID (RFC 4567 §3)")
        if not self.data:
            raise MikeyValueError("key management data is empty")

    @classmethod
    def parse(cls, value: str) -> KeyMgmt:
        """The attribute of a value (what follows ``a=key-mgmt:``).

        :raises MikeySdpError: for a value that breaks RFC 4567 §3.1.
        """
        protocol, text = split_key_mgmt(value)
        return cls(protocol, decode_base64(text, f"the {protocol} key management data"))

    @classmethod
    def from_attribute(cls, attribute: Attribute) -> KeyMgmt:
        """:raises MikeySdpError: for an attribute that is not a valid ``key-mgmt``."""
        if attribute.name != KEY_MGMT or attribute.value is None:
            raise MikeySdpError(f"a={attribute.name} is not a key-mgmt attribute with a value")
        return cls.parse(attribute.value)

    def to_attribute(self) -> Attribute:
        return Attribute(KEY_MGMT, f"{self.protocol} {base64.b64encode(self.data).decode()}")


def effective_key_mgmt(
    sdp: SessionDescription, media: MediaDescription | None = None
) -> tuple[tuple[KeyMgmt, ...], bool]:
    """The key management offers for ``media`` (the session level for ``None``), in order
    of preference, and whether they are media-level: a media-level attribute overrides the
    session level for its media (RFC 4567 §3.1).

    :raises MikeySdpError: for an invalid ``key-mgmt`` attribute.
    """
    if media is not None and (here := media.attributes(KEY_MGMT)):
        return tuple(KeyMgmt.from_attribute(a) for a in here), True
    return tuple(KeyMgmt.from_attribute(a) for a in sdp.attributes(KEY_MGMT)), False


def protocol_list(offers: Sequence[KeyMgmt]) -> tuple[str, ...]:
    """The KMPIDs of ``offers`` in SDP order: the list each protocol authenticates
    (RFC 4567 §4.1.4: ``prtcl-list = KMPID *(";" KMPID)``)."""
    return tuple(offer.protocol for offer in offers)


def sdp_ids_payload(protocols: Sequence[str]) -> GeneralExtensionPayload:
    """The General Extension that authenticates ``protocols`` in a MIKEY message
    (RFC 4567 §7, RFC 3830 §6.15 type SDP IDs)."""
    return GeneralExtensionPayload.from_content(SdpIds(ids=tuple(protocols)))


def _sdp_ids(message: Message) -> tuple[str, ...] | None:
    for payload in message.get_all(GeneralExtensionPayload):
        content = payload.content
        if isinstance(content, SdpIds):
            return content.ids
    return None


def check_sdp_ids(
    message: Message, protocols: Sequence[str], *, require_sdp_ids: bool = False
) -> None:
    """Refuse a MIKEY message whose SDP IDs do not list ``protocols``, the KMPIDs offered
    at its level in SDP order (RFC 4567 §4.1.4, §7).

    The list only means something once the message's MAC or signature has verified; a
    mismatch is refused either way (fail closed).

    :raises MikeyBiddingDownError: if the lists differ, or the message has none while
        several protocols are offered (or ``require_sdp_ids``).
    """
    ids = _sdp_ids(message)
    offered = ";".join(protocols)
    if ids is None:
        if require_sdp_ids or len(protocols) > 1:
            raise MikeyBiddingDownError(
                f"the SDP offers {offered!r} but the MIKEY message authenticates no SDP IDs"
                " (RFC 4567 §4.1.4): offers may have been stripped"
            )
        return
    if tuple(ids) != tuple(protocols):
        raise MikeyBiddingDownError(
            f"the MIKEY message's SDP IDs are {';'.join(ids)!r} but the SDP offers"
            f" {offered!r} (RFC 4567 §4.1.4): offers were stripped or altered on the way"
        )
