"""The Common Header payload (HDR) and its CS ID maps.

RFC 3830 §6.1 (HDR) and §6.1.1 (SRTP-ID map), RFC 4563 §5 (Empty map), RFC 6043 §6.1
(PRF-HMAC-SHA-256, data types 11-18) and §6.1.1 (GENERIC-ID map).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Self

from mikey.errors import MikeyValueError
from mikey.registry import MIKEY_VERSION, CsIdMapType, DataType, PayloadType, PrfFunc, ProtType
from mikey.wire.buffer import Reader, Writer, check_length, check_uint
from mikey.wire.payload import trusted

__all__ = [
    "CommonHeader",
    "CsIdMap",
    "EmptyMap",
    "GenericIdEntry",
    "GenericIdMap",
    "SrtpIdEntry",
    "SrtpIdMap",
    "SrtpSessionData",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SrtpIdEntry:
    """One crypto session of an SRTP-ID map (RFC 3830 §6.1.1); CS ID = its index + 1.

    An SSRC of 0 is a placeholder the Responder fills in (RFC 3830 §6.1.1).
    """

    policy_no: int
    ssrc: int
    roc: int = 0

    def __post_init__(self) -> None:
        check_uint(self.policy_no, 8, "Policy_no")
        check_uint(self.ssrc, 32, "SSRC")
        check_uint(self.roc, 32, "ROC")


_SRTP_ID_ENTRY = struct.Struct(">BII")  # RFC 3830 §6.1.1: Policy_no, SSRC, ROC


@dataclass(frozen=True, slots=True, kw_only=True)
class SrtpIdMap:
    """CS ID map type SRTP-ID: #CS entries of policy number, SSRC and ROC (RFC 3830 §6.1.1)."""

    entries: tuple[SrtpIdEntry, ...] = ()
    map_type = CsIdMapType.SRTP_ID

    @property
    def cs_count(self) -> int:
        return len(self.entries)

    @classmethod
    def decode(cls, r: Reader, cs_count: int) -> Self:
        if r.remaining < 9 * cs_count:
            r.fail(f"CS ID map info: #CS={cs_count} needs {9 * cs_count} bytes, {r.remaining} left")
        # 8- and 32-bit fields read whole: SrtpIdEntry's range checks cannot fail.
        entries = []
        make_entry = trusted(SrtpIdEntry)
        for _ in range(cs_count):
            policy_no, ssrc, roc = r.unpack(_SRTP_ID_ENTRY, "Policy_no / SSRC / ROC")
            entries.append(make_entry(policy_no=policy_no, ssrc=ssrc, roc=roc))
        return cls(entries=tuple(entries))

    def encode(self, w: Writer) -> None:
        for entry in self.entries:
            w.uint8(entry.policy_no)
            w.uint32(entry.ssrc)
            w.uint32(entry.roc)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmptyMap:
    """CS ID map type Empty map: no map info; policy travels outside MIKEY (RFC 4563 §5)."""

    cs_count: int = 0
    map_type = CsIdMapType.EMPTY

    def __post_init__(self) -> None:
        check_uint(self.cs_count, 8, "#CS")

    @classmethod
    def decode(cls, r: Reader, cs_count: int) -> Self:
        return cls(cs_count=cs_count)

    def encode(self, w: Writer) -> None:
        pass


@dataclass(frozen=True, slots=True, kw_only=True)
class SrtpSessionData:
    """GENERIC-ID session data for Prot type SRTP (RFC 6043 §6.1.1): SSRC, [ROC, SEQ].

    ROC and SEQ are present together, signalled by the entry's S flag.
    """

    ssrc: int
    roc: int | None = None
    seq: int | None = None

    def __post_init__(self) -> None:
        check_uint(self.ssrc, 32, "SSRC")
        if (self.roc is None) != (self.seq is None):
            raise MikeyValueError("SRTP session data carries ROC and SEQ together or neither")
        if self.roc is not None and self.seq is not None:
            check_uint(self.roc, 32, "ROC")
            check_uint(self.seq, 16, "SEQ")

    def encode(self) -> bytes:
        w = Writer()
        w.uint32(self.ssrc)
        if self.roc is not None and self.seq is not None:
            w.uint32(self.roc)
            w.uint16(self.seq)
        return w.getvalue()


@dataclass(frozen=True, slots=True, kw_only=True)
class GenericIdEntry:
    """One crypto session of a GENERIC-ID map (RFC 6043 §6.1.1).

    ``session_data`` is kept as bytes; for Prot type SRTP it is empty or an encoded
    ``SrtpSessionData`` whose length agrees with the S flag (checked on decode), and
    ``srtp_session_data`` reads it.
    """

    cs_id: int
    prot_type: ProtType | int
    s_flag: bool = False
    policy_nos: tuple[int, ...] = ()
    session_data: bytes = b""
    spi: bytes = b""

    def __post_init__(self) -> None:
        check_uint(self.cs_id, 8, "CS ID")
        check_uint(self.prot_type, 8, "Prot type")
        check_uint(len(self.policy_nos), 7, "#P")
        for policy_no in self.policy_nos:
            check_uint(policy_no, 8, "Policy_no")
        check_length(self.session_data, 16, "Session Data")
        check_length(self.spi, 8, "SPI")
        if self.prot_type == ProtType.SRTP and self.session_data:
            expected = 10 if self.s_flag else 4
            if len(self.session_data) != expected:
                raise MikeyValueError(
                    f"SRTP session data with S={int(self.s_flag)} is {expected} bytes,"
                    f" got {len(self.session_data)}"
                )

    @property
    def srtp_session_data(self) -> SrtpSessionData | None:
        """The SRTP session data, or None when omitted (allowed in an initial message)."""
        if self.prot_type != ProtType.SRTP:
            raise MikeyValueError("session data is SRTP session data only for Prot type SRTP")
        if not self.session_data:
            return None
        r = Reader(self.session_data, payload="GENERIC-ID session data")
        ssrc = r.uint32("SSRC")
        if not self.s_flag:
            return SrtpSessionData(ssrc=ssrc)
        return SrtpSessionData(ssrc=ssrc, roc=r.uint32("ROC"), seq=r.uint16("SEQ"))


@dataclass(frozen=True, slots=True, kw_only=True)
class GenericIdMap:
    """CS ID map type GENERIC-ID: one block per crypto session (RFC 6043 §6.1.1)."""

    entries: tuple[GenericIdEntry, ...] = ()
    map_type = CsIdMapType.GENERIC_ID

    @property
    def cs_count(self) -> int:
        return len(self.entries)

    @classmethod
    def decode(cls, r: Reader, cs_count: int) -> Self:
        entries = []
        for _ in range(cs_count):
            cs_id = r.uint8("CS ID")
            prot_type = r.enum_or_int(ProtType, "Prot type")
            s_and_count = r.uint8("S / #P")
            policy_nos = tuple(r.take(s_and_count & 0x7F, "Ps"))
            at = r.pos
            session_data = r.take(r.uint16("Session Data Length"), "Session Data")
            if prot_type == ProtType.SRTP and len(session_data) not in (
                0,
                10 if s_and_count & 0x80 else 4,
            ):
                r.fail(
                    f"Session Data: {len(session_data)} bytes is not SRTP session data"
                    f" with S={s_and_count >> 7}",
                    at,
                )
            spi = r.take(r.uint8("SPI Length"), "SPI")
            entries.append(
                GenericIdEntry(
                    cs_id=cs_id,
                    prot_type=prot_type,
                    s_flag=bool(s_and_count & 0x80),
                    policy_nos=policy_nos,
                    session_data=session_data,
                    spi=spi,
                )
            )
        return cls(entries=tuple(entries))

    def encode(self, w: Writer) -> None:
        for entry in self.entries:
            w.uint8(entry.cs_id)
            w.uint8(entry.prot_type)
            w.uint8(entry.s_flag << 7 | len(entry.policy_nos))
            w.raw(bytes(entry.policy_nos))
            w.uint16(len(entry.session_data))
            w.raw(entry.session_data)
            w.uint8(len(entry.spi))
            w.raw(entry.spi)


CsIdMap = SrtpIdMap | EmptyMap | GenericIdMap

_MAP_DECODERS: dict[CsIdMapType, type[SrtpIdMap] | type[EmptyMap] | type[GenericIdMap]] = {
    CsIdMapType.SRTP_ID: SrtpIdMap,
    CsIdMapType.EMPTY: EmptyMap,
    CsIdMapType.GENERIC_ID: GenericIdMap,
}


# RFC 3830 §6.1: version, data type, next payload, V | PRF func, CSB ID, #CS, map type.
_FIXED = struct.Struct(">BBBBIBB")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommonHeader:
    """HDR, always the first payload (RFC 3830 §6.1).

    Data types and PRFs that are not registered are kept as numbers so that a Responder
    can answer them with Invalid DT or Invalid PRF (RFC 3830 §6.12); #CS is the number
    of entries of ``cs_id_map``.
    """

    data_type: DataType | int
    csb_id: int
    cs_id_map: CsIdMap = EmptyMap()
    v: bool = False
    prf_func: PrfFunc | int = PrfFunc.MIKEY_1
    version: int = MIKEY_VERSION

    def __post_init__(self) -> None:
        if self.version != MIKEY_VERSION:
            raise MikeyValueError(f"MIKEY version must be {MIKEY_VERSION}, got {self.version}")
        check_uint(self.data_type, 8, "data type")
        check_uint(self.prf_func, 7, "PRF func")
        check_uint(self.csb_id, 32, "CSB ID")
        check_uint(self.cs_id_map.cs_count, 8, "#CS")

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        at = r.pos
        version, data_type, next_type, v_prf, csb_id, cs_count, map_type = r.unpack(
            _FIXED, "Common header (10 bytes)"
        )
        if version != MIKEY_VERSION:
            r.fail(f"version: {version} is not MIKEY version {MIKEY_VERSION}", at)
        cs_id_map_type = r.enum(CsIdMapType, "CS ID map type", map_type, at + 9)
        # Every field was read from a field of its own width: the checks cannot fail.
        header = trusted(cls)(
            version=version,
            data_type=r.enum_or_int(DataType, "data type", data_type),
            csb_id=csb_id,
            v=bool(v_prf & 0x80),
            prf_func=r.enum_or_int(PrfFunc, "PRF func", v_prf & 0x7F),
            cs_id_map=_MAP_DECODERS[cs_id_map_type].decode(r, cs_count),
        )
        return header, r.enum(PayloadType, "next payload", next_type, at + 2)

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(self.version)
        w.uint8(self.data_type)
        w.uint8(next_type)
        w.uint8(self.v << 7 | self.prf_func)
        w.uint32(self.csb_id)
        w.uint8(self.cs_id_map.cs_count)
        w.uint8(self.cs_id_map.map_type)
        self.cs_id_map.encode(w)
