"""Check MIKEY messages with Wireshark's MIKEY dissector, driven through ``tshark``.

Each message is wrapped in one IPv4/UDP datagram from port 2269 to port 2269 (the
IANA MIKEY port, which Wireshark registers for its ``mikey`` dissector), written
into a classic pcap file (link type RAW, so no Ethernet header) with :mod:`struct`,
and read back with ``tshark -r FILE -T pdml``.  The PDML XML is parsed into a
small tree of :class:`Field` objects per message: a :class:`Dissection`.

``dissect_many`` puts all messages into ONE pcap and runs tshark once, because
tshark's start-up (0.4 s to 1 s) dominates the cost of checking a message.

tshark runs with ``-d udp.port==2269,mikey`` (so MIKEY is used even if a user
profile changed the port), ``-n`` (no name resolution) and an empty private
configuration directory (``WIRESHARK_CONFIG_DIR``), so a developer's Wireshark
preferences cannot change what the tests see.

What the dissector shows, field by field, is documented in ``WIRESHARK.md``
beside this file.  In short: payload subtrees are the top-level children of the
``mikey`` protocol (``mikey.hdr``, ``mikey.kemac``, ``mikey.t``, ...) and header
fields have flat names (``mikey.csb_id``, not ``mikey.hdr.csb_id``).

Only the standard library is used.  A missing tshark raises :class:`RuntimeError`:
interop tests fail loudly, they never skip.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MIKEY_PORT",
    "PAYLOAD_FIELDS",
    "Dissection",
    "ExpertInfo",
    "Field",
    "TsharkError",
    "build_pcap",
    "dissect",
    "dissect_many",
    "tshark_command",
    "tshark_path",
    "udp_ipv4_packet",
]

MIKEY_PORT = 2269
"""UDP port Wireshark dissects as MIKEY (``udp.port`` 2269 is registered by default)."""

TIMEOUT_S = 60.0
"""Upper bound for one tshark run."""

# Payload subtree abbreviations registered by packet-mikey.c (Wireshark 4.0), keyed
# by the RFC 3830 / 6043 / 6509 next-payload value.  HDR has no next-payload value.
PAYLOAD_FIELDS: dict[int, str] = {
    1: "mikey.kemac",
    2: "mikey.pke",
    3: "mikey.dh",
    4: "mikey.sign",
    5: "mikey.t",
    6: "mikey.id",
    7: "mikey.cert",
    8: "mikey.chash",
    9: "mikey.v",
    10: "mikey.sp",
    11: "mikey.rand",
    12: "mikey.err",
    14: "mikey.idr",
    20: "mikey.key",
    21: "mikey.ext",
    26: "mikey.sakke",
}

_MAX_UDP_PAYLOAD = 0xFFFF - 20 - 8
_LINKTYPE_RAW = 101  # raw IPv4/IPv6 packets, no link-layer header
_SRC_IP = bytes((192, 0, 2, 1))  # TEST-NET-1 (RFC 5737)
_DST_IP = bytes((192, 0, 2, 2))
_BASE_TIME = 1_700_000_000  # fixed capture time, so output never depends on the clock

_PROTO_TITLE = "Multimedia Internet KEYing"
_MISSING = "tshark not found: install Debian package tshark (make test does this)"


class TsharkError(RuntimeError):
    """tshark ran but failed, timed out, or printed something that is not PDML."""


@dataclass(frozen=True)
class Field:
    """One PDML ``<field>`` (or a nested ``<proto>``) of the dissection tree.

    ``show`` is Wireshark's display value without the label (integers in decimal,
    or ``0x``-prefixed hex for hex-based fields; byte strings as colon-separated
    lower-case hex, ``"40:41:42"``); ``value`` is the raw bytes under the field as
    plain hex (for bit-masked integers: the masked value in hex, the raw byte is
    not kept); ``showname`` is the full tree line, e.g. ``"Encr alg: NULL (0)"``
    (byte strings appear there as plain hex, ``"Key: 404142"``).  ``pos`` is the offset from the
    start of the MIKEY message (PDML gives frame offsets; the harness subtracts
    the position of the ``mikey`` protocol), ``size`` the number of bytes covered.
    Generated items without bytes (expert info) have ``size`` 0 and a meaningless
    ``pos``; so do ``mikey.sp.param.type``/``.len`` in Wireshark 4.0 (see WIRESHARK.md).
    Items for hf index 0 (an unregistered payload or SP parameter type) have
    ``name == ""``.
    """

    name: str
    showname: str
    show: str
    value: str
    pos: int
    size: int
    children: tuple[Field, ...] = ()
    unmasked: str = ""  # bit-masked integers: the raw bytes under the field, plain hex
    hidden: bool = False  # PDML hide="yes"

    def walk(self) -> Iterator[Field]:
        """This field, then all its descendants, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def fields(self, name: str) -> list[Field]:
        """All descendants (not this field itself) named ``name``, in document order."""
        return [f for child in self.children for f in child.walk() if f.name == name]

    def first(self, name: str) -> Field:
        """The first descendant named ``name``; :class:`LookupError` if there is none."""
        found = self.fields(name)
        if not found:
            raise LookupError(f"no field {name!r} under {self.name!r}")
        return found[0]

    def child_names(self) -> list[str]:
        """Names of the direct children, in order."""
        return [child.name for child in self.children]

    def as_int(self) -> int:
        """``show`` as an integer (decimal, or hex with ``0x``)."""
        return int(self.show, 0)

    def as_bytes(self) -> bytes:
        """The field's bytes: ``show`` of an FT_BYTES field (colon hex) decoded."""
        text = self.show.replace(":", "")
        return bytes.fromhex(text)

    def render(self, indent: int = 0) -> str:
        """An indented text tree (for assertion messages)."""
        label = self.showname or self.show
        lines = [f"{'  ' * indent}{self.name or '<text>'} @{self.pos}+{self.size}: {label}"]
        lines.extend(child.render(indent + 1) for child in self.children)
        return "\n".join(lines)


@dataclass(frozen=True)
class ExpertInfo:
    """One expert-info item (``_ws.expert``) anywhere in the packet."""

    message: str
    severity: str  # "Error", "Warning", "Note", "Chat", or "Comment"
    group: str  # e.g. "Malformed", "Protocol", "Sequence"
    protocol: str  # the protocol abbreviation the item hangs under, e.g. "mikey"


@dataclass(frozen=True)
class Dissection:
    """What tshark made of one MIKEY message.

    ``tree`` holds the children of the ``mikey`` protocol item: for this dissector
    that is exactly the sequence of payload subtrees (``mikey.hdr``, ``mikey.t``,
    ...), each with its fields below it.
    """

    message: bytes
    has_mikey: bool
    mikey_showname: str  # e.g. "Multimedia Internet KEYing: Pre-shared"
    mikey_size: int  # bytes the mikey protocol item covers (whole datagram)
    tree: tuple[Field, ...]
    malformed: bool
    expert: tuple[ExpertInfo, ...]
    protocols: tuple[str, ...]  # protocol layers of the frame, e.g. ("geninfo", ..., "mikey")
    pdml: str = field(default="", repr=False)  # this packet's PDML, for debugging

    def walk(self) -> Iterator[Field]:
        """Every MIKEY field in document order (depth first)."""
        for top in self.tree:
            yield from top.walk()

    def fields(self, name: str) -> list[Field]:
        """All occurrences of field abbreviation ``name`` (e.g. ``mikey.csb_id``)."""
        return [f for f in self.walk() if f.name == name]

    def first(self, name: str) -> Field:
        """The first occurrence of ``name``; :class:`LookupError` (with the tree) if absent."""
        for f in self.walk():
            if f.name == name:
                return f
        raise LookupError(f"no field {name!r} in dissection:\n{self.render()}")

    def get(self, name: str) -> Field | None:
        """The first occurrence of ``name``, or None."""
        return next((f for f in self.walk() if f.name == name), None)

    def has(self, name: str) -> bool:
        """Whether field ``name`` occurs at all."""
        return self.get(name) is not None

    def show(self, name: str) -> str:
        """``show`` of the first occurrence of ``name``."""
        return self.first(name).show

    def shows(self, name: str) -> list[str]:
        """``show`` of every occurrence of ``name``."""
        return [f.show for f in self.fields(name)]

    def payload_names(self) -> list[str]:
        """The payload subtrees Wireshark recognised, in order, e.g.
        ``["mikey.hdr", "mikey.t", "mikey.rand", "mikey.sp", "mikey.kemac"]``.

        Key data sub-payloads decoded inside a NULL-encrypted KEMAC are not listed
        (they are children of ``mikey.kemac``; see :meth:`fields` with ``mikey.key``).
        A payload type Wireshark has no field for (RFC 6043 TR/RANDR/TP/TICKET, ...)
        appears as ``""`` and ends the list.
        """
        return [f.name for f in self.tree]

    def payloads(self, name: str) -> list[Field]:
        """Top-level payload subtrees named ``name`` (e.g. all ``mikey.sp``)."""
        return [f for f in self.tree if f.name == name]

    def expert_messages(self) -> list[str]:
        """Just the expert-info messages."""
        return [e.message for e in self.expert]

    @property
    def completed(self) -> bool:
        """Whether the dissector walked the payload chain to its end.

        packet-mikey.c appends ``": <data type>"`` to the protocol line only when its
        loop ends normally (next payload 0, or after SIGN).  It stops silently --
        without any malformed flag -- at a payload type it has no dissector for,
        an unknown TS type, MAC/auth algorithm or DH group, or a DH KV other than 0.
        """
        return self.mikey_showname.startswith(_PROTO_TITLE + ": ")

    @property
    def dissected_length(self) -> int:
        """End offset of the last payload subtree (0 when there is none).

        When :attr:`completed`, bytes from here to ``len(message)`` were ignored:
        Wireshark does not flag trailing data.
        """
        return max((top.pos + top.size for top in self.tree), default=0)

    @property
    def clean(self) -> bool:
        """MIKEY present, completed, not malformed, no expert item of Warning or Error."""
        bad = {"Error", "Warning"}
        return (
            self.has_mikey
            and self.completed
            and not self.malformed
            and not any(e.severity in bad for e in self.expert)
        )

    def assert_clean(self) -> None:
        """Raise AssertionError, showing the tree, unless :attr:`clean`."""
        if not self.clean:
            raise AssertionError(f"Wireshark did not dissect the message cleanly:\n{self.render()}")

    def render(self) -> str:
        """The MIKEY tree as indented text, plus malformed/expert flags."""
        head = [
            f"{self.mikey_showname or '(no mikey protocol)'} [malformed={self.malformed},"
            f" completed={self.completed}, protocols={','.join(self.protocols)}]"
        ]
        head.extend(f"  expert {e.severity}/{e.group}: {e.message}" for e in self.expert)
        head.extend(top.render(1) for top in self.tree)
        return "\n".join(head)


# --------------------------------------------------------------------------- tshark


def tshark_path() -> str:
    """Path of the tshark binary (``$TSHARK`` overrides the PATH search).

    Raises RuntimeError when it is missing, so that interop tests fail instead of
    being skipped.
    """
    override = os.environ.get("TSHARK")
    if override:
        if _is_executable(override):
            return override
        raise RuntimeError(f"TSHARK={override!r} is not an executable file")
    for candidate in (shutil.which("tshark"), "/usr/bin/tshark"):
        if candidate and _is_executable(candidate):
            return candidate
    raise RuntimeError(_MISSING)


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def dissect(message: bytes, *, timeout: float = TIMEOUT_S) -> Dissection:
    """Dissect one raw MIKEY message (the UDP payload) with tshark."""
    return dissect_many([message], timeout=timeout)[0]


def dissect_many(messages: Sequence[bytes], *, timeout: float = TIMEOUT_S) -> list[Dissection]:
    """Dissect many MIKEY messages with ONE tshark run; results are in input order."""
    msgs = [bytes(m) for m in messages]
    if not msgs:
        return []
    exe = tshark_path()
    with tempfile.TemporaryDirectory(prefix="mikey-tshark-") as tmp:
        tmpdir = Path(tmp)
        pcap = tmpdir / "mikey.pcap"
        pcap.write_bytes(build_pcap(msgs))
        confdir = tmpdir / "config"
        confdir.mkdir()
        pdml = _run_tshark(exe, pcap, confdir, timeout)
    return _parse_pdml(pdml, msgs)


def tshark_command(exe: str, pcap: Path) -> list[str]:
    """The tshark command line the harness runs on ``pcap``."""
    return [
        exe,
        "-n",
        "-r",
        str(pcap),
        "-d",
        f"udp.port=={MIKEY_PORT},mikey",
        "-T",
        "pdml",
    ]


def _run_tshark(exe: str, pcap: Path, confdir: Path, timeout: float) -> str:
    env = dict(os.environ)
    env["WIRESHARK_CONFIG_DIR"] = str(confdir)
    env["HOME"] = str(confdir)  # no stray ~/.config/wireshark either
    env["LC_ALL"] = "C.UTF-8"
    cmd = tshark_command(exe, pcap)
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TsharkError(f"tshark timed out after {timeout:g} s: {' '.join(cmd)}") from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise TsharkError(f"tshark exited with {proc.returncode}: {' '.join(cmd)}\n{stderr}")
    return proc.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------- pcap


def _ipv4_checksum(header: bytes) -> int:
    words: tuple[int, ...] = struct.unpack(f"!{len(header) // 2}H", header)
    total = sum(words)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_ipv4_packet(payload: bytes, ident: int = 0) -> bytes:
    """An IPv4 datagram carrying ``payload`` in UDP from port 2269 to port 2269.

    The UDP checksum is 0 ("none", allowed over IPv4) so no checksum expert item
    can appear; the IPv4 header checksum is correct.
    """
    if len(payload) > _MAX_UDP_PAYLOAD:
        raise ValueError(f"MIKEY message of {len(payload)} bytes does not fit one UDP datagram")
    udp = struct.pack("!HHHH", MIKEY_PORT, MIKEY_PORT, 8 + len(payload), 0) + payload
    total = 20 + len(udp)
    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, total, ident & 0xFFFF, 0x4000, 64, 17, 0, _SRC_IP, _DST_IP
    )
    header = header[:10] + struct.pack("!H", _ipv4_checksum(header)) + header[12:]
    return header + udp


def build_pcap(messages: Sequence[bytes]) -> bytes:
    """A classic little-endian pcap, link type RAW (IPv4), one packet per message."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 0x40000, _LINKTYPE_RAW)]
    for index, message in enumerate(messages):
        packet = udp_ipv4_packet(message, ident=index + 1)
        out.append(struct.pack("<IIII", _BASE_TIME + index, 0, len(packet), len(packet)))
        out.append(packet)
    return b"".join(out)


# --------------------------------------------------------------------------- PDML


def _attr_int(elem: ET.Element, name: str) -> int:
    text = elem.get(name, "")
    try:
        return int(text)
    except ValueError:
        return 0


def _to_field(elem: ET.Element, base: int) -> Field:
    return Field(
        name=elem.get("name", ""),
        showname=elem.get("showname", ""),
        show=elem.get("show", ""),
        value=elem.get("value", ""),
        pos=_attr_int(elem, "pos") - base,
        size=_attr_int(elem, "size"),
        children=tuple(_to_field(child, base) for child in elem if child.tag in ("field", "proto")),
        unmasked=elem.get("unmaskedvalue", ""),
        hidden=elem.get("hide") == "yes",
    )


def _label(showname: str) -> str:
    """``"Severity level: Error"`` -> ``"Error"``."""
    return showname.split(":", 1)[1].strip() if ":" in showname else showname


def _expert_items(packet: ET.Element) -> list[ExpertInfo]:
    items: list[ExpertInfo] = []

    def visit(elem: ET.Element, proto: str) -> None:
        for child in elem:
            if child.tag == "proto":
                visit(child, child.get("name", ""))
            elif child.tag == "field":
                if child.get("name") == "_ws.expert":
                    parts = {sub.get("name", ""): sub for sub in child if sub.tag == "field"}
                    msg = parts.get("_ws.expert.message")
                    sev = parts.get("_ws.expert.severity")
                    grp = parts.get("_ws.expert.group")
                    items.append(
                        ExpertInfo(
                            message=msg.get("show", "") if msg is not None else "",
                            severity=_label(sev.get("showname", "")) if sev is not None else "",
                            group=_label(grp.get("showname", "")) if grp is not None else "",
                            protocol=proto,
                        )
                    )
                visit(child, proto)

    visit(packet, "")
    return items


def _geninfo(packet: ET.Element, name: str) -> str:
    for proto in packet.iter("proto"):
        if proto.get("name") == "geninfo":
            for fld in proto.iter("field"):
                if fld.get("name") == name:
                    return fld.get("show", "")
    return ""


def _is_malformed(packet: ET.Element) -> bool:
    for elem in packet.iter():
        name = elem.get("name", "")
        if name.startswith("_ws.malformed"):
            return True
        if elem.tag == "proto" and "Malformed Packet" in elem.get("showname", ""):
            return True
    return False


def _dissection(packet: ET.Element, message: bytes) -> Dissection:
    top = [p for p in packet if p.tag == "proto"]
    mikey = next((p for p in top if p.get("name") == "mikey"), None)
    base = _attr_int(mikey, "pos") if mikey is not None else 0
    tree = () if mikey is None else _to_field(mikey, base).children
    return Dissection(
        message=message,
        has_mikey=mikey is not None,
        mikey_showname=mikey.get("showname", "") if mikey is not None else "",
        mikey_size=_attr_int(mikey, "size") if mikey is not None else 0,
        tree=tree,
        malformed=_is_malformed(packet),
        expert=tuple(_expert_items(packet)),
        protocols=tuple(p.get("name", "") for p in top),
        pdml=ET.tostring(packet, encoding="unicode"),
    )


def _parse_pdml(pdml: str, messages: Sequence[bytes]) -> list[Dissection]:
    try:
        root = ET.fromstring(pdml)
    except ET.ParseError as exc:
        raise TsharkError(f"tshark printed no valid PDML ({exc}):\n{pdml[:2000]}") from exc
    results: dict[int, Dissection] = {}
    for packet in root.iter("packet"):
        number_text = _geninfo(packet, "num")
        try:
            number = int(number_text)
        except ValueError as exc:
            raise TsharkError(f"PDML packet without a frame number: {number_text!r}") from exc
        index = number - 1
        if not 0 <= index < len(messages) or index in results:
            raise TsharkError(f"unexpected PDML frame number {number} for {len(messages)} packets")
        results[index] = _dissection(packet, messages[index])
    if len(results) != len(messages):
        missing = sorted(set(range(len(messages))) - set(results))
        raise TsharkError(
            f"tshark returned {len(results)} of {len(messages)} packets; missing {missing}"
        )
    return [results[i] for i in range(len(messages))]
