"""The General Extension payload and typed views of its Data field.

RFC 3830 §6.15 defines the payload and the Vendor ID type; the other registered types
(RFC 3830 §10, IANA "General Extensions Payload Field Names") are defined by:

- SDP IDs: RFC 4567 §4.1.4 and §7, the ";"-separated list of key management protocol
  identifiers offered in SDP (KMPID per RFC 4567 §3);
- TESLA I-Key: RFC 4442 §4.4, the TESLA initial key, with no inner structure;
- Key ID: RFC 4563 §4, a list of Key ID Type sub-payloads;
- CSB_ID: RFC 4738 §3.6 and §3.9.3, the Responder's new 32-bit CSB ID (group mode);
- OMA BCAST: RFC 4909 §3 (obsoleted by RFC 5410, same layout), a subtype and opaque
  subtype-specific data defined by OMA BCAST;
- SAKKE-to-self: 3GPP TS 33.180 Annex E.5 (TS 33.179 E.5), a whole SAKKE payload whose
  own Next payload byte is zero;
- 3GPP key parameters: 3GPP TS 33.180 Annex E.6. Its content is an encrypted "Protected
  Payload" whose outer format differs between releases (TS 33.179 E.6.8 in Release 13,
  the MCData Protected Payload message of TS 33.180 §8.5.4 later), so it is kept opaque.

A ``GeneralExtensionPayload`` holds the type and the raw Data bytes. Its constructor and
``decode`` check the Data of every registered type against that type's layout, so a
malformed Key ID list fails to decode; unregistered and private-use types (RFC 3830 §10:
241-255) are carried as bytes. ``content`` returns the typed view.
"""

from __future__ import annotations

import string
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Self

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import (
    GeneralExtType,
    KeyIdType,
    OmaBcastDataSubtype,
    PayloadType,
    label_of,
)
from mikey.wire.buffer import Reader, Writer, check_assigned, check_length, check_uint
from mikey.wire.payload import Payload
from mikey.wire.sakke import SakkePayload

__all__ = [
    "KEY_ID_PRIVATE_USE",
    "OMA_BCAST_PRIVATE_USE",
    "CsbId",
    "GeneralExtensionContent",
    "GeneralExtensionPayload",
    "KeyIdInformation",
    "KeyIdSubPayload",
    "OmaBcast",
    "SakkeToSelf",
    "SdpIds",
    "TeslaIKey",
    "ThreeGppKeyParameters",
    "VendorId",
    "decode_extension_data",
]

KEY_ID_PRIVATE_USE = range(241, 256)
"""RFC 4563 §8: Key ID Type values 241-255 are for Private Use."""

OMA_BCAST_PRIVATE_USE = range(192, 256)
"""RFC 4909 §6: OMA BCAST subtypes 192-255 are for Private Use; 0 is Reserved."""

_MAX_DATA = (1 << 16) - 1  # RFC 3830 §6.15: Length (16 bits) counts the Data bytes


def _check_data_size(size: int, what: str) -> None:
    if size > _MAX_DATA:
        raise MikeyValueError(
            f"{what} data would be {size} bytes; the General Extension Length holds < 2^16"
        )


class GeneralExtensionContent(ABC):
    """Base of the typed views of a General Extension's Data field, one per registered type.

    ``decode`` reads the Data field from a reader bounded to it (the caller checks that it
    is used up); ``encode`` writes it. Neither touches the payload's own four header bytes.
    """

    __slots__ = ()

    ext_type: ClassVar[GeneralExtType]
    """The General Extension Type that announces this content (RFC 3830 Table 6.15)."""

    @classmethod
    @abstractmethod
    def decode(cls, r: Reader) -> Self:
        """Read the Data field at ``r``'s position."""

    @abstractmethod
    def encode(self, w: Writer) -> None:
        """Append the Data field."""

    def to_bytes(self) -> bytes:
        """The Data field as bytes."""
        w = Writer()
        self.encode(w)
        return w.getvalue()


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorId(GeneralExtensionContent):
    """Vendor ID: a vendor specific byte string (RFC 3830 §6.15 Table 6.15)."""

    ext_type = GeneralExtType.VENDOR_ID
    data: bytes

    def __post_init__(self) -> None:
        check_length(self.data, 16, "Vendor ID data")

    @classmethod
    def decode(cls, r: Reader) -> Self:
        return cls(data=r.take(r.remaining, "Vendor ID data"))

    def encode(self, w: Writer) -> None:
        w.raw(self.data)


_KMPID_SEPARATOR = ord(";")
_KMPID_CHARS = frozenset((string.ascii_letters + string.digits).encode("ascii"))
"""RFC 4567 §3: KMPID = 1*(ALPHA / DIGIT)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SdpIds(GeneralExtensionContent):
    """SDP IDs: the key management protocol IDs offered in SDP, in order (RFC 4567 §4.1.4, §7).

    The Data field is the US-ASCII protocol list ``prtcl-list = KMPID *(";" KMPID)`` with
    ``KMPID = 1*(ALPHA / DIGIT)`` (RFC 4567 §3), e.g. ``mikey;keyp1;keyp2``. KMPIDs are
    case-sensitive and kept as sent.
    """

    ext_type = GeneralExtType.SDP_IDS
    ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.ids:
            raise MikeyValueError("SDP IDs need at least one KMPID (RFC 4567 §4.1.4)")
        for kmpid in self.ids:
            if not (kmpid and kmpid.isascii() and kmpid.isalnum()):
                raise MikeyValueError(f"KMPID {kmpid!r} is not 1*(ALPHA / DIGIT) (RFC 4567 §3)")
        _check_data_size(len(self.protocol_list), "SDP IDs")

    @property
    def protocol_list(self) -> str:
        """The list as SDP and RTSP give it to MIKEY: ``"mikey;keyp1"``."""
        return ";".join(self.ids)

    @classmethod
    def from_protocol_list(cls, protocol_list: str) -> Self:
        """The SDP IDs for a ``";"``-separated protocol list (RFC 4567 §4.1.4)."""
        return cls(ids=tuple(protocol_list.split(";")))

    # RFC 4567 §4.1.4: prtcl-list = KMPID *(";" KMPID)
    @classmethod
    def decode(cls, r: Reader) -> Self:
        ids: list[str] = []
        kmpid = bytearray()
        while r.remaining:
            at = r.pos
            byte = r.uint8("SDP IDs")
            if byte == _KMPID_SEPARATOR:
                if not kmpid:
                    r.fail("SDP IDs: empty KMPID before ';'", at)
                ids.append(kmpid.decode("ascii"))
                kmpid = bytearray()
            elif byte in _KMPID_CHARS:
                kmpid.append(byte)
            else:
                r.fail(f"SDP IDs: byte {byte:#04x} is not ALPHA, DIGIT or ';'", at)
        if not kmpid:
            what = "empty KMPID after ';'" if ids else "needs at least one KMPID"
            r.fail(f"SDP IDs: {what}")
        ids.append(kmpid.decode("ascii"))
        return cls(ids=tuple(ids))

    def encode(self, w: Writer) -> None:
        w.raw(self.protocol_list.encode("ascii"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TeslaIKey(GeneralExtensionContent):
    """TESLA I-Key: the initial key of the TESLA key chain (RFC 4442 §4.4, §3 item 10).

    RFC 4442 gives the Data field no inner structure; its length is the TESLA PRF output
    length of the TESLA policy (160 bits by default). An empty key is refused.
    """

    ext_type = GeneralExtType.TESLA_I_KEY
    key: bytes

    def __post_init__(self) -> None:
        if not self.key:
            raise MikeyValueError("TESLA initial key is empty")
        check_length(self.key, 16, "TESLA initial key")

    @classmethod
    def decode(cls, r: Reader) -> Self:
        if not r.remaining:
            r.fail("TESLA initial key: is empty")
        return cls(key=r.take(r.remaining, "TESLA initial key"))

    def encode(self, w: Writer) -> None:
        w.raw(self.key)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyIdSubPayload:
    """One Key ID Type sub-payload: the type and identity of a key (RFC 4563 §4, Figure 2).

    ``key_id_type`` is a registered Key ID Type or a private-use number (241-255, §8).
    """

    key_id_type: KeyIdType | int
    key_id: bytes

    def __post_init__(self) -> None:
        check_assigned(self.key_id_type, KeyIdType, "Key ID Type", KEY_ID_PRIVATE_USE)
        check_length(self.key_id, 8, "Key ID")

    # RFC 4563 §4, Figure 2:
    # !  Key ID Type  ! Key ID Length !            Key ID             ~
    @classmethod
    def decode(cls, r: Reader) -> Self:
        key_id_type = r.enum_or_private(KeyIdType, "Key ID Type", KEY_ID_PRIVATE_USE)
        key_id = r.take(r.uint8("Key ID Length"), "Key ID")
        return cls(key_id_type=key_id_type, key_id=key_id)

    def encode(self, w: Writer) -> None:
        w.uint8(self.key_id_type)
        w.uint8(len(self.key_id))
        w.raw(self.key_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyIdInformation(GeneralExtensionContent):
    """Key ID: one or more Key ID Type sub-payloads (RFC 4563 §4, Figure 1).

    Their total length cannot exceed 2^16 - 1 octets (§4). An empty list carries no
    information and is refused.
    """

    ext_type = GeneralExtType.KEY_ID
    key_ids: tuple[KeyIdSubPayload, ...]

    def __post_init__(self) -> None:
        if not self.key_ids:
            raise MikeyValueError("Key ID Information needs at least one Key ID Type sub-payload")
        _check_data_size(sum(2 + len(k.key_id) for k in self.key_ids), "Key ID")

    # RFC 4563 §4, Figure 1: Key ID Information is formed by Key ID Type sub-payloads.
    @classmethod
    def decode(cls, r: Reader) -> Self:
        if not r.remaining:
            r.fail("Key ID Information: needs at least one Key ID Type sub-payload")
        key_ids: list[KeyIdSubPayload] = []
        while r.remaining:  # each sub-payload reads at least two bytes or fails
            key_ids.append(KeyIdSubPayload.decode(r))
        return cls(key_ids=tuple(key_ids))

    def encode(self, w: Writer) -> None:
        for key_id in self.key_ids:
            key_id.encode(w)


@dataclass(frozen=True, slots=True, kw_only=True)
class CsbId(GeneralExtensionContent):
    """CSB_ID: the Responder's new CSB ID for group key establishment (RFC 4738 §3.6).

    RFC 4738 §3.9.3 registers the type ("Responder's modified CSB_ID (group mode)") but
    draws no figure; the Data field is the 32-bit CSB ID of the Common Header (RFC 3830
    §6.1), in network byte order, and nothing else.
    """

    ext_type = GeneralExtType.CSB_ID
    csb_id: int

    def __post_init__(self) -> None:
        check_uint(self.csb_id, 32, "CSB ID")

    @classmethod
    def decode(cls, r: Reader) -> Self:
        return cls(csb_id=r.uint32("CSB ID"))

    def encode(self, w: Writer) -> None:
        w.uint32(self.csb_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class OmaBcast(GeneralExtensionContent):
    """OMA BCAST: an LTKM, STKM, LTKM reporting or parental control message (RFC 4909 §3).

    ``subtype`` is a registered, non-Reserved subtype (RFC 4909 §6, RFC 5410) or a
    private-use number (192-255). ``data`` is the subtype specific data, defined in §6 of
    the OMA BCAST Service and Content Protection specification and kept opaque here.
    """

    ext_type = GeneralExtType.OMA_BCAST
    subtype: OmaBcastDataSubtype | int
    data: bytes

    def __post_init__(self) -> None:
        check_assigned(self.subtype, OmaBcastDataSubtype, "Subtype", OMA_BCAST_PRIVATE_USE)
        _check_data_size(1 + len(self.data), "OMA BCAST")

    # RFC 4909 §3, Figure 2:
    # !    Subtype    !   Subtype specific data (variable length)     ~
    @classmethod
    def decode(cls, r: Reader) -> Self:
        subtype = r.enum_or_private(OmaBcastDataSubtype, "Subtype", OMA_BCAST_PRIVATE_USE)
        return cls(subtype=subtype, data=r.take(r.remaining, "Subtype specific data"))

    def encode(self, w: Writer) -> None:
        w.uint8(self.subtype)
        w.raw(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class SakkeToSelf(GeneralExtensionContent):
    """SAKKE-to-self: the key encapsulated again to the initiator's own UID.

    3GPP TS 33.180 Annex E.5 (TS 33.179 E.5): the Data field is "a full SAKKE payload as
    defined in IETF RFC 6509"; its own Next payload field "shall be set to zero and
    ignored". Decoding treats that byte like a reserved field (zero under STRICT, any value
    under a profile with ``nonzero_reserved``); encoding writes zero. TS 33.180 also says
    the ID scheme shall be "3GPP MCX hashed UID"; that is left to the MIKEY-SAKKE mode.
    """

    ext_type = GeneralExtType.SAKKE_TO_SELF
    sakke: SakkePayload

    def __post_init__(self) -> None:
        _check_data_size(5 + len(self.sakke.sakke_data), "SAKKE-to-self")

    # TS 33.180 E.5:
    # ! Next payload  ! SAKKE params  !   ID scheme   !  SAKKE data   ~
    # ~ length (cont) !                  SAKKE data                   ~
    @classmethod
    def decode(cls, r: Reader) -> Self:
        r.reserved(1, "SAKKE-to-self Next payload")
        return cls(sakke=SakkePayload.decode_fields(r))

    def encode(self, w: Writer) -> None:
        w.uint8(PayloadType.LAST)
        self.sakke.encode_fields(w)


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreeGppKeyParameters(GeneralExtensionContent):
    """3GPP key parameters: the encrypted parameters of the distributed key, opaque.

    3GPP TS 33.180 Annex E.6.1: the Data field is a Protected Payload (encrypted with the
    key the MIKEY-SAKKE message carries) around a "Key Parameters" information element.
    The Protected Payload's outer layout is release-dependent (TS 33.179 E.6.8 in Release
    13, the MCData Protected Payload message of TS 33.180 §8.5.4 from later releases) and
    its inside needs the key, so the wire layer keeps the bytes as they are.
    """

    ext_type = GeneralExtType.THREE_GPP_KEY_PARAMETERS
    protected_payload: bytes

    def __post_init__(self) -> None:
        check_length(self.protected_payload, 16, "3GPP key parameters data")

    @classmethod
    def decode(cls, r: Reader) -> Self:
        return cls(protected_payload=r.take(r.remaining, "3GPP key parameters data"))

    def encode(self, w: Writer) -> None:
        w.raw(self.protected_payload)


_CONTENT_TYPES: dict[int, type[GeneralExtensionContent]] = {
    content.ext_type: content
    for content in (
        VendorId,
        SdpIds,
        TeslaIKey,
        KeyIdInformation,
        CsbId,
        OmaBcast,
        SakkeToSelf,
        ThreeGppKeyParameters,
    )
}


def _decode_content(ext_type: int, r: Reader) -> GeneralExtensionContent | None:
    """The typed Data field for a registered type (all of ``r``), or None if unregistered."""
    content_type = _CONTENT_TYPES.get(ext_type)
    if content_type is None:
        return None
    content = content_type.decode(r)
    r.expect_end(f"{content_type.ext_type.label} data")
    return content


def decode_extension_data(
    ext_type: GeneralExtType | int, data: bytes
) -> GeneralExtensionContent | bytes:
    """The typed view of a General Extension's Data field; ``data`` itself if unregistered.

    :raises MikeyParseError: ``data`` does not follow the layout of ``ext_type``; its
        ``offset`` counts from the first byte of the Data field.
    """
    content = _decode_content(ext_type, Reader(data, payload=PayloadType.GENERAL_EXT.label))
    return data if content is None else content


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralExtensionPayload(Payload):
    """General Ext.: a typed extension carried inside the signed part (RFC 3830 §6.15).

    ``data`` holds the Data field. For a registered ``ext_type`` it must follow that
    type's layout (build one with ``from_content``); other types, unassigned or private
    use, are carried as bytes.
    """

    payload_type = PayloadType.GENERAL_EXT
    ext_type: GeneralExtType | int
    data: bytes

    def __post_init__(self) -> None:
        check_uint(self.ext_type, 8, "Type")
        check_length(self.data, 16, "Data")
        try:
            decode_extension_data(self.ext_type, self.data)
        except MikeyParseError as exc:
            raise MikeyValueError(
                f"{label_of(self.ext_type, GeneralExtType)} data, byte {exc.offset}: {exc.what}"
            ) from exc

    @classmethod
    def from_content(cls, content: GeneralExtensionContent) -> Self:
        """The payload carrying ``content`` under its registered type."""
        return cls(ext_type=content.ext_type, data=content.to_bytes())

    @property
    def content(self) -> GeneralExtensionContent | bytes:
        """The typed view of ``data``, or the bytes themselves for an unregistered type.

        The constructor has checked ``data``, so this does not fail.
        """
        return decode_extension_data(self.ext_type, self.data)

    # RFC 3830 §6.15:
    # ! Next payload  ! Type          ! Length                        !
    # ! Data                                                          ~
    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        ext_type = r.enum_or_int(GeneralExtType, "Type")
        length = r.uint16("Length")
        data = r.child(length, "Data")
        content = _decode_content(ext_type, data)
        if content is None:
            return cls(ext_type=ext_type, data=data.take(length, "Data")), next_type
        # Registered types are stored as re-encoded: under STRICT that is the received
        # bytes; under a lenient profile tolerated deviations come back normalised.
        return cls(ext_type=ext_type, data=content.to_bytes()), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        w.uint8(self.ext_type)
        w.uint16(len(self.data))
        w.raw(self.data)
