"""A readable tree of every field of a decoded message, for people and for JSON.

Each payload becomes a node with its offset and length in the message, and one child per
field of its RFC figure, in wire order and with its own offset and length: derived fields
(Next payload, the length fields) included, registry numbers named after the IANA
registries, bit fields sharing the offset of their bytes. Where the wire format hides
structure it is decoded too: the key data sub-payloads of a NULL-encrypted KEMAC (RFC 3830
§6.13, §6.14), SRTP and TESLA policy parameters (RFC 3830 §6.10.1, RFC 4442 §4.2),
timestamps as times (§6.6), certificates (§6.7), General Extension contents (§6.15 and its
extensions), the Ticket Policy flags and the payload chains in TP Data and Initiator Data
(RFC 6043 §6.10), ECCSI signatures (RFC 6507 §3.3) and SAKKE Encapsulated Data (RFC 6508
§4). Hints point at what real peers get wrong, such as a Windows FILETIME in an NTP-UTC
timestamp.

The wire layer reads no clock: timestamps and certificate validity are checked against the
``now`` the caller passes, if any.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mikey.errors import MikeyError, MikeyParseError, MikeyValueError
from mikey.registry import (
    CacheIndicator,
    CertType,
    CsIdMapType,
    DataType,
    DhGroup,
    EncrAlg,
    ErrorNo,
    FecOrder,
    GeneralExtType,
    HashFunc,
    IdRole,
    IdScheme,
    IdType,
    KeyDataType,
    KeyIdType,
    KvType,
    MacAlg,
    OmaBcastDataSubtype,
    PayloadType,
    PrfFunc,
    ProtType,
    RandRole,
    Registry,
    SakkeParams,
    SrtpAuthAlg,
    SrtpEncrAlg,
    SrtpParam,
    SrtpPrf,
    SType,
    TicketType,
    TsRole,
    TsType,
    label_of,
)
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
    ntp_to_datetime,
)
from mikey.wire.buffer import Reader
from mikey.wire.extension import (
    KEY_ID_PRIVATE_USE,
    OMA_BCAST_PRIVATE_USE,
    CsbId,
    GeneralExtensionPayload,
    KeyIdInformation,
    OmaBcast,
    SakkeToSelf,
    SdpIds,
    TeslaIKey,
    ThreeGppKeyParameters,
    VendorId,
)
from mikey.wire.header import (
    CommonHeader,
    EmptyMap,
    GenericIdEntry,
    GenericIdMap,
    SrtpIdEntry,
    SrtpIdMap,
)
from mikey.wire.ibake import EncryptedSecretKeyPayload, IbakePayload
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, KeyValidity
from mikey.wire.message import Message
from mikey.wire.payload import Payload
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.rules import PAYLOAD_CLASSES, kemac_first_sub_payload
from mikey.wire.sakke import SAKKE_PRIVATE_USE, SakkePayload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["Node", "describe"]


@dataclass(frozen=True, slots=True)
class Node:
    """One field or structure: ``value`` is machine-readable, ``text`` is for people.

    ``offset`` and ``length`` locate the node's bytes in the message; bit fields share the
    offset and length of the bytes that hold them, and interpretations of a field (a
    certificate's subject, a ticket flag) have none.
    """

    name: str
    value: int | str | bool | None = None
    text: str = ""
    offset: int | None = None
    length: int | None = None
    children: tuple[Node, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.value is not None:
            out["value"] = self.value
        if self.text:
            out["text"] = self.text
        if self.offset is not None:
            out["offset"] = self.offset
            out["length"] = self.length
        if self.children:
            out["children"] = [child.to_json() for child in self.children]
        return out


@dataclass(frozen=True, slots=True)
class _Context:
    now: datetime | None
    hex_limit: int | None
    kemac_first: PayloadType


# ---------------------------------------------------------------------------------------
# Text helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "ms" else f"{n} {word}s"


def _hex(data: bytes, limit: int | None) -> str:
    if not data:
        return "(empty)"
    if limit is not None and len(data) > limit:
        shown = f"{data[: limit // 2].hex()}…{data[-8:].hex()}"
    else:
        shown = data.hex()
    return f"{shown} ({_plural(len(data), 'byte')})"


def _hex32(value: int) -> str:
    return f"{value:#010x} ({value})"


def _registry_text(value: int, registry: type[Registry], private: range | None = None) -> str:
    value = int(value)  # a member's str() is its label
    member = registry._value2member_map_.get(value)
    if isinstance(member, Registry):
        return f"{member.label} ({value})"
    if private is not None and value in private:
        return f"private use ({value})"
    return f"unassigned ({value})"


def _registry_node(
    name: str, value: int, registry: type[Registry], private: range | None = None
) -> Node:
    return Node(name, int(value), _registry_text(int(value), registry, private))


def _text_of(data: bytes) -> str | None:
    """``data`` as text if it is printable UTF-8, allowing one C string terminator."""
    body = data[:-1] if data.endswith(b"\x00") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text and text.isprintable() else None


def _identity_text(data: bytes, id_type: int) -> str:
    text = _text_of(data)
    if text is None:
        note = (
            " — binary, though the ID type says text" if id_type in (IdType.NAI, IdType.URI) else ""
        )
        return f"{data.hex()} ({_plural(len(data), 'byte')}{note})"
    nul = " + NUL terminator" if data.endswith(b"\x00") else ""
    return f"{text!r}{nul} ({_plural(len(data), 'byte')})"


# ---------------------------------------------------------------------------------------
# Times (RFC 3830 §6.6, RFC 6043 §6.4)

_EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=UTC)
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _plausible(when: datetime, now: datetime | None) -> bool:
    return when >= _EARLIEST_PLAUSIBLE and (now is None or when <= now + timedelta(days=365))


def _guesses(value: int, ts_type: TsType) -> Iterator[tuple[str, Callable[[], datetime]]]:
    """What an implausible TS value may have meant: mistakes real senders make."""
    if ts_type.value_length == 4:
        yield "Unix time", lambda: _UNIX_EPOCH + timedelta(seconds=value)
        return
    seconds, fraction = value >> 32, value & 0xFFFFFFFF
    yield (
        "a Windows FILETIME (100 ns since 1601)",
        lambda: _FILETIME_EPOCH + timedelta(microseconds=value // 10),
    )
    if seconds == 0:
        yield (
            "NTP seconds in the low (fraction) word",
            lambda: ntp_to_datetime(fraction, TsType.NTP_UTC_32),
        )
    yield "Unix time in the seconds word", lambda: _UNIX_EPOCH + timedelta(seconds=seconds)
    yield "Unix time in milliseconds", lambda: _UNIX_EPOCH + timedelta(milliseconds=value)
    yield "Unix time in microseconds", lambda: _UNIX_EPOCH + timedelta(microseconds=value)


def _time(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S.%f}" if when.microsecond else f"{when:%Y-%m-%d %H:%M:%S}"


def _time_parts(ts_type: TsType, value: int, now: datetime | None) -> tuple[str, str]:
    """A TS value as a time, and a hint if the time is implausible (else "")."""
    if ts_type is TsType.COUNTER:
        return f"counter {value}", ""
    when = ntp_to_datetime(value, ts_type)
    zone = "local time of the sender" if ts_type is TsType.NTP else "UTC"
    text = f"{_time(when)} {zone}"
    if _plausible(when, now):
        return text, ""
    for meaning, convert in _guesses(value, ts_type):
        try:
            guess = convert()
        except (OverflowError, ValueError):
            continue
        if _plausible(guess, now):
            return text, f"implausible time: looks like {meaning}: {_time(guess)} UTC"
    return text, "implausible time"


def _time_text(ts_type: TsType, value: int, now: datetime | None) -> str:
    text, hint = _time_parts(ts_type, value, now)
    return f"{text} — {hint}" if hint else text


# ---------------------------------------------------------------------------------------
# Laying out fields


class _Fields:
    """The children of one structure, in wire order, from absolute offset ``base``.

    ``raw`` holds the structure's bytes as received, for fields the dataclasses do not keep
    (reserved bits).
    """

    def __init__(self, raw: bytes, base: int, ctx: _Context) -> None:
        self.raw = raw
        self.base = base
        self.ctx = ctx
        self.at = 0
        self.nodes: list[Node] = []

    @property
    def pos(self) -> int:
        """Absolute offset of the next field."""
        return self.base + self.at

    def nested(self) -> _Fields:
        """Fields of a structure that starts here."""
        return _Fields(self.raw[self.at :], self.pos, self.ctx)

    def peek(self, size: int) -> int:
        return int.from_bytes(self.raw[self.at : self.at + size])

    def put(self, node: Node, size: int) -> None:
        self.nodes.append(replace(node, offset=self.pos, length=size))
        self.at += size

    def shared(self, size: int, *nodes: Node) -> None:
        """Bit fields that share ``size`` bytes."""
        for node in nodes:
            self.nodes.append(replace(node, offset=self.pos, length=size))
        self.at += size

    def group(self, name: str, text: str, sub: _Fields, value: str | None = None) -> None:
        """A structure whose fields ``sub`` (from ``nested()``) laid out."""
        self.put(Node(name, value, text, children=tuple(sub.nodes)), sub.at)

    def number(self, name: str, size: int, value: int, text: str | None = None) -> None:
        value = int(value)
        self.put(Node(name, value, str(value) if text is None else text), size)

    def length(self, name: str, size: int, value: int, unit: str = "byte") -> None:
        self.put(Node(name, value, _plural(value, unit)), size)

    def registry(
        self,
        name: str,
        size: int,
        value: int,
        registry: type[Registry],
        private: range | None = None,
    ) -> None:
        self.put(_registry_node(name, value, registry, private), size)

    def data(
        self, name: str, data: bytes, text: str | None = None, children: tuple[Node, ...] = ()
    ) -> None:
        shown = _hex(data, self.ctx.hex_limit)
        self.put(
            Node(name, data.hex(), shown if text is None else text, children=children), len(data)
        )

    def reserved(self, name: str, size: int) -> None:
        value = self.peek(size)
        note = "" if value == 0 else " — must be zero"
        self.put(Node(name, value, f"{value:#0{2 + 2 * size}x}{note}"), size)

    def next_payload(self, kind: PayloadType) -> None:
        self.registry("Next payload", 1, kind, PayloadType)


# ---------------------------------------------------------------------------------------
# Common header and CS ID maps (RFC 3830 §6.1, §6.1.1, RFC 4563 §5, RFC 6043 §6.1.1)


def _srtp_id_entry(index: int, entry: SrtpIdEntry, f: _Fields) -> None:
    sub = f.nested()
    sub.number("Policy_no", 1, entry.policy_no)
    sub.number("SSRC", 4, entry.ssrc, _hex32(entry.ssrc))
    sub.number("ROC", 4, entry.roc, _hex32(entry.roc))
    text = f"policy {entry.policy_no}, SSRC {entry.ssrc:#010x}, ROC {entry.roc}"
    f.group(f"Crypto session {index}", text, sub)


def _generic_id_entry(entry: GenericIdEntry, f: _Fields) -> None:
    sub = f.nested()
    sub.number("CS ID", 1, entry.cs_id)
    sub.registry("Prot type", 1, entry.prot_type, ProtType)
    s_text = "1 (ROC and SEQ present)" if entry.s_flag else "0"
    sub.shared(
        1,
        Node("S", entry.s_flag, s_text),
        Node("#P", len(entry.policy_nos), str(len(entry.policy_nos))),
    )
    policies = sub.nested()
    for policy_no in entry.policy_nos:
        policies.number("Policy_no", 1, policy_no)
    listed = ", ".join(map(str, entry.policy_nos)) or "none"
    sub.group("Ps", listed, policies)
    sub.length("Session Data Length", 2, len(entry.session_data))
    session = sub.nested()
    summary = ""
    if entry.prot_type == ProtType.SRTP and entry.session_data:
        try:
            srtp = entry.srtp_session_data
        except MikeyError:
            srtp = None
        if srtp is not None:
            session.number("SSRC", 4, srtp.ssrc, _hex32(srtp.ssrc))
            summary = f"SSRC {srtp.ssrc:#010x}"
            if srtp.roc is not None and srtp.seq is not None:
                session.number("ROC", 4, srtp.roc, _hex32(srtp.roc))
                session.number("SEQ", 2, srtp.seq)
                summary += f", ROC {srtp.roc}, SEQ {srtp.seq}"
    if session.nodes:
        sub.group("Session Data", summary, session, entry.session_data.hex())
    else:
        sub.data("Session Data", entry.session_data)
    sub.length("SPI Length", 1, len(entry.spi))
    sub.data("SPI", entry.spi)
    text = f"{label_of(entry.prot_type, ProtType)}, policies {listed}"
    f.group(f"Crypto session {entry.cs_id}", text + (f", {summary}" if summary else ""), sub)


def _header(h: CommonHeader, next_type: PayloadType, f: _Fields) -> str:
    cs_map = h.cs_id_map
    f.number("Version", 1, h.version)
    f.registry("Data type", 1, h.data_type, DataType)
    f.next_payload(next_type)
    v_text = f"{int(h.v)} ({'response expected' if h.v else 'no response expected'})"
    f.shared(1, Node("V", h.v, v_text), _registry_node("PRF func", h.prf_func, PrfFunc))
    f.number("CSB ID", 4, h.csb_id, _hex32(h.csb_id))
    f.number("#CS", 1, cs_map.cs_count)
    f.registry("CS ID map type", 1, cs_map.map_type, CsIdMapType)
    info = f.nested()
    if isinstance(cs_map, SrtpIdMap):
        for index, srtp_entry in enumerate(cs_map.entries, 1):
            _srtp_id_entry(index, srtp_entry, info)
    elif isinstance(cs_map, GenericIdMap):
        for generic_entry in cs_map.entries:
            _generic_id_entry(generic_entry, info)
    sessions = _plural(cs_map.cs_count, "crypto session")
    empty = (
        " (Empty map: policies are signalled outside MIKEY)" if isinstance(cs_map, EmptyMap) else ""
    )
    f.group("CS ID map info", sessions + empty if info.nodes or empty else "none", info)
    return f"{label_of(h.data_type, DataType)}, CSB ID {h.csb_id:#010x}, {sessions}"


# ---------------------------------------------------------------------------------------
# KEMAC, key data, key validity (RFC 3830 §6.2, §6.13, §6.14)

# Keys without a salt field whose length is a master key and a master salt back to back,
# as ONVIF (and GStreamer) send SRTP keys in a TEK (RFC 3711 §8.2, RFC 7714 §11).
_KEY_SALT_SPLITS = {30: (16, 14), 46: (32, 14), 38: (24, 14), 28: (16, 12), 44: (32, 12)}


def _srtp_index(data: bytes) -> str:
    if len(data) != 6:
        return _hex(data, None)
    index = int.from_bytes(data)
    return f"{data.hex()} (SRTP index {index}: ROC {index >> 16}, SEQ {index & 0xFFFF})"


def _validity(validity: KeyValidity, f: _Fields) -> str:
    sub = f.nested()
    if validity is None:
        f.group("KV data", "none (KV Null)", sub)
        return ""
    if isinstance(validity, IntervalValidity):
        sub.length("VF Length", 1, len(validity.valid_from))
        sub.data("Valid From", validity.valid_from, _srtp_index(validity.valid_from))
        sub.length("VT Length", 1, len(validity.valid_to))
        sub.data("Valid To", validity.valid_to, _srtp_index(validity.valid_to))
        text = f"interval {validity.valid_from.hex()} to {validity.valid_to.hex()}"
    else:
        sub.length("SPI Length", 1, len(validity.spi))
        sub.data("SPI", validity.spi, f"{_hex(validity.spi, None)} (SPI, or MKI for SRTP)")
        text = f"SPI/MKI {validity.spi.hex()}"
    f.group("KV data", text, sub)
    return text


def _key_data(p: KeyDataSubPayload, f: _Fields) -> str:
    f.shared(
        1,
        _registry_node("Type", p.key_type, KeyDataType),
        _registry_node("KV", p.kv_type, KvType),
    )
    f.length("Key data len", 2, len(p.key))
    text = _hex(p.key, f.ctx.hex_limit)
    split = _KEY_SALT_SPLITS.get(len(p.key))
    if p.salt is None and split is not None and p.key_type in (KeyDataType.TEK, KeyDataType.TGK):
        text += (
            f" — looks like a {split[0]}-byte master key || {split[1]}-byte master salt"
            f" (as ONVIF sends SRTP keys)"
        )
    f.data("Key data", p.key, text)
    if p.salt is not None:
        f.length("Salt len", 2, len(p.salt))
        f.data("Salt data", p.salt)
    validity = _validity(p.validity, f)
    salt = f" + {len(p.salt)}-byte salt" if p.salt is not None else ""
    return f"{p.key_type.label}, {len(p.key)}-byte key{salt}" + (
        f", {validity}" if validity else ""
    )


def _kemac(p: KemacPayload, f: _Fields) -> str:
    f.registry("Encr alg", 1, p.encr_alg, EncrAlg)
    f.length("Encr data len", 2, len(p.encr_data))
    children: tuple[Node, ...] = ()
    if p.encr_alg == EncrAlg.NULL:
        children = _chain(p.encr_data, f.pos, f.ctx, first=f.ctx.kemac_first, what="Encr data")
        text = f"in clear (Encr alg NULL): {_plural(len(children), 'sub-payload')}"
        if not p.encr_data:
            text = "(empty: no keys)"
    else:
        text = (
            f"{_hex(p.encr_data, f.ctx.hex_limit)} — encrypted with"
            f" {label_of(p.encr_alg, EncrAlg)}: decrypting needs the key"
        )
    f.data("Encr data", p.encr_data, text, children)
    f.registry("MAC alg", 1, p.mac_alg, MacAlg)
    f.data("MAC", p.mac)
    keys = f", {_plural(len(children), 'sub-payload')} in clear" if children else ""
    return f"{label_of(p.encr_alg, EncrAlg)}, MAC {p.mac_alg.label}{keys}"


# ---------------------------------------------------------------------------------------
# PKE, DH, SIGN, CHASH (RFC 3830 §6.3-6.5, §6.8; RFC 6509 §4.1, RFC 6507 §3.3)


def _pke(p: EnvelopePayload, f: _Fields) -> str:
    f.shared(
        2,
        _registry_node("C", p.cache, CacheIndicator),
        Node("Data len", len(p.data), _plural(len(p.data), "byte")),
    )
    f.data("Data", p.data)
    return f"{_plural(len(p.data), 'byte')}, {label_of(p.cache, CacheIndicator)}"


def _dh(p: DhPayload, f: _Fields) -> str:
    f.registry("DH-Group", 1, p.dh_group, DhGroup)
    f.data("DH-value", p.dh_value)
    reserved = f.peek(1) >> 4
    f.shared(
        1,
        Node("Reserv", reserved, f"{reserved:#x}" + (" — must be zero" if reserved else "")),
        _registry_node("KV", p.kv_type, KvType),
    )
    _validity(p.validity, f)
    return p.dh_group.label


# RFC 6507 §3.3: Signature = r || s || PVT, r and s N = 32 octets, PVT an uncompressed
# point of 2N + 1 octets (P-256, RFC 6509 §4.1).
_ECCSI_PARTS = (("r", 32), ("s", 32), ("PVT", 65))


def _sign(p: SignaturePayload, f: _Fields) -> str:
    f.shared(
        2,
        _registry_node("S type", p.s_type, SType),
        Node("Signature len", len(p.signature), _plural(len(p.signature), "byte")),
    )
    children: list[Node] = []
    if p.s_type == SType.ECCSI and len(p.signature) == 129 and p.signature[64] == 0x04:
        parts = f.nested()
        for name, size in _ECCSI_PARTS:
            part = p.signature[parts.at : parts.at + size]
            parts.put(Node(name, part.hex(), _hex(part, f.ctx.hex_limit)), size)
        children = parts.nodes
    f.data("Signature", p.signature, children=tuple(children))
    return f"{label_of(p.s_type, SType)}, {_plural(len(p.signature), 'byte')}"


def _chash(p: CertHashPayload, f: _Fields) -> str:
    f.registry("Hash func", 1, p.hash_func, HashFunc)
    f.data("Hash", p.hash)
    return p.hash_func.label


# ---------------------------------------------------------------------------------------
# T, ID, CERT, V, RAND, ERR (RFC 3830 §6.6, §6.7, §6.9, §6.11, §6.12)


def _ts_value(name: str, ts_type: TsType, value: int, text: str) -> Node:
    return Node(name, value, f"{text}  [raw {value:0{2 * ts_type.value_length}x}]")


def _timestamp(p: TimestampPayload, f: _Fields) -> str:
    f.registry("TS type", 1, p.ts_type, TsType)
    text, hint = _time_parts(p.ts_type, p.value, f.ctx.now)
    shown = f"{text} — {hint}" if hint else text
    f.put(_ts_value("TS value", p.ts_type, p.value, shown), p.ts_type.value_length)
    return f"{p.ts_type.label}: {text}" + (" — implausible time" if hint else "")


def _id(p: IdPayload, f: _Fields) -> str:
    f.registry("ID type", 1, p.id_type, IdType)
    f.length("ID len", 2, len(p.data))
    text = _identity_text(p.data, p.id_type)
    f.data("ID data", p.data, text)
    return text


def _x509(data: bytes, now: datetime | None) -> tuple[str, tuple[Node, ...]]:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        cert = x509.load_der_x509_certificate(data)
    except ValueError:
        return "not a DER X.509 certificate", ()
    try:
        return _x509_details(cert, now)
    except (ValueError, x509.InvalidVersion, UnsupportedAlgorithm) as exc:
        return f"X.509 certificate, partly unreadable: {exc}", ()


def _x509_details(cert: x509.Certificate, now: datetime | None) -> tuple[str, tuple[Node, ...]]:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    validity = f"{before:%Y-%m-%d %H:%M:%S} to {after:%Y-%m-%d %H:%M:%S} UTC"
    if now is not None and not before <= now <= after:
        validity += " — expired" if now > after else " — not yet valid"
    try:
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key_text = f"RSA {key.key_size} bits"
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key_text = f"EC {key.curve.name}"
        else:
            key_text = type(key).__name__.removesuffix("PublicKey")
    except (ValueError, UnsupportedAlgorithm):
        key_text = "not readable"
    try:
        extensions = ", ".join(
            ext.oid._name + (" (critical)" if ext.critical else "") for ext in cert.extensions
        )
    except ValueError as exc:
        extensions = f"not readable ({exc})"
    nodes = (
        Node("version", cert.version.name, cert.version.name),
        Node("serial", str(cert.serial_number), hex(cert.serial_number)),
        Node("signature algorithm", None, cert.signature_algorithm_oid._name),
        Node("issuer", issuer, issuer),
        Node("validity", None, validity),
        Node("subject", subject, subject),
        Node("public key", None, key_text),
        Node("extensions", None, extensions or "none"),
        Node("SHA-256 fingerprint", None, cert.fingerprint(hashes.SHA256()).hex(":")),
    )
    return f"X.509 certificate of {subject or '(empty subject)'}", nodes


def _cert(p: CertPayload, f: _Fields) -> str:
    f.registry("Cert type", 1, p.cert_type, CertType)
    f.length("Cert len", 2, len(p.data))
    if p.cert_type == CertType.X509V3_URL:
        summary = _identity_text(p.data, IdType.URI)
        children: tuple[Node, ...] = ()
    else:
        summary, children = _x509(p.data, f.ctx.now)
    f.data("Certificate data", p.data, f"{_hex(p.data, f.ctx.hex_limit)}: {summary}", children)
    return f"{label_of(p.cert_type, CertType)}: {summary}"


def _verification(p: VerificationPayload, f: _Fields) -> str:
    f.registry("Auth alg", 1, p.auth_alg, MacAlg)
    f.data("Ver data", p.ver_data)
    return p.auth_alg.label


def _rand(p: RandPayload, f: _Fields) -> str:
    f.length("RAND len", 1, len(p.rand))
    text = _hex(p.rand, f.ctx.hex_limit)
    if len(p.rand) < 16:
        text += " — RFC 3830 §6.11: SHOULD be at least 16 bytes"
    f.data("RAND", p.rand, text)
    return _plural(len(p.rand), "byte")


def _error(p: ErrorPayload, f: _Fields) -> str:
    f.registry("Error no", 1, p.error_no, ErrorNo)
    f.reserved("Reserved", 2)
    return label_of(p.error_no, ErrorNo)


# ---------------------------------------------------------------------------------------
# SP: SRTP (RFC 3830 §6.10.1, RFC 4771, RFC 5748, RFC 7714) and TESLA (RFC 4442 §4.2)

_SRTP_REGISTRIES: dict[int, type[Registry]] = {
    SrtpParam.ENCRYPTION_ALGORITHM: SrtpEncrAlg,
    SrtpParam.AUTHENTICATION_ALGORITHM: SrtpAuthAlg,
    SrtpParam.SRTP_PRF: SrtpPrf,
    SrtpParam.FEC_ORDER: FecOrder,
    SrtpParam.SRTP_AUTH_ALGORITHM: SrtpAuthAlg,
    SrtpParam.SRTCP_AUTH_ALGORITHM: SrtpAuthAlg,
}
_SRTP_FLAGS = {SrtpParam.SRTP_ENCRYPTION, SrtpParam.SRTCP_ENCRYPTION, SrtpParam.SRTP_AUTHENTICATION}
_SRTP_LENGTHS = {
    SrtpParam.SESSION_ENCR_KEY_LENGTH,
    SrtpParam.SESSION_AUTH_KEY_LENGTH,
    SrtpParam.SESSION_SALT_KEY_LENGTH,
    SrtpParam.AUTH_TAG_LENGTH,
    SrtpParam.SRTP_PREFIX_LENGTH,
    SrtpParam.SRTP_SESSION_AUTH_KEY_LENGTH,
    SrtpParam.SRTCP_SESSION_AUTH_KEY_LENGTH,
    SrtpParam.SRTP_AUTH_TAG_LENGTH,
    SrtpParam.SRTCP_AUTH_TAG_LENGTH,
    SrtpParam.AEAD_AUTH_TAG_LENGTH,
}

# RFC 4442 §4.2; the TESLA-PRF and TESLA-MAC registries (RFC 4442 §6) hold HMAC-SHA1 only.
_TESLA_PARAMS = {
    1: "PRF identifier for f and f'",
    2: "Length of PRF f' output",
    3: "Identifier for the TESLA MAC",
    4: "Length of TESLA MAC output",
    5: "Start of session",
    6: "Interval duration",
    7: "Key disclosure delay",
    8: "Key chain length",
    9: "Local timestamp media receiver",
}
_TESLA_FUNCTIONS = {0: "HMAC-SHA1"}
_TESLA_UNITS = {2: "bit", 4: "bit", 6: "ms", 7: "interval", 8: "interval"}


def _srtp_value(param: PolicyParam, sp: SecurityPolicyPayload) -> str:
    number, value = param.int_value, param.value
    kind = param.type
    if (registry := _SRTP_REGISTRIES.get(kind)) is not None:
        return _registry_text(number, registry)
    if kind in _SRTP_FLAGS:
        return {0: "off", 1: "on"}.get(number, f"{number} — neither 0 (off) nor 1 (on)")
    if kind in _SRTP_LENGTHS:
        text = _plural(number, "byte")
        auth = sp.get(SrtpParam.AUTHENTICATION_ALGORITHM)
        if (
            kind == SrtpParam.SESSION_AUTH_KEY_LENGTH
            and number in (4, 10)
            and auth in (None, bytes([SrtpAuthAlg.HMAC_SHA_1]))
            and sp.get(SrtpParam.AUTH_TAG_LENGTH) is None
        ):
            text += (
                f" — HMAC-SHA-1 keys are 20 bytes: {number} is the HMAC-SHA1-{8 * number}"
                " tag length (GStreamer writes it here)"
            )
        return text
    if kind == SrtpParam.KEY_DERIVATION_RATE:
        if number == 0:
            return "0 (keys derived once)"
        power = number.bit_length() - 1
        return f"{number} (2^{power})" if number == 1 << power else str(number)
    if kind == SrtpParam.ROC_TRANSMISSION_RATE and len(value) != 2:
        return f"{number} — RFC 4771 §4 defines a 16-bit integer"
    return str(number)


def _tesla_value(param: PolicyParam, now: datetime | None) -> str:
    number = param.int_value
    if param.type in (1, 3):
        name = _TESLA_FUNCTIONS.get(number)
        return f"{name} ({number})" if name else f"unassigned ({number})"
    if param.type in (5, 9) and len(param.value) == 8:
        return _time_text(TsType.NTP_UTC, number, now)
    unit = _TESLA_UNITS.get(param.type)
    return _plural(number, unit) if unit else str(number)


def _policy_param(param: PolicyParam, sp: SecurityPolicyPayload, now: datetime | None) -> Node:
    raw = param.value.hex() or "empty"
    number = int(param.type)  # a SrtpParam member's str() is its label
    name = "parameter"
    text = f"{param.int_value}" if param.value else "(empty)"
    if sp.prot_type == ProtType.SRTP:
        member = SrtpParam._value2member_map_.get(param.type)
        name = member.label if isinstance(member, Registry) else "unassigned parameter"
        if isinstance(member, Registry) and param.value and len(param.value) <= 8:
            text = _srtp_value(param, sp)
    elif sp.prot_type == ProtType.TESLA:
        name = _TESLA_PARAMS.get(param.type, "unassigned parameter")
        if param.type in _TESLA_PARAMS and param.value and len(param.value) <= 8:
            text = _tesla_value(param, now)
    if len(param.value) > 8:
        text = f"{len(param.value)}-byte value"
    return Node(f"{name} ({number})", param.value.hex(), f"{text}  [raw {raw}]")


def _security_policy(p: SecurityPolicyPayload, f: _Fields) -> str:
    f.number("Policy no", 1, p.policy_no)
    f.registry("Prot type", 1, p.prot_type, ProtType)
    f.length("Policy param length", 2, sum(2 + len(param.value) for param in p.params))
    params = f.nested()
    for param in p.params:
        params.put(_policy_param(param, p, f.ctx.now), 2 + len(param.value))
    protocol = label_of(p.prot_type, ProtType)
    f.group("Policy param", f"{_plural(len(p.params), 'parameter')} ({protocol})", params)
    return f"policy {p.policy_no}, {protocol}, {_plural(len(p.params), 'parameter')}"


# ---------------------------------------------------------------------------------------
# General Extension (RFC 3830 §6.15, RFC 4567, RFC 4442, RFC 4563, RFC 4738, RFC 4909,
# 3GPP TS 33.180 E.5, E.6)


def _extension_content(p: GeneralExtensionPayload, f: _Fields) -> tuple[str, tuple[Node, ...]]:
    try:
        content = p.content
    except MikeyError as exc:  # only if the payload was built around the constructor
        return f"does not follow its type's layout: {exc}", ()
    sub = f.nested()
    if isinstance(content, bytes | VendorId):
        data = content if isinstance(content, bytes) else content.data
        text = _text_of(data)
        shown = _hex(data, f.ctx.hex_limit)
        return (f"{text!r}: {shown}" if text else shown), ()
    if isinstance(content, SdpIds):
        return f"SDP key management protocols: {content.protocol_list}", ()
    if isinstance(content, TeslaIKey):
        return f"TESLA initial key {_hex(content.key, f.ctx.hex_limit)}", ()
    if isinstance(content, ThreeGppKeyParameters):
        return (
            f"{_hex(p.data, f.ctx.hex_limit)} — encrypted Protected Payload (TS 33.180 E.6):"
            " decrypting needs the key"
        ), ()
    if isinstance(content, KeyIdInformation):
        for key_id in content.key_ids:
            item = sub.nested()
            item.registry("Key ID Type", 1, key_id.key_id_type, KeyIdType, KEY_ID_PRIVATE_USE)
            item.length("Key ID Length", 1, len(key_id.key_id))
            item.data("Key ID", key_id.key_id)
            sub.group(
                "Key ID", _registry_text(key_id.key_id_type, KeyIdType, KEY_ID_PRIVATE_USE), item
            )
        text = _plural(len(content.key_ids), "Key ID")
    elif isinstance(content, CsbId):
        sub.number("CSB ID", 4, content.csb_id, _hex32(content.csb_id))
        text = f"Responder's CSB ID {content.csb_id:#010x}"
    elif isinstance(content, OmaBcast):
        sub.registry("Subtype", 1, content.subtype, OmaBcastDataSubtype, OMA_BCAST_PRIVATE_USE)
        sub.data("Subtype specific data", content.data)
        text = _registry_text(content.subtype, OmaBcastDataSubtype, OMA_BCAST_PRIVATE_USE)
    elif isinstance(content, SakkeToSelf):
        next_byte = sub.peek(1)
        note = "0 (set to zero and ignored)" if next_byte == 0 else f"{next_byte} — must be zero"
        sub.number("Next payload", 1, next_byte, note)
        text = "SAKKE to self: " + _sakke_fields(content.sakke, sub)
    else:
        return type(content).__name__, ()
    return text, tuple(sub.nodes)


def _general_extension(p: GeneralExtensionPayload, f: _Fields) -> str:
    f.registry("Type", 1, p.ext_type, GeneralExtType, range(241, 256))
    f.length("Length", 2, len(p.data))
    text, children = _extension_content(p, f)
    f.data("Data", p.data, text, children)
    return f"{_registry_text(p.ext_type, GeneralExtType, range(241, 256))}: {text}"


# ---------------------------------------------------------------------------------------
# SAKKE (RFC 6509 §4.2, RFC 6508 §4)

# RFC 6508 §4: Encapsulated Data = R_(b,S) as 0x04 || x || y (2L + 1 octets) || H (n/8
# octets); Parameter Set 1 (RFC 6509 Appendix A): L = 128, n = 128.
_SAKKE_PARTS: dict[int, tuple[tuple[str, int], ...]] = {
    SakkeParams.PARAMETER_SET_1: (("R_(b,S)", 257), ("H", 16))
}


def _sakke_fields(p: SakkePayload, f: _Fields) -> str:
    f.registry("SAKKE params", 1, p.sakke_params, SakkeParams, SAKKE_PRIVATE_USE)
    f.registry("ID scheme", 1, p.id_scheme, IdScheme, SAKKE_PRIVATE_USE)
    f.length("SAKKE data length", 2, len(p.sakke_data))
    parts = f.nested()
    layout = _SAKKE_PARTS.get(p.sakke_params, ())
    if sum(size for _, size in layout) == len(p.sakke_data):
        texts = {"R_(b,S)": "uncompressed point 0x04 || x || y", "H": "masked SSV"}
        for name, size in layout:
            part = p.sakke_data[parts.at : parts.at + size]
            parts.put(Node(name, part.hex(), f"{_hex(part, f.ctx.hex_limit)}: {texts[name]}"), size)
    f.data("SAKKE data", p.sakke_data, children=tuple(parts.nodes))
    return (
        f"{_registry_text(p.sakke_params, SakkeParams, SAKKE_PRIVATE_USE)},"
        f" ID scheme {_registry_text(p.id_scheme, IdScheme, SAKKE_PRIVATE_USE)}"
    )


# ---------------------------------------------------------------------------------------
# MIKEY-TICKET: TR, IDR, RANDR, TP, TICKET (RFC 6043 §6.4, §6.6, §6.8, §6.10)

_ROLE_PRIVATE_USE = range(240, 255)
_TICKET_TYPE_PRIVATE_USE = range(61440, 65535)

_FLAG_MEANINGS: dict[TicketFlag, tuple[str, str]] = {
    TicketFlag.D: ("the KMS generated the ticket", "the Initiator generated the ticket"),
    TicketFlag.E: ("Ticket Resolve is MANDATORY", "the Responder MAY resolve the ticket"),
    TicketFlag.F: ("TRANSFER_RESP SHALL be sent", "TRANSFER_RESP SHALL NOT be sent"),
    TicketFlag.G: (
        "the Responder SHALL generate RANDRr",
        "the Responder SHALL NOT generate RANDRr",
    ),
    TicketFlag.H: (
        "RANDRi SHALL be used to derive keys",
        "RANDRi SHALL NOT be used to derive keys",
    ),
    TicketFlag.I: ("key forking SHALL be used", "key forking SHALL NOT be used"),
    TicketFlag.J: ("the ticket MAY be reused and cached", "the ticket SHALL NOT be reused"),
    TicketFlag.K: ("the KMS changed the desired policy or KEMAC", "the KMS changed nothing"),
    TicketFlag.L: ("the Initiator MAY supply session keys", "the Initiator SHALL NOT supply keys"),
    TicketFlag.M: ("the Responder MAY supply session keys", "the Responder SHALL NOT supply keys"),
    TicketFlag.N: ("an RFC 6043 Initiator can send TRANSFER_INIT", "the Initiator needs more"),
    TicketFlag.O: ("an RFC 6043 Responder can process TRANSFER_INIT", "the Responder needs more"),
}


def _flags_node(policy: TicketPolicy) -> Node:
    children = tuple(
        Node(
            flag.name or "",
            bool(policy.flags & flag),
            f"{int(bool(policy.flags & flag))} ({meanings[0 if policy.flags & flag else 1]})",
        )
        for flag, meanings in _FLAG_MEANINGS.items()
    )
    names = " ".join(flag.name or "" for flag in _FLAG_MEANINGS if policy.flags & flag)
    text = f"{names or 'none set'} ({int(policy.flags):#05x})"
    if conflicts := policy.flag_conflicts():
        text += f" — breaks RFC 6043 §6.10: {', '.join(conflicts)}"
    return Node("Flags", int(policy.flags), text, children=children)


def _ticket_policy(policy: TicketPolicy, f: _Fields) -> None:
    sub = f.nested()
    sub.registry("Ticket Type", 2, policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)
    base_ticket = policy.ticket_type == TicketType.MIKEY_BASE_TICKET
    sub.number("Subtype", 1, policy.subtype)
    version_text = str(policy.version)
    if base_ticket and policy.subtype == 1 and policy.version == 1:
        version_text += " (Subtype 1, Version 1: the MIKEY Base Ticket of RFC 6043 Appendix A)"
    sub.number("Version", 1, policy.version, version_text)
    reserved = sub.peek(3) & 0x1F
    sub.shared(
        3,
        _registry_node("PRF Func", policy.prf_func, PrfFunc),
        _flags_node(policy),
        Node("Res", reserved, f"{reserved:#x}" + (" — must be zero" if reserved else "")),
    )
    sub.length("TP Data length", 2, len(policy.tp_data))
    children = _chain(policy.tp_data, sub.pos, f.ctx, first=None, what="TP Data")
    text = _chain_text(children) if policy.tp_data else "(empty)"
    sub.data("TP Data", policy.tp_data, text, children)
    ticket_type = _registry_text(policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)
    f.group("Ticket policy", ticket_type, sub)


def _ticket_policy_payload(p: TicketPolicyPayload, f: _Fields) -> str:
    _ticket_policy(p.policy, f)
    return _registry_text(p.policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)


def _ticket(p: TicketPayload, f: _Fields) -> str:
    _ticket_policy(p.policy, f)
    f.length("Ticket Data length", 2, len(p.ticket_data))
    text = _hex(p.ticket_data, f.ctx.hex_limit)
    if p.policy.ticket_type == TicketType.MIKEY_BASE_TICKET:
        text += " — THDR, T, RAND, KEMAC, [IDRpsk], V (RFC 6043 Appendix A), for the KMS"
    f.data("Ticket Data", p.ticket_data, text)
    f.length("Initiator Data length", 2, len(p.initiator_data))
    children = _chain(p.initiator_data, f.pos, f.ctx, first=None, what="Initiator Data")
    text = _chain_text(children) if p.initiator_data else "(empty: no key forking)"
    f.data("Initiator Data", p.initiator_data, text, children)
    return _registry_text(p.policy.ticket_type, TicketType, _TICKET_TYPE_PRIVATE_USE)


def _timestamp_role(p: TimestampRolePayload, f: _Fields) -> str:
    f.registry("TS Role", 1, p.ts_role, TsRole, _ROLE_PRIVATE_USE)
    f.registry("TS Type", 1, p.ts_type, TsType)
    if p.ts_role == TsRole.REKEYING_INTERVAL and p.ts_type is not TsType.COUNTER:
        seconds = p.value if p.ts_type is TsType.NTP_UTC_32 else p.value >> 32
        text = f"rekey at least every {_plural(seconds, 'second')}"
    else:
        text = _time_text(p.ts_type, p.value, f.ctx.now)
    f.put(_ts_value("TS Value", p.ts_type, p.value, text), p.ts_type.value_length)
    return f"{label_of(p.ts_role, TsRole)}: {text}"


def _id_role(p: IdRolePayload, f: _Fields) -> str:
    f.registry("ID Role", 1, p.id_role, IdRole, _ROLE_PRIVATE_USE)
    f.registry("ID Type", 1, p.id_type, IdType)
    f.length("ID len", 2, len(p.data))
    text = _identity_text(p.data, p.id_type)
    f.data("ID Data", p.data, text)
    return f"{_registry_text(p.id_role, IdRole, _ROLE_PRIVATE_USE)}: {text}"


def _rand_role(p: RandRolePayload, f: _Fields) -> str:
    f.registry("RAND Role", 1, p.rand_role, RandRole, _ROLE_PRIVATE_USE)
    f.length("RAND length", 1, len(p.rand))
    f.data("RAND", p.rand)
    return f"{_registry_text(p.rand_role, RandRole, _ROLE_PRIVATE_USE)}, {len(p.rand)} bytes"


# ---------------------------------------------------------------------------------------
# IBAKE and ESK (RFC 6267 §6.1.1, §6.1.2)


def _ibe_encrypted(p: IbakePayload | EncryptedSecretKeyPayload, f: _Fields) -> str:
    f.length("Encr data len", 2, len(p.encr_data))
    text = f"{_hex(p.encr_data, f.ctx.hex_limit)} — IBE-encrypted: decrypting needs the private key"
    f.data("Encr data", p.encr_data, text)
    return _plural(len(p.encr_data), "byte")


# ---------------------------------------------------------------------------------------
# Payloads and chains

_TITLES = {
    PayloadType.KEMAC: "Key data transport (KEMAC)",
    PayloadType.PKE: "Envelope data (PKE)",
    PayloadType.DH: "DH data (DH)",
    PayloadType.SIGN: "Signature (SIGN)",
    PayloadType.T: "Timestamp (T)",
    PayloadType.ID: "ID",
    PayloadType.CERT: "Certificate (CERT)",
    PayloadType.CHASH: "Cert hash (CHASH)",
    PayloadType.V: "Verification (V)",
    PayloadType.SP: "Security policy (SP)",
    PayloadType.RAND: "RAND",
    PayloadType.ERR: "Error (ERR)",
    PayloadType.TR: "Timestamp with role (TR)",
    PayloadType.IDR: "ID with role (IDR)",
    PayloadType.RANDR: "RAND with role (RANDR)",
    PayloadType.TP: "Ticket policy (TP)",
    PayloadType.TICKET: "Ticket (TICKET)",
    PayloadType.KEY_DATA: "Key data",
    PayloadType.GENERAL_EXT: "General extension",
    PayloadType.IBAKE: "IBAKE",
    PayloadType.ESK: "Encrypted secret key (ESK)",
    PayloadType.SK: "Secret key (SK)",
    PayloadType.ECCPT: "ECC point (ECCPT)",
    PayloadType.SAKKE: "SAKKE",
}

_DESCRIBERS: dict[type[Any], Callable[[Any, _Fields], str]] = {
    KemacPayload: _kemac,
    KeyDataSubPayload: _key_data,
    EnvelopePayload: _pke,
    DhPayload: _dh,
    SignaturePayload: _sign,
    CertHashPayload: _chash,
    TimestampPayload: _timestamp,
    IdPayload: _id,
    CertPayload: _cert,
    VerificationPayload: _verification,
    RandPayload: _rand,
    ErrorPayload: _error,
    SecurityPolicyPayload: _security_policy,
    GeneralExtensionPayload: _general_extension,
    SakkePayload: _sakke_fields,
    TimestampRolePayload: _timestamp_role,
    IdRolePayload: _id_role,
    RandRolePayload: _rand_role,
    TicketPolicyPayload: _ticket_policy_payload,
    TicketPayload: _ticket,
    IbakePayload: _ibe_encrypted,
    EncryptedSecretKeyPayload: _ibe_encrypted,
}


def _fallback(payload: Payload, f: _Fields) -> str:
    """Dataclass fields of a payload without a describer, without field offsets."""
    for field in dataclasses.fields(payload):  # type: ignore[arg-type]
        value = getattr(payload, field.name)
        if isinstance(value, bytes):
            node = Node(field.name, value.hex(), _hex(value, f.ctx.hex_limit))
        elif isinstance(value, int):
            node = Node(field.name, int(value), str(value))
        else:
            node = Node(field.name, None, str(value))
        f.nodes.append(node)
    return ""


def _payload_node(
    payload: Payload, next_type: PayloadType, raw: bytes, base: int, ctx: _Context
) -> Node:
    f = _Fields(raw, base, ctx)
    if payload.payload_type is not PayloadType.SIGN:
        f.next_payload(next_type)
    describer = _DESCRIBERS.get(type(payload))
    summary = describer(payload, f) if describer is not None else _fallback(payload, f)
    if describer is not None and f.at < len(raw):  # a describer that misses bytes is a bug
        f.data("Unexplained bytes", raw[f.at :])
    title = _TITLES.get(payload.payload_type, payload.payload_type.label)
    return Node(title, None, summary, base, len(raw), tuple(f.nodes))


def _chain_text(nodes: tuple[Node, ...]) -> str:
    names = [n.name for n in nodes if n.name != "First payload"]
    return f"{_plural(len(names), 'payload')}: {', '.join(names)}" if names else "no payloads"


def _chain(
    data: bytes, base: int, ctx: _Context, *, first: PayloadType | None, what: str
) -> tuple[Node, ...]:
    """The payloads of a chain inside a field: KEMAC Encr data in clear (``first`` given by
    the data type), or TP Data and Initiator Data, which start with a First Payload byte.

    Unlike the message itself, such a chain may fail to decode (it was kept as bytes); the
    bytes from the failing payload on are then shown with the error.
    """
    if not data:
        return ()
    inner = replace(ctx, kemac_first=PayloadType.KEY_DATA)
    nodes: list[Node] = []
    r = Reader(data, payload=what)
    start = 0
    try:
        if first is None:
            kind = r.enum(PayloadType, "First payload")
            nodes.append(
                Node("First payload", int(kind), _registry_text(kind, PayloadType), base, 1)
            )
        else:
            kind = first
        while kind is not PayloadType.LAST:
            start = r.pos
            r.payload = f"{what} {kind.label}"
            payload_class = PAYLOAD_CLASSES.get(kind)
            if payload_class is None:
                r.fail(f"a {kind.label} payload cannot be decoded here")
            payload, following = payload_class.decode(r)
            raw = data[start : r.pos]
            nodes.append(_payload_node(payload, following, raw, base + start, inner))
            kind = following
        start = r.pos
        r.payload = what
        r.expect_end("the last payload")
    except MikeyParseError as exc:
        rest = data[start:]
        text = f"{_hex(rest, ctx.hex_limit)} — does not decode: {exc}"
        nodes.append(Node("Undecodable bytes", rest.hex(), text, base + start, len(rest)))
    return tuple(nodes)


def describe(
    message: Message, *, now: datetime | None = None, hex_limit: int | None = None
) -> Node:
    """The tree of ``message``: the header, then each payload with its offset and length.

    ``now`` (aware) enables the checks that need a clock: timestamps more than a year in the
    future, expired certificates. ``hex_limit`` shortens the text of byte strings longer than
    that many bytes (values keep every byte).
    """
    if now is not None and now.tzinfo is None:
        raise MikeyValueError("describe() needs an aware datetime for now")
    data = message.encode()
    ctx = _Context(
        now=now, hex_limit=hex_limit, kemac_first=kemac_first_sub_payload(message.data_type)
    )
    kinds = [p.payload_type for p in message.payloads]
    header_end = message.payload_span(0)[0] if kinds else len(data)
    f = _Fields(data[:header_end], 0, ctx)
    summary = _header(message.header, kinds[0] if kinds else PayloadType.LAST, f)
    nodes = [Node("Common header (HDR)", None, summary, 0, header_end, tuple(f.nodes))]
    for index, payload in enumerate(message.payloads):
        start, end = message.payload_span(index)
        following = kinds[index + 1] if index + 1 < len(kinds) else PayloadType.LAST
        nodes.append(_payload_node(payload, following, data[start:end], start, ctx))
    return Node(
        "MIKEY message",
        None,
        f"{label_of(message.header.data_type, DataType)}, {_plural(len(data), 'byte')}",
        0,
        len(data),
        tuple(nodes),
    )
